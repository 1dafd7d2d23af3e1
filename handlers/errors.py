"""One error handler: log with the update's id, apologise to the user, keep running."""

from __future__ import annotations

import logging

from telegram import Update

from bot import texts
from handlers.common import Context
from handlers.context import ConfApp
from handlers.feature import Feature

log = logging.getLogger("confbot.errors")


async def on_error(update: object, context: Context) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.something_went_wrong(), show_alert=True)
        elif update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, texts.something_went_wrong())
    except Exception:  # the apology itself failed (network, blocked): nothing more to do
        log.warning("could not tell user about error in update %s", update_id, exc_info=True)


def routes(app: ConfApp) -> None:
    app.add_error_handler(on_error)


FEATURE = Feature("errors", routes=routes)
