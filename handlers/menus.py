"""The command menus each role sees, in each person's language: one definition, used at
start-up, when a speaker links or unlinks, and when someone chooses a language.

Descriptions are catalogue messages (marked with ``N_``), translated when a menu is built, so
``_commands`` inside ``use_locale(code)`` gives that language's menu. Telegram picks the
default scope's menu by the person's app language (``language_code``), so every catalogue gets
one there; a person whose menu differs (an organiser, a linked speaker, someone who chose a
language other than their app's) gets a chat-scoped menu of their own, in their language.
"""

from __future__ import annotations

import logging
import re

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot import i18n
from bot.i18n import N_, _, use_locale
from bot.runtime import Runtime

log = logging.getLogger("confbot")

ATTENDEE_COMMANDS: tuple[tuple[str, str], ...] = (
    ("agenda", N_("The programme, day by day")),
    ("now", N_("What is on right now")),
    ("next", N_("What starts next")),
    ("my", N_("Your bookmarks and calendar")),
    ("calendar", N_("Your bookmarks, live in your calendar app")),
    ("speakers", N_("Everyone on stage")),
    ("speaker", N_("Find a speaker: /speaker NAME")),
    ("session", N_("One session: /session ID")),
    ("remind", N_("Reminder lead time: /remind 10")),
    ("feedback", N_("Rate a session")),
    ("ask", N_("Ask the stage a question")),
    ("language", N_("The language I speak with you")),
    ("help", N_("What I can do")),
    ("whoami", N_("Your Telegram id")),
    ("start", N_("Welcome")),
)
SPEAKER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("myslots", N_("Your sessions as a speaker")),
    ("myfeedback", N_("Feedback on your sessions")),
    ("questions", N_("Audience questions to your session")),
)
ORGANISER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("broadcast", N_("Message attendees")),
    ("alert", N_("Urgent alert, sent ahead of everything")),
    ("broadcasts", N_("Scheduled and running broadcasts")),
    ("reload", N_("Re-read the agenda")),
    ("stats", N_("Users, bookmarks, feedback")),
    ("export", N_("Feedback as CSV and chart")),
    ("speakerlinks", N_("One-time links for speakers")),
    ("unlink", N_("Unlink a speaker: /unlink NAME")),
)

#: setMyCommands takes a two-letter ISO 639-1 code.
_TELEGRAM_CODE = re.compile(r"^[a-z]{2}$")


def _commands(pairs: tuple[tuple[str, str], ...]) -> list[BotCommand]:
    """The menu in the current language (``bot.i18n.use_locale``)."""
    return [BotCommand(c, _(d)) for c, d in pairs]


def telegram_language(code: str) -> str | None:
    """The ``language_code`` Telegram matches a catalogue by ("hu", "pt_BR" -> "pt"); None
    when it has no two-letter code (such a catalogue is reached through /language only)."""
    base = code.replace("-", "_").split("_", 1)[0].casefold()
    return base if _TELEGRAM_CODE.match(base) else None


async def register_menus(bot: Bot, rt: Runtime) -> None:
    """The attendee menu in every catalogue's language, and the organisers' own menus."""
    catalogues = i18n.CATALOGUES
    with use_locale(catalogues.default):  # any other app language: the default's menu
        await bot.set_my_commands(_commands(ATTENDEE_COMMANDS), scope=BotCommandScopeDefault())
    done: set[str] = set()
    for code in catalogues.languages:
        telegram = telegram_language(code)
        if telegram is None or telegram in done or catalogues.negotiate(telegram) != code:
            continue  # a regional catalogue (pt_BR beside pt) cannot be told apart by Telegram
        done.add(telegram)
        with use_locale(code):
            commands = _commands(ATTENDEE_COMMANDS)
        await bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=telegram)
    for organiser in sorted(rt.settings.ORGANISER_IDS):
        await refresh_chat_menu(bot, rt, organiser)


async def refresh_chat_menu(bot: Bot, rt: Runtime, user_id: int) -> None:
    """The menu of one private chat, for the person's role and in their language.

    Organisers see every command, linked speakers theirs too; an attendee has a chat menu of
    their own only when they chose a language their app's does not give. Called after any of
    those changes; a failure is logged only (a menu is a nicety).
    """
    organiser = rt.settings.is_organiser(user_id)
    speaker = await rt.speakers.speaker_of(user_id) is not None
    pairs = ATTENDEE_COMMANDS
    if organiser:
        pairs = ATTENDEE_COMMANDS + SPEAKER_COMMANDS + ORGANISER_COMMANDS
    elif speaker:
        pairs = ATTENDEE_COMMANDS + SPEAKER_COMMANDS
    scope = BotCommandScopeChat(user_id)
    try:
        if organiser or speaker:
            language = await rt.languages.speaks(user_id)
        else:
            language = await rt.languages.own_menu(user_id)
            if language is None:
                await bot.delete_my_commands(scope=scope)
                return
        with use_locale(language):
            commands = _commands(pairs)
        await bot.set_my_commands(commands, scope=scope)
    except TelegramError as exc:  # no chat yet (an organiser who never opened the bot), ...
        log.info("could not set the command menu of %s: %s", user_id, exc)
