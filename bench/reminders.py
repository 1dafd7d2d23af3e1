"""Benchmark: a panel bookmarked by thousands, reminded at BROADCAST_RATE, all on time.

Run with ``python -m bench.reminders [--users 5000] [--rate 25] [--planning 100000]``.

Part 1 runs the real bot against the local emulator with a ``ShiftedClock`` (real seconds,
starting just before the planner's first slot), the planner ticking every 10 s as the
JobQueue would, and the delivery outbox at ``--rate``. It reports when the first and the
last reminder reached the emulator relative to the due time (14:00 panel, 10-minute lead:
13:50), how many arrived late, and the rate achieved. It runs about users / (0.8 x rate)
seconds (5,000 at 25/s: ~250 s).

Part 2 times one planning pass (the SQL over bookmarks x users for the upcoming window) on a
database holding ``--planning`` bookmarks spread over a 2-day, 8-room programme, with the
clock at a moment where several parallel sessions are due (median of repeated ticks).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import machine
from bot.agenda.index import AgendaIndex
from bot.agenda.model import Conference, Session, SessionType
from bot.clock import ManualClock, ShiftedClock
from bot.delivery import Delivery
from bot.emulator import BotApiEmulator
from bot.emulator.harness import BotHarness, settings_for
from bot.reminders import HEADROOM, ReminderPlanner
from bot.store import Store
from bot.store.db import Database, ts
from bot.store.outbox import OutboxRepo
from bot.store.reminders import RemindersRepo

ROOT = Path(__file__).resolve().parents[1]
BRUSSELS = ROOT / "data" / "brussels-security-resilience.yaml"
PANEL = "panel-october-7"


async def seed(path: Path, users: int, session_id: str, now: datetime) -> None:
    store = await Store.open(str(path))
    try:
        async with store.db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO users (id, first_name, first_seen, last_seen) VALUES (?, ?, ?, ?)",
                [(100_000 + i, f"U{i}", ts(now), ts(now)) for i in range(users)],
            )
            await conn.executemany(
                "INSERT INTO bookmarks (user_id, session_id, created_at) VALUES (?, ?, ?)",
                [(100_000 + i, session_id, ts(now)) for i in range(users)],
            )
    finally:
        await store.close()


async def crowd(users: int, rate: float) -> dict[str, Any]:
    from bot.agenda.loaders import load_agenda

    conf = load_agenda(BRUSSELS, None).conference
    panel = conf.session(PANEL)
    assert panel is not None
    due = panel.start - timedelta(minutes=10)
    spread_s = (users - 1) / (rate * HEADROOM)
    # Start just before the first reminder's slot (the look-ahead plans the first 90 s at once).
    clock = ShiftedClock(due - timedelta(seconds=spread_s + 5), conf.timezone)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.sqlite3"
        await seed(db_path, users, PANEL, clock.now())
        async with BotApiEmulator() as emu:
            for i in range(users):
                emu.user(100_000 + i, f"U{i}")
            settings = settings_for(
                emu, db_path, AGENDA_PATH=BRUSSELS, BROADCAST_RATE=rate, LOG_LEVEL="WARNING"
            )
            harness = BotHarness(emu, settings, clock)
            await harness.start()
            try:
                rt = harness.runtime
                planner: ReminderPlanner = rt.reminders.planner
                delivery = rt.delivery
                sent_before = len(emu.sends)
                deadline = time.monotonic() + spread_s + 120
                while time.monotonic() < deadline:
                    await planner.tick(clock.now())
                    done = len(emu.sends) - sent_before
                    if done >= users and clock.now() > due:
                        break
                    await asyncio.sleep(min(10.0, max(0.5, (due - clock.now()).total_seconds())))
                await delivery.drain(timeout=60)
                mono_now, wall_now = time.monotonic(), clock.now()
                sends = [s for s in emu.sends[sent_before:] if s.method == "sendMessage"]
                at = sorted(wall_now - timedelta(seconds=mono_now - s.at) for s in sends)
            finally:
                await harness.stop()
    late = sum(1 for t in at if t > due)
    rel = [(t - due).total_seconds() for t in at]
    duration = (at[-1] - at[0]).total_seconds() if len(at) > 1 else 0.0
    per_second: dict[int, int] = {}
    for s in sends:
        per_second[int(s.at)] = per_second.get(int(s.at), 0) + 1
    return {
        "users": users,
        "rate": rate,
        "sent": len(at),
        "first_s": rel[0] if rel else math.nan,
        "last_s": rel[-1] if rel else math.nan,
        "late": late,
        "achieved": (len(at) - 1) / duration if duration else math.nan,
        "max_in_window": emu.max_sends_in_window(1.0) if hasattr(emu, "max_sends_in_window") else 0,
    }


class NoTransport:
    async def send(self, chat_id: int, message: Any) -> None:  # never started in part 2
        raise AssertionError("part 2 does not send")


def programme(days: int = 2, rooms: int = 8) -> Conference:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Europe/Brussels")
    sessions = []
    for d in range(days):
        for slot in range(8):
            start = datetime(2025, 10, 14 + d, 9, 0, tzinfo=tz) + timedelta(minutes=60 * slot)
            for r in range(rooms):
                kind = SessionType.PANEL if r == 0 else SessionType.TALK
                sessions.append(
                    Session(
                        id=f"s{d}-{slot}-{r}",
                        title=f"Session {d}/{slot}/{r}",
                        start=start,
                        end=start + timedelta(minutes=45),
                        room=f"Room {r}",
                        type=kind,
                    )
                )
    return Conference(name="Bench", timezone=tz, sessions=tuple(sessions))


async def planning(bookmarks: int, repeats: int) -> dict[str, Any]:
    conf = programme()
    index = AgendaIndex(conf)
    ids = [s.id for s in conf.sessions]
    users = max(1, bookmarks // 10)  # ten bookmarks each
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(Path(tmp) / "plan.sqlite3")
        stamp = ts(datetime(2025, 1, 1, tzinfo=UTC))
        async with db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO users (id, first_name, first_seen, last_seen, remind_headline)"
                " VALUES (?, 'U', ?, ?, ?)",
                [(i, stamp, stamp, int(i % 20 == 0)) for i in range(users)],
            )
            pairs = {(rng.randrange(users), rng.choice(ids)) for _ in range(bookmarks * 2)}
            pairs_list = list(pairs)[:bookmarks]
            await conn.executemany(
                "INSERT INTO bookmarks (user_id, session_id, created_at) VALUES (?, ?, ?)",
                [(u, s, stamp) for u, s in pairs_list],
            )
        total = await db.scalar("SELECT count(*) FROM bookmarks")
        now = datetime(2025, 10, 14, 10, 49, 45, tzinfo=conf.timezone)
        outbox = Delivery(OutboxRepo(db), ManualClock(now), NoTransport(), rate=25)  # enqueue only
        planner = ReminderPlanner(RemindersRepo(db), outbox, lambda: index, lambda: now, rate=25)
        t0 = time.perf_counter()
        due_now = await planner.tick(now)  # cold: plans and enqueues this window
        cold_ms = (time.perf_counter() - t0) * 1000
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            await planner.tick(now)
            times.append((time.perf_counter() - t0) * 1000)
        candidates = len(await planner.plan(now))
        await db.close()
    return {
        "bookmarks": int(total or 0),
        "users": users,
        "sessions": len(conf.sessions),
        "candidates": candidates,
        "enqueued": due_now,
        "cold_ms": cold_ms,
        "median_ms": statistics.median(times),
        "p90_ms": sorted(times)[int(0.9 * (len(times) - 1))],
    }


async def main_async(args: argparse.Namespace) -> None:
    print(f"Machine: {machine()}\n")
    if args.users > 0:
        c = await crowd(args.users, args.rate)
        print("| reminders | rate (msg/s) | sent | first vs due (s) | last vs due (s) | late |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: |")
        print(
            f"| {c['users']:,} | {c['rate']:g} (achieved {c['achieved']:.1f}) | {c['sent']:,} |"
            f" {c['first_s']:+.1f} | {c['last_s']:+.2f} | {c['late']} |"
        )
        print()
    if args.planning > 0:
        p = await planning(args.planning, args.repeats)
        print(
            "| bookmarks | users | sessions | rows in window | first tick: enqueued, ms"
            " | next ticks: median ms | p90 ms |"
        )
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        print(
            f"| {p['bookmarks']:,} | {p['users']:,} | {p['sessions']} | {p['candidates']:,} |"
            f" {p['enqueued']:,}, {p['cold_ms']:.0f} | {p['median_ms']:.1f} | {p['p90_ms']:.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=5000, help="bookmarkers of one panel")
    parser.add_argument("--rate", type=float, default=25.0, help="BROADCAST_RATE")
    parser.add_argument("--planning", type=int, default=100_000, help="bookmarks for part 2")
    parser.add_argument("--repeats", type=int, default=15)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
