"""Reminders end to end with a driven clock: on time, once across restarts, late bookmarks, 403."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from bot.clock import ManualClock
from bot.delivery import Delivery
from bot.emulator.harness import BotHarness
from bot.reminders import ReminderPlanner
from bot.runtime import AgendaState
from tests.conftest import brussels
from tests.steps import at, bookmark, is_reminder


def parts(bot: BotHarness) -> tuple[ReminderPlanner, Delivery, ManualClock]:
    rt = bot.runtime
    assert isinstance(bot.clock, ManualClock)
    return rt.reminders.planner, rt.delivery, bot.clock


async def outbox_rows(bot: BotHarness, chat_id: int) -> list[tuple[str, str]]:
    rows = await bot.runtime.store.db.fetchall(
        "SELECT kind, state FROM outbox WHERE chat_id = ? AND kind = 'reminder' ORDER BY id",
        (chat_id,),
    )
    return [(str(r[0]), str(r[1])) for r in rows]


async def test_reminder_arrives_on_time_with_session_details(bot: BotHarness) -> None:
    ada = bot.user(1001, "Ada")
    await bookmark(ada, "panel-october-7")
    await at(bot, 13, 49, 0)  # a minute early: nothing yet
    assert ada.unread == []
    await at(bot, 13, 49, 59)  # handed over a second ahead, so it lands by 13:50
    msg = await ada.next_message()
    assert is_reminder(msg)
    text = msg.plain_text or ""
    assert "October 7th" in text
    assert "in 10 minutes, at 14:00" in text
    assert "Plenary Hall" in text
    assert "Ophir Revach (moderator)" in text
    await ada.press(msg, "Open the session")
    card = await ada.next_message()
    assert "Remove bookmark" in card.button_texts
    row = await bot.runtime.store.db.fetchone(
        "SELECT sent_at, due_at FROM outbox WHERE chat_id = 1001 AND kind = 'reminder'"
    )
    assert row is not None
    assert row["sent_at"] <= row["due_at"]


async def test_own_lead_time_and_every_panel_opt_in(bot: BotHarness) -> None:
    ada = bot.user(1001, "Ada")
    await ada.send("/remind 30")
    await ada.next_message()
    await ada.send("/remind")
    status = await ada.next_message()
    qid = await ada.press(status, "Remind me before every panel")
    await ada.callback_answer(qid)
    # No bookmark at all: the 10:00 keynote comes through the opt-in, 30 minutes before.
    await at(bot, 9, 29)
    assert [m for m in ada.unread if is_reminder(m)] == []
    await at(bot, 9, 30)
    msg = await ada.next_message()
    assert "Sztáray" in (msg.plain_text or "") or "10:00" in (msg.plain_text or "")
    assert "in 30 minutes" in (msg.plain_text or "")


async def test_down_at_due_time_sent_once_after_restart(bot: BotHarness) -> None:
    ada = bot.user(1001, "Ada")
    await bookmark(ada, "panel-october-7")
    _, _, clock = parts(bot)
    await bot.stop()
    clock.set(brussels(13, 55))  # due at 13:50, the bot was down; the panel has not started
    await bot.start()
    _, delivery, _ = parts(bot)
    await delivery.drain()
    msg = await ada.next_message()
    assert is_reminder(msg)
    assert "in 5 minutes" in (msg.plain_text or "")
    await bot.restart()
    await at(bot, 13, 56)
    await bot.emulator.wait_idle()
    assert [m for m in ada.messages if is_reminder(m)] == [msg]
    assert await outbox_rows(bot, 1001) == [("reminder", "sent")]


async def test_down_until_after_the_start_is_dropped(bot: BotHarness) -> None:
    ada = bot.user(1001, "Ada")
    await bookmark(ada, "panel-october-7")
    _, _, clock = parts(bot)
    await bot.stop()
    clock.set(brussels(14, 1))
    await bot.start()
    await at(bot, 14, 2)
    await bot.emulator.wait_idle()
    assert [m for m in ada.messages if is_reminder(m)] == []


async def test_bookmark_after_due_time_is_reminded_at_once(bot: BotHarness) -> None:
    _, delivery, clock = parts(bot)
    clock.set(brussels(13, 57))
    ada = bot.user(1001, "Ada")
    await bookmark(ada, "panel-october-7")
    await delivery.drain()
    msg = await ada.next_message()
    assert is_reminder(msg)
    assert "in 3 minutes" in (msg.plain_text or "")


async def test_blocked_user_is_marked_inactive_and_not_tried_again(bot: BotHarness) -> None:
    bob = bot.user(1002, "Bob")
    await bookmark(bob, "keynote-mousnier")
    await bookmark(bob, "panel-october-7")
    await bot.emulator.wait_idle()  # the card's edit is done before the block
    bot.emulator.block(1002, notify=False)  # no my_chat_member seen: the 403 tells
    await at(bot, 11, 50)
    user = await bot.runtime.store.users.get(1002)
    assert user is not None
    assert not user.active
    assert await outbox_rows(bot, 1002) == [("reminder", "blocked")]
    assert await at(bot, 13, 50) == 0  # the 14:00 panel is not even planned
    assert await outbox_rows(bot, 1002) == [("reminder", "blocked")]


async def test_reminder_follows_a_moved_session(bot: BotHarness) -> None:
    ada = bot.user(1001, "Ada")
    await bookmark(ada, "panel-october-7")
    await at(bot, 13, 49, 30)  # planned (enqueued ahead of its 13:50 due time)
    assert await outbox_rows(bot, 1001) == [("reminder", "pending")]
    rt = bot.runtime
    conf = rt.agenda.conference
    moved = tuple(
        dataclasses.replace(s, start=s.start + timedelta(hours=1), end=s.end + timedelta(hours=1))
        if s.id == "panel-october-7"
        else s
        for s in conf.sessions
    )
    result = dataclasses.replace(
        rt.agenda.result, conference=dataclasses.replace(conf, sessions=moved)
    )
    old_state, new_state = rt.agenda, AgendaState(result=result, source="moved")
    rt.current.state = new_state  # what Reloads.apply does, then it calls the listeners
    for listener in rt.reload.listeners:
        await listener(old_state, new_state, None)
    await at(bot, 13, 50)
    assert [m for m in ada.unread if is_reminder(m)] == []
    await at(bot, 14, 50)
    msg = await ada.next_message()
    assert "at 15:00" in (msg.plain_text or "")
    assert await outbox_rows(bot, 1001) == [("reminder", "cancelled"), ("reminder", "sent")]
