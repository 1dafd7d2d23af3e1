"""A local Telegram Bot API server (aiohttp on 127.0.0.1) for tests, benchmarks and demos.

An unmodified ``telegram.ext.Application`` talks to it over real HTTP with long polling, so
tests exercise the same code paths as production, including PTB's request encoding and its
error mapping (RetryAfter, Forbidden, BadRequest...). Fake users (see ``users.py``) inject
updates; everything the bot does is recorded for assertions.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import math
import mimetypes
import re
import struct
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.emulator.faults import FaultInjector
from bot.emulator.markup import EntityParseError, parse_html, utf16_len
from bot.emulator.users import BotMessage, BotMessageVersion, CallbackAnswer, FakeUser

JsonDict = dict[str, Any]
logger = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64

#: Methods that deliver a new message; they are rate-measured and flood-limited.
SEND_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto"})
#: Methods refused with 403 when the target user blocked the bot.
BLOCKABLE_METHODS = SEND_METHODS | {
    "sendChatAction",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
}

_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "allowed_updates",
        "commands",
        "scope",
        "menu_button",
        "media",
    }
)
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "reply_to_message_id",
        "message_thread_id",
        "cache_time",
        "user_id",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "show_alert",
        "disable_notification",
        "protect_content",
        "disable_web_page_preview",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "disable_content_type_detection",
        "has_spoiler",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?")
_BOT_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")
_URL_RE = re.compile(r"(https?|tg)://\S+")


class ApiError(Exception):
    """An error answer, rendered exactly like Telegram's JSON error object."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JsonDict:
        data: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            data["parameters"] = {"retry_after": self.retry_after}
        return data


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part as received."""

    filename: str
    data: bytes
    content_type: str | None = None


@dataclass
class Call:
    """One API request as the bot made it, with the status the emulator answered."""

    method: str
    params: JsonDict
    files: dict[str, UploadedFile]
    at: float
    status: int | None = None
    response: JsonDict | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass(frozen=True)
class Send:
    """A successful message delivery (for rate assertions)."""

    at: float
    method: str
    chat_id: int
    message_id: int


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    file_name: str | None
    mime_type: str | None


@dataclass
class ChatState:
    """Per-chat history: every message by id, plus the bot's messages as BotMessage."""

    chat: JsonDict
    next_message_id: int = 1
    messages: dict[int, JsonDict] = field(default_factory=dict)
    bot_messages: list[BotMessage] = field(default_factory=list)
    bot_by_id: dict[int, BotMessage] = field(default_factory=dict)


Handler = Callable[[JsonDict, dict[str, UploadedFile]], Awaitable[Any]]


def _coerce(name: str, value: Any) -> Any:
    """Form fields arrive as strings; PTB JSON-encodes non-string values. Undo that."""
    if not isinstance(value, str):
        return value
    if name in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            what = "reply keyboard markup" if name == "reply_markup" else name
            raise bad_request(f"can't parse {what} JSON object") from None
    if name in _INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            return value
    if name in _BOOL_FIELDS:
        return value.strip().lower() in ("true", "1")
    return value


async def _read_params(request: web.Request) -> tuple[JsonDict, dict[str, UploadedFile]]:
    """Accept query string, JSON, urlencoded and multipart bodies like Telegram does."""
    raw: JsonDict = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.can_read_body:
        ctype = request.content_type
        if ctype == "application/json":
            body = await request.read()
            if body.strip():
                try:
                    data = json.loads(body)
                except ValueError:
                    raise bad_request("can't parse JSON object") from None
                if not isinstance(data, dict):
                    raise bad_request("JSON object expected")
                raw.update(data)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = UploadedFile(
                        value.filename, value.file.read(), value.content_type or None
                    )
                elif isinstance(value, bytes):
                    raw[key] = value.decode()
                else:
                    raw[key] = value
    params = {key: _coerce(key, value) for key, value in raw.items()}
    return params, files


def _image_size(data: bytes) -> tuple[int, int]:
    """Width/height for PNG, GIF and JPEG, so PhotoSize looks plausible; 1x1 otherwise."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return int(w), int(h)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        w, h = struct.unpack("<HH", data[6:10])
        return int(w), int(h)
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                break
            marker = data[i + 1]
            seg_len = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(w), int(h)
            i += 2 + seg_len
    return 1, 1


class BotApiEmulator:
    """Bot API over loopback. Start it, point PTB's ``base_url`` at ``f"{emu.url}/bot"``.

    ``token=None`` accepts any token; a string rejects others with 401 like Telegram.
    ``flood_limit_per_second`` / ``flood_limit_per_chat_per_second`` emulate Telegram's flood
    control (sliding one-second window over successful sends, answering 429 + retry_after).
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_id: int | None = None,
        bot_username: str = "confbot_test_bot",
        bot_first_name: str = "ConfBot Test",
        flood_limit_per_second: int | None = None,
        flood_limit_per_chat_per_second: int | None = None,
        strict_html_entities: bool = True,
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        if bot_id is None:
            head = (token or "").split(":", 1)[0]
            bot_id = int(head) if head.isdigit() else 7_000_000_001
        self.bot_user: JsonDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.flood_limit_per_second = flood_limit_per_second
        self.flood_limit_per_chat_per_second = flood_limit_per_chat_per_second
        self.strict_html_entities = strict_html_entities

        self.calls: list[Call] = []
        self.sends: list[Send] = []
        self._recent_sends: deque[float] = deque()
        self._recent_by_chat: defaultdict[int, deque[float]] = defaultdict(deque)
        self.callback_answers: list[CallbackAnswer] = []
        self.faults = FaultInjector()
        #: Called synchronously as ``listener(event, message)`` with event "new", "edited" or
        #: "deleted": lets a live client (the terminal chat) render bot output as it happens.
        self.listeners: list[Callable[[str, BotMessage], None]] = []
        self.users: dict[int, FakeUser] = {}
        self.blocked: set[int] = set()
        self.commands_by_scope: dict[tuple[str, str], list[JsonDict]] = {}
        self.menu_buttons: dict[int | None, JsonDict] = {}
        self.descriptions: dict[tuple[str, str], str] = {}

        self._changed = asyncio.Condition()
        self._seq = 0
        self._chats: dict[int, ChatState] = {}
        self._updates: list[JsonDict] = []
        self._update_ids = itertools.count(1)
        self._fetched_upto = 0
        self._allowed_updates: list[str] | None = None
        self._callbacks: dict[str, tuple[int, int]] = {}  # id -> (chat_id, message_id)
        self._answered: set[str] = set()
        self._callback_ids = itertools.count(4_000_000_000_001)
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_ids = itertools.count(1)
        self._in_flight = 0
        self._last_activity = time.monotonic()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, tuple[str, Handler]] = {}
        for name in (
            "getMe",
            "getUpdates",
            "deleteWebhook",
            "getWebhookInfo",
            "setMyCommands",
            "getMyCommands",
            "deleteMyCommands",
            "setChatMenuButton",
            "getChatMenuButton",
            "setMyDescription",
            "getMyDescription",
            "setMyShortDescription",
            "getMyShortDescription",
            "sendMessage",
            "editMessageText",
            "editMessageCaption",
            "editMessageReplyMarkup",
            "deleteMessage",
            "answerCallbackQuery",
            "sendChatAction",
            "sendDocument",
            "sendPhoto",
            "getFile",
            "getChat",
            "close",
            "logOut",
        ):
            self._methods[name.lower()] = (name, getattr(self, f"_m_{name}"))

    # ------------------------------------------------------------------ lifecycle
    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` once started."""
        if self._runner is None:
            raise RuntimeError("emulator not started")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder.base_url``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``ApplicationBuilder.base_file_url``."""
        return f"{self.url}/file/bot"

    async def start(self) -> BotApiEmulator:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        runner = web.AppRunner(
            app, handle_signals=False, shutdown_timeout=1.0, handler_cancellation=True
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.port = int(sockets[0].getsockname()[1])
        self._runner = runner
        self._closing = False
        return self

    async def stop(self) -> None:
        """Wake long polls (they return no updates) and shut the server down."""
        self._closing = True
        async with self._changed:
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiEmulator:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ test API
    def user(
        self,
        user_id: int,
        first_name: str = "User",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> FakeUser:
        """Create (or return the existing) fake user; its private chat id is its user id."""
        existing = self.users.get(user_id)
        if existing is not None:
            return existing
        user = FakeUser(self, user_id, first_name, last_name, username, language_code)
        self.users[user_id] = user
        self._chats[user_id] = ChatState(chat=user.as_chat())
        return user

    def block(self, user_id: int) -> None:
        """The user blocks the bot: deliveries get 403 Forbidden."""
        self.blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self.blocked.discard(user_id)

    def calls_of(self, method: str) -> list[Call]:
        """Recorded calls of one method (case-insensitive name)."""
        lower = method.lower()
        return [c for c in self.calls if c.method.lower() == lower]

    def sends_to(self, chat_id: int) -> list[float]:
        """Monotonic timestamps of successful deliveries to ``chat_id``."""
        return [s.at for s in self.sends if s.chat_id == chat_id]

    def max_sends_in_window(
        self, window: float = 1.0, method: str | None = None, chat_id: int | None = None
    ) -> int:
        """Largest number of successful sends within any ``window``-second interval."""
        times = sorted(
            s.at
            for s in self.sends
            if (method is None or s.method == method) and (chat_id is None or s.chat_id == chat_id)
        )
        best = 0
        lo = 0
        for hi, t in enumerate(times):
            while t - times[lo] >= window:
                lo += 1
            best = max(best, hi - lo + 1)
        return best

    def commands(self, scope: JsonDict | None = None, language_code: str = "") -> list[JsonDict]:
        """Commands set for exactly this scope and language (as getMyCommands would return)."""
        return list(self.commands_by_scope.get(self._scope_key(scope, language_code), []))

    @property
    def unanswered_callbacks(self) -> list[str]:
        """Callback query ids the bot has not answered (every press deserves an answer)."""
        return [cid for cid in self._callbacks if cid not in self._answered]

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed by the bot."""
        return len(self._updates)

    async def wait_callback_answer(
        self, callback_query_id: str, timeout: float = 5.0
    ) -> CallbackAnswer:
        found: list[CallbackAnswer] = []

        def check() -> bool:
            found[:] = [
                a for a in self.callback_answers if a.callback_query_id == callback_query_id
            ]
            return bool(found)

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(check), timeout)
            except TimeoutError:
                raise AssertionError(
                    f"callback query {callback_query_id} not answered within {timeout}s; "
                    f"answers so far: {self.callback_answers}"
                ) from None
        return found[0]

    async def wait_call(self, method: str, count: int = 1, timeout: float = 5.0) -> Call:
        """Wait until ``count`` calls of ``method`` have arrived; return the last of them.

        The call may still be in progress (``status is None``): this is how a test knows
        the bot is blocked inside a long poll or a delayed request.
        """

        def check() -> bool:
            return len(self.calls_of(method)) >= count

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(check), timeout)
            except TimeoutError:
                raise AssertionError(
                    f"only {len(self.calls_of(method))} {method} call(s) within {timeout}s"
                ) from None
        return self.calls_of(method)[count - 1]

    async def wait_idle(self, quiet: float = 0.15, timeout: float = 5.0) -> None:
        """Return once every queued update was fetched, no call is in flight and no API call
        other than getUpdates arrived for ``quiet`` seconds (the bot has finished reacting).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with self._changed:
            while True:
                now = time.monotonic()
                busy = self._in_flight > 0 or self._has_unfetched()
                idle_for = now - self._last_activity
                if not busy and idle_for >= quiet:
                    return
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise AssertionError(
                        f"emulator not idle after {timeout}s: in_flight={self._in_flight}, "
                        f"unfetched={self._has_unfetched()}, last calls="
                        f"{[c.method for c in self.calls[-5:]]}"
                    )
                wait = remaining if busy else min(remaining, quiet - idle_for)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), wait)

    # ------------------------------------------------------------------ user side
    def _chat_state(self, chat_id: int) -> ChatState:
        state = self._chats.get(chat_id)
        if state is None:
            raise AssertionError(f"unknown chat {chat_id}; create it with emu.user(...)")
        return state

    def _bump(self, msg: BotMessage, event: str) -> None:
        self._seq += 1
        msg.seq = self._seq
        for listener in list(self.listeners):
            try:
                listener(event, msg)
            except Exception:  # a broken observer must not turn into an API error
                logger.exception("emulator listener failed on %s #%s", event, msg.message_id)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _queue_update(self, kind: str, payload: JsonDict) -> JsonDict:
        update = {"update_id": next(self._update_ids), kind: payload}
        self._updates.append(update)
        await self._notify()
        return update

    def _has_unfetched(self) -> bool:
        return any(u["update_id"] > self._fetched_upto for u in self._updates)

    async def _user_message(
        self,
        user: FakeUser,
        *,
        text: str | None = None,
        caption: str | None = None,
        document: tuple[str, bytes, str | None] | None = None,
        reply_to: BotMessage | JsonDict | int | None = None,
    ) -> JsonDict:
        state = self._chat_state(user.id)
        mid = state.next_message_id
        state.next_message_id += 1
        msg: JsonDict = {
            "message_id": mid,
            "from": user.as_user(),
            "chat": state.chat,
            "date": int(time.time()),
        }
        if text is not None:
            msg["text"] = text
            entities = [
                {
                    "type": "bot_command",
                    "offset": utf16_len(text[: m.start()]),
                    "length": utf16_len(m.group()),
                }
                for m in _COMMAND_RE.finditer(text)
            ]
            if entities:
                msg["entities"] = entities
        if document is not None:
            filename, data, mime = document
            mime = mime or mimetypes.guess_type(filename)[0] or "application/octet-stream"
            stored = self._store_file(data, filename, mime, "documents")
            msg["document"] = self._document_obj(stored)
        if caption is not None:
            msg["caption"] = caption
        if reply_to is not None:
            rid = (
                reply_to
                if isinstance(reply_to, int)
                else reply_to.message_id
                if isinstance(reply_to, BotMessage)
                else int(reply_to["message_id"])
            )
            target = state.messages.get(rid)
            if target is None:
                raise AssertionError(f"{user}: cannot reply to unknown message #{rid}")
            msg["reply_to_message"] = target
        state.messages[mid] = msg
        await self._queue_update("message", msg)
        return msg

    async def _user_callback(self, user: FakeUser, message_id: int, data: str) -> str:
        state = self._chat_state(user.id)
        target = state.messages.get(message_id)
        if target is None:
            raise AssertionError(f"{user}: no message #{message_id} to press a button on")
        cid = str(next(self._callback_ids))
        self._callbacks[cid] = (user.id, message_id)
        query: JsonDict = {
            "id": cid,
            "from": user.as_user(),
            "message": target,
            "chat_instance": str(-user.id),
            "data": data,
        }
        await self._queue_update("callback_query", query)
        return cid

    # ------------------------------------------------------------------ HTTP layer
    async def _handle_api(self, request: web.Request) -> web.Response:
        arrival = time.monotonic()
        method_in = request.match_info["method"]
        entry = self._methods.get(method_in.lower())
        method = entry[0] if entry else method_in
        polling = method == "getUpdates"
        call = Call(method=method, params={}, files={}, at=arrival)
        self.calls.append(call)
        if not polling:
            self._in_flight += 1
            self._last_activity = arrival
        await self._notify()
        try:
            try:
                call.params, call.files = await _read_params(request)
                result = await self._dispatch(request.match_info["token"], entry, call)
                body: JsonDict = {"ok": True, "result": result}
                call.status = 200
            except ApiError as err:
                body = err.body()
                call.status = err.status
            call.response = body
        finally:
            if call.status is None:
                call.status = 499  # the client went away (e.g. a cancelled long poll)
            if not polling:
                self._in_flight -= 1
                self._last_activity = time.monotonic()
            await self._notify()
        return web.json_response(body, status=call.status)

    async def _dispatch(self, token: str, entry: tuple[str, Handler] | None, call: Call) -> Any:
        if self.token is not None and token != self.token:
            raise ApiError(401, "Unauthorized")
        if entry is None:
            raise ApiError(404, "Not Found")
        method, handler = entry
        chat_id = call.params.get("chat_id")
        decision = self.faults.decide(method, chat_id)
        if decision.delay > 0:
            await asyncio.sleep(decision.delay)  # injected latency, not a test wait
        if decision.rule is not None:
            rule = decision.rule
            assert rule.status is not None
            raise ApiError(
                rule.status,
                rule.error_description(),
                rule.retry_after if rule.status == 429 else None,
            )
        if method in BLOCKABLE_METHODS and isinstance(chat_id, int) and chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if method in SEND_METHODS:
            self._check_flood(chat_id)
        return await handler(call.params, call.files)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if self.token is not None and request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    def _check_flood(self, chat_id: Any) -> None:
        """Sliding one-second windows over successful sends (global and per chat)."""
        now = time.monotonic()
        windows: list[tuple[int | None, deque[float]]] = [
            (self.flood_limit_per_second, self._recent_sends)
        ]
        if self.flood_limit_per_chat_per_second is not None and isinstance(chat_id, int):
            windows.append((self.flood_limit_per_chat_per_second, self._recent_by_chat[chat_id]))
        for limit, recent in windows:
            while recent and now - recent[0] >= 1.0:
                recent.popleft()
            if limit is not None and len(recent) >= limit:
                retry = max(1, math.ceil(recent[0] + 1.0 - now))
                raise ApiError(429, f"Too Many Requests: retry after {retry}", retry)

    def _record_send(self, send: Send) -> None:
        self.sends.append(send)
        self._recent_sends.append(send.at)
        if self.flood_limit_per_chat_per_second is not None:
            self._recent_by_chat[send.chat_id].append(send.at)

    # ------------------------------------------------------------------ helpers
    def _target_chat(self, params: JsonDict) -> ChatState:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        state = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if state is None:
            raise bad_request("chat not found")
        return state

    def _formatted(
        self,
        text: Any,
        parse_mode: Any,
        entities: Any,
        *,
        caption: bool = False,
    ) -> tuple[str, list[JsonDict]]:
        """Validate text/caption like Telegram; return (plain text, entities)."""
        if text is None or text == "":
            if caption:
                return "", []
            raise bad_request("message text is empty")
        text = str(text)
        mode = str(parse_mode or "").lower()
        if mode == "html":
            try:
                plain, ents = parse_html(text, strict_entities=self.strict_html_entities)
            except EntityParseError as err:
                raise bad_request(f"can't parse entities: {err}") from None
        elif mode in ("", "markdown", "markdownv2"):
            plain = text
            ents = list(entities) if isinstance(entities, list) and not mode else []
        else:
            raise bad_request("unsupported parse_mode")
        if not caption and not plain.strip():
            raise bad_request("message text is empty")
        if caption and len(plain) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        if not caption and len(plain) > MAX_TEXT:
            raise bad_request("message is too long")
        return plain, ents

    @staticmethod
    def _check_markup(markup: Any) -> JsonDict | None:
        """Validate reply_markup; return it (dict) or None."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request(
                    'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array '
                    "of Arrays"
                )
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                        raise bad_request('can\'t find field "text"')
                    if not button["text"]:
                        raise bad_request("BUTTON_TEXT_INVALID")
                    if "callback_data" in button:
                        data = str(button["callback_data"]).encode()
                        if not 1 <= len(data) <= MAX_CALLBACK_DATA:
                            raise bad_request("BUTTON_DATA_INVALID")
                    elif "url" in button:
                        if not _URL_RE.fullmatch(str(button["url"])):
                            raise bad_request("BUTTON_URL_INVALID")
                    elif not any(
                        k in button
                        for k in (
                            "web_app",
                            "login_url",
                            "switch_inline_query",
                            "switch_inline_query_current_chat",
                            "switch_inline_query_chosen_chat",
                            "copy_text",
                            "callback_game",
                            "pay",
                        )
                    ):
                        raise bad_request("text buttons are unallowed in the inline keyboard")
        elif not any(k in markup for k in ("keyboard", "remove_keyboard", "force_reply")):
            raise bad_request("can't parse reply keyboard markup JSON object")
        return markup

    def _reply_target(self, state: ChatState, params: JsonDict) -> JsonDict | None:
        rp = params.get("reply_parameters")
        if rp is None and params.get("reply_to_message_id") is not None:
            rp = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply", False),
            }
        if not isinstance(rp, dict) or rp.get("message_id") is None:
            return None
        target = state.messages.get(int(rp["message_id"]))
        if target is None and not rp.get("allow_sending_without_reply"):
            raise bad_request("message to be replied not found")
        return target

    def _new_bot_message(
        self,
        state: ChatState,
        method: str,
        params: JsonDict,
        content: JsonDict,
        *,
        text: str | None,
        plain: str | None,
        entities: list[JsonDict],
        markup: JsonDict | None,
        stored: StoredFile | None = None,
    ) -> BotMessage:
        reply_target = self._reply_target(state, params)
        mid = state.next_message_id
        state.next_message_id += 1
        raw: JsonDict = {
            "message_id": mid,
            "from": self.bot_user,
            "chat": state.chat,
            "date": int(time.time()),
            **content,
        }
        if reply_target is not None:
            raw["reply_to_message"] = reply_target
        if markup is not None and "inline_keyboard" in markup:
            raw["reply_markup"] = markup
        msg = BotMessage(
            message_id=mid,
            chat_id=int(state.chat["id"]),
            method=method,
            text=text,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
            sent_at=time.monotonic(),
            plain_text=plain,
            entities=entities,
            reply_to_message_id=reply_target["message_id"] if reply_target else None,
            raw=raw,
        )
        if stored is not None and method == "sendDocument":
            msg.document_name = stored.file_name or "document"
            msg.document_bytes = stored.data
            msg.document_mime = stored.mime_type
        elif stored is not None:
            msg.photo_bytes = stored.data
        state.messages[mid] = raw
        state.bot_messages.append(msg)
        state.bot_by_id[mid] = msg
        self._bump(msg, "new")
        self._record_send(Send(msg.sent_at, method, msg.chat_id, mid))
        return msg

    def _store_file(
        self, data: bytes, filename: str | None, mime: str | None, folder: str
    ) -> StoredFile:
        n = next(self._file_ids)
        ext = ""
        if filename and "." in filename:
            ext = "." + filename.rsplit(".", 1)[1]
        elif folder == "photos":
            ext = ".jpg"
        stored = StoredFile(
            file_id=f"EMU{folder[:3].upper()}{n:08d}",
            file_unique_id=f"UQ{n:08d}",
            data=data,
            file_path=f"{folder}/file_{n}{ext}",
            file_name=filename,
            mime_type=mime,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    @staticmethod
    def _document_obj(stored: StoredFile) -> JsonDict:
        doc: JsonDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        if stored.file_name:
            doc["file_name"] = stored.file_name
        if stored.mime_type:
            doc["mime_type"] = stored.mime_type
        return doc

    def _input_file(
        self, params: JsonDict, files: dict[str, UploadedFile], field_name: str, folder: str
    ) -> StoredFile:
        """Resolve an uploaded part, an attach:// reference or an existing file_id."""
        value = params.get(field_name)
        upload = files.get(field_name)
        if upload is None and isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value[len("attach://") :])
        if upload is not None:
            mime = upload.content_type
            if not mime or mime == "application/octet-stream":
                mime = mimetypes.guess_type(upload.filename)[0] or mime
            return self._store_file(upload.data, upload.filename, mime, folder)
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        if value in (None, ""):
            raise bad_request(f"there is no {field_name} in the request")
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _find_bot_message(self, params: JsonDict, *, action: str) -> tuple[ChatState, BotMessage]:
        if params.get("inline_message_id"):
            raise bad_request("inline messages are not supported by the emulator")
        state = self._target_chat(params)
        mid = params.get("message_id")
        msg = state.bot_by_id.get(mid) if isinstance(mid, int) else None
        if msg is None or msg.deleted:
            if isinstance(mid, int) and mid in state.messages and msg is None:
                raise bad_request("message can't be edited")
            raise bad_request(f"message to {action} not found")
        return state, msg

    def _apply_edit(
        self,
        msg: BotMessage,
        *,
        text: str | None,
        parse_mode: str | None,
        plain: str | None,
        entities: list[JsonDict],
        markup: JsonDict | None,
    ) -> JsonDict:
        old_markup = msg.raw.get("reply_markup")
        new_markup = markup if markup is not None and "inline_keyboard" in markup else None
        if plain == msg.plain_text and entities == msg.entities and new_markup == old_markup:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        msg.history.append(
            BotMessageVersion(
                msg.text, msg.parse_mode, msg.reply_markup, msg.edited_at or msg.sent_at
            )
        )
        msg.text, msg.parse_mode, msg.plain_text, msg.entities = text, parse_mode, plain, entities
        msg.reply_markup = new_markup
        msg.edited = True
        msg.edited_at = time.monotonic()
        raw = msg.raw
        text_key, entities_key = (
            ("text", "entities") if msg.kind == "text" else ("caption", "caption_entities")
        )
        if plain:
            raw[text_key] = plain
        else:
            raw.pop(text_key, None)
        if entities:
            raw[entities_key] = entities
        else:
            raw.pop(entities_key, None)
        if new_markup is not None:
            raw["reply_markup"] = new_markup
        else:
            raw.pop("reply_markup", None)
        raw["edit_date"] = int(time.time())
        self._bump(msg, "edited")
        return raw

    @staticmethod
    def _scope_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope if isinstance(scope, dict) else {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    # ------------------------------------------------------------------ methods
    async def _m_getMe(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        return self.bot_user

    async def _m_getUpdates(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        offset = params.get("offset")
        if isinstance(offset, int) and offset != 0:
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            else:
                self._updates = self._updates[offset:]
        limit = params.get("limit")
        limit = min(max(limit, 1), 100) if isinstance(limit, int) else 100
        timeout = params.get("timeout")
        timeout = max(0, timeout) if isinstance(timeout, int) else 0
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = params["allowed_updates"] or None
        if self._allowed_updates:
            allowed = set(self._allowed_updates)
            self._updates = [u for u in self._updates if set(u) - {"update_id"} <= allowed]
        if not self._updates and timeout > 0 and not self._closing:
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(self._updates) or self._closing),
                        timeout,
                    )
        if self._closing:
            return []
        batch = self._updates[:limit]
        if batch:
            self._fetched_upto = max(self._fetched_upto, batch[-1]["update_id"])
            self._last_activity = time.monotonic()
        return batch

    async def _m_deleteWebhook(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _m_getWebhookInfo(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _m_setMyCommands(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for cmd in commands:
            if not isinstance(cmd, dict) or not _BOT_COMMAND_NAME_RE.fullmatch(
                str(cmd.get("command", ""))
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._scope_key(params.get("scope"), params.get("language_code"))
        self.commands_by_scope[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _m_getMyCommands(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        return self.commands(params.get("scope"), params.get("language_code") or "")

    async def _m_deleteMyCommands(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        self.commands_by_scope.pop(
            self._scope_key(params.get("scope"), params.get("language_code")), None
        )
        return True

    async def _m_setChatMenuButton(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "commands",
            "web_app",
            "default",
        ):
            raise bad_request("can't parse menu button JSON object")
        chat_id = params.get("chat_id")
        if chat_id is not None:
            self._target_chat(params)
        self.menu_buttons[chat_id if isinstance(chat_id, int) else None] = button
        return True

    async def _m_getChatMenuButton(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        chat_id = params.get("chat_id")
        key = chat_id if isinstance(chat_id, int) else None
        return self.menu_buttons.get(key) or self.menu_buttons.get(None) or {"type": "commands"}

    async def _m_setMyDescription(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        self.descriptions[("description", str(params.get("language_code") or ""))] = str(
            params.get("description") or ""
        )
        return True

    async def _m_getMyDescription(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        key = ("description", str(params.get("language_code") or ""))
        return {"description": self.descriptions.get(key, "")}

    async def _m_setMyShortDescription(
        self, params: JsonDict, files: dict[str, UploadedFile]
    ) -> Any:
        self.descriptions[("short_description", str(params.get("language_code") or ""))] = str(
            params.get("short_description") or ""
        )
        return True

    async def _m_getMyShortDescription(
        self, params: JsonDict, files: dict[str, UploadedFile]
    ) -> Any:
        key = ("short_description", str(params.get("language_code") or ""))
        return {"short_description": self.descriptions.get(key, "")}

    async def _m_sendMessage(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        state = self._target_chat(params)
        text = params.get("text")
        plain, entities = self._formatted(text, params.get("parse_mode"), params.get("entities"))
        markup = self._check_markup(params.get("reply_markup"))
        content: JsonDict = {"text": plain}
        if entities:
            content["entities"] = entities
        if isinstance(params.get("link_preview_options"), dict):
            content["link_preview_options"] = params["link_preview_options"]
        msg = self._new_bot_message(
            state,
            "sendMessage",
            params,
            content,
            text=str(text),
            plain=plain,
            entities=entities,
            markup=markup,
        )
        await self._notify()
        return msg.raw

    async def _send_media(
        self, method: str, field_name: str, params: JsonDict, files: dict[str, UploadedFile]
    ) -> Any:
        state = self._target_chat(params)
        caption = params.get("caption")
        plain, entities = self._formatted(
            caption, params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        markup = self._check_markup(params.get("reply_markup"))
        folder = "documents" if field_name == "document" else "photos"
        stored = self._input_file(params, files, field_name, folder)
        content: JsonDict = {}
        if field_name == "document":
            content["document"] = self._document_obj(stored)
        else:
            width, height = _image_size(stored.data)
            content["photo"] = [
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": width,
                    "height": height,
                    "file_size": len(stored.data),
                }
            ]
        if plain:
            content["caption"] = plain
        if entities:
            content["caption_entities"] = entities
        msg = self._new_bot_message(
            state,
            method,
            params,
            content,
            text=None if caption is None else str(caption),
            plain=plain or None,
            entities=entities,
            markup=markup,
            stored=stored,
        )
        await self._notify()
        return msg.raw

    async def _m_sendDocument(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        return await self._send_media("sendDocument", "document", params, files)

    async def _m_sendPhoto(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        return await self._send_media("sendPhoto", "photo", params, files)

    async def _m_editMessageText(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        _, msg = self._find_bot_message(params, action="edit")
        if msg.kind != "text":
            raise bad_request("there is no text in the message to edit")
        text = params.get("text")
        plain, entities = self._formatted(text, params.get("parse_mode"), params.get("entities"))
        markup = self._check_markup(params.get("reply_markup"))
        raw = self._apply_edit(
            msg,
            text=str(text),
            parse_mode=params.get("parse_mode"),
            plain=plain,
            entities=entities,
            markup=markup,
        )
        if isinstance(params.get("link_preview_options"), dict):
            raw["link_preview_options"] = params["link_preview_options"]
        await self._notify()
        return raw

    async def _m_editMessageCaption(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        _, msg = self._find_bot_message(params, action="edit")
        if msg.kind == "text":
            raise bad_request("there is no caption in the message to edit")
        caption = params.get("caption")
        plain, entities = self._formatted(
            caption, params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        markup = self._check_markup(params.get("reply_markup"))
        raw = self._apply_edit(
            msg,
            text=None if caption is None else str(caption),
            parse_mode=params.get("parse_mode"),
            plain=plain or None,
            entities=entities,
            markup=markup,
        )
        await self._notify()
        return raw

    async def _m_editMessageReplyMarkup(
        self, params: JsonDict, files: dict[str, UploadedFile]
    ) -> Any:
        _, msg = self._find_bot_message(params, action="edit")
        markup = self._check_markup(params.get("reply_markup"))
        raw = self._apply_edit(
            msg,
            text=msg.text,
            parse_mode=msg.parse_mode,
            plain=msg.plain_text,
            entities=msg.entities,
            markup=markup,
        )
        await self._notify()
        return raw

    async def _m_deleteMessage(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        state = self._target_chat(params)
        mid = params.get("message_id")
        if not isinstance(mid, int) or mid not in state.messages:
            raise bad_request("message to delete not found")
        del state.messages[mid]
        msg = state.bot_by_id.get(mid)
        if msg is not None:
            msg.deleted = True
            self._bump(msg, "deleted")
        await self._notify()
        return True

    async def _m_answerCallbackQuery(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        cid = str(params.get("callback_query_id") or "")
        if cid not in self._callbacks or cid in self._answered:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self._answered.add(cid)
        self.callback_answers.append(
            CallbackAnswer(
                callback_query_id=cid,
                text=None if text is None else str(text),
                show_alert=bool(params.get("show_alert", False)),
                url=params.get("url"),
                cache_time=params.get("cache_time"),
                at=time.monotonic(),
            )
        )
        await self._notify()
        return True

    async def _m_sendChatAction(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        self._target_chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def _m_getFile(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def _m_getChat(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        state = self._target_chat(params)
        return {**state.chat, "accent_color_id": 0, "max_reaction_count": 11}

    async def _m_close(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        return True

    async def _m_logOut(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        return True
