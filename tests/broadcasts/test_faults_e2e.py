"""Broadcasts through a struggling Telegram: 429s, 5xx, blocked users, and a crash mid-way."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import Clock, ManualClock
from bot.config import Settings
from bot.delivery import Delivery, Transport
from bot.emulator import BotApiEmulator
from bot.emulator.harness import BotHarness, settings_for
from bot.store import Store
from handlers.delivery import TelegramTransport
from tests.conftest import BRUSSELS
from tests.steps import add_users

ORG = 4242
TEXT = "Plenary moves to Room B"


@pytest.fixture
async def harness(
    emulator: BotApiEmulator, clock: ManualClock, tmp_path: Path
) -> AsyncIterator[BotHarness]:
    """The real bot; ``tuning.delivery`` lets a test tune the sender (rate, concurrency)."""
    settings = settings_for(
        emulator,
        tmp_path / "confbot.sqlite3",
        AGENDA_PATH=BRUSSELS,
        ORGANISER_IDS=str(ORG),
        BROADCAST_RATE=30,
    )
    bot = BotHarness(emulator, settings, clock)
    yield bot
    await bot.stop()


def received(bot: BotHarness, uid: int) -> int:
    return sum(1 for m in bot.emulator.user(uid).messages if (m.plain_text or "") == TEXT)


async def test_everyone_once_through_429_5xx_and_blocked_users(harness: BotHarness) -> None:
    await harness.start()
    ids = range(10_000, 10_200)
    await add_users(harness, ids)
    blocked = set(range(10_000, 10_200, 20))  # 10 users blocked the bot since /start
    for uid in blocked:
        harness.emulator.block(uid, notify=False)  # no my_chat_member seen: the 403 tells
    harness.runtime.broadcasts.progress.interval = 0.2
    org = harness.user(ORG, "Olga")
    await org.send("/start")
    await org.next_message()
    emu = harness.emulator
    size = len(ids) + 1
    # Faults start after the preview, so only the delivery meets them.
    await org.send(f"/broadcast {TEXT}")
    await org.next_message()
    summary = await org.next_message()
    flood = emu.faults.add("sendMessage", 429, retry_after=1, probability=0.015, seed=7)
    flaky = emu.faults.add("sendMessage", 502, probability=0.03, seed=11)
    await org.press(summary, f"Send to {size}")
    await org.wait_for(lambda m: "going out" in (m.plain_text or ""))  # rows are queued
    delivery: Delivery = harness.runtime.delivery
    await delivery.drain(timeout=30)

    assert flood.fired >= 1, "the test must meet at least one 429"
    assert flaky.fired >= 1, "the test must meet at least one 5xx"
    for uid in ids:
        expected = 0 if uid in blocked else 1
        assert received(harness, uid) == expected, uid
    for uid in blocked:  # an injected 429/5xx may come first; after the 403, never again
        statuses = [c.status for c in emu.calls_of("sendMessage") if c.params.get("chat_id") == uid]
        assert statuses[-1] == 403, (uid, statuses)
        assert statuses.count(403) == 1, (uid, statuses)
    assert emu.max_sends_in_window(1.0) <= 30
    states = await harness.runtime.store.outbox.states(kind="broadcast")
    assert states == {"sent": len(ids) - len(blocked) + 1, "blocked": len(blocked)}
    inactive = await harness.runtime.store.db.scalar("SELECT count(*) FROM users WHERE active = 0")
    assert inactive == len(blocked)
    final = await org.wait_for(lambda m: "finished" in (m.plain_text or ""), timeout=5)
    assert f"sent {len(ids) - len(blocked) + 1}" in final.plain_text
    assert f"blocked {len(blocked)}" in final.plain_text


async def test_the_organisers_own_copy_keeps_their_chat_second(harness: BotHarness) -> None:
    """Telegram allows one message a second to a chat. The organiser is in the audience: their
    copy must not follow the summary they just got within the second, or the 429 it earns
    pauses everyone's sending; the bot's replies count for the chat's second like the
    outbox's own sends."""
    await harness.start()
    ids = range(11_000, 11_040)
    await add_users(harness, ids)
    emu = harness.emulator
    org = harness.user(ORG, "Olga")
    await org.send("/start")
    await org.next_message()
    emu.flood.per_chat_per_second = 1
    await org.send(f"/broadcast {TEXT}")
    await org.next_message()
    summary = await org.next_message()  # a 429 and a retry of its own (preview just before)
    pressed = len(emu.calls)
    await org.press(summary, f"Send to {len(ids) + 1}")
    await org.wait_for(lambda m: "going out" in (m.plain_text or ""))  # rows are queued
    delivery: Delivery = harness.runtime.delivery
    await delivery.drain(timeout=30)

    assert all(received(harness, uid) == 1 for uid in ids)
    refused = [c for c in emu.calls[pressed:] if c.status == 429]
    assert refused == []
    assert delivery.stats["retry_after"] == 0
    copy = [m for m in org.messages if (m.plain_text or "") == TEXT][-1]  # not the preview
    before = [t for t in emu.sends_to(ORG) if t < copy.sent_at]
    assert copy.sent_at - max(before) >= 0.95


async def test_crash_mid_broadcast_loses_nobody_at_most_one_duplicate(
    harness: BotHarness,
) -> None:
    def fast(store: Store, clock: Clock, transport: Transport, settings: Settings) -> Delivery:
        # Not a pacing test: a high rate keeps it quick.
        return Delivery(store.outbox, clock, transport, rate=300, concurrency=8)

    harness.tuning.delivery = fast
    await harness.start()
    ids = range(20_000, 20_300)
    await add_users(harness, ids)
    emu = harness.emulator
    emu.faults.add("sendMessage", delay=0.02)  # calls take time, so some are in flight
    org = harness.user(ORG, "Olga")
    await org.send(f"/broadcast {TEXT}")
    await org.next_message()
    summary = await org.next_message()
    await org.press(summary, f"Send to {len(ids) + 1}")
    await emu.wait_call("sendMessage", count=120, timeout=10)

    rt = harness.runtime
    first: Delivery = rt.delivery
    assert first.task is not None
    first.task.cancel()  # SIGKILL: no stop(), calls in flight are cut off
    with pytest.raises(asyncio.CancelledError):
        await first.task
    states = await rt.store.outbox.states(kind="broadcast")
    assert states.get("inflight", 0) >= 1, states
    assert states.get("pending", 0) >= 1, states

    app = harness.app
    assert app is not None
    second = fast(rt.store, rt.clock, TelegramTransport(app.bot), rt.settings)
    for kind, renderer in first.renderers.items():
        second.register_renderer(kind, renderer)
    rt.delivery = second
    await second.start()
    await second.drain(timeout=20)

    counts = [received(harness, uid) for uid in ids]
    assert min(counts) == 1, "nobody is lost"
    assert max(counts) <= 2, "at most one duplicate"
    assert sum(counts) - len(ids) <= states["inflight"]
    assert await rt.store.outbox.states(kind="broadcast") == {"sent": len(ids) + 1}
