"""The outbox engine of issue 13: lanes, batched claims and results, calls in flight from the
round trip, paid sending for alerts only and its refusal, cancel against rows claimed ahead."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.delivery import (
    MAX_CONCURRENCY,
    MIN_CONCURRENCY,
    Delivery,
    Pacer,
    PaidRefused,
    RoundTrip,
    concurrency_for,
)
from bot.outgoing import OutgoingMessage
from bot.store import keys
from bot.store.db import Database
from bot.store.outbox import OutboxRepo
from bot.store.records import PENDING, SENT, RowResult
from tests.delivery.test_delivery import (
    FakeTransport,
    add_users,
    env,
    max_in_window,
    render,
    states,
)

ALL_KINDS = keys.KINDS


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "d.sqlite3")
    yield database
    await database.close()


async def until(condition: Callable[[], bool], timeout: float = 10) -> None:
    """Wait for the sender to get somewhere (bounded: a stuck sender fails, never hangs)."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("the sender did not get there in time")
        await asyncio.sleep(0.005)


def make(db: Database, clock: ManualClock, transport: Any, **kw: Any) -> Delivery:
    kw.setdefault("rate", 200)
    kw.setdefault("backoff_base", 0.01)
    d = Delivery(OutboxRepo(db), clock, transport, **kw)
    for kind in ALL_KINDS:
        d.register_renderer(kind, render)
    return d


class PaidTransport(FakeTransport):
    """Refuses every paid send the way Telegram does when the Stars balance is short."""

    def __init__(self, refuse: str | None = None, delay: float = 0.0) -> None:
        super().__init__(delay)
        self.refuse = refuse
        self.refused = 0

    async def send(self, chat_id: int, message: OutgoingMessage, *, paid: bool = False) -> None:
        if paid and self.refuse is not None:
            self.refused += 1
            raise PaidRefused(self.refuse)
        await super().send(chat_id, message, paid=paid)


# ------------------------------------------------------------------ pace on a manual clock
def simulate(pacer: Pacer, seconds: float, lateness: float = 0.0) -> list[float]:
    """Start a call whenever the pacer allows; each start comes ``lateness`` after it was due
    (a busy event loop), on a clock that only this loop moves."""
    now, starts = 0.0, []
    while now < seconds:
        wait = pacer.delay(now)
        if wait > 0:
            now += wait + lateness
            continue
        pacer.take(now)
        starts.append(now)
    return starts


@pytest.mark.parametrize(
    ("rate", "lateness"), [(25, 0.0), (25, 0.004), (1000, 0.0), (1000, 0.0007)]
)
def test_pacer_keeps_every_second_within_the_rate_and_near_it(rate: int, lateness: float) -> None:
    starts = simulate(Pacer(rate), 20.0, lateness)
    assert max_in_window(starts) <= rate
    assert len(starts) / 20.0 >= 0.95 * rate


def test_pacer_after_a_pause_does_not_burst() -> None:
    pacer = Pacer(25)
    for t in (0.0, 0.05, 0.1):
        pacer.take(t)
    pacer.hold(5.0)
    assert pacer.delay(1.0) == pytest.approx(4.0)
    starts = simulate(pacer, 8.0)
    later = [t for t in starts if t >= 5.0]
    assert later[0] == pytest.approx(5.0)
    assert max_in_window(later) <= 25


# --------------------------------------------------------------------- calls in flight
def test_calls_in_flight_follow_rate_times_round_trip() -> None:
    assert concurrency_for(1000, 0.1) == 154  # 1000/s x 100 ms x 1.5 + 4
    assert concurrency_for(25, 0.1) == 8
    assert concurrency_for(25, 0.002) == MIN_CONCURRENCY + 1
    assert concurrency_for(1000, 5.0) == MAX_CONCURRENCY
    assert concurrency_for(0.1, 0.0) == MIN_CONCURRENCY


async def test_the_sender_sizes_its_calls_in_flight_from_what_it_measures(
    db: Database, clock: ManualClock
) -> None:
    rtt = RoundTrip(initial=0.01)
    free = make(db, clock, FakeTransport(), rate=30, rtt=rtt)
    paid = make(db, clock, FakeTransport(), rate=30, paid_rate=1000, rtt=rtt)
    fixed = make(db, clock, FakeTransport(), rate=30, concurrency=3)
    for _ in range(200):
        rtt.add(0.1)
    assert rtt.value == pytest.approx(0.1, rel=0.01)
    assert free.concurrency == concurrency_for(30, rtt.value)
    assert paid.concurrency == concurrency_for(1000, rtt.value)
    assert fixed.concurrency == 3
    paid.paid_refused = "Balance_too_low"  # refused: the free rate's size
    assert paid.concurrency == free.concurrency


async def test_calls_overlap_as_far_as_the_round_trip_needs(
    db: Database, clock: ManualClock
) -> None:
    """200/s with calls of 50 ms needs about 10 at once; a constant 8 could not keep up."""
    await add_users(db, range(1, 201), clock)
    transport = FakeTransport(delay=0.05)
    d = make(db, clock, transport, rate=200, rtt=RoundTrip(initial=0.05))
    await d.enqueue([env(i, clock) for i in range(1, 201)])
    started = time.monotonic()
    await d.start()
    await d.drain(timeout=10)
    await d.stop()
    assert len(transport.delivered) == 200
    assert time.monotonic() - started < 2.5  # 1.04 s of pace plus a round trip, with slack
    assert d.concurrency >= concurrency_for(200, 0.05) - 1


# ------------------------------------------------------------------------------- lanes
def test_every_kind_has_a_lane_and_alerts_come_first() -> None:
    assert set(keys.LANES) == set(ALL_KINDS)
    order = sorted(ALL_KINDS, key=keys.lane_of)
    assert order[0] == keys.ALERT
    assert order[-1] == keys.BROADCAST
    assert keys.lane_of(keys.QA_TOP) < keys.lane_of(keys.REMINDER)
    assert keys.lane_of(keys.REMINDER) == keys.lane_of(keys.SPEAKER_REMINDER)
    assert keys.lane_of(keys.REMINDER) < keys.lane_of(keys.FEEDBACK)
    assert keys.lane_of(keys.FEEDBACK) < keys.lane_of(keys.CHANGE)
    assert keys.lane_of(keys.CHANGE) < keys.lane_of(keys.BROADCAST)


async def test_rows_go_by_lane_then_due_time_then_id(db: Database, clock: ManualClock) -> None:
    await add_users(db, range(1, 20), clock)
    transport = FakeTransport()
    d = make(db, clock, transport, concurrency=1)
    now = clock.now()
    await d.enqueue(
        [
            env(1, clock, kind=keys.BROADCAST),
            env(2, clock, kind=keys.CHANGE),
            env(3, clock, kind=keys.FEEDBACK),
            env(4, clock, kind=keys.REMINDER, due_at=now - timedelta(seconds=5)),
            env(5, clock, kind=keys.REMINDER, due_at=now - timedelta(seconds=9)),
            env(6, clock, kind=keys.QA_TOP),
            env(7, clock, kind=keys.ALERT),
            env(8, clock, kind=keys.SPEAKER_REMINDER, due_at=now - timedelta(seconds=7)),
            env(9, clock, kind=keys.AGENDA_NOTICE),
        ]
    )
    stored = await db.fetchall("SELECT kind, lane FROM outbox")
    assert {str(r[0]): int(r[1]) for r in stored} == {
        k: keys.lane_of(k) for k in {str(r[0]) for r in stored}
    }
    await d.start()
    await d.drain(timeout=5)
    await d.stop()
    assert [c for c, _, _ in transport.calls] == [7, 6, 5, 8, 4, 3, 2, 9, 1]


async def test_a_reminder_due_now_overtakes_a_running_broadcast(
    db: Database, clock: ManualClock
) -> None:
    await add_users(db, range(1, 2002), clock)
    transport = FakeTransport(delay=0.005)
    d = make(db, clock, transport, rate=400)
    await d.enqueue([env(i, clock) for i in range(1, 2001)])
    await d.start()
    await until(lambda: len(transport.delivered) >= 200)  # the broadcast is well under way
    queued = time.monotonic()
    await d.enqueue([env(2001, clock, kind=keys.REMINDER)])
    await until(lambda: any(c == 2001 for c, _ in transport.delivered))
    waited = time.monotonic() - queued
    before = len(transport.delivered)
    await d.drain(timeout=20)
    await d.stop()
    assert waited < 1.5  # behind at most the half second of rows already claimed
    assert before < 1000  # long before the broadcast's end
    assert len(transport.delivered) == 2001


async def test_alerts_queued_during_a_broadcast_go_out_next_and_paid(
    db: Database, clock: ManualClock
) -> None:
    await add_users(db, range(1, 801), clock)
    transport = FakeTransport(delay=0.005)
    d = make(db, clock, transport, rate=100, paid_rate=500)
    await d.enqueue([env(i, clock) for i in range(1, 601)])
    await d.start()
    await until(lambda: len(transport.delivered) >= 50)
    await d.enqueue([env(i, clock, kind=keys.ALERT) for i in range(601, 801)])
    await d.drain(timeout=20)
    await d.stop()
    order = [c for c, _, _ in transport.calls]
    paid = dict(zip(order, transport.paid, strict=True))
    assert all(paid[c] for c in range(601, 801))  # every alert paid
    assert not any(paid[c] for c in range(1, 601))  # no broadcast row paid
    last_alert = max(order.index(c) for c in range(601, 801))
    broadcast_before = sum(1 for c in order[:last_alert] if c <= 600)
    assert broadcast_before < 50 + 60  # the ones before, and the half second already claimed
    assert d.stats["paid"] == 200


async def test_without_a_paid_rate_alerts_go_first_but_free(
    db: Database, clock: ManualClock
) -> None:
    await add_users(db, range(1, 11), clock)
    transport = FakeTransport()
    d = make(db, clock, transport, concurrency=1)
    await d.enqueue([env(i, clock) for i in range(1, 6)])
    await d.enqueue([env(i, clock, kind=keys.ALERT) for i in range(6, 11)])
    await d.start()
    await d.drain(timeout=5)
    await d.stop()
    assert [c for c, _, _ in transport.calls][:5] == [6, 7, 8, 9, 10]
    assert not any(transport.paid)


# ---------------------------------------------------------------------- paid refusal
async def test_refused_paid_sending_goes_on_free_and_tells_each_batch_once(
    db: Database, clock: ManualClock
) -> None:
    await add_users(db, range(1, 61), clock)
    repo = OutboxRepo(db)
    one = await repo.create_batch(keys.ALERT, clock.now(), created_by=9, audience="all", payload={})
    two = await repo.create_batch(keys.ALERT, clock.now(), created_by=9, audience="all", payload={})
    transport = PaidTransport(refuse="Balance_too_low")
    d = make(db, clock, transport, rate=300, paid_rate=1000)
    told: list[tuple[int | None, str]] = []

    async def hook(batch_id: int | None, description: str) -> None:
        told.append((batch_id, description))

    d.on_paid_refused.append(hook)
    await d.enqueue([env(i, clock, kind=keys.ALERT, batch_id=one) for i in range(1, 41)])
    await d.start()
    await d.drain(timeout=10)
    assert told == [(one, "Balance_too_low")]
    # A later alert in the same run goes free from the start; its organiser is told too.
    await d.enqueue([env(i, clock, kind=keys.ALERT, batch_id=two) for i in range(41, 61)])
    await d.drain(timeout=10)
    await d.stop()
    assert told == [(one, "Balance_too_low"), (two, "Balance_too_low")]
    assert sorted(c for c, _ in transport.delivered) == list(range(1, 61))  # nobody lost
    assert not any(transport.paid)  # every delivered send went free
    assert transport.refused >= 1
    assert d.paid_refused == "Balance_too_low"
    assert set((await states(db)).values()) == {"sent"}
    attempts = await db.fetchall("SELECT attempts FROM outbox")
    assert {int(r[0]) for r in attempts} == {1}  # a refused paid try is not an attempt


# ------------------------------------------------------------------ batches and cancel
async def test_claims_and_results_are_written_in_batches(db: Database, clock: ManualClock) -> None:
    await add_users(db, range(1, 401), clock)
    transport = FakeTransport(delay=0.002)
    d = make(db, clock, transport, rate=400)
    await d.enqueue([env(i, clock) for i in range(1, 401)])
    await d.start()
    await d.drain(timeout=10)
    await d.stop()
    assert len(transport.delivered) == 400
    assert set((await states(db)).values()) == {"sent"}
    assert d.stats["claims"] <= 40  # ~100 rows a claim at 400/s, not one each
    assert d.stats["flushes"] <= 60  # a flush every 50 ms, not a commit per message
    assert d.stats["reads"] <= 60


async def test_claim_many_and_finish_many(db: Database, clock: ManualClock) -> None:
    await add_users(db, [1, 2, 3, 4], clock)
    repo = OutboxRepo(db)
    await repo.enqueue([env(i, clock) for i in (1, 2, 3, 4)], clock.now())
    ids = [int(r[0]) for r in await db.fetchall("SELECT id FROM outbox ORDER BY id")]
    await repo.cancel(clock.now(), chat_id=4)
    assert await repo.claim_many(ids, clock.now()) == set(ids[:3])  # not the cancelled one
    assert await repo.claim_many(ids, clock.now()) == set()  # nothing claimed twice
    now = clock.now()
    await repo.finish_many(
        [
            RowResult(ids[0], SENT, now),
            RowResult(ids[1], PENDING, now, "429", unclaim=True),
            RowResult(ids[2], "blocked", now, "Forbidden", blocked_chat=3),
        ]
    )
    rows = await db.fetchall("SELECT state, attempts, sent_at FROM outbox ORDER BY id")
    assert [(r[0], r[1]) for r in rows] == [
        ("sent", 1),
        ("pending", 0),
        ("blocked", 1),
        ("cancelled", 0),
    ]
    assert rows[0][2] is not None
    assert await db.scalar("SELECT active FROM users WHERE id = 3") == 0


async def test_a_cancel_takes_back_rows_claimed_but_not_started(
    db: Database, clock: ManualClock
) -> None:
    await add_users(db, range(1, 9), clock)
    transport = FakeTransport()
    # 4 a second with a one-second horizon: four rows are claimed at once, started in turn.
    d = make(db, clock, transport, rate=4, claim_horizon=1.0)
    await d.enqueue([env(i, clock, session_id="s1") for i in range(1, 9)])
    await d.start()
    await asyncio.wait_for(transport.started.wait(), 5)
    inflight = await db.scalar("SELECT count(*) FROM outbox WHERE state = 'inflight'")
    assert inflight >= 2  # claimed ahead of their start
    assert await d.cancel(session_id="s1") == 8 - len(transport.calls)
    await d.drain(timeout=5)
    await d.stop()
    assert len(transport.calls) == 1
    assert sorted((await states(db)).values()) == ["cancelled"] * 7 + ["sent"]


async def test_stop_gives_claimed_rows_back_untouched(db: Database, clock: ManualClock) -> None:
    await add_users(db, range(1, 9), clock)
    transport = FakeTransport()
    d = make(db, clock, transport, rate=4, claim_horizon=1.0)
    await d.enqueue([env(i, clock) for i in range(1, 9)])
    await d.start()
    await asyncio.wait_for(transport.started.wait(), 5)
    await d.stop()
    rows = await db.fetchall("SELECT state, attempts FROM outbox ORDER BY id")
    sent = [r for r in rows if r[0] == "sent"]
    assert len(sent) == len(transport.calls)
    assert all((r[0], r[1]) == ("pending", 0) for r in rows if r[0] != "sent")


async def test_a_crash_resends_only_rows_in_doubt(db: Database, clock: ManualClock) -> None:
    await add_users(db, range(1, 301), clock)
    transport = FakeTransport(delay=0.02)
    d = make(db, clock, transport, rate=300)
    await d.enqueue([env(i, clock) for i in range(1, 301)])
    await d.start()
    await until(lambda: len(transport.delivered) >= 100)
    assert d.task is not None
    d.task.cancel()  # SIGKILL
    with pytest.raises(asyncio.CancelledError):
        await d.task
    at_crash = await states(db)
    in_doubt = {c for c, s in at_crash.items() if s == "inflight"}
    assert in_doubt, at_crash
    # The half second claimed ahead (150 rows at 300/s), the calls in flight and results not
    # written yet (50 ms): far from everything that was left.
    assert len(in_doubt) <= 150 + 40, len(in_doubt)
    assert len(in_doubt) < 300 - len(transport.delivered)
    again = make(db, clock, transport, rate=300)
    await again.start()
    await again.drain(timeout=10)
    await again.stop()
    counts = {i: transport.count(i) for i in range(1, 301)}
    assert min(counts.values()) == 1  # nobody lost
    assert {c for c, n in counts.items() if n > 1} <= in_doubt  # only rows in doubt, once
    assert max(counts.values()) <= 2
    assert set((await states(db)).values()) == {"sent"}


async def test_a_cancel_among_a_chats_waiting_rows_leaves_the_rest_to_go(
    db: Database, clock: ManualClock
) -> None:
    await add_users(db, [1], clock)
    transport = FakeTransport()
    d = make(db, clock, transport, per_chat_interval=0.3)
    await d.enqueue(
        [
            env(1, clock, session_id="a", dedup_key="a"),
            env(1, clock, session_id="b", dedup_key="b"),
            env(1, clock, session_id="c", dedup_key="c"),
        ]
    )
    await d.start()
    await asyncio.wait_for(transport.started.wait(), 5)
    assert await d.cancel(session_id="b") == 1  # waiting for chat 1's pace
    await d.drain(timeout=5)
    await d.stop()
    rows = await db.fetchall("SELECT session_id, state FROM outbox ORDER BY id")
    assert [(r[0], r[1]) for r in rows] == [("a", "sent"), ("b", "cancelled"), ("c", "sent")]
    assert transport.count(1) == 2
