"""The test side of the emulator: fake users and what the bot sent them.

Tests drive the bot the way people do (send text, upload files, press buttons) and then
wait for the bot's answers on asyncio conditions, so no test needs fixed sleeps.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.emulator.server import BotApiEmulator

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class BotMessageVersion:
    """A past state of an edited message (kept so tests can assert on the edit sequence)."""

    text: str | None
    parse_mode: str | None
    reply_markup: JsonDict | None
    at: float


@dataclass
class BotMessage:
    """One message the bot sent; edits update it in place and push the old state to history.

    ``text`` is what the bot sent (for media, the caption), raw: HTML stays HTML so tests can
    see escaping. ``plain_text`` is what a user would read (markup parsed away).
    """

    message_id: int
    chat_id: int
    method: str
    text: str | None
    parse_mode: str | None
    reply_markup: JsonDict | None
    sent_at: float
    plain_text: str | None = None
    entities: list[JsonDict] = field(default_factory=list)
    document_name: str | None = None
    document_bytes: bytes | None = None
    document_mime: str | None = None
    photo_bytes: bytes | None = None
    reply_to_message_id: int | None = None
    edited: bool = False
    edited_at: float | None = None
    deleted: bool = False
    history: list[BotMessageVersion] = field(default_factory=list)
    raw: JsonDict = field(default_factory=dict, repr=False)
    seq: int = field(default=0, repr=False)  # bumped on every change, for wait_for

    @property
    def kind(self) -> str:
        """ "text", "document" or "photo"."""
        if self.document_name is not None or self.method == "sendDocument":
            return "document"
        if self.photo_bytes is not None or self.method == "sendPhoto":
            return "photo"
        return "text"

    @property
    def caption(self) -> str | None:
        return None if self.kind == "text" else self.text

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Inline keyboard rows as (text, callback_data or url or None)."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        result: list[list[tuple[str, str | None]]] = []
        for row in rows:
            result.append(
                [
                    (str(b.get("text", "")), b.get("callback_data", b.get("url")))
                    for b in row
                    if isinstance(b, dict)
                ]
            )
        return result

    @property
    def button_texts(self) -> list[str]:
        return [text for row in self.buttons for text, _ in row]

    def describe(self) -> str:
        """One line for assertion messages."""
        flags = "".join(
            f" [{name}]" for name, on in (("edited", self.edited), ("deleted", self.deleted)) if on
        )
        body = self.text if self.text is not None else ""
        if self.document_name:
            body = f"<document {self.document_name!r}> {body}"
        elif self.kind == "photo":
            body = f"<photo> {body}"
        if len(body) > 160:
            body = body[:157] + "..."
        buttons = f" buttons={self.button_texts}" if self.button_texts else ""
        return f"#{self.message_id}{flags}: {body!r}{buttons}"


@dataclass(frozen=True)
class CallbackAnswer:
    """A recorded answerCallbackQuery call."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None
    at: float


class FakeUser:
    """A Telegram user talking to the bot in a private chat (chat id == user id)."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> None:
        self.emulator = emulator
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self._consumed = 0  # how many of the bot's messages next_message() has returned

    def __repr__(self) -> str:
        return f"FakeUser({self.id}, {self.first_name!r})"

    @property
    def chat_id(self) -> int:
        return self.id

    def as_user(self) -> JsonDict:
        """The Telegram ``User`` object."""
        data: JsonDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def as_chat(self) -> JsonDict:
        """The Telegram private ``Chat`` object."""
        data: JsonDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data

    # ----------------------------------------------------------------- acting
    async def send(
        self, text: str, *, reply_to: BotMessage | JsonDict | int | None = None
    ) -> JsonDict:
        """Send a text message to the bot; returns the Message dict queued as an update."""
        return await self.emulator._user_message(self, text=text, reply_to=reply_to)

    async def reply_to(self, message: BotMessage | JsonDict | int, text: str) -> JsonDict:
        """Send ``text`` as a reply (``reply_to_message`` set) to ``message``."""
        return await self.emulator._user_message(self, text=text, reply_to=message)

    async def send_document(
        self,
        filename: str,
        data: bytes,
        caption: str | None = None,
        mime_type: str | None = None,
    ) -> JsonDict:
        """Upload a document to the bot; its bytes are then served by getFile + /file/."""
        return await self.emulator._user_message(
            self, caption=caption, document=(filename, data, mime_type)
        )

    async def press(self, message: BotMessage | int, text_or_data: str) -> str:
        """Press an inline button of a bot message by visible text or callback_data.

        Matching uses the message's current keyboard: exact text, exact data, then a unique
        substring of the text. Returns the callback query id.
        """
        msg = self._bot_message(message)
        if msg.deleted:
            raise AssertionError(f"{self}: message {msg.describe()} was deleted; cannot press")
        flat = [b for row in msg.buttons for b in row]
        match = [b for b in flat if b[0] == text_or_data]
        if not match:
            match = [b for b in flat if b[1] == text_or_data]
        if not match:
            match = [b for b in flat if text_or_data in b[0]]
            if len(match) > 1:
                raise AssertionError(
                    f"{self}: {text_or_data!r} matches several buttons of message "
                    f"#{msg.message_id}: {[b[0] for b in match]}"
                )
        if not match:
            raise AssertionError(
                f"{self}: no button {text_or_data!r} in message {msg.describe()}; "
                f"buttons are {msg.buttons}"
            )
        text, data = match[0]
        button = self._find_button(msg, text, data)
        if "callback_data" not in button:
            raise AssertionError(f"{self}: button {text!r} is not a callback button: {button}")
        return await self.emulator._user_callback(
            self, msg.message_id, str(button["callback_data"])
        )

    async def press_data(self, message_id: int, data: str) -> str:
        """Forge a callback query with arbitrary data (e.g. stale or tampered buttons)."""
        return await self.emulator._user_callback(self, message_id, data)

    async def callback_answer(self, callback_query_id: str, timeout: float = 5.0) -> CallbackAnswer:
        """Wait until the bot answers the given callback query."""
        return await self.emulator.wait_callback_answer(callback_query_id, timeout=timeout)

    # ---------------------------------------------------------------- reading
    @property
    def messages(self) -> list[BotMessage]:
        """Everything the bot sent to this user, in order (edits update entries in place)."""
        return list(self.emulator._chat_state(self.id).bot_messages)

    @property
    def last(self) -> BotMessage | None:
        msgs = self.emulator._chat_state(self.id).bot_messages
        return msgs[-1] if msgs else None

    @property
    def unread(self) -> list[BotMessage]:
        """Messages next_message() has not returned yet."""
        return self.messages[self._consumed :]

    async def next_message(self, timeout: float = 5.0) -> BotMessage:
        """The next new bot message not yet returned (FIFO); AssertionError on timeout."""
        state = self.emulator._chat_state(self.id)
        cond = self.emulator._changed
        async with cond:
            try:
                await asyncio.wait_for(
                    cond.wait_for(lambda: len(state.bot_messages) > self._consumed), timeout
                )
            except TimeoutError:
                raise AssertionError(
                    f"{self}: no new message from the bot within {timeout}s; "
                    f"received: {self._summary()}"
                ) from None
            msg = state.bot_messages[self._consumed]
            self._consumed += 1
            return msg

    async def wait_for(
        self,
        predicate: Callable[[BotMessage], bool],
        timeout: float = 5.0,
        *,
        include_existing: bool = True,
    ) -> BotMessage:
        """Wait until some bot message (new or edited) satisfies ``predicate``.

        With ``include_existing=False`` only messages sent or edited after the call count.
        Does not move the next_message() cursor.
        """
        state = self.emulator._chat_state(self.id)
        cond = self.emulator._changed
        since = 0 if include_existing else self.emulator._seq
        found: list[BotMessage] = []

        def check() -> bool:
            for msg in state.bot_messages:
                if msg.seq > since and predicate(msg):
                    found.append(msg)
                    return True
            return False

        async with cond:
            try:
                await asyncio.wait_for(cond.wait_for(check), timeout)
            except TimeoutError:
                raise AssertionError(
                    f"{self}: no bot message matched within {timeout}s; received: {self._summary()}"
                ) from None
        return found[-1]

    async def wait_for_text(self, needle: str, timeout: float = 5.0) -> BotMessage:
        """Shortcut: a message whose plain text (or caption) contains ``needle``."""
        return await self.wait_for(lambda m: needle in (m.plain_text or m.text or ""), timeout)

    # ---------------------------------------------------------------- helpers
    def _bot_message(self, message: BotMessage | int) -> BotMessage:
        mid = message if isinstance(message, int) else message.message_id
        state = self.emulator._chat_state(self.id)
        msg = state.bot_by_id.get(mid)
        if msg is None:
            raise AssertionError(f"{self}: the bot sent no message #{mid}; got {self._summary()}")
        return msg

    @staticmethod
    def _find_button(msg: BotMessage, text: str, data: str | None) -> JsonDict:
        for row in (msg.reply_markup or {}).get("inline_keyboard") or []:
            for b in row:
                if b.get("text") == text and b.get("callback_data", b.get("url")) == data:
                    return dict(b)
        raise AssertionError(f"button {text!r} vanished from {msg.describe()}")

    def _summary(self) -> str:
        msgs = self.emulator._chat_state(self.id).bot_messages
        if not msgs:
            return "nothing"
        return "[" + "; ".join(m.describe() for m in msgs) + "]"


def now() -> float:
    """Monotonic clock used for every emulator timestamp."""
    return time.monotonic()
