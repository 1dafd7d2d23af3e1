"""Inline mode: ``@bot query`` in any chat, the bot's answer, and the message a person posts.

``answerInlineQuery`` is validated in the order the real stack does it: the Bot API server
parses the JSON (Client::get_inline_query_results), tdlib checks the button and the count
(InlineQueriesManager), and Telegram's servers check ids, offsets and titles
(RESULT_ID_DUPLICATE, NEXT_OFFSET_INVALID, ...). Picking a result posts a message "via" the
bot; when it has an inline keyboard it gets an ``inline_message_id``, its buttons send
callbacks with that id (and no ``message``), and the bot edits it by that id.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import struct
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.emulator.markup import (
    START_PARAMETER_RE,
    MarkupError,
    check_reply_markup,
    is_inline_keyboard,
)
from bot.emulator.users import BotMessage, FakeUser, InlineAnswer

if TYPE_CHECKING:
    from bot.emulator.chats import FakeChat
    from bot.emulator.server import BotApiEmulator

JsonDict = dict[str, Any]

MAX_RESULTS = 50
MAX_RESULT_ID_BYTES = 64
MAX_NEXT_OFFSET_BYTES = 64

#: Fields each result type needs beyond type/id: alternatives are tried in order, as the
#: Bot API server does (a URL form, else a file_id form).
_REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "photo": (("photo_url",), ("photo_file_id",)),
    "gif": (("gif_url",), ("gif_file_id",)),
    "mpeg4_gif": (("mpeg4_url",), ("mpeg4_file_id",)),
    "video": (("video_url", "mime_type", "title"), ("video_file_id", "title")),
    "audio": (("audio_url", "title"), ("audio_file_id",)),
    "voice": (("voice_url", "title"), ("voice_file_id", "title")),
    "document": (("document_url", "mime_type", "title"), ("document_file_id", "title")),
    "location": (("latitude", "longitude", "title"),),
    "venue": (("latitude", "longitude", "title", "address"),),
    "contact": (("phone_number", "first_name"),),
    "game": (("game_short_name",),),
    "sticker": (("sticker_file_id",),),
}
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"


class _Refused(Exception):
    """A refusal at the Bot API server's JSON layer (wrapped in "can't parse ...")."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class _Checked(_Refused):
    """A refusal by tdlib or Telegram's servers, reported as is."""


@dataclass
class InlineQueryRecord:
    """One inline query a person typed."""

    id: str
    user_id: int
    query: str
    offset: str
    chat_type: str | None
    at: float
    answered: bool = False


def _str_field(obj: JsonDict, name: str, *, required: bool) -> str:
    if name not in obj:
        if required:
            raise _Refused(f'Can\'t find field "{name}"')
        return ""
    value = obj[name]
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _Refused(f'Field "{name}" must be of type String')
    return str(value)


class InlineMode:
    """Inline queries, their answers and the inline messages, for one emulator.

    ``answer_timeout``: seconds after which an unanswered query is "too old" (Telegram gives a
    bot about ten seconds).
    """

    def __init__(self, emulator: BotApiEmulator, *, answer_timeout: float = 10.0) -> None:
        self.emu = emulator
        self.answer_timeout = answer_timeout
        self.queries: dict[str, InlineQueryRecord] = {}
        self.answers: list[InlineAnswer] = []
        #: Inline messages with a keyboard, by inline_message_id (the bot can edit these).
        self.messages: dict[str, BotMessage] = {}
        #: Every message posted via the bot, keyboard or not.
        self.posted: list[BotMessage] = []
        self._query_ids = itertools.count(2_900_000_000_000_000_001)
        self._message_ids = itertools.count(1)

    # ----------------------------------------------------------------- person's side
    async def _user_query(
        self,
        user: FakeUser,
        query: str,
        *,
        offset: str,
        chat_type: str | None,
        chat: FakeChat | FakeUser | None,
    ) -> str:
        if not self.emu.me.get("supports_inline_queries"):
            raise AssertionError("inline mode is off for this bot (supports_inline_queries)")
        if chat is not None:
            if isinstance(chat, FakeUser):
                chat_type = "sender" if chat.id == user.id else "private"
            else:
                chat_type = chat.kind
        qid = str(next(self._query_ids))
        self.queries[qid] = InlineQueryRecord(
            qid, user.id, query, offset, chat_type, time.monotonic()
        )
        payload: JsonDict = {"id": qid, "from": user.as_user()}
        if chat_type:
            payload["chat_type"] = chat_type
        payload["query"] = query
        payload["offset"] = offset
        self.emu._enqueue("inline_query", payload)
        return qid

    async def wait_answer(self, inline_query_id: str, timeout: float = 5.0) -> InlineAnswer:
        found: list[InlineAnswer] = []

        def check() -> bool:
            found[:] = [a for a in self.answers if a.inline_query_id == inline_query_id]
            return bool(found)

        try:
            await self.emu._signal.wait_for(check, timeout, key=("inline", inline_query_id))
        except TimeoutError:
            raise AssertionError(
                f"inline query {inline_query_id} not answered within {timeout}s"
            ) from None
        return found[-1]

    async def _choose(
        self,
        user: FakeUser,
        inline_query_id: str,
        result_id: str,
        chat: FakeChat | FakeUser | None,
    ) -> BotMessage:
        answers = [a for a in self.answers if a.inline_query_id == inline_query_id]
        if not answers:
            raise AssertionError(f"the bot did not answer inline query {inline_query_id}")
        result = answers[-1].result(result_id)
        content = result.get("input_message_content")
        if not isinstance(content, dict):
            content = {k: result[k] for k in ("message_text", "parse_mode") if k in result}
        if "message_text" not in content:
            raise AssertionError(
                f"the emulator posts only results with a text message; {result_id!r} is "
                f"{result.get('type')!r} without input_message_content"
            )
        text = str(content["message_text"])
        plain, entities = self.emu._formatted(
            text, content.get("parse_mode"), content.get("entities")
        )
        markup = (
            result.get("reply_markup") if is_inline_keyboard(result.get("reply_markup")) else None
        )
        inline_id = self._new_inline_id(user.id) if markup else None
        record = self.queries.get(inline_query_id)
        state = None
        if isinstance(chat, FakeUser):
            if chat.id == user.id:
                state = self.emu._chat_state(user.id)  # the chat with the bot itself
        elif chat is not None:
            state = chat.state
        extra: JsonDict = {}
        if markup:
            extra["reply_markup"] = markup
        extra["via_bot"] = self.emu.bot_user
        if state is not None:
            raw = self.emu._compose(state, sender=user.as_user(), sender_chat=None, extra=extra)
            raw_text: JsonDict = {"text": plain}
            if entities:
                raw_text["entities"] = entities
            ordered = {}
            for key, value in raw.items():
                if key == "reply_markup" or key == "via_bot":
                    continue
                ordered[key] = value
            ordered.update(raw_text)
            ordered.update(extra)
            raw.clear()
            raw.update(ordered)
        else:
            raw = {"message_id": 0, "from": user.as_user(), "date": int(time.time()), "text": plain}
            if entities:
                raw["entities"] = entities
            raw.update(extra)
        msg = BotMessage(
            message_id=int(raw.get("message_id") or 0),
            chat_id=state.id if state is not None else 0,
            method="inline",
            text=text,
            parse_mode=content.get("parse_mode"),
            reply_markup=markup,
            sent_at=time.monotonic(),
            plain_text=plain,
            entities=entities,
            inline_message_id=inline_id,
            raw=raw,
        )
        self.posted.append(msg)
        if inline_id is not None:
            self.messages[inline_id] = msg
        if state is not None:
            self.emu._deliver(state, "message", raw)
        if self.emu.inline_feedback:
            chosen: JsonDict = {"from": user.as_user()}
            if inline_id is not None:
                chosen["inline_message_id"] = inline_id
            chosen["query"] = record.query if record else ""
            chosen["result_id"] = result_id
            self.emu._enqueue("chosen_inline_result", chosen)
        self.emu._signal.notify(("inline", inline_id))
        return msg

    def _new_inline_id(self, owner_id: int) -> str:
        """Like Telegram's: base64url of (dc_id, owner_id, message id, access hash)."""
        n = next(self._message_ids)
        packed = struct.pack("<iqiq", 2, owner_id, n, (n * 2654435761) & ((1 << 63) - 1))
        return base64.urlsafe_b64encode(packed).decode().rstrip("=")

    @staticmethod
    def chat_instance(inline_message_id: str) -> str:
        # A stable made-up id, like Telegram's opaque chat_instance: no security role.
        digest = hashlib.sha1(inline_message_id.encode(), usedforsecurity=False).digest()
        return str(int.from_bytes(digest[:8], "big") & ((1 << 63) - 1))

    def find(self, inline_message_id: Any) -> BotMessage:
        """The inline message an edit targets, or Telegram's error."""
        from bot.emulator.server import bad_request

        key = str(inline_message_id or "")
        if not key:
            raise bad_request("message identifier is not specified")
        msg = self.messages.get(key)
        if msg is not None:
            return msg
        try:
            raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
        except ValueError:
            raw = b""
        if len(raw) in (20, 24) and 1 <= struct.unpack("<i", raw[:4])[0] <= 5:
            raise bad_request("MESSAGE_ID_INVALID")
        raise bad_request("invalid inline message identifier specified")

    # ----------------------------------------------------------------- bot's side
    async def answer(self, params: JsonDict, files: dict[str, Any]) -> Any:
        """answerInlineQuery."""
        from bot.emulator.server import bad_request

        try:
            cache_time = params.get("cache_time")
            cache_time = min(max(cache_time, 0), 86400) if isinstance(cache_time, int) else 300
            button = self._button(params.get("button"))
            results = self._results(params.get("results"))
            self._check_button(button)
            if len(results) > MAX_RESULTS:
                raise _Refused("Too many inline query results specified")
            qid = str(params.get("inline_query_id") or "")
            record = self.queries.get(qid)
            expired = record is not None and time.monotonic() - record.at > self.answer_timeout
            if record is None or record.answered or expired:
                raise _Refused(_QUERY_INVALID)
            seen: set[str] = set()
            for item in results:
                rid = str(item["id"])
                if not rid or len(rid.encode()) > MAX_RESULT_ID_BYTES:
                    raise _Refused("RESULT_ID_INVALID")
                if rid in seen:
                    raise _Refused("RESULT_ID_DUPLICATE")
                seen.add(rid)
            next_offset = str(params.get("next_offset") or "")
            if len(next_offset.encode()) > MAX_NEXT_OFFSET_BYTES:
                raise _Refused("NEXT_OFFSET_INVALID")
        except _Refused as err:
            detail = err.detail
            if len(detail) < 2 or not (detail[1] == "_" or detail[1].isupper()):
                detail = detail[:1].lower() + detail[1:]
            raise bad_request(detail) from None
        record.answered = True
        self.answers.append(
            InlineAnswer(
                inline_query_id=qid,
                results=results,
                next_offset=next_offset,
                cache_time=cache_time,
                is_personal=bool(params.get("is_personal")),
                button=button,
                at=time.monotonic(),
            )
        )
        self.emu._signal.notify(("inline", qid))
        return True

    @staticmethod
    def _button(value: Any) -> JsonDict | None:
        if value is None or value == "":
            return None
        prefix = "Can't parse inline query results button: "
        if not isinstance(value, dict):
            raise _Refused(prefix + "InlineQueryResultsButton must be an Object")
        try:
            _str_field(value, "text", required=True)
            if "start_parameter" in value:
                _str_field(value, "start_parameter", required=True)
            elif isinstance(value.get("web_app"), dict):
                _str_field(value["web_app"], "url", required=True)
            elif "web_app" in value:
                raise _Refused('Field "web_app" must be of type Object')
            else:
                raise _Refused("InlineQueryResultsButton must have exactly one optional field")
        except _Refused as err:
            raise _Refused(prefix + err.detail) from None
        return value

    @staticmethod
    def _check_button(button: JsonDict | None) -> None:
        """tdlib's checks of the button above the results."""
        if button is None:
            return
        if "start_parameter" in button:
            parameter = str(button["start_parameter"])
            if not parameter:
                raise _Refused("Can't use empty start_parameter")
            if len(parameter) > 64:
                raise _Refused("Too long start_parameter specified")
            if not START_PARAMETER_RE.fullmatch(parameter):
                raise _Refused("Unallowed characters in start_parameter are used")
        else:
            url = str(button["web_app"]["url"])
            if not url.lower().startswith("https://"):
                raise _Refused(
                    f"Inline query button Web App URL '{url}' is invalid: Only HTTPS links are "
                    "allowed"
                )

    def _results(self, value: Any) -> list[JsonDict]:
        if value is None or value == "":
            return []
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as err:
                raise _Refused(f"Can't parse JSON encoded inline query results: {err}") from None
        if value is None:
            return []
        if not isinstance(value, list):
            raise _Refused("Expected an Array of inline query results")
        if len(value) > MAX_RESULTS:
            raise _Refused("Too many inline query results specified")
        parsed: list[JsonDict] = []
        for item in value:
            try:
                parsed.append(self._result(item))
            except _Checked:
                raise
            except _Refused as err:
                raise _Refused(f"Can't parse inline query result: {err.detail}") from None
        return parsed

    def _result(self, item: Any) -> JsonDict:
        """One InlineQueryResult (Client::get_inline_query_result, then the server)."""
        if not isinstance(item, dict):
            raise _Refused("Inline query result must be an object")
        kind = _str_field(item, "type", required=True).lower()
        _str_field(item, "id", required=True)
        content = item.get("input_message_content")
        if content is not None and not isinstance(content, dict):
            raise _Refused('Field "input_message_content" must be of type Object')
        if kind == "article" and content is None:
            text = _str_field(item, "message_text", required=True)  # the legacy form
            content = {"message_text": text, "parse_mode": item.get("parse_mode")}
        if content is not None:
            self._content(content, required=kind == "article")
        if "reply_markup" in item:
            if not isinstance(item["reply_markup"], dict):
                raise _Refused('Field "reply_markup" must be of type Object')
            try:
                check_reply_markup(
                    item["reply_markup"],
                    chat_type="private",
                    strict_deep_links=self.emu.strict_deep_links,
                    inline_only=True,
                )
            except MarkupError as err:
                detail = str(err)
                if detail.startswith(("can't parse", "field ", "object expected")):
                    raise _Refused(detail[:1].upper() + detail[1:]) from None
                raise _Checked(detail) from None
        if kind == "article":
            title = _str_field(item, "title", required=True)
            if not title:
                raise _Checked("ARTICLE_TITLE_EMPTY")
        elif kind in _REQUIRED:
            options = _REQUIRED[kind]
            for option in options:
                if all(name in item for name in option):
                    break
            else:
                missing = next(name for name in options[-1] if name not in item)
                raise _Refused(f'Can\'t find field "{missing}"')
        else:
            raise _Refused(f'type "{kind}" is unsupported for the inline query result')
        return item

    def _content(self, content: JsonDict, *, required: bool) -> None:
        """InputMessageContent: text is parsed like sendMessage's."""
        from bot.emulator.server import ApiError

        text = _str_field(content, "message_text", required=False)
        if text:
            try:
                self.emu._formatted(text, content.get("parse_mode"), content.get("entities"))
            except ApiError as err:
                detail = err.description.removeprefix("Bad Request: ")
                if detail == "message is too long":
                    raise _Checked("MESSAGE_TOO_LONG") from None
                if detail == "message text is empty":
                    raise _Checked("MESSAGE_EMPTY") from None
                raise _Refused(detail[:1].upper() + detail[1:]) from None
            return
        known = ("latitude", "phone_number", "payload")
        if required and not any(k in content for k in known):
            raise _Refused("Input message content is not specified")
