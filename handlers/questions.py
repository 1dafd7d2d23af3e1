"""Any text that is not a command: first the features waiting for a reply, then a question."""

from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime

from telegram import Message, Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot import texts
from bot.outgoing import OutgoingMessage
from bot.questions import Answer
from handlers import render
from handlers.attendee import card
from handlers.callbacks import BadCallback, decode
from handlers.common import Context, edit_or_send, reply, runtime, user_id

#: A feature that may claim a text (a feedback comment, a broadcast's text); True = handled.
TextHook = Callable[[Update, Context], Awaitable[bool]]
MAX_QUESTION = 1000


async def on_text(update: Update, context: Context) -> None:
    rt = runtime(context)
    message = update.effective_message
    if message is None or message.text is None:
        return
    hooks: list[TextHook] = rt.services.get("text_hooks", [])
    for hook in hooks:
        if await hook(update, context):
            return
    text = message.text.strip()
    if len(text) > MAX_QUESTION:
        await reply(update, context, OutgoingMessage(texts.text_too_long(MAX_QUESTION)))
        return
    now = rt.now()
    answer = rt.agenda.questions.ask(text, now, _language(update))
    if answer.card is not None:
        await reply(update, context, await card(context, answer.card.id, user_id(update), now))
        return
    key = remember(user_id(update), text, now) if answer.more else None
    await reply(update, context, render.answer(rt.agenda, answer, text, more_key=key))


def _language(update: Update) -> str | None:
    user = update.effective_user
    code = user.language_code if user is not None else None
    return code.split("-")[0].casefold() if code else None


#: Questions whose answer has more pages, by a short key the "N more" button carries (the
#: question itself would not fit in 64 bytes). Bounded: an old button past it is stale.
_ASKED: OrderedDict[str, tuple[int, str, datetime]] = OrderedDict()
MAX_REMEMBERED = 10_000


def remember(user: int, text: str, now: datetime) -> str:
    """A key for this question, kept so its next pages answer the same question at the same
    time (the list does not shift under the reader)."""
    raw = f"{user}\n{now.isoformat()}\n{text}".encode()
    key = base64.urlsafe_b64encode(hashlib.blake2b(raw, digest_size=9).digest()).decode()
    key = key.replace("-", "0").replace("_", "1")
    _ASKED[key] = (user, text, now)
    _ASKED.move_to_end(key)
    while len(_ASKED) > MAX_REMEMBERED:
        _ASKED.popitem(last=False)
    return key


async def on_more(update: Update, context: Context) -> None:
    """ "N more": the same question asked again, the next page of its answer."""
    rt = runtime(context)
    query = update.callback_query
    assert query is not None
    try:
        cb = decode(query.data)
        if cb.action != "qm":
            raise BadCallback("not a question page")
        page = cb.int_arg(1, 1, 1000)
        asked = _ASKED.get(cb.args[0])
        if asked is None or asked[0] != user_id(update):
            raise BadCallback("unknown or someone else's question")
    except BadCallback:
        await query.answer(texts.stale_button(), show_alert=True)
        return
    _, text, then = asked
    answer: Answer = rt.agenda.questions.ask(text, then, _language(update))
    await query.answer()
    msg = render.answer(rt.agenda, answer, text, page=page, more_key=cb.args[0])
    await edit_or_send(update, context, msg)


class _ReplyToBot(filters.MessageFilter):
    """A reply to a bot's message (in a group, the only way to address the bot by text)."""

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return bool(replied and replied.from_user and replied.from_user.is_bot)


#: Plain text is a question in a private chat. In a group the bot would otherwise answer every
#: message people send each other; there it answers only replies to its own messages.
QUESTIONS = filters.TEXT & ~filters.COMMAND & (filters.ChatType.PRIVATE | _ReplyToBot())


def register(app: Application) -> None:
    app.add_handler(MessageHandler(QUESTIONS, on_text))
    app.add_handler(CallbackQueryHandler(on_more, pattern=r"^qm:"))
