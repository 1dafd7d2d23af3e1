"""A local Telegram Bot API server (aiohttp on 127.0.0.1) for tests, benchmarks and demos.

An unmodified ``telegram.ext.Application`` talks to it over real HTTP, by long polling or by
webhook, so tests exercise the same code paths as production, including PTB's request encoding
and its error mapping (RetryAfter, Forbidden, BadRequest, Conflict...). Fake users, groups and
channels (``users.py``, ``chats.py``) inject updates shaped exactly like Telegram's (checked
against the Bot API server's own serialisers, tdlib/telegram-bot-api); everything the bot does
is recorded for assertions.

What it emulates, briefly (docs/emulator.md has the details):

* a network round trip (``latency_ms``, jittered, concurrent calls overlap);
* flood control (30/s in total, 1/s per chat, 20/min per group, 1,000/s paid broadcasts billed
  in Stars), off unless enabled;
* private chats, groups, supergroups, forum topics and channels; privacy mode;
  ``my_chat_member`` on block/unblock/add/promote/remove; edits; re-delivered updates;
* inline mode: ``inline_query``, ``answerInlineQuery`` validation, ``chosen_inline_result``,
  inline messages whose buttons send callbacks with ``inline_message_id``;
* webhooks to loopback URLs (``setWebhook``, ``deleteWebhook``, ``getWebhookInfo``, 409 for
  getUpdates, retries), and Telegram's validation of markup, HTML and limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import mimetypes
import random
import re
import struct
import time
from collections import OrderedDict, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.emulator.chats import (
    PRESENT,
    SERVICE_KEYS,
    ChatState,
    FakeChannel,
    FakeChat,
    FakeGroup,
    chat_member,
    group_chat,
)
from bot.emulator.faults import FaultInjector
from bot.emulator.flood import (
    NANOSTARS_PER_STAR,
    FloodControl,
    FloodError,
)
from bot.emulator.inline import InlineMode
from bot.emulator.markup import (
    EntityParseError,
    MarkupError,
    check_reply_markup,
    is_inline_keyboard,
    parse_html,
    utf16_len,
)
from bot.emulator.users import BotMessage, BotMessageVersion, CallbackAnswer, FakeUser
from bot.emulator.waiting import Signal
from bot.emulator.webhook import WebhookDispatcher

JsonDict = dict[str, Any]
logger = logging.getLogger(__name__)

__all__ = [
    "BLOCKABLE_METHODS",
    "SEND_METHODS",
    "ApiError",
    "BotApiEmulator",
    "Call",
    "ChatState",
    "Send",
    "UploadedFile",
    "Withheld",
    "bad_request",
]

MAX_TEXT = 4096
MAX_CAPTION = 1024
#: The Bot API server caps a long poll at 50 seconds.
LONG_POLL_MAX_TIMEOUT = 50

#: Methods that deliver a new message; they are rate-measured and flood-limited.
SEND_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto"})
#: Methods refused with 403 when the target user blocked the bot.
BLOCKABLE_METHODS = SEND_METHODS | {
    "sendChatAction",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
}

#: Update types the Bot API knows (Client::get_update_type_name).
UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "custom_event",
        "custom_query",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
        "message_reaction",
        "message_reaction_count",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "purchased_paid_media",
        "managed_bot",
        "guest_message",
    }
)
#: What Telegram delivers when allowed_updates was never set or set to [].
DEFAULT_UPDATE_TYPES = UPDATE_TYPES - {"chat_member", "message_reaction", "message_reaction_count"}

#: How the Bot API server words a JSON parameter it cannot parse.
_JSON_FIELDS: dict[str, str] = {
    "reply_markup": "reply keyboard markup",
    "entities": "entities",
    "caption_entities": "entities",
    "link_preview_options": "link preview options",
    "reply_parameters": "reply parameters",
    "allowed_updates": "allowed updates",
    "commands": "commands",
    "scope": "BotCommandScope",
    "menu_button": "menu button",
    "media": "media",
    "button": "inline query results button",
}
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
        "max_connections",
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
        "is_personal",
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
_MENTION_RE = re.compile(r"(?<![A-Za-z0-9_@])@[A-Za-z0-9_]{5,32}(?![A-Za-z0-9_])")
_BOT_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE_RE = re.compile(r"[a-z]{2}")
_SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)


class ApiError(Exception):
    """An error answer, rendered exactly like Telegram's JSON error object."""

    def __init__(
        self,
        status: int,
        description: str,
        retry_after: int | None = None,
        parameters: JsonDict | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.parameters = parameters

    def body(self) -> JsonDict:
        data: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        parameters = dict(self.parameters or {})
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if parameters:
            data["parameters"] = parameters
        return data


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


@dataclass(frozen=True)
class Described:
    """A successful result that Telegram answers with a ``description`` too (setWebhook)."""

    result: Any
    description: str


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part as received."""

    filename: str
    data: bytes
    content_type: str | None = None


@dataclass
class Call:
    """One API request as the bot made it, with the status the emulator answered.

    ``at`` is when the request reached the emulator; ``answered_at`` when the answer left it
    (after the emulated round trip).
    """

    method: str
    params: JsonDict
    files: dict[str, UploadedFile]
    at: float
    status: int | None = None
    response: JsonDict | None = field(default=None, repr=False)
    answered_at: float | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass(frozen=True)
class Send:
    """A successful message delivery (for rate assertions).

    ``paid``: sent with ``allow_paid_broadcast``; ``billed``: beyond the free 30 a second, so
    it cost 0.1 Star.
    """

    at: float
    method: str
    chat_id: int
    message_id: int
    paid: bool = False
    billed: bool = False


@dataclass(frozen=True)
class Withheld:
    """Something a person did that Telegram would not deliver to the bot, and why."""

    reason: str
    kind: str
    payload: JsonDict


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    file_name: str | None
    mime_type: str | None


Handler = Callable[[JsonDict, dict[str, UploadedFile]], Awaitable[Any]]


def _coerce(name: str, value: Any) -> Any:
    """Form fields arrive as strings; PTB JSON-encodes non-string values. Undo that."""
    if not isinstance(value, str):
        return value
    what = _JSON_FIELDS.get(name)
    if what is not None:
        try:
            return json.loads(value)
        except ValueError:
            if name == "allowed_updates":
                return None  # Telegram ignores an unparsable list
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


def text_entities(text: str) -> list[JsonDict]:
    """The entities Telegram detects in what a person types: bot commands and @mentions."""
    found = [("bot_command", m.start(), m.group()) for m in _COMMAND_RE.finditer(text)] + [
        ("mention", m.start(), m.group()) for m in _MENTION_RE.finditer(text)
    ]
    found.sort(key=lambda item: item[1])
    return [
        {"type": kind, "offset": utf16_len(text[:start]), "length": utf16_len(value)}
        for kind, start, value in found
    ]


def _nested(message: JsonDict) -> JsonDict:
    """A message as embedded in another (``reply_to_message`` has no reply of its own)."""
    return {key: value for key, value in message.items() if key != "reply_to_message"}


def webhook_queue_id(update: JsonDict) -> int:
    """Telegram delivers one update at a time per queue: a chat, or a user's queries."""
    for kind in ("message", "edited_message", "channel_post", "edited_channel_post"):
        if kind in update:
            return int(update[kind]["chat"]["id"])
    for kind, tag in (("inline_query", 1), ("chosen_inline_result", 2), ("callback_query", 3)):
        if kind in update:
            return int(update[kind]["from"]["id"]) + (tag << 33)
    if "my_chat_member" in update:
        return int(update["my_chat_member"]["chat"]["id"]) + (5 << 33)
    if "chat_member" in update:
        return int(update["chat_member"]["new_chat_member"]["user"]["id"]) + (6 << 33)
    return -int(update["update_id"])  # a queue of its own


class BotApiEmulator:
    """Bot API over loopback. Start it, point PTB's ``base_url`` at ``emu.base_url``.

    ``token=None`` accepts any token; a string rejects others with 401 like Telegram.

    ``latency_ms`` answers every call after that round trip (±``latency_jitter``, seeded by
    ``latency_seed``); calls overlap as on a real network. Settable at runtime.

    Flood control (over successful sends, 429 + retry_after), each None = off:
    ``flood_limit_per_second`` (free sends in total), ``flood_limit_per_chat_per_second``,
    ``flood_limit_per_group_per_minute``, ``paid_flood_limit_per_second`` (sends with
    ``allow_paid_broadcast``); ``flood_burst_per_chat`` messages may reach one chat at once
    before its per-second rule applies (a token bucket; 1 = strict). ``telegram_limits=True``
    sets Telegram's 30/1/20/1000, with bursts of 3 to a chat.
    ``star_balance`` (Stars, None = unlimited) pays 0.1 Star per paid send beyond the free 30 a
    second; when it runs short Telegram answers 400 BALANCE_TOO_LOW.

    ``privacy_mode`` is BotFather's group privacy (on by default, as for a new bot);
    ``inline_feedback`` sends ``chosen_inline_result`` updates. ``strict_command_scopes``
    refuses a command scope for a chat the bot has never seen ("chat not found", as Telegram
    does; off by default so tests may set menus before creating users).
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
        flood_burst_per_chat: int = 1,
        flood_limit_per_group_per_minute: int | None = None,
        paid_flood_limit_per_second: int | None = None,
        telegram_limits: bool = False,
        star_balance: float | None = None,
        strict_html_entities: bool = True,
        strict_deep_links: bool = True,
        strict_command_scopes: bool = False,
        latency_ms: float = 0.0,
        latency_jitter: float = 0.1,
        latency_seed: int | None = 0,
        privacy_mode: bool = True,
        supports_inline_queries: bool = True,
        inline_feedback: bool = True,
        webhook_retry_delay: float = 1.0,
        webhook_max_retry_delay: float = 60.0,
        webhook_timeout: float = 60.0,
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        if bot_id is None:
            head = (token or "").split(":", 1)[0]
            bot_id = int(head) if head.isdigit() else 7_000_000_001
        self.privacy_mode = privacy_mode
        self.bot_user: JsonDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.me: JsonDict = {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not privacy_mode,
            "supports_inline_queries": supports_inline_queries,
            "supports_guest_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
            "has_topics_enabled": False,
            "allows_users_to_create_topics": False,
            "can_manage_bots": False,
        }
        self.flood = FloodControl(
            per_second=flood_limit_per_second,
            per_chat_per_second=flood_limit_per_chat_per_second,
            per_chat_burst=flood_burst_per_chat,
            per_group_per_minute=flood_limit_per_group_per_minute,
            paid_per_second=paid_flood_limit_per_second,
            star_balance=star_balance,
        )
        if telegram_limits:
            self.flood.telegram()
        self.strict_html_entities = strict_html_entities
        self.strict_deep_links = strict_deep_links
        self.strict_command_scopes = strict_command_scopes
        self.latency_ms = latency_ms
        self.latency_jitter = latency_jitter
        self._latency_rng = random.Random(latency_seed)
        self.inline_feedback = inline_feedback

        self.calls: list[Call] = []
        self._calls_by_method: defaultdict[str, list[Call]] = defaultdict(list)
        self.sends: list[Send] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.faults = FaultInjector()
        #: Called synchronously as ``listener(event, message)`` with event "new", "edited" or
        #: "deleted": lets a live client (the terminal chat) render bot output as it happens.
        self.listeners: list[Callable[[str, BotMessage], None]] = []
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, FakeChat] = {}
        self.blocked: set[int] = set()
        self.commands_by_scope: dict[tuple[str, str], list[JsonDict]] = {}
        self.menu_buttons: dict[int | None, JsonDict] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        #: Every update the emulator created, in order (re-deliveries are not repeated here).
        self.update_log: list[JsonDict] = []
        #: What Telegram would not have delivered (privacy mode, allowed_updates, not a member).
        self.withheld: list[Withheld] = []

        self._signal = Signal()
        self._seq = 0
        self._chats: dict[int, ChatState] = {}
        self._usernames: dict[str, int] = {}
        self._pending: OrderedDict[int, JsonDict] = OrderedDict()
        self._redeliveries: list[list[Any]] = []  # [update, fetched]
        self._updates_by_id: dict[int, JsonDict] = {}
        self._update_ids = itertools.count(1)
        self._last_update_id = 0
        self._fetched_upto = 0
        self._allowed: frozenset[str] = DEFAULT_UPDATE_TYPES
        self._allowed_is_default = True
        self._poll_generation = 0
        self._poll_waiting = False
        self._next_conflict_time = 0.0
        #: The Bot API server answers a second 409 within 3 s only after 3 s (anti-hammering).
        self.conflict_delay = 3.0
        self._callbacks: dict[str, tuple[int, int]] = {}  # id -> (chat_id, message_id)
        self._answered: set[str] = set()
        self._callback_ids = itertools.count(4_000_000_000_001)
        self._group_ids = itertools.count(1)
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_ids = itertools.count(1)
        self._in_flight = 0
        self._last_activity = time.monotonic()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.inline = InlineMode(self)
        self.webhook = WebhookDispatcher(
            self,
            retry_delay=webhook_retry_delay,
            max_retry_delay=webhook_max_retry_delay,
            timeout=webhook_timeout,
        )
        self._methods: dict[str, tuple[str, Handler]] = {}
        for name in (
            "getMe",
            "getUpdates",
            "setWebhook",
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
            "getChatMember",
            "getChatAdministrators",
            "getChatMemberCount",
            "leaveChat",
            "getMyStarBalance",
            "close",
            "logOut",
        ):
            self._methods[name.lower()] = (name, getattr(self, f"_m_{name}"))
        self._methods["answerinlinequery"] = ("answerInlineQuery", self.inline.answer)

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
        """Wake long polls (they return no updates), stop webhooks, shut the server down."""
        self._closing = True
        self._signal.notify("updates")
        await self.webhook.stop()
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

    # ------------------------------------------------------------------ settings
    def set_latency(self, ms: float, *, jitter: float | None = None) -> None:
        """Answer every call after ``ms`` milliseconds (±jitter, a fraction); 0 switches off."""
        self.latency_ms = ms
        if jitter is not None:
            self.latency_jitter = jitter

    def round_trip(self) -> float:
        """One jittered round trip in seconds (0 when latency is off)."""
        if self.latency_ms <= 0:
            return 0.0
        spread = self.latency_jitter
        factor = 1.0 + self._latency_rng.uniform(-spread, spread) if spread > 0 else 1.0
        return max(0.0, self.latency_ms * factor / 1000.0)

    @property
    def flood_limit_per_second(self) -> int | None:
        return self.flood.per_second

    @flood_limit_per_second.setter
    def flood_limit_per_second(self, value: int | None) -> None:
        self.flood.per_second = value

    @property
    def flood_limit_per_chat_per_second(self) -> int | None:
        return self.flood.per_chat_per_second

    @flood_limit_per_chat_per_second.setter
    def flood_limit_per_chat_per_second(self, value: int | None) -> None:
        self.flood.per_chat_per_second = value

    @property
    def flood_limit_per_group_per_minute(self) -> int | None:
        return self.flood.per_group_per_minute

    @flood_limit_per_group_per_minute.setter
    def flood_limit_per_group_per_minute(self, value: int | None) -> None:
        self.flood.per_group_per_minute = value

    @property
    def paid_flood_limit_per_second(self) -> int | None:
        return self.flood.paid_per_second

    @paid_flood_limit_per_second.setter
    def paid_flood_limit_per_second(self, value: int | None) -> None:
        self.flood.paid_per_second = value

    def refuse_paid_broadcasts(
        self, description: str | None = "Bad Request: BALANCE_TOO_LOW"
    ) -> None:
        """Refuse every ``allow_paid_broadcast`` send with ``description`` (None: accept again).

        The default is Telegram's answer when the Stars balance cannot pay; a short balance can
        also be emulated exactly with ``star_balance``.
        """
        self.flood.refuse_paid = description

    @property
    def star_balance(self) -> float | None:
        """The bot's Stars balance now (None: unlimited)."""
        nano = self.flood.balance_nanostars
        return None if nano is None else nano / NANOSTARS_PER_STAR

    @star_balance.setter
    def star_balance(self, stars: float | None) -> None:
        self.flood.set_star_balance(stars)

    @property
    def stars_spent(self) -> float:
        """Stars billed for paid sends beyond the free allowance."""
        return self.flood.stars_spent

    # ------------------------------------------------------------------ test API: actors
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

    def group(
        self,
        title: str = "Group",
        *,
        chat_id: int | None = None,
        supergroup: bool = True,
        forum: bool = False,
        username: str | None = None,
        creator: FakeUser | None = None,
    ) -> FakeGroup:
        """A group the bot is not in yet (``await group.add_bot(by=user)`` adds it).

        Supergroup ids look like -100…; basic groups like -5…; ``forum`` needs a supergroup.
        """
        if forum and not supergroup:
            raise ValueError("only supergroups can be forums")
        n = next(self._group_ids)
        if chat_id is None:
            chat_id = -1_000_000_000_000 - 4_200_000_000 - n if supergroup else -5_000_000 - n
        kind = "supergroup" if supergroup else "group"
        chat = group_chat(chat_id, title, kind, username=username, forum=forum)
        state = ChatState(chat=chat, kind=kind, bot_status="left")
        if creator is not None:
            state.creator_id = creator.id
            state.members[creator.id] = creator.as_user()
        self._register_chat(state, username)
        group = FakeGroup(self, chat_id)
        self.chats[chat_id] = group
        return group

    def channel(
        self,
        title: str = "Channel",
        *,
        chat_id: int | None = None,
        username: str | None = None,
        creator: FakeUser | None = None,
    ) -> FakeChannel:
        """A channel the bot is not in yet (``await channel.add_bot(by=user)`` adds it)."""
        n = next(self._group_ids)
        if chat_id is None:
            chat_id = -1_000_000_000_000 - 4_300_000_000 - n
        chat = group_chat(chat_id, title, "channel", username=username, forum=False)
        state = ChatState(chat=chat, kind="channel", bot_status="left")
        if creator is not None:
            state.creator_id = creator.id
        self._register_chat(state, username)
        channel = FakeChannel(self, chat_id)
        self.chats[chat_id] = channel
        return channel

    def _register_chat(self, state: ChatState, username: str | None) -> None:
        if state.id in self._chats:
            raise ValueError(f"chat {state.id} exists already")
        self._chats[state.id] = state
        if username:
            self._usernames[username.lower()] = state.id

    def block(self, user_id: int, *, notify: bool = True) -> None:
        """The user blocks the bot: deliveries get 403 Forbidden, and the bot gets a
        ``my_chat_member`` update (member -> kicked), as from Telegram."""
        if user_id in self.blocked:
            return
        self.blocked.add(user_id)
        user = self.users.get(user_id)
        if notify and user is not None:
            self._private_status_update(user, "member", "kicked")

    def unblock(self, user_id: int, *, notify: bool = True) -> None:
        """The user unblocks (restarts) the bot: ``my_chat_member`` kicked -> member."""
        if user_id not in self.blocked:
            return
        self.blocked.discard(user_id)
        user = self.users.get(user_id)
        if notify and user is not None:
            self._private_status_update(user, "kicked", "member")

    def _private_status_update(self, user: FakeUser, old: str, new: str) -> None:
        state = self._chats[user.id]
        self._enqueue(
            "my_chat_member",
            {
                "chat": state.chat,
                "from": user.as_user(),
                "date": int(time.time()),
                "old_chat_member": chat_member(self.bot_user, old, "private"),
                "new_chat_member": chat_member(self.bot_user, new, "private"),
            },
        )

    def redeliver(self, update: JsonDict | int) -> JsonDict:
        """Deliver an update again with the same ``update_id``: what the bot sees after a
        webhook retry, or after a crash before its getUpdates offset was confirmed."""
        if isinstance(update, int):
            found = self._updates_by_id.get(update)
            if found is None:
                raise AssertionError(f"no update {update} was ever created")
            update = found
        if self.webhook.active:
            self.webhook.enqueue(update)
        else:
            self._redeliveries.append([update, False])
            self._signal.notify("updates")
        return update

    # ------------------------------------------------------------------ test API: records
    def calls_of(self, method: str) -> list[Call]:
        """Recorded calls of one method (case-insensitive name)."""
        return list(self._calls_by_method.get(method.lower(), ()))

    def sends_to(self, chat_id: int) -> list[float]:
        """Monotonic timestamps of successful deliveries to ``chat_id``."""
        return [s.at for s in self.sends if s.chat_id == chat_id]

    @property
    def paid_sends(self) -> list[Send]:
        """Successful sends made with ``allow_paid_broadcast=True``."""
        return [s for s in self.sends if s.paid]

    def max_sends_in_window(
        self,
        window: float = 1.0,
        method: str | None = None,
        chat_id: int | None = None,
        *,
        paid: bool | None = None,
    ) -> int:
        """Largest number of successful sends within any ``window``-second interval."""
        times = sorted(
            s.at
            for s in self.sends
            if (method is None or s.method == method)
            and (chat_id is None or s.chat_id == chat_id)
            and (paid is None or s.paid == paid)
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

    def visible_commands(
        self, chat_id: int, user_id: int | None = None, language_code: str = ""
    ) -> list[JsonDict]:
        """The menu a person sees in ``chat_id``, resolved the way Telegram apps do.

        Scopes are tried from the most specific (chat_member, then chat_administrators for
        admins, chat, the all_* scope of the chat's type, default), each first with the
        person's language and then without; the first scope that has commands wins.
        """
        state = self._chat_state(chat_id)
        user_id = chat_id if user_id is None and state.kind == "private" else user_id
        scopes: list[JsonDict] = []
        if state.kind == "private":
            scopes += [{"type": "chat", "chat_id": chat_id}, {"type": "all_private_chats"}]
        else:
            is_admin = user_id is not None and user_id == state.creator_id
            if user_id is not None:
                scopes.append({"type": "chat_member", "chat_id": chat_id, "user_id": user_id})
            if is_admin:
                scopes.append({"type": "chat_administrators", "chat_id": chat_id})
            scopes.append({"type": "chat", "chat_id": chat_id})
            if is_admin:
                scopes.append({"type": "all_chat_administrators"})
            scopes.append({"type": "all_group_chats"})
        scopes.append({"type": "default"})
        for scope in scopes:
            for lang in ([language_code] if language_code else []) + [""]:
                found = self.commands_by_scope.get(self._scope_key(scope, lang))
                if found:
                    return list(found)
        return []

    @property
    def unanswered_callbacks(self) -> list[str]:
        """Callback query ids the bot has not answered (every press deserves an answer)."""
        return [cid for cid in self._callbacks if cid not in self._answered]

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed by the bot."""
        return len(self._pending) + sum(1 for entry in self._redeliveries if not entry[1])

    @property
    def allowed_updates(self) -> list[str] | None:
        """The update types the bot asked for (None: Telegram's default)."""
        return None if self._allowed_is_default else sorted(self._allowed)

    async def wait_callback_answer(
        self, callback_query_id: str, timeout: float = 5.0
    ) -> CallbackAnswer:
        found: list[CallbackAnswer] = []

        def check() -> bool:
            found[:] = [
                a for a in self.callback_answers if a.callback_query_id == callback_query_id
            ]
            return bool(found)

        try:
            await self._signal.wait_for(check, timeout, key=("callback", callback_query_id))
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
        calls = self._calls_by_method[method.lower()]
        try:
            await self._signal.wait_for(lambda: len(calls) >= count, timeout)
        except TimeoutError:
            raise AssertionError(f"only {len(calls)} {method} call(s) within {timeout}s") from None
        return calls[count - 1]

    async def wait_idle(self, quiet: float = 0.15, timeout: float = 5.0) -> None:
        """Return once every queued update was fetched (or delivered), no call is in flight
        and no API call other than getUpdates arrived for ``quiet`` seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
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
            await self._signal.changed(max(wait, 0.001))

    # ------------------------------------------------------------------ update queue
    def _chat_state(self, chat_id: int) -> ChatState:
        state = self._chats.get(chat_id)
        if state is None:
            raise AssertionError(f"unknown chat {chat_id}; create it with emu.user(...)")
        return state

    def _chat_of(self, message: BotMessage | JsonDict | int, *, default: int) -> FakeChat | None:
        """The group/channel a message belongs to (None for a private chat)."""
        if isinstance(message, BotMessage):
            chat_id = message.chat_id
        elif isinstance(message, dict):
            chat_id = int(message["chat"]["id"])
        else:
            chat_id = default
        return self.chats.get(chat_id)

    def _bump(self, msg: BotMessage, event: str) -> None:
        self._seq += 1
        msg.seq = self._seq
        for listener in list(self.listeners):
            try:
                listener(event, msg)
            except Exception:  # a broken observer must not turn into an API error
                logger.exception("emulator listener failed on %s #%s", event, msg.message_id)
        self._signal.notify(msg.chat_id)

    async def _notify(self) -> None:
        """Wake every waiter (kept for callers of the former condition-based API)."""
        self._signal.notify()

    def _enqueue(self, kind: str, payload: JsonDict) -> JsonDict | None:
        """Create an update; None when the bot's allowed_updates exclude its type."""
        if kind not in self._allowed:
            self.withheld.append(Withheld("allowed_updates", kind, payload))
            return None
        update_id = next(self._update_ids)
        update = {"update_id": update_id, kind: payload}
        self._last_update_id = update_id
        self._updates_by_id[update_id] = update
        self.update_log.append(update)
        self._pending[update_id] = update
        if self.webhook.active:
            self.webhook.enqueue(update)
        self._signal.notify("updates")
        return update

    def _has_unfetched(self) -> bool:
        if self.webhook.active:
            return self.webhook.busy
        if any(not entry[1] for entry in self._redeliveries):
            return True
        return bool(self._pending) and self._last_update_id > self._fetched_upto

    def _set_allowed(self, value: Any) -> bool:
        """Apply an ``allowed_updates`` parameter the way the Bot API server does."""
        if not isinstance(value, list):
            return False
        chosen = frozenset(str(v).lower() for v in value if isinstance(v, str)) & UPDATE_TYPES
        if not chosen:  # [] or only unknown names: Telegram's default set
            chosen = DEFAULT_UPDATE_TYPES
        changed = chosen != self._allowed
        self._allowed = chosen
        self._allowed_is_default = chosen == DEFAULT_UPDATE_TYPES
        return changed

    def _confirm(self, offset: int) -> None:
        """getUpdates' offset: updates below it are confirmed and forgotten."""
        if offset == 0:
            return
        self._redeliveries = [entry for entry in self._redeliveries if not entry[1]]
        if offset > 0:
            while self._pending:
                first = next(iter(self._pending))
                if first >= offset:
                    break
                self._pending.popitem(last=False)
        else:
            while len(self._pending) > -offset:
                self._pending.popitem(last=False)

    def _poll_batch(self, limit: int) -> list[JsonDict]:
        fresh = [entry for entry in self._redeliveries if not entry[1]]
        if fresh:  # a re-delivered update goes out alone, ahead of the queue
            for entry in fresh[:limit]:
                entry[1] = True
            return [entry[0] for entry in fresh[:limit]]
        return list(itertools.islice(self._pending.values(), limit))

    # ------------------------------------------------------------------ chats: the bot's place
    def _member_update(
        self, state: ChatState, actor: JsonDict, old: JsonDict, new: JsonDict
    ) -> JsonDict | None:
        return self._enqueue(
            "my_chat_member",
            {
                "chat": state.chat,
                "from": actor,
                "date": int(time.time()),
                "old_chat_member": old,
                "new_chat_member": new,
            },
        )

    def _bot_member(self, state: ChatState, status: str | None = None) -> JsonDict:
        status = status or state.bot_status
        return chat_member(self.bot_user, status, state.kind, state.bot_rights)

    async def _set_bot_status(
        self, state: ChatState, by: FakeUser, status: str, rights: JsonDict
    ) -> JsonDict:
        if state.kind == "channel" and status == "member":
            raise ValueError("a bot can only be an administrator in a channel")
        old = self._bot_member(state)
        state.bot_status = status
        state.bot_rights = dict(rights) if status == "administrator" else {}
        update = self._member_update(state, by.as_user(), old, self._bot_member(state))
        return update or {}

    async def _add_bot_to_chat(
        self, state: ChatState, by: FakeUser, status: str, rights: JsonDict
    ) -> JsonDict:
        """Telegram sends ``my_chat_member`` and, in groups, a ``new_chat_members`` message."""
        if state.bot_present:
            raise AssertionError(f"the bot is already in {state.chat.get('title')!r}")
        update = await self._set_bot_status(state, by, status, rights)
        if state.is_group:
            msg = self._compose(state, sender=by.as_user(), sender_chat=None)
            msg.update(
                {
                    "new_chat_participant": self.bot_user,
                    "new_chat_member": self.bot_user,
                    "new_chat_members": [self.bot_user],
                }
            )
            self._deliver(state, "message", msg)
        return update

    async def _remove_bot_from_chat(self, state: ChatState, by: FakeUser, status: str) -> JsonDict:
        if not state.bot_present:
            raise AssertionError("the bot is not in this chat")
        if state.is_group:
            msg = self._compose(state, sender=by.as_user(), sender_chat=None)
            msg.update({"left_chat_participant": self.bot_user, "left_chat_member": self.bot_user})
            self._deliver(state, "message", msg)
        return await self._set_bot_status(state, by, status, {})

    async def _member_joins(
        self, state: ChatState, user: FakeUser, by: FakeUser | None
    ) -> JsonDict:
        sender = (by or user).as_user()
        msg = self._compose(state, sender=sender, sender_chat=None)
        msg.update(
            {
                "new_chat_participant": user.as_user(),
                "new_chat_member": user.as_user(),
                "new_chat_members": [user.as_user()],
            }
        )
        state.members[user.id] = user.as_user()
        self._deliver(state, "message", msg)
        if state.bot_status == "administrator":  # chat_member reaches administrators only
            self._enqueue(
                "chat_member",
                {
                    "chat": state.chat,
                    "from": sender,
                    "date": msg["date"],
                    "old_chat_member": chat_member(user.as_user(), "left", state.kind),
                    "new_chat_member": chat_member(user.as_user(), "member", state.kind),
                },
            )
        return msg

    async def _create_topic(
        self, state: ChatState, name: str, by: FakeUser, icon_color: int
    ) -> int:
        if not state.is_forum:
            raise AssertionError(f"{state.chat.get('title')!r} is not a forum")
        msg = self._compose(state, sender=by.as_user(), sender_chat=None)
        thread_id = int(msg["message_id"])
        msg["message_thread_id"] = thread_id
        msg["forum_topic_created"] = {"name": name, "icon_color": icon_color}
        msg["is_topic_message"] = True
        state.topics[thread_id] = msg
        self._deliver(state, "message", msg)
        return thread_id

    def _bot_sees(self, state: ChatState, msg: JsonDict) -> str | None:
        """Why Telegram would not deliver ``msg`` to the bot (None: it would)."""
        if state.kind == "private":
            return None
        if not state.bot_present:
            return "the bot is not in the chat"
        if state.kind == "channel" or state.bot_status in ("administrator", "creator"):
            return None
        if not self.privacy_mode or SERVICE_KEYS.intersection(msg):
            return None
        me = self.bot_user["id"]
        if (msg.get("via_bot") or {}).get("id") == me:
            return None
        replied = msg.get("reply_to_message")
        if (
            replied is not None
            and (replied.get("from") or {}).get("id") == me
            and msg.get("message_thread_id") != replied.get("message_id")  # not a topic start
        ):
            return None
        text = msg.get("text") if "text" in msg else msg.get("caption")
        entities = msg.get("entities") if "text" in msg else msg.get("caption_entities")
        username = str(self.bot_user["username"]).lower()
        for entity in entities or []:
            if entity.get("type") != "bot_command" or not isinstance(text, str):
                continue
            command = _slice16(text, entity["offset"], entity["length"])
            _, _, target = command.partition("@")
            if target.lower() == username:
                return None
            if not target and state.last_bot_id in (None, me):
                return None
        return "privacy mode"

    def _deliver(self, state: ChatState, kind: str, msg: JsonDict) -> JsonDict | None:
        reason = self._bot_sees(state, msg)
        if reason is not None:
            self.withheld.append(Withheld(reason, kind, msg))
            return None
        return self._enqueue(kind, msg)

    # ------------------------------------------------------------------ people's messages
    def _compose(
        self,
        state: ChatState,
        *,
        sender: JsonDict | None,
        sender_chat: JsonDict | None,
        text: str | None = None,
        caption: str | None = None,
        document: tuple[str, bytes, str | None] | None = None,
        reply_to: JsonDict | None = None,
        topic: int | None = None,
        extra: JsonDict | None = None,
    ) -> JsonDict:
        """Build and store a message in ``state`` (Telegram's field order)."""
        mid = state.next_message_id
        state.next_message_id += 1
        msg: JsonDict = {"message_id": mid}
        if sender is not None:
            msg["from"] = sender
        if extra and "author_signature" in extra:
            msg["author_signature"] = extra["author_signature"]
        if sender_chat is not None:
            msg["sender_chat"] = sender_chat
        msg["chat"] = state.chat
        msg["date"] = int(time.time())
        if topic is None and reply_to is not None:
            topic = reply_to.get("message_thread_id")
        if topic is not None and state.is_forum:
            msg["message_thread_id"] = topic
        if reply_to is not None:
            msg["reply_to_message"] = _nested(reply_to)
        elif topic is not None and topic in state.topics:
            msg["reply_to_message"] = _nested(state.topics[topic])  # Telegram's implicit reply
        if text is not None:
            msg["text"] = text
            entities = text_entities(text)
            if entities:
                msg["entities"] = entities
        if document is not None:
            filename, data, mime = document
            mime = mime or mimetypes.guess_type(filename)[0] or "application/octet-stream"
            stored = self._store_file(data, filename, mime, "documents")
            msg["document"] = self._document_obj(stored)
        if caption is not None:
            msg["caption"] = caption
            entities = text_entities(caption)
            if entities:
                msg["caption_entities"] = entities
        if extra:
            msg.update({k: v for k, v in extra.items() if k != "author_signature"})
        if "message_thread_id" in msg:
            msg["is_topic_message"] = True
        state.messages[mid] = msg
        return msg

    async def _user_message(
        self,
        user: FakeUser,
        *,
        text: str | None = None,
        caption: str | None = None,
        document: tuple[str, bytes, str | None] | None = None,
        reply_to: BotMessage | JsonDict | int | None = None,
        chat: FakeChat | None = None,
        topic: int | None = None,
    ) -> JsonDict:
        state = self._chat_state(chat.id if chat is not None else user.id)
        if state.kind == "channel":
            raise AssertionError("people post in a channel with channel.post(...)")
        if state.kind == "private" and user.id in self.blocked:
            self.unblock(user.id)  # writing to a blocked bot means pressing "Restart"
        target: JsonDict | None = None
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
        if topic is not None and topic not in state.topics:
            raise AssertionError(f"{user}: no forum topic {topic} in {state.chat.get('title')!r}")
        msg = self._compose(
            state,
            sender=user.as_user(),
            sender_chat=None,
            text=text,
            caption=caption,
            document=document,
            reply_to=target,
            topic=topic,
        )
        if state.is_group:
            state.members.setdefault(user.id, user.as_user())
        self._deliver(state, "message", msg)
        return msg

    async def _channel_post(
        self,
        state: ChatState,
        *,
        text: str | None = None,
        caption: str | None = None,
        document: tuple[str, bytes, str | None] | None = None,
        author_signature: str | None = None,
    ) -> JsonDict:
        extra = {"author_signature": author_signature} if author_signature else None
        msg = self._compose(
            state,
            sender=None,
            sender_chat=state.chat,
            text=text,
            caption=caption,
            document=document,
            extra=extra,
        )
        self._deliver(state, "channel_post", msg)
        return msg

    async def _edit_user_message(
        self, state: ChatState, message: JsonDict | int, text: str, user: FakeUser | None
    ) -> JsonDict:
        """A person edits a message: ``edited_message`` (``edited_channel_post``)."""
        mid = message if isinstance(message, int) else int(message["message_id"])
        current = state.messages.get(mid)
        if current is None or mid in state.bot_by_id:
            raise AssertionError(f"no message #{mid} of a person in this chat")
        if user is not None and (current.get("from") or {}).get("id") != user.id:
            raise AssertionError(f"{user} did not write message #{mid}")
        key, entities_key = (
            ("text", "entities") if "text" in current else ("caption", "caption_entities")
        )
        found = text_entities(text)
        ordered: JsonDict = {}
        for k, v in current.items():
            if k in (entities_key, "edit_date"):
                continue
            if k == key:
                ordered[key] = text
                if found:
                    ordered[entities_key] = found
                continue
            ordered[k] = v
            if k == "date":
                ordered["edit_date"] = int(time.time())
        state.messages[mid] = ordered
        kind = "edited_channel_post" if state.kind == "channel" else "edited_message"
        self._deliver(state, kind, ordered)
        return ordered

    async def _user_callback(
        self,
        user: FakeUser,
        message_id: int,
        data: str,
        *,
        chat_id: int | None = None,
        inline_message_id: str | None = None,
    ) -> str:
        cid = str(next(self._callback_ids))
        if inline_message_id is not None:
            query: JsonDict = {
                "id": cid,
                "from": user.as_user(),
                "inline_message_id": inline_message_id,
                "chat_instance": self.inline.chat_instance(inline_message_id),
                "data": data,
            }
            self._callbacks[cid] = (0, 0)
        else:
            state = self._chat_state(chat_id if chat_id is not None else user.id)
            target = state.messages.get(message_id)
            if target is None:
                raise AssertionError(f"{user}: no message #{message_id} to press a button on")
            self._callbacks[cid] = (state.id, message_id)
            instance = (
                str(-user.id)
                if state.kind == "private"
                else str((state.id * 6364136223846793005 + 1442695040888963407) % (1 << 63))
            )
            query = {
                "id": cid,
                "from": user.as_user(),
                "message": target,
                "chat_instance": instance,
                "data": data,
            }
        self._enqueue("callback_query", query)
        return cid

    # ------------------------------------------------------------------ HTTP layer
    async def _handle_api(self, request: web.Request) -> web.Response:
        status, body = await self.process(
            request.match_info["token"],
            request.match_info["method"],
            lambda: _read_params(request),
        )
        return web.json_response(body, status=status)

    async def process(
        self,
        token: str,
        method_in: str,
        read: Callable[[], Awaitable[tuple[JsonDict, dict[str, UploadedFile]]]],
    ) -> tuple[int, JsonDict]:
        """One Bot API request, whatever carried it: (HTTP status, JSON body)."""
        arrival = time.monotonic()
        entry = self._methods.get(method_in.lower())
        method = entry[0] if entry else method_in
        polling = method == "getUpdates"
        call = Call(method=method, params={}, files={}, at=arrival)
        self.calls.append(call)
        self._calls_by_method[method.lower()].append(call)
        if not polling:
            self._in_flight += 1
            self._last_activity = arrival
        self._signal.notify()
        rtt = self.round_trip()
        body: JsonDict = {}
        try:
            try:
                call.params, call.files = await read()
                if rtt:
                    await asyncio.sleep(rtt / 2)  # the request travels to Telegram
                result = await self._dispatch(token, entry, call)
                body = {"ok": True}
                if isinstance(result, Described):
                    body["result"] = result.result
                    body["description"] = result.description
                else:
                    body["result"] = result
                call.status = 200
            except ApiError as err:
                body = err.body()
                call.status = err.status
            call.response = body
            if rtt:
                await asyncio.sleep(rtt - rtt / 2)  # and the answer travels back
        finally:
            if call.status is None:
                call.status = 499  # the client went away (e.g. a cancelled long poll)
            call.answered_at = time.monotonic()
            if not polling:
                self._in_flight -= 1
                self._last_activity = call.answered_at
            self._signal.notify()
        return call.status, body

    def file_bytes(self, token: str, path: str) -> StoredFile | None:
        """A stored file for ``/file/bot<token>/<path>`` (None: 404)."""
        if self.token is not None and token != self.token:
            return None
        return self._files_by_path.get(path)

    async def _dispatch(self, token: str, entry: tuple[str, Handler] | None, call: Call) -> Any:
        if self.token is not None and token != self.token:
            raise ApiError(401, "Unauthorized")
        if entry is None:
            raise ApiError(404, "Not Found")
        method, handler = entry
        params = call.params
        chat_id = params.get("chat_id")
        paid = bool(params.get("allow_paid_broadcast")) and method in SEND_METHODS
        decision = self.faults.decide(method, chat_id, paid)
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
            state = self._lookup_chat(chat_id)
            try:
                self.flood.check(
                    state.id if state else None,
                    group=state is not None and state.kind != "private",
                    paid=paid,
                    now=time.monotonic(),
                )
            except FloodError as err:
                raise ApiError(err.status, err.description, err.retry_after) from None
        return await handler(params, call.files)

    async def call_internal(self, method: str, params: JsonDict) -> Any:
        """Run a Bot API method from inside the emulator (a webhook reply carrying a method),
        recorded like any call; errors are logged, as Telegram cannot report them."""
        entry = self._methods.get(method.lower())
        call = Call(method=entry[0] if entry else method, params={}, files={}, at=time.monotonic())
        self.calls.append(call)
        self._calls_by_method[call.method.lower()].append(call)
        try:
            call.params = {key: _coerce(key, value) for key, value in params.items()}
            result = await self._dispatch(self.token or "", entry, call)
            call.status = 200
            call.response = {"ok": True, "result": getattr(result, "result", result)}
        except ApiError as err:
            call.status = err.status
            call.response = err.body()
            logger.info("webhook reply %s refused: %s", method, err.description)
        call.answered_at = time.monotonic()
        self._last_activity = call.answered_at
        self._signal.notify()
        return call.response

    async def _conflict(self, message: str) -> None:
        """409 like the Bot API server, which delays repeated conflicts by three seconds."""
        now = time.monotonic()
        if now < self._next_conflict_time:
            await asyncio.sleep(self.conflict_delay)
        else:
            self._next_conflict_time = now + self.conflict_delay
        raise ApiError(409, message)

    async def _handle_file(self, request: web.Request) -> web.Response:
        stored = self.file_bytes(request.match_info["token"], request.match_info["path"])
        if stored is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    # ------------------------------------------------------------------ helpers
    def _lookup_chat(self, chat_id: Any) -> ChatState | None:
        if isinstance(chat_id, int):
            return self._chats.get(chat_id)
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            found = self._usernames.get(chat_id[1:].lower())
            return self._chats.get(found) if found is not None else None
        return None

    def _target_chat(self, params: JsonDict, *, write: bool = True) -> ChatState:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        state = self._lookup_chat(chat_id)
        if state is None:
            raise bad_request("chat not found")
        if state.kind != "private":
            label = "supergroup" if state.kind == "supergroup" else state.kind
            if state.bot_status == "kicked":
                raise ApiError(403, f"Forbidden: bot was kicked from the {label} chat")
            if state.bot_status not in PRESENT and (write or state.kind != "group"):
                raise ApiError(403, f"Forbidden: bot is not a member of the {label} chat")
            if (
                write
                and state.kind == "channel"
                and not (state.bot_rights.get("can_post_messages", True))
            ):
                raise bad_request("need administrator rights in the channel chat")
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

    def _check_markup(
        self, markup: Any, chat_type: str = "private", *, inline_only: bool = False
    ) -> JsonDict | None:
        """Validate reply_markup; return it (dict) or None when it sets no keyboard."""
        try:
            return check_reply_markup(
                markup,
                chat_type=chat_type,
                strict_deep_links=self.strict_deep_links,
                inline_only=inline_only,
            )
        except MarkupError as err:
            raise bad_request(str(err)) from None

    def _reply_target(self, state: ChatState, params: JsonDict) -> tuple[JsonDict | None, JsonDict]:
        """The message replied to (or None) and the ``quote`` to attach, from reply params."""
        rp = params.get("reply_parameters")
        if rp is None and params.get("reply_to_message_id") is not None:
            rp = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply", False),
            }
        if rp is None:
            return None, {}
        if not isinstance(rp, dict):
            raise bad_request("object expected as reply parameters")
        if rp.get("message_id") is None:
            raise bad_request("can't parse reply parameters: Can't find field \"message_id\"")
        source = state
        if rp.get("chat_id") not in (None, "", state.id):
            other = self._lookup_chat(rp.get("chat_id"))
            if other is None:
                raise bad_request("chat not found")
            source = other
        try:
            mid = int(rp["message_id"])
        except (TypeError, ValueError):
            raise bad_request("message to be replied not found") from None
        target = source.messages.get(mid)
        if target is None:
            if not rp.get("allow_sending_without_reply"):
                raise bad_request("message to be replied not found")
            return None, {}
        extra: JsonDict = {}
        quote = rp.get("quote")
        if quote:
            replied_text = str(target.get("text", target.get("caption", "")))
            position = rp.get("quote_position")
            at = replied_text.find(str(quote)) if position is None else int(position)
            if at < 0 or replied_text[at : at + len(str(quote))] != str(quote):
                raise bad_request("QUOTE_TEXT_INVALID")
            extra["quote"] = {
                "text": str(quote),
                "position": utf16_len(replied_text[:at]),
                "is_manual": True,
            }
        if source is not state:
            extra["external_reply"] = self._external_reply(source, target)
        return (target if source is state else None), extra

    @staticmethod
    def _external_reply(source: ChatState, target: JsonDict) -> JsonDict:
        """ExternalReplyInfo for a reply to a message of another chat (JsonExternalReplyInfo)."""
        origin: JsonDict
        if source.kind == "channel":
            origin = {"type": "channel", "chat": source.chat, "message_id": target["message_id"]}
        elif "sender_chat" in target:
            origin = {"type": "chat", "sender_chat": target["sender_chat"]}
        else:
            origin = {"type": "user", "sender_user": target.get("from")}
        origin["date"] = target["date"]
        reply: JsonDict = {
            "origin": origin,
            "chat": source.chat,
            "message_id": target["message_id"],
        }
        for key in ("link_preview_options", "document", "photo"):
            if key in target:
                reply[key] = target[key]
        return reply

    def _thread_for(self, state: ChatState, params: JsonDict, reply: JsonDict | None) -> int | None:
        """The forum topic a bot message goes to (the Bot API's check_message_topic)."""
        thread = params.get("message_thread_id")
        if thread in (None, "", 0):
            thread = None
        if thread is not None and not isinstance(thread, int):
            raise bad_request("message thread not found")
        if state.kind == "private":
            if thread is not None:
                raise bad_request("message thread not found")
            return None
        if not state.is_forum:
            return None  # ignored outside forums, as by the Bot API server
        if thread == 1:
            raise bad_request("message thread not found")  # the General topic has no id
        if thread is not None and thread not in state.topics:
            raise bad_request("message thread not found")
        if thread is None and reply is not None:
            thread = reply.get("message_thread_id")
        return thread

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
        reply_target, reply_extra = self._reply_target(state, params)
        thread = self._thread_for(state, params, reply_target)
        mid = state.next_message_id
        state.next_message_id += 1
        raw: JsonDict = {"message_id": mid}
        if state.kind == "channel":
            raw["sender_chat"] = state.chat
        else:
            raw["from"] = self.bot_user
        raw["chat"] = state.chat
        raw["date"] = int(time.time())
        if thread is not None:
            raw["message_thread_id"] = thread
        if reply_target is not None:
            raw["reply_to_message"] = _nested(reply_target)
        elif thread is not None and thread in state.topics:
            raw["reply_to_message"] = _nested(state.topics[thread])
        raw.update(reply_extra)
        raw.update(content)
        if is_inline_keyboard(markup):
            raw["reply_markup"] = markup
        if params.get("protect_content"):
            raw["has_protected_content"] = True
        if thread is not None:
            raw["is_topic_message"] = True
        now = time.monotonic()
        paid = bool(params.get("allow_paid_broadcast"))
        msg = BotMessage(
            message_id=mid,
            chat_id=state.id,
            method=method,
            text=text,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
            sent_at=now,
            plain_text=plain,
            entities=entities,
            reply_to_message_id=reply_target["message_id"] if reply_target else None,
            message_thread_id=thread,
            paid=paid,
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
        if state.kind != "private":
            state.last_bot_id = int(self.bot_user["id"])
        billed = self.flood.record(state.id, group=state.kind != "private", paid=paid, now=now)
        self.sends.append(Send(now, method, msg.chat_id, mid, paid, billed))
        self._bump(msg, "new")
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
        doc: JsonDict = {}
        if stored.file_name:
            doc["file_name"] = stored.file_name
        if stored.mime_type:
            doc["mime_type"] = stored.mime_type
        doc["file_id"] = stored.file_id
        doc["file_unique_id"] = stored.file_unique_id
        doc["file_size"] = len(stored.data)
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

    def _find_bot_message(
        self, params: JsonDict, *, action: str
    ) -> tuple[ChatState | None, BotMessage]:
        """The message an edit targets: by chat_id + message_id, else by inline_message_id."""
        if params.get("chat_id") in (None, "") and not params.get("message_id"):
            return None, self.inline.find(params.get("inline_message_id"))
        state = self._target_chat(params, write=False)
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
        new_markup = markup if is_inline_keyboard(markup) else None
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
        if msg.inline_message_id is not None:
            self._signal.notify(("inline", msg.inline_message_id))
        return raw

    @staticmethod
    def _scope_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope if isinstance(scope, dict) else {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    def _check_scope(self, scope: Any) -> None:
        """BotCommandScope as the Bot API server parses it (Client::get_bot_command_scope)."""
        if scope is None:
            return
        if not isinstance(scope, dict):
            raise bad_request("can't parse BotCommandScope: BotCommandScope must be an Object")
        kind = scope.get("type")
        if kind not in _SCOPE_TYPES:
            raise bad_request("can't parse BotCommandScope: Unsupported type specified")
        if kind in ("chat", "chat_administrators", "chat_member"):
            if scope.get("chat_id") in (None, ""):
                raise bad_request("can't parse BotCommandScope: Empty chat_id specified")
            if self.strict_command_scopes and self._lookup_chat(scope.get("chat_id")) is None:
                raise bad_request("chat not found")  # what Telegram says: opt-in here
        if kind == "chat_member" and not isinstance(scope.get("user_id"), int):
            raise bad_request("can't parse BotCommandScope: Invalid user_id specified")

    @staticmethod
    def _check_language(language_code: Any) -> str:
        code = str(language_code or "")
        if code and not _LANGUAGE_RE.fullmatch(code):
            raise bad_request("invalid language code specified")
        return code

    # ------------------------------------------------------------------ methods
    async def _m_getMe(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        return self.me

    async def _m_getUpdates(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        if self.webhook.active:
            await self._conflict(
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first"
            )
        offset = params.get("offset")
        offset = offset if isinstance(offset, int) else 0
        limit = params.get("limit")
        limit = min(max(limit, 1), 100) if isinstance(limit, int) else 100
        timeout = params.get("timeout")
        timeout = min(max(0, timeout), LONG_POLL_MAX_TIMEOUT) if isinstance(timeout, int) else 0
        self._set_allowed(params.get("allowed_updates"))
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._signal.notify("updates")  # an older long poll learns it was overtaken

        def ready() -> bool:
            return (
                self._closing
                or self._poll_generation != generation
                or self.webhook.active
                or bool(self._pending)
                or any(not entry[1] for entry in self._redeliveries)
            )

        if not ready() and timeout > 0:
            with contextlib.suppress(TimeoutError):
                await self._signal.wait_for(ready, timeout, key="updates")
        if self._poll_generation != generation:
            await self._conflict(
                "Conflict: terminated by other getUpdates request; make sure that only one bot "
                "instance is running"
            )
        if self.webhook.active:
            await self._conflict("Conflict: terminated by setWebhook request")
        if self._closing:
            return []
        batch = self._poll_batch(limit)
        if batch:
            self._fetched_upto = max(self._fetched_upto, int(batch[-1]["update_id"]))
            self._last_activity = time.monotonic()
        return batch

    async def _m_setWebhook(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        return await self.webhook.set(params)

    async def _m_deleteWebhook(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        return await self.webhook.delete(bool(params.get("drop_pending_updates")))

    async def _m_getWebhookInfo(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        return self.webhook.info()

    def _drop_pending(self) -> None:
        self._pending.clear()
        self._redeliveries.clear()
        self.webhook.clear()

    async def _m_setMyCommands(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        self._check_scope(params.get("scope"))
        language = self._check_language(params.get("language_code"))
        cleaned: list[JsonDict] = []
        for cmd in commands:
            if not isinstance(cmd, dict):
                raise bad_request("can't parse BotCommand: expected an Object")
            name = str(cmd.get("command", "")).strip().removeprefix("/")
            description = str(cmd.get("description", "")).strip()
            if not name:
                raise bad_request("command must be non-empty")
            if len(name) > 32:
                raise bad_request("command length must not exceed 32")
            if not description:
                raise bad_request("command description must be non-empty")
            if len(description) > 256:
                raise bad_request("command description length must not exceed 256")
            if not _BOT_COMMAND_NAME_RE.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            cleaned.append({"command": name, "description": description})
        if len(cleaned) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        self.commands_by_scope[self._scope_key(params.get("scope"), language)] = cleaned
        return True

    async def _m_getMyCommands(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        self._check_scope(params.get("scope"))
        language = self._check_language(params.get("language_code"))
        return self.commands(params.get("scope"), language)

    async def _m_deleteMyCommands(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        self._check_scope(params.get("scope"))
        language = self._check_language(params.get("language_code"))
        self.commands_by_scope.pop(self._scope_key(params.get("scope"), language), None)
        return True

    async def _m_setChatMenuButton(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        button = params.get("menu_button") or {"type": "default"}
        prefix = "can't parse menu button: "
        if not isinstance(button, dict):
            raise bad_request(prefix + "MenuButton must be an Object")
        kind = button.get("type")
        if not isinstance(kind, str):
            raise bad_request(prefix + 'Can\'t find field "type"')
        if kind not in ("commands", "web_app", "default"):
            raise bad_request(prefix + "MenuButton has unsupported type")
        if kind == "web_app":
            text = button.get("text")
            app = button.get("web_app")
            if not isinstance(text, str):
                raise bad_request(prefix + 'Can\'t find field "text"')
            if not isinstance(app, dict) or not isinstance(app.get("url"), str):
                raise bad_request(prefix + 'Can\'t find field "url"')
            if not text.strip():
                raise bad_request("menu button text must be non-empty")
            url = app["url"]
            if not url.lower().startswith("https://") or "." not in url[8:].split("/")[0]:
                why = (
                    "Only HTTPS links are allowed"
                    if not url.lower().startswith("https://")
                    else "Wrong HTTP URL"
                )
                raise bad_request(f"menu button Web App URL '{url}' is invalid: {why}")
        chat_id = params.get("chat_id")
        if chat_id is not None:
            if not isinstance(chat_id, int) or chat_id <= 0:
                raise bad_request("invalid chat_id specified")
            if chat_id not in self.users:
                raise bad_request("user not found")
        self.menu_buttons[chat_id if isinstance(chat_id, int) else None] = button
        return True

    async def _m_getChatMenuButton(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        chat_id = params.get("chat_id")
        key = chat_id if isinstance(chat_id, int) else None
        return self.menu_buttons.get(key) or self.menu_buttons.get(None) or {"type": "commands"}

    async def _m_setMyDescription(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        language = self._check_language(params.get("language_code"))
        self.descriptions[("description", language)] = str(params.get("description") or "")
        return True

    async def _m_getMyDescription(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        key = ("description", self._check_language(params.get("language_code")))
        return {"description": self.descriptions.get(key, "")}

    async def _m_setMyShortDescription(
        self, params: JsonDict, files: dict[str, UploadedFile]
    ) -> Any:
        language = self._check_language(params.get("language_code"))
        self.descriptions[("short_description", language)] = str(
            params.get("short_description") or ""
        )
        return True

    async def _m_getMyShortDescription(
        self, params: JsonDict, files: dict[str, UploadedFile]
    ) -> Any:
        key = ("short_description", self._check_language(params.get("language_code")))
        return {"short_description": self.descriptions.get(key, "")}

    async def _m_sendMessage(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        state = self._target_chat(params)
        text = params.get("text")
        plain, entities = self._formatted(text, params.get("parse_mode"), params.get("entities"))
        markup = self._check_markup(params.get("reply_markup"), state.kind)
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
        return msg.raw

    async def _send_media(
        self, method: str, field_name: str, params: JsonDict, files: dict[str, UploadedFile]
    ) -> Any:
        state = self._target_chat(params)
        caption = params.get("caption")
        plain, entities = self._formatted(
            caption, params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        markup = self._check_markup(params.get("reply_markup"), state.kind)
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
                    "file_size": len(stored.data),
                    "width": width,
                    "height": height,
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
        return msg.raw

    async def _m_sendDocument(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        return await self._send_media("sendDocument", "document", params, files)

    async def _m_sendPhoto(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        return await self._send_media("sendPhoto", "photo", params, files)

    def _edit_chat_type(self, state: ChatState | None, msg: BotMessage) -> str:
        if state is not None:
            return state.kind
        posted = self._chats.get(msg.chat_id) if msg.chat_id else None
        return posted.kind if posted is not None else "private"

    async def _m_editMessageText(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        text = params.get("text")
        plain, entities = self._formatted(text, params.get("parse_mode"), params.get("entities"))
        state, msg = self._find_bot_message(params, action="edit")
        if msg.kind != "text":
            raise bad_request("there is no text in the message to edit")
        markup = self._check_markup(
            params.get("reply_markup"), self._edit_chat_type(state, msg), inline_only=True
        )
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
        return True if state is None else raw

    async def _m_editMessageCaption(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        state, msg = self._find_bot_message(params, action="edit")
        if msg.kind == "text":
            raise bad_request("there is no caption in the message to edit")
        caption = params.get("caption")
        plain, entities = self._formatted(
            caption, params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        markup = self._check_markup(
            params.get("reply_markup"), self._edit_chat_type(state, msg), inline_only=True
        )
        raw = self._apply_edit(
            msg,
            text=None if caption is None else str(caption),
            parse_mode=params.get("parse_mode"),
            plain=plain or None,
            entities=entities,
            markup=markup,
        )
        return True if state is None else raw

    async def _m_editMessageReplyMarkup(
        self, params: JsonDict, files: dict[str, UploadedFile]
    ) -> Any:
        state, msg = self._find_bot_message(params, action="edit")
        markup = self._check_markup(
            params.get("reply_markup"), self._edit_chat_type(state, msg), inline_only=True
        )
        raw = self._apply_edit(
            msg,
            text=msg.text,
            parse_mode=msg.parse_mode,
            plain=msg.plain_text,
            entities=msg.entities,
            markup=markup,
        )
        return True if state is None else raw

    async def _m_deleteMessage(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        state = self._target_chat(params, write=False)
        mid = params.get("message_id")
        if not isinstance(mid, int) or mid not in state.messages:
            raise bad_request("message to delete not found")
        del state.messages[mid]
        msg = state.bot_by_id.get(mid)
        if msg is not None:
            msg.deleted = True
            self._bump(msg, "deleted")
        self._signal.notify(state.id)
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
        self._signal.notify(("callback", cid))
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
        state = self._target_chat(params, write=False)
        info: JsonDict = {k: v for k, v in state.chat.items() if k != "accepted_gift_types"}
        if state.kind == "private":
            info["can_send_gift"] = True
        if state.kind != "channel":
            info["accepted_gift_types"] = {
                "unlimited_gifts": state.kind == "private",
                "limited_gifts": state.kind == "private",
                "unique_gifts": state.kind == "private",
                "premium_subscription": state.kind == "private",
                "gifts_from_channels": state.kind == "private",
            }
        else:
            info["accepted_gift_types"] = {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            }
        info["max_reaction_count"] = 11
        info["accent_color_id"] = 0
        return info

    def _member_of(self, state: ChatState, user_id: int) -> JsonDict:
        if user_id == self.bot_user["id"]:
            status = (
                state.bot_status
                if state.kind != "private"
                else ("kicked" if state.id in self.blocked else "member")
            )
            return chat_member(self.bot_user, status, state.kind, state.bot_rights)
        user = self.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if state.kind == "private":
            if user_id != state.id:
                raise bad_request("user not found")
            return chat_member(user.as_user(), "member", "private")
        if user_id == state.creator_id:
            return chat_member(user.as_user(), "creator", state.kind)
        status = "member" if user_id in state.members else "left"
        return chat_member(user.as_user(), status, state.kind)

    async def _m_getChatMember(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        state = self._target_chat(params, write=False)
        user_id = params.get("user_id")
        if not isinstance(user_id, int) or user_id <= 0:
            raise bad_request("invalid user_id specified")
        return self._member_of(state, user_id)

    async def _m_getChatAdministrators(
        self, params: JsonDict, files: dict[str, UploadedFile]
    ) -> Any:
        state = self._target_chat(params, write=False)
        if state.kind == "private":
            raise bad_request("there are no administrators in the private chat")
        admins: list[JsonDict] = []
        if state.creator_id is not None:
            admins.append(self._member_of(state, state.creator_id))
        if state.bot_status == "administrator":
            admins.append(self._member_of(state, int(self.bot_user["id"])))
        return admins

    async def _m_getChatMemberCount(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        state = self._target_chat(params, write=False)
        if state.kind == "private":
            return 2
        return len(state.members) + (1 if state.bot_present else 0)

    async def _m_leaveChat(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        state = self._target_chat(params, write=False)
        if state.kind == "private":
            raise bad_request("chat member status can't be changed in private chats")
        old = self._bot_member(state)
        state.bot_status = "left"
        state.bot_rights = {}
        self._member_update(state, self.bot_user, old, self._bot_member(state))
        return True

    async def _m_getMyStarBalance(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        nano = self.flood.balance_nanostars
        if nano is None:
            nano = 1_000_000 * NANOSTARS_PER_STAR  # "unlimited": a large, plausible balance
        amount, nanostars = divmod(nano, NANOSTARS_PER_STAR)
        result: JsonDict = {"amount": amount}
        if nanostars:
            result["nanostar_amount"] = nanostars
        return result

    async def _m_close(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        return True

    async def _m_logOut(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        return True


def _slice16(text: str, offset: int, length: int) -> str:
    """``text[offset:offset+length]`` in UTF-16 code units (Telegram's entity unit)."""
    if text.isascii():
        return text[offset : offset + length]
    units = text.encode("utf-16-le")
    return units[offset * 2 : (offset + length) * 2].decode("utf-16-le", errors="replace")
