"""Record every user the moment an update arrives, before any handler replies, and set the
language the whole update is answered in (replies, buttons, toasts, errors); follow whether
they still accept messages (blocking the bot); answer what no feature claimed."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import ChatMemberHandler, MessageHandler, TypeHandler, filters

from bot import texts
from bot.i18n import set_locale
from bot.outgoing import OutgoingMessage
from handlers.buttons import catch_all
from handlers.common import Context, addressed_to_us, reply
from handlers.context import ConfApp
from handlers.feature import Feature

log = logging.getLogger("confbot.tracking")


async def track(update: Update, context: Context) -> None:
    """Users are people who talk to the bot in private: a broadcast's 'everyone'. Someone who
    only speaks in a group the bot is in, uses it inline or presses a button on an inline
    message has not started it, and Telegram would refuse a message to them. A change of the
    chat's status (blocking) is ``on_my_chat_member``'s, not a visit."""
    user = update.effective_user
    chat = update.effective_chat
    rt = context.rt
    if user is None or user.is_bot:
        speak(None)
        return
    speak(user.language_code)  # until the store says more (an error meanwhile is in it too)
    if update.my_chat_member is not None:
        return
    if chat is None or chat.type != ChatType.PRIVATE:  # a group, inline mode: not a visit
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


async def on_my_chat_member(update: Update, context: Context) -> None:
    """Someone blocks the bot (``kicked``) or unblocks it (``member``): the broadcast audience
    changes at once, not at the next failed send. In groups and channels the bot's own
    membership changes nothing here (it answers there only when asked)."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return
    status = change.new_chat_member.status
    person = change.from_user.id
    if status == ChatMember.BANNED:
        await context.rt.store.users.set_active(person, False)
        log.info("user %s blocked the bot", person)
    elif status == ChatMember.MEMBER:
        await context.rt.store.users.set_active(person, True)
        log.info("user %s unblocked the bot", person)


async def unknown_command(update: Update, context: Context) -> None:
    """A command no feature knows: said so in private, or in a group when it named this bot;
    a bare ``/x`` in a group may be another bot's, and ``/x@otherbot`` is."""
    if addressed_to_us(update, context.bot.username):
        await reply(update, context, OutgoingMessage(texts.unknown_command()))


def routes(app: ConfApp) -> None:
    app.add_handler(TypeHandler(Update, track), group=-1)
    app.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))


def register_fallback(app: ConfApp) -> None:
    """Register last: in group 0 they only see commands and presses no feature claimed."""
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    app.add_handler(catch_all())


FEATURE = Feature("tracking", routes=routes)
