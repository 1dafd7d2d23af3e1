"""Which updates are the bot's to answer, whatever shape Telegram sends them in.

Runs before everything else (group -2) and stops the updates that are nobody's business here,
so no feature has to think of them:

- **channel posts** and their edits: the bot may sit in a channel (an admin added it), but a
  channel is a broadcast medium, not a conversation; it never answers there;
- **commands addressed to another bot** (``/start@otherbot``) in a group;
- **edits**: an edit of a command or a question made soon after sending it (``EDIT_WINDOW``,
  a typo fixed at once) is answered as if newly sent, since that is what the person expects;
  later edits, and edits of anything but text, are ignored: answering an old message again
  would come out of context, and a re-sent file or rating would act twice.

Everything else passes; the features' own filters then decide (group chatter that is not a
reply to the bot is not a question, a file in a group is not an agenda upload, ...).
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from handlers.common import Context, command_target
from handlers.context import ConfApp
from handlers.feature import Feature

#: How soon after sending an edit still counts as "what I meant to send".
EDIT_WINDOW = timedelta(minutes=2)


def is_for_us(update: Update, username: str | None) -> bool:
    if update.channel_post is not None or update.edited_channel_post is not None:
        return False
    edited = update.edited_message
    if edited is not None:
        if edited.text is None or edited.edit_date is None:
            return False
        if edited.edit_date - edited.date > EDIT_WINDOW:
            return False
    message = update.message or edited
    if message is not None:
        target = command_target(message)
        if target and (username is None or target != username.lower()):
            return False
    return True


async def gate(update: Update, context: Context) -> None:
    if not is_for_us(update, context.bot.username):
        raise ApplicationHandlerStop


def routes(app: ConfApp) -> None:
    app.add_handler(TypeHandler(Update, gate), group=-2)


FEATURE = Feature("shapes", routes=routes)
