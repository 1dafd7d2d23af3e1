"""Any text that is not a command: first the features waiting for a reply, then a question."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import MessageHandler, filters

from bot import texts
from bot.outgoing import OutgoingMessage
from handlers import render
from handlers.common import Context, reply
from handlers.context import ConfApp
from handlers.feature import Feature

MAX_QUESTION = 1000


async def on_text(update: Update, context: Context) -> None:
    rt = context.rt
    message = update.effective_message
    if message is None or message.text is None:
        return
    for hook in context.hooks.text:  # a feedback comment, a broadcast's text, ...
        if await hook(update, context):
            return
    text = message.text.strip()
    if len(text) > MAX_QUESTION:
        await reply(update, context, OutgoingMessage(texts.text_too_long(MAX_QUESTION)))
        return
    answer = rt.agenda.questions.ask(text, rt.now())
    await reply(update, context, render.answer(rt.agenda, answer, text))


class _ReplyToBot(filters.MessageFilter):
    """A reply to a bot's message (in a group, the only way to address the bot by text)."""

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return bool(replied and replied.from_user and replied.from_user.is_bot)


#: Plain text is a question in a private chat. In a group the bot would otherwise answer every
#: message people send each other; there it answers only replies to its own messages.
QUESTIONS = filters.TEXT & ~filters.COMMAND & (filters.ChatType.PRIVATE | _ReplyToBot())


def routes(app: ConfApp) -> None:
    app.add_handler(MessageHandler(QUESTIONS, on_text))


FEATURE = Feature("questions", routes=routes)
