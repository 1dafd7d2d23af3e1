"""/start, /help and /whoami: the welcome (after the features' start hooks) and who you are.

``/start s_ID`` (a session's deep link, ``bot.deeplinks``: the inline card's button, a link
on a website) opens that session's card with its Bookmark button instead of the welcome.
Whatever else arrives as a payload (unknown, forged, a removed session) gets the welcome.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.deeplinks import SESSION_PREFIX, session_from_payload
from bot.outgoing import OutgoingMessage
from handlers import render
from handlers.agenda import card
from handlers.common import Context, reply
from handlers.context import ConfApp
from handlers.feature import Feature


async def start(update: Update, context: Context) -> None:
    rt = context.rt
    user = update.effective_user
    assert user is not None  # noqa: S101  a command always has a sender
    for hook in context.hooks.start:  # speaker linking by deep link or username, ...
        if await hook(update, context):
            return
    if await open_session_link(update, context):
        return
    msg = OutgoingMessage(
        texts.welcome(rt.agenda.conference, user.first_name), render.day_buttons(rt.agenda)
    )
    await reply(update, context, msg)


def start_payload(context: Context) -> str:
    """The deep-link payload of this /start ("" without one)."""
    args = context.args or []
    return args[0] if len(args) == 1 else ""


async def open_session_link(update: Update, context: Context) -> bool:
    """``/start s_ID``: the session's card (with Bookmark); False when it names none."""
    payload = start_payload(context)
    if not payload.startswith(SESSION_PREFIX):
        return False
    rt = context.rt
    session = session_from_payload(rt.agenda.index, payload)
    user = update.effective_user
    if session is None or user is None:
        return False
    await reply(update, context, await card(context, session.id, user.id, rt.now()))
    return True


async def help_command(update: Update, context: Context) -> None:
    rt = context.rt
    user = update.effective_user
    assert user is not None  # noqa: S101  a command always has a sender
    is_speaker = await rt.speakers.speaker_of(user.id) is not None
    text = texts.help_text(organiser=rt.settings.is_organiser(user.id), speaker=is_speaker)
    if context.bot.supports_inline_queries:  # BotFather's /setinline is on
        text += "\n\n" + texts.inline_help(context.bot.username)
    names = [name for _, name in rt.languages.choices()]
    await reply(update, context, OutgoingMessage(f"{text}\n\n{texts.help_language(names)}"))


async def whoami(update: Update, context: Context) -> None:
    rt = context.rt
    user = update.effective_user
    assert user is not None  # noqa: S101  a command always has a sender
    speaker_id = await rt.speakers.speaker_of(user.id)
    sp = rt.agenda.conference.speakers.get(speaker_id) if speaker_id else None
    name = sp.name if sp else None
    text = texts.whoami(user.id, organiser=rt.settings.is_organiser(user.id), speaker_name=name)
    await reply(update, context, OutgoingMessage(text))


def routes(app: ConfApp) -> None:
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CommandHandler("whoami", whoami))


FEATURE = Feature("start", routes=routes)
