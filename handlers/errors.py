"""One error handler: log once with the update's id, apologise where that is welcome, keep running.

The apology never makes things worse: a press already answered is not answered again
(Telegram refuses a second answer), and nothing is posted into a channel, or into a group for
something that was not addressed to the bot (a member's file, another bot's command).
"""

from __future__ import annotations

import html
import logging

from telegram import Update

from bot import texts
from bot.outgoing import OutgoingMessage
from handlers.common import (
    Context,
    addressed_to_us,
    answer_callback,
    is_private,
    reply,
    update_kind,
)
from handlers.context import ConfApp
from handlers.feature import Feature

log = logging.getLogger("confbot.errors")


def describe(update: Update) -> str:
    """What kind of update failed and where, for the log line (never its text: private)."""
    kind = update_kind(update)
    chat = update.effective_chat
    return kind + (f" in {chat.type} chat {chat.id}" if chat is not None else "")


async def on_error(update: object, context: Context) -> None:
    if not isinstance(update, Update):  # a job, or PTB itself
        log.error("error outside an update (%r)", update, exc_info=context.error)
        return
    log.error(
        "error while handling update %s (%s)",
        update.update_id,
        describe(update),
        exc_info=context.error,
    )
    try:
        await _apologise(update, context)
    except Exception as exc:  # the apology itself failed (network, blocked): nothing more to do
        log.warning(
            "could not tell the user about the error in update %s: %s", update.update_id, exc
        )


async def _apologise(update: Update, context: Context) -> None:
    sorry = texts.something_went_wrong()
    query = update.callback_query
    if query is not None:
        if await answer_callback(context, query, sorry, alert=True):
            return
        # Answered before it failed: say it in the private chat, never in a group.
        if is_private(update):
            await reply(update, context, OutgoingMessage(html.escape(sorry)))
        return
    if update.effective_message is None or update.effective_chat is None:
        return  # an inline query, a chat member change: nobody to tell in a chat
    if addressed_to_us(update, context.bot.username):
        await reply(update, context, OutgoingMessage(html.escape(sorry)))


def routes(app: ConfApp) -> None:
    app.add_error_handler(on_error)


FEATURE = Feature("errors", routes=routes)
