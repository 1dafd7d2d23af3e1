"""Steps end-to-end tests share: bookmarking from a card, and moving the conference's time on.

Time moves only by the test's ``ManualClock``; ``at`` and ``tick`` then do what the reminder
job does on its tick and let the outbox send what is due, so a test reads as the day goes.
"""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.emulator.harness import BotHarness
from bot.emulator.users import BotMessage, FakeUser
from bot.store.records import ts
from tests.conftest import brussels


async def sent(bot: BotHarness) -> None:
    """Let the outbox send everything that is due now."""
    await bot.runtime.delivery.drain()


async def tick(bot: BotHarness) -> int:
    """The reminder job's tick at the clock's time, then the outbox sends; rows planned."""
    rt = bot.runtime
    added = await rt.reminders.planner.tick(rt.now())
    await sent(bot)
    return added


async def at(bot: BotHarness, hour: int, minute: int = 0, second: int = 0) -> int:
    """Move the clock to this time of the Brussels agenda's first day, then ``tick``."""
    assert isinstance(bot.clock, ManualClock)
    bot.clock.set(brussels(hour, minute) + timedelta(seconds=second))
    return await tick(bot)


async def bookmark(user: FakeUser, session_id: str, label: str = "⭐ Bookmark") -> None:
    """Open the session's card and press its bookmark button (``label``)."""
    await user.send(f"/session {session_id}")
    card = await user.next_message()
    qid = await user.press(card, label)
    await user.callback_answer(qid)


def is_reminder(msg: BotMessage) -> bool:
    return "⏰" in (msg.text or "")


async def add_users(bot: BotHarness, ids: range) -> None:
    """Attendees who started the bot some time ago: rows in the store, chats in the emulator."""
    for uid in ids:
        bot.emulator.user(uid, f"U{uid}")
    now = ts(bot.runtime.clock.now())
    async with bot.runtime.store.db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO users (id, first_name, first_seen, last_seen) VALUES (?, 'U', ?, ?)",
            [(uid, now, now) for uid in ids],
        )
