"""Record every user the moment an update arrives, before any handler replies, and set the
language the whole update is answered in (replies, buttons, toasts, errors)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import MessageHandler, TypeHandler, filters

from bot import texts
from bot.i18n import set_locale
from bot.outgoing import OutgoingMessage
from handlers.common import Context, reply
from handlers.context import ConfApp
from handlers.feature import Feature


async def track(update: Update, context: Context) -> None:
    """Users are people who talk to the bot in private: a broadcast's 'everyone'. Someone who
    only speaks in a group the bot is in has not started it, and Telegram would refuse."""
    user = update.effective_user
    chat = update.effective_chat
    rt = context.rt
    if user is None or user.is_bot:
        speak(None)
        return
    speak(user.language_code)  # until the store says more (an error meanwhile is in it too)
    if chat is not None and chat.type != "private":
        speak(await rt.languages.speaks(user.id) or user.language_code)
        return
    message = update.effective_message
    is_start = bool(message and message.text and message.text.startswith("/start"))
    visit = await rt.store.users.seen(
        user.id, user.first_name, user.username, user.language_code, rt.now(), reactivate=is_start
    )
    speak(visit.language)


def speak(language: str | None) -> None:
    """Answer the rest of this update in ``language`` (the person's /language choice, else
    Telegram's ``language_code``; negotiated, English when there is no catalogue for it).

    Set for the update's task and left there: each update sets its own before anything is
    said (so nothing of the previous one's carries over), and concurrent updates run in tasks
    of their own, each with its own copy.
    """
    set_locale(language)


async def unknown_command(update: Update, context: Context) -> None:
    await reply(update, context, OutgoingMessage(texts.unknown_command()))


def routes(app: ConfApp) -> None:
    app.add_handler(TypeHandler(Update, track), group=-1)


def register_fallback(app: ConfApp) -> None:
    """Register last: in group 0 it only sees commands no feature claimed."""
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))


FEATURE = Feature("tracking", routes=routes)
