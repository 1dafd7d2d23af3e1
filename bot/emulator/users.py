"""The test side of the emulator: fake users and what the bot sent them.

Tests drive the bot the way people do (send text, upload files, press buttons, block the
bot, type an inline query and pick a result, post in groups and forum topics) and then wait
for the bot's answers, so no test needs fixed sleeps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.emulator.chats import FakeChat
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
    message_thread_id: int | None = None  # the forum topic it went to (None: General)
    inline_message_id: str | None = None  # set for a message posted via inline mode
    paid: bool = False  # sent with allow_paid_broadcast
    edited: bool = False
    edited_at: float | None = None
    deleted: bool = False
    history: list[BotMessageVersion] = field(default_factory=list)
    raw: JsonDict = field(default_factory=dict, repr=False)
    seq: int = field(default=0, repr=False)  # bumped on every change, for wait_for

    @property
    def is_inline(self) -> bool:
        """Posted by a person via the bot (inline mode); edited by inline_message_id."""
        return self.inline_message_id is not None

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
class InlineAnswer:
    """A recorded answerInlineQuery call (validated like Telegram)."""

    inline_query_id: str
    results: list[JsonDict]
    next_offset: str
    cache_time: int
    is_personal: bool
    button: JsonDict | None
    at: float

    @property
    def ids(self) -> list[str]:
        return [str(r["id"]) for r in self.results]

    def result(self, result_id: str) -> JsonDict:
        for item in self.results:
            if str(item["id"]) == result_id:
                return item
        raise AssertionError(f"no result {result_id!r} in answer; ids are {self.ids}")


@dataclass(frozen=True)
class CallbackAnswer:
    """A recorded answerCallbackQuery call."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None
    at: float


class ChatReader:
    """What the bot posted in one chat, read in order; shared by users, groups and channels."""

    emulator: BotApiEmulator
    _consumed: int  # how many of the bot's messages next_message() has returned

    @property
    def chat_id(self) -> int:
        raise NotImplementedError

    @property
    def messages(self) -> list[BotMessage]:
        """Everything the bot sent to this chat, in order (edits update entries in place)."""
        return list(self.emulator._chat_state(self.chat_id).bot_messages)

    @property
    def last(self) -> BotMessage | None:
        msgs = self.emulator._chat_state(self.chat_id).bot_messages
        return msgs[-1] if msgs else None

    @property
    def unread(self) -> list[BotMessage]:
        """Messages next_message() has not returned yet."""
        return self.messages[self._consumed :]

    async def next_message(self, timeout: float = 5.0) -> BotMessage:
        """The next new bot message not yet returned (FIFO); AssertionError on timeout."""
        state = self.emulator._chat_state(self.chat_id)
        try:
            await self.emulator._signal.wait_for(
                lambda: len(state.bot_messages) > self._consumed, timeout, key=self.chat_id
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
        state = self.emulator._chat_state(self.chat_id)
        since = 0 if include_existing else self.emulator._seq
        found: list[BotMessage] = []

        def check() -> bool:
            for msg in state.bot_messages:
                if msg.seq > since and predicate(msg):
                    found.append(msg)
                    return True
            return False

        try:
            await self.emulator._signal.wait_for(check, timeout, key=self.chat_id)
        except TimeoutError:
            raise AssertionError(
                f"{self}: no bot message matched within {timeout}s; received: {self._summary()}"
            ) from None
        return found[-1]

    async def wait_for_text(self, needle: str, timeout: float = 5.0) -> BotMessage:
        """Shortcut: a message whose plain text (or caption) contains ``needle``."""
        return await self.wait_for(lambda m: needle in (m.plain_text or m.text or ""), timeout)

    def _summary(self) -> str:
        msgs = self.emulator._chat_state(self.chat_id).bot_messages
        if not msgs:
            return "nothing"
        return "[" + "; ".join(m.describe() for m in msgs) + "]"


class FakeUser(ChatReader):
    """A Telegram user; their private chat with the bot has chat id == user id.

    They can also post in groups and forum topics (``chat=``, ``topic=``), use inline mode
    and block the bot.
    """

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
        self._consumed = 0

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
        data: JsonDict = {"id": self.id, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        data["type"] = "private"
        return data

    # ----------------------------------------------------------------- acting
    async def send(
        self,
        text: str,
        *,
        reply_to: BotMessage | JsonDict | int | None = None,
        chat: FakeChat | None = None,
        topic: int | None = None,
    ) -> JsonDict:
        """Send a text message to the bot (or in ``chat``, in forum ``topic``).

        Returns the Message dict; in a group it may be withheld from the bot by privacy mode
        (see ``emulator.withheld``).
        """
        return await self.emulator._user_message(
            self, text=text, reply_to=reply_to, chat=chat, topic=topic
        )

    async def reply_to(self, message: BotMessage | JsonDict | int, text: str) -> JsonDict:
        """Send ``text`` as a reply (``reply_to_message`` set) to ``message``, in its chat."""
        chat = self.emulator._chat_of(message, default=self.id)
        return await self.emulator._user_message(self, text=text, reply_to=message, chat=chat)

    async def send_document(
        self,
        filename: str,
        data: bytes,
        caption: str | None = None,
        mime_type: str | None = None,
        *,
        chat: FakeChat | None = None,
        topic: int | None = None,
    ) -> JsonDict:
        """Upload a document; its bytes are then served by getFile + /file/."""
        return await self.emulator._user_message(
            self, caption=caption, document=(filename, data, mime_type), chat=chat, topic=topic
        )

    async def edit(
        self, message: JsonDict | int, text: str, *, chat: FakeChat | None = None
    ) -> JsonDict:
        """Edit one of this user's messages: the bot gets ``edited_message``."""
        state = self.emulator._chat_state(chat.id if chat is not None else self.id)
        return await self.emulator._edit_user_message(state, message, text, self)

    async def press(self, message: BotMessage | int, text_or_data: str) -> str:
        """Press an inline button of a bot message by visible text or callback_data.

        Matching uses the message's current keyboard: exact text, exact data, then a unique
        substring of the text. Returns the callback query id. A button on a message posted via
        inline mode yields a callback with ``inline_message_id`` and no ``message``.
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
        if msg.inline_message_id is not None:
            return await self.emulator._user_callback(
                self, 0, str(button["callback_data"]), inline_message_id=msg.inline_message_id
            )
        return await self.emulator._user_callback(
            self, msg.message_id, str(button["callback_data"]), chat_id=msg.chat_id
        )

    async def press_data(self, message_id: int, data: str, *, chat: FakeChat | None = None) -> str:
        """Forge a callback query with arbitrary data (e.g. stale or tampered buttons)."""
        chat_id = chat.id if chat is not None else None
        return await self.emulator._user_callback(self, message_id, data, chat_id=chat_id)

    async def press_inline(self, inline_message_id: str, data: str) -> str:
        """A callback from a button on an inline-mode message: ``inline_message_id``, no
        ``message`` (any data, e.g. from an older version of the bot)."""
        return await self.emulator._user_callback(
            self, 0, data, inline_message_id=inline_message_id
        )

    async def callback_answer(self, callback_query_id: str, timeout: float = 5.0) -> CallbackAnswer:
        """Wait until the bot answers the given callback query."""
        return await self.emulator.wait_callback_answer(callback_query_id, timeout=timeout)

    def web_app_init_data(
        self,
        bot_token: str | None = None,
        *,
        auth_date: int | None = None,
        query_id: str | None = "AAE",
        start_param: str | None = None,
        chat_type: str | None = None,
        chat_instance: str | None = None,
    ) -> str:
        """The signed ``initData`` Telegram gives the bot's Mini App opened by this user.

        ``bot_token`` defaults to the emulator's token; ``auth_date`` (Unix time) to now. Pass
        another token or an old ``auth_date`` to forge or age it.
        """
        from bot.emulator.webapp import sign_init_data

        token = bot_token or self.emulator.token
        if not token:
            raise AssertionError("pass bot_token: this emulator accepts any token")
        if query_id == "AAE":  # a per-user query id, as Telegram's look
            query_id = f"AAE{self.id:x}"
        return sign_init_data(
            self.as_user(),
            token,
            auth_date=auth_date,
            query_id=query_id,
            start_param=start_param,
            chat_type=chat_type,
            chat_instance=chat_instance,
            seed=self.id,
        )

    def block_bot(self) -> None:
        """Block the bot (``my_chat_member`` to ``kicked``); sends then get 403."""
        self.emulator.block(self.id)

    def unblock_bot(self) -> None:
        self.emulator.unblock(self.id)

    # ------------------------------------------------------------ inline mode
    async def inline_query(
        self,
        query: str = "",
        *,
        offset: str = "",
        chat_type: str | None = "sender",
        chat: FakeChat | FakeUser | None = None,
    ) -> str:
        """Type ``@bot query`` (``offset`` is the next page); returns the inline query id.

        ``chat_type`` is where it is typed: "sender" (the chat with the bot), "private",
        "group", "supergroup", "channel", or None; ``chat`` sets it from a chat instead.
        """
        return await self.emulator.inline._user_query(
            self, query, offset=offset, chat_type=chat_type, chat=chat
        )

    async def inline_answer(self, inline_query_id: str, timeout: float = 5.0) -> InlineAnswer:
        """Wait for the bot's answerInlineQuery to this query."""
        return await self.emulator.inline.wait_answer(inline_query_id, timeout=timeout)

    async def choose_inline_result(
        self,
        inline_query_id: str,
        result_id: str,
        *,
        chat: FakeChat | FakeUser | None = None,
    ) -> BotMessage:
        """Pick a result: it is posted (via the bot) in ``chat`` (None: a chat the emulator
        does not model, e.g. with a friend) and ``chosen_inline_result`` reaches the bot.
        Its buttons can be pressed and the bot can edit it by ``inline_message_id``.
        """
        return await self.emulator.inline._choose(self, inline_query_id, result_id, chat)

    @property
    def inline_messages(self) -> list[BotMessage]:
        """Messages this user posted via the bot's inline mode."""
        return [
            m for m in self.emulator.inline.posted if (m.raw.get("from") or {}).get("id") == self.id
        ]

    # ---------------------------------------------------------------- helpers
    def _bot_message(self, message: BotMessage | int) -> BotMessage:
        if isinstance(message, BotMessage):
            if message.inline_message_id is not None:
                return message
            state = self.emulator._chat_state(message.chat_id)
            mid = message.message_id
        else:
            state = self.emulator._chat_state(self.id)
            mid = message
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


def now() -> float:
    """Monotonic clock used for every emulator timestamp."""
    return time.monotonic()
