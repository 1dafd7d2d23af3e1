"""Updates concurrently across chats, in order within each, against the emulator's round trips.

Every Bot API call here takes the emulated round trip (50-100 ms), so handling one update at a
time would leave one call in flight; concurrency is shown by counting calls in flight at once
(from the emulator's ``at`` / ``answered_at``), never by timing the test.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from bot.app import build_application, run_application
from bot.clock import ManualClock
from bot.emulator import BotApiEmulator
from bot.emulator.harness import BotHarness, settings_for
from bot.emulator.server import Call
from bot.emulator.users import BotMessage, FakeUser
from bot.store import Store
from handlers.updates import OrderedUpdates
from tests.conftest import BRUSSELS, HarnessFactory, brussels
from tests.steps import bookmark, tick

ORG = 9000


def most_at_once(calls: Sequence[Call]) -> int:
    """The most of these calls that were in flight at the same moment."""
    edges = sorted(
        [(c.at, 1) for c in calls] + [(c.answered_at or c.at, -1) for c in calls],
    )  # an answer at the moment another arrives is counted first: no false overlap
    most = now = 0
    for _, step in edges:
        now += step
        most = max(most, now)
    return most


def processor(bot: BotHarness) -> OrderedUpdates:
    assert bot.app is not None
    proc = bot.app.update_processor
    assert isinstance(proc, OrderedUpdates)
    return proc


def kinds(user: FakeUser, named: dict[str, Callable[[str], bool]]) -> list[str]:
    """The user's messages, each named by the first predicate its text matches."""
    out = []
    for msg in user.messages:
        text = msg.plain_text or msg.text or ""
        out.append(next((name for name, match in named.items() if match(text)), "?"))
    return out


async def test_a_crowd_is_answered_at_once_each_in_the_order_they_wrote(
    make_bot: HarnessFactory, emulator: BotApiEmulator
) -> None:
    bot = await make_bot()
    emulator.set_latency(100)
    people = [bot.user(710_000 + i, f"P{i}") for i in range(40)]
    for person in people:  # everyone writes three messages at once, nobody waits
        await person.send("/start")
        await person.send("/help")
        await person.send("/whoami")
    for person in people:
        uid = str(person.id)
        await person.wait_for(lambda m, uid=uid: uid in (m.plain_text or ""), timeout=30)
    for person in people:
        named = {
            "whoami": lambda t, uid=str(person.id): uid in t,
            "help": lambda t: "What I can do" in t,
            "start": lambda t: "Security and Resilience" in t,
        }
        assert kinds(person, named) == ["start", "help", "whoami"], person
    replies = emulator.calls_of("sendMessage")
    assert len(replies) == 120
    # One at a time there would never be two replies in flight; a crowd's first replies
    # overlap (40 x 100 ms in about one round trip, not in four seconds).
    assert most_at_once(replies) >= 8
    proc = processor(bot)
    assert await proc.drain(timeout=10) == 0  # the last ones finish (after their reply)
    assert proc.chains == 0  # nothing is kept per person once their updates are done
    assert await bot.runtime.store.users.counts() == (40, 40)


async def test_a_rating_and_the_comment_right_after_it_under_load(
    make_bot: HarnessFactory, emulator: BotApiEmulator, clock: ManualClock
) -> None:
    bot = await make_bot()
    people = [bot.user(720_000 + i, f"R{i}") for i in range(8)]
    for person in people:
        await person.send("/start")
        await person.next_message()
        await bookmark(person, "keynote-sztaray")
    clock.set(brussels(10, 31))
    await tick(bot)
    prompts = [await p.wait_for(lambda m: "How was" in (m.text or ""), timeout=10) for p in people]
    emulator.set_latency(80)
    for person, prompt in zip(people, prompts, strict=True):  # press, then write at once
        data = next(d for row in prompt.buttons for t, d in row if t == "4 ★")
        assert data is not None
        await person.press_data(prompt.message_id, data)
        await person.send(f"comment of {person.first_name}")
    for person in people:
        await person.wait_for(lambda m: "comment on" in (m.plain_text or ""), timeout=30)
    for person in people:
        stored = await bot.runtime.store.feedback.get(person.id, "keynote-sztaray")
        assert stored == (4, f"comment of {person.first_name}")
    assert most_at_once(emulator.calls_of("answerCallbackQuery")) >= 4


async def test_broadcast_then_its_text_at_once(
    make_bot: HarnessFactory, emulator: BotApiEmulator
) -> None:
    bot = await make_bot(ORGANISER_IDS=str(ORG))
    org = bot.user(ORG, "Olga")
    crowd = [bot.user(730_000 + i, f"C{i}") for i in range(10)]
    emulator.set_latency(80)
    await org.send("/broadcast")
    for person in crowd:
        await person.send("/agenda")
    await org.send("Doors open at 8")
    preview = await org.wait_for(lambda m: m.plain_text == "Doors open at 8", timeout=30)
    ask = org.messages[0]
    assert "Send me the text" in ask.plain_text
    assert org.messages.index(preview) == 1


async def test_a_button_pressed_twice_toggles_twice_in_order(
    make_bot: HarnessFactory, emulator: BotApiEmulator
) -> None:
    bot = await make_bot()
    ada = bot.user(1001, "Ada")
    await ada.send("/session keynote-sztaray")
    card = await ada.wait_for(lambda m: "⭐ Bookmark" in m.button_texts)
    data = next(d for row in card.buttons for t, d in row if t == "⭐ Bookmark")
    assert data is not None
    emulator.set_latency(80)
    first = await ada.press_data(card.message_id, data)
    second = await ada.press_data(card.message_id, data)
    one, two = await ada.callback_answer(first, timeout=10), await ada.callback_answer(second)
    assert (one.text or "").startswith("Bookmarked")
    assert not (two.text or "").startswith("Bookmarked")
    assert not await bot.runtime.store.bookmarks.has(1001, "keynote-sztaray")
    await emulator.wait_idle()
    final = next(m for m in ada.messages if m.message_id == card.message_id)
    assert "⭐ Bookmark" in final.button_texts  # the last edit shows the last state


async def test_a_redelivered_update_is_handled_once_when_polling(
    make_bot: HarnessFactory, emulator: BotApiEmulator
) -> None:
    """Sent again while the first copy is still being answered (as after a crash before the
    offset was confirmed): skipped, and the next message is answered as usual."""
    bot = await make_bot()
    emulator.set_latency(50)
    emulator.faults.add("sendMessage", delay=0.2, times=1)  # the first reply takes a while
    ada = bot.user(1001, "Ada")
    await ada.send("/whoami")
    await emulator.wait_call("sendMessage")  # fetched, being answered
    emulator.redeliver(emulator.update_log[-1]["update_id"])
    await ada.send("/help")
    await ada.wait_for(lambda m: "What I can do" in (m.plain_text or ""), timeout=10)
    # Ada's updates are handled in the order they came: the repeat came before /help.
    assert processor(bot).repeats == 1
    assert [m for m in ada.messages if "1001" in (m.plain_text or "")] == ada.messages[:1]
    assert len(ada.messages) == 2


async def test_stopping_lets_the_updates_in_progress_finish_and_be_recorded(
    make_bot: HarnessFactory, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    """As on SIGTERM (``run_application`` then calls ``stop_application``): every reply in
    flight is answered, not cut off, and the people are in the database after the stop."""
    bot = await make_bot()
    database = bot.settings.DATABASE_PATH
    emulator.set_latency(100)
    emulator.faults.add("sendMessage", delay=0.3)  # each reply takes a while at "Telegram"
    people = [bot.user(740_000 + i, f"S{i}") for i in range(12)]
    for person in people:
        await person.send("/start")
    eager = people[0]  # waiting behind their own first message (sends do not yield: one poll)
    await eager.send("/help")
    await eager.send("/whoami")
    await emulator.wait_call("sendMessage", count=12, timeout=10)
    assert any(c.status is None for c in emulator.calls_of("sendMessage"))  # in flight
    with caplog.at_level(logging.WARNING, logger="confbot.updates"):
        await bot.stop()
    replies = emulator.calls_of("sendMessage")
    assert [c.status for c in replies] == [200] * 14
    assert all(isinstance(p.last, BotMessage) for p in people)
    assert len(eager.messages) == 3
    assert str(eager.id) in (eager.messages[2].plain_text or "")
    assert "cancelled" not in caplog.text
    store = await Store.open(str(database))
    try:
        assert await store.users.counts() == (12, 12)
    finally:
        await store.close()


async def test_an_update_stuck_past_the_grace_period_does_not_hold_the_stop(
    make_bot: HarnessFactory, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await make_bot()
    processor(bot).grace = 0  # the grace period is over at once
    emulator.faults.add("sendMessage", delay=600)  # "Telegram" never answers in time
    ada = bot.user(1001, "Ada")
    await ada.send("/help")
    await emulator.wait_call("sendMessage", timeout=10)
    with caplog.at_level(logging.WARNING, logger="confbot.updates"):
        await bot.stop()
    assert "1 update(s) still running" in caplog.text


async def test_confbot_run_takes_what_start_up_built_out_of_the_gc(
    emulator: BotApiEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``confbot run`` freezes the start-up objects once the bot is up (a full collection
    then stops walking the agenda); the test process itself is never frozen."""
    app = build_application(settings_for(emulator, tmp_path / "run.sqlite3", AGENDA_PATH=BRUSSELS))
    frozen: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(app.bot_data.started))
    stop = asyncio.Event()
    running = asyncio.create_task(run_application(app, stop))
    ada = emulator.user(1001, "Ada")
    await ada.send("/help")
    await ada.wait_for(lambda m: "What I can do" in (m.plain_text or ""), timeout=10)
    stop.set()
    await asyncio.wait_for(running, 30)
    assert frozen == [True]  # once, with the runtime built
