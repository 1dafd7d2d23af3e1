"""Urgent alerts through the real bot and the emulator: ahead of a running broadcast, paid
only themselves, and on at the free rate when Telegram refuses paid sending."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import Clock, ManualClock
from bot.config import Settings
from bot.delivery import Delivery, Transport
from bot.emulator import BotApiEmulator
from bot.emulator.harness import BotHarness, settings_for
from bot.store import Store, keys
from bot.store.records import Envelope
from tests.conftest import BRUSSELS
from tests.steps import add_users

ALERT_TEXT = "Evacuate hall B now"
NEWS = "Lunch is served in the foyer"
FREE_RATE = 30
PAID_RATE = 300


@pytest.fixture
async def harness(
    emulator: BotApiEmulator, clock: ManualClock, tmp_path: Path
) -> AsyncIterator[BotHarness]:
    def delivery(store: Store, clock: Clock, transport: Transport, settings: Settings) -> Delivery:
        return Delivery(store.outbox, clock, transport, rate=FREE_RATE, paid_rate=PAID_RATE)

    settings = settings_for(emulator, tmp_path / "confbot.sqlite3", AGENDA_PATH=BRUSSELS)
    bot = BotHarness(emulator, settings, clock)
    bot.tuning.delivery = delivery
    await bot.start()
    yield bot
    await bot.stop()


def rows(bot: BotHarness, kind: str, ids: range, payload: dict[str, str]) -> list[Envelope]:
    now = bot.runtime.clock.now()
    return [Envelope(chat_id=uid, kind=kind, payload=payload, due_at=now) for uid in ids]


def sent_texts(bot: BotHarness) -> list[tuple[int, str, bool]]:
    """(chat, text, paid) of every successful sendMessage, in the order Telegram got them."""
    out = []
    for send in sorted(bot.emulator.sends, key=lambda s: s.at):
        user = bot.emulator.user(send.chat_id)
        message = next(m for m in user.messages if m.message_id == send.message_id)
        out.append((send.chat_id, message.plain_text or "", send.paid))
    return out


async def test_alerts_overtake_a_running_broadcast_and_only_they_are_paid(
    harness: BotHarness,
) -> None:
    emu = harness.emulator
    emu.flood.per_second = 30  # Telegram's limits: 30/s free, 1000/s paid
    emu.flood.paid_per_second = 1000
    audience = range(50_000, 50_120)
    await add_users(harness, audience)
    delivery = harness.runtime.delivery
    await delivery.enqueue(rows(harness, keys.BROADCAST, audience, {"html": NEWS}))
    await emu.wait_call("sendMessage", count=20, timeout=10)  # the broadcast is under way
    await delivery.enqueue(rows(harness, keys.ALERT, audience, {"html": ALERT_TEXT}))
    await delivery.drain(timeout=30)

    sent = sent_texts(harness)
    alerts = [i for i, (_, text, _) in enumerate(sent) if ALERT_TEXT in text]
    news = [i for i, (_, text, _) in enumerate(sent) if text == NEWS]
    assert len(alerts) == len(news) == len(audience)  # everyone got both, once
    assert all(paid for _, text, paid in sent if ALERT_TEXT in text)
    assert not any(paid for _, text, paid in sent if ALERT_TEXT not in text)
    # Everyone who had not had the news yet got the alert first, bar the news already
    # claimed when the alerts came (half a second at 30/s). (Whoever had just had the news
    # waits a second for the alert: one message a second per chat.)
    alert_at = {sent[i][0]: i for i in alerts}
    news_at = {sent[i][0]: i for i in news}
    later = [uid for uid in audience if news_at[uid] > alerts[0]]
    overtaken = [uid for uid in later if alert_at[uid] < news_at[uid]]
    assert len(later) >= len(audience) // 2, "the broadcast was still running"
    assert len(later) - len(overtaken) <= FREE_RATE // 2 + 2, (len(later), len(overtaken))
    # 120 alerts at up to 300/s: well within a second or two, not 4 s at the free rate.
    times = sorted(s.at for s in emu.sends if s.paid)
    assert times[-1] - times[0] < 2.5
    assert emu.max_sends_in_window(1.0, paid=False) <= FREE_RATE
    assert await harness.runtime.store.outbox.states() == {"sent": 2 * len(audience)}


async def test_refused_paid_sending_goes_on_free_and_the_hook_hears_once(
    harness: BotHarness,
) -> None:
    emu = harness.emulator
    emu.refuse_paid_broadcasts()  # Bad Request: BALANCE_TOO_LOW
    audience = range(60_000, 60_060)
    await add_users(harness, audience)
    rt = harness.runtime
    batch = await rt.store.outbox.create_batch(
        keys.ALERT, rt.clock.now(), created_by=None, audience="all", payload={}
    )
    told: list[tuple[int | None, str]] = []

    async def hook(batch_id: int | None, description: str) -> None:
        told.append((batch_id, description))

    rt.delivery.on_paid_refused.append(hook)
    envelopes = rows(harness, keys.ALERT, audience, {"html": ALERT_TEXT})
    await rt.delivery.enqueue(
        [
            Envelope(e.chat_id, e.kind, e.payload, e.due_at, batch_id=batch, dedup_key=f"a{i}")
            for i, e in enumerate(envelopes)
        ]
    )
    await rt.delivery.drain(timeout=30)

    assert len(told) == 1
    assert told[0][0] == batch
    assert "balance" in told[0][1].lower()
    refused = [c for c in emu.calls_of("sendMessage") if c.status == 400]
    assert refused, "Telegram refused at least one paid send"
    assert all(c.params.get("allow_paid_broadcast") for c in refused)
    for uid in audience:  # nobody lost, nobody twice
        got = [m for m in emu.user(uid).messages if ALERT_TEXT in (m.plain_text or "")]
        assert len(got) == 1, uid
    assert not any(s.paid for s in emu.sends)
    assert emu.stars_spent == 0
    assert await rt.store.outbox.states() == {"sent": len(audience)}
