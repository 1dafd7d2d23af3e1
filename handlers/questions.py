"""Any text that is not a command: first the features waiting for a reply, then a question.

An answer is worded in the language of the question when there is a catalogue for it (a
Hungarian question gets a Hungarian answer even from someone whose Telegram is English), else
in the person's own language.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from telegram import Message, Update
from telegram.ext import MessageHandler, filters

from bot import i18n, texts
from bot.outgoing import OutgoingMessage
from bot.questions.answer import Answer
from handlers import render
from handlers.agenda import card
from handlers.buttons import Press, button
from handlers.callbacks import BadCallback
from handlers.common import Context, edit_or_send, replies_to_bot, reply
from handlers.context import ConfApp
from handlers.feature import Feature

MAX_QUESTION = 1000


async def on_text(update: Update, context: Context) -> None:
    rt = context.rt
    message = update.effective_message
    user = update.effective_user
    if message is None or message.text is None or user is None:
        return
    for hook in context.hooks.text:  # a feedback comment, a broadcast's text, ...
        if await hook(update, context):
            return
    text = message.text.strip()
    if len(text) > MAX_QUESTION:
        await reply(update, context, OutgoingMessage(texts.text_too_long(MAX_QUESTION)))
        return
    now = rt.now()
    answer = rt.agenda.questions.ask(text, now, _language())
    with worded_in(answer):
        if answer.card is not None:
            await reply(update, context, await card(context, answer.card.id, user.id, now))
            return
        key = rt.asked.remember(user.id, text, now) if answer.more else None
        await reply(update, context, render.answer(rt.agenda, answer, text, more_key=key))


def _language() -> str:
    """The person's language (their choice, else Telegram's): it only breaks ties, the
    question's words decide."""
    return i18n.current_code()


def worded_in(answer: Answer) -> AbstractContextManager[object]:
    """The answer in the question's language when it has a catalogue and is not the person's
    own already (keeping theirs keeps their preference for agenda texts, a regional tag)."""
    if answer.lang == i18n.current_code() or answer.lang not in i18n.CATALOGUES.languages:
        return nullcontext()
    return i18n.use_locale(answer.lang)


@button("qm")
async def on_more(press: Press) -> None:
    """ "N more": the same question asked again, at the moment it was asked, next page."""
    page = press.callback.int_arg(1, 1, 1000)
    asked = press.rt.asked.recall(press.args[0], press.user_id)
    if asked is None:
        raise BadCallback("unknown or someone else's question")
    answer = press.rt.agenda.questions.ask(asked.text, asked.at, _language())
    await press.answer()
    with worded_in(answer):
        msg = render.answer(press.rt.agenda, answer, asked.text, page=page, more_key=press.args[0])
    await edit_or_send(press.update, press.context, msg)


class _ReplyToBot(filters.MessageFilter):
    """A reply to this bot's message (in a group, the only way to address the bot by text);
    not a reply to another bot, nor a forum topic's implicit reply to its first message."""

    def filter(self, message: Message) -> bool:
        return replies_to_bot(message, None)


#: Plain text is a question in a private chat. In a group the bot would otherwise answer every
#: message people send each other; there it answers only replies to its own messages.
QUESTIONS = filters.TEXT & ~filters.COMMAND & (filters.ChatType.PRIVATE | _ReplyToBot())


def routes(app: ConfApp) -> None:
    app.add_handler(MessageHandler(QUESTIONS, on_text))
    app.add_handler(on_more.handler())


FEATURE = Feature("questions", routes=routes)
