"""The command menus each role sees: one definition, used at start-up and when a speaker links."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

log = logging.getLogger("confbot")

ATTENDEE_COMMANDS: tuple[tuple[str, str], ...] = (
    ("agenda", "The programme, day by day"),
    ("now", "What is on right now"),
    ("next", "What starts next"),
    ("my", "Your bookmarks and calendar"),
    ("speakers", "Everyone on stage"),
    ("speaker", "Find a speaker: /speaker NAME"),
    ("session", "One session: /session ID"),
    ("remind", "Reminder lead time: /remind 10"),
    ("feedback", "Rate a session"),
    ("help", "What I can do"),
    ("whoami", "Your Telegram id"),
    ("start", "Welcome"),
)
SPEAKER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("myslots", "Your sessions as a speaker"),
    ("myfeedback", "Feedback on your sessions"),
)
ORGANISER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("broadcast", "Message attendees"),
    ("broadcasts", "Scheduled and running broadcasts"),
    ("reload", "Re-read the agenda"),
    ("stats", "Users, bookmarks, feedback"),
    ("export", "Feedback as CSV and chart"),
    ("speakerlinks", "One-time links for speakers"),
    ("unlink", "Unlink a speaker: /unlink NAME"),
)


def _commands(pairs: Sequence[tuple[str, str]]) -> list[BotCommand]:
    return [BotCommand(c, d) for c, d in pairs]


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
    """A linked speaker sees /myslots and /myfeedback too; unlinking takes them away."""
    try:
        if on:
            commands = _commands(ATTENDEE_COMMANDS + SPEAKER_COMMANDS)
            await bot.set_my_commands(commands, scope=BotCommandScopeChat(user_id))
        else:
            await bot.delete_my_commands(scope=BotCommandScopeChat(user_id))
    except TelegramError as exc:  # a menu is a nicety: never fail the link over it
        log.info("could not update the speaker menu of %s: %s", user_id, exc)
