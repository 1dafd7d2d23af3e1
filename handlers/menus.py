"""The command menus each role sees: one definition, used at start-up and when a speaker links.

Descriptions are catalogue messages (marked with ``N_``), translated when a menu is built, so
``_commands`` inside ``use_locale(code)`` gives that language's menu.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.i18n import N_, _

log = logging.getLogger("confbot")

ATTENDEE_COMMANDS: tuple[tuple[str, str], ...] = (
    ("agenda", N_("The programme, day by day")),
    ("now", N_("What is on right now")),
    ("next", N_("What starts next")),
    ("my", N_("Your bookmarks and calendar")),
    ("speakers", N_("Everyone on stage")),
    ("speaker", N_("Find a speaker: /speaker NAME")),
    ("session", N_("One session: /session ID")),
    ("remind", N_("Reminder lead time: /remind 10")),
    ("feedback", N_("Rate a session")),
    ("ask", N_("Ask the stage a question")),
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
    ("broadcasts", N_("Scheduled and running broadcasts")),
    ("reload", N_("Re-read the agenda")),
    ("stats", N_("Users, bookmarks, feedback")),
    ("export", N_("Feedback as CSV and chart")),
    ("speakerlinks", N_("One-time links for speakers")),
    ("unlink", N_("Unlink a speaker: /unlink NAME")),
)


def _commands(pairs: Sequence[tuple[str, str]]) -> list[BotCommand]:
    """The menu in the current language (``bot.i18n.use_locale``)."""
    return [BotCommand(c, _(d)) for c, d in pairs]


async def register_menus(bot: Bot, organiser_ids: Iterable[int]) -> None:
    """Everyone sees the attendee menu; each organiser gets theirs in a chat-scoped menu."""
    await bot.set_my_commands(_commands(ATTENDEE_COMMANDS), scope=BotCommandScopeDefault())
    for organiser in sorted(organiser_ids):
        try:
            await bot.set_my_commands(
                _commands(ATTENDEE_COMMANDS + SPEAKER_COMMANDS + ORGANISER_COMMANDS),
                scope=BotCommandScopeChat(organiser),
            )
        except TelegramError as exc:  # an organiser who never opened the bot: no chat yet
            log.info("no command menu for organiser %s yet: %s", organiser, exc)


async def set_speaker_menu(bot: Bot, user_id: int, *, on: bool) -> None:
    """A linked speaker sees /myslots, /myfeedback and /questions too; unlinking takes them
    away. (Organisers get the speakers' commands in their own menu.)"""
    try:
        if on:
            commands = _commands(ATTENDEE_COMMANDS + SPEAKER_COMMANDS)
            await bot.set_my_commands(commands, scope=BotCommandScopeChat(user_id))
        else:
            await bot.delete_my_commands(scope=BotCommandScopeChat(user_id))
    except TelegramError as exc:  # a menu is a nicety: never fail the link over it
        log.info("could not update the speaker menu of %s: %s", user_id, exc)
