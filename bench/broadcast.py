"""Broadcast benchmark: N users at BROADCAST_RATE against the local emulator with 1% 429s.

Measures the achieved rate (after 429 pauses), the enqueue time of N outbox rows, the peak
traced memory (bot and emulator share the process) and the latency of an interactive /agenda
during the broadcast. Run: ``python -m bench.broadcast --users 10000`` (about 6 minutes at 30/s).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
import tracemalloc
from datetime import datetime
from pathlib import Path

from bench import machine
from bot import broadcasts
from bot.clock import ManualClock
from bot.config import DEFAULT_AGENDA
from bot.delivery import Delivery
from bot.emulator import BotApiEmulator
from bot.emulator.harness import BotHarness, settings_for
from bot.store.db import Database, ts
from bot.store.outbox import OutboxRepo

ORG = 4242


async def enqueue_times(users: int, runs: int, clock: ManualClock) -> list[float]:
    """Enqueue ``users`` rows into a fresh database, ``runs`` times."""
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(runs):
            db = await Database.open(Path(tmp) / f"e{run}.sqlite3")
            delivery = Delivery(OutboxRepo(db), clock, _NoTransport(), rate=30)
            batch = await OutboxRepo(db).create_batch(
                "broadcast", clock.now(), created_by=ORG, audience="everyone", payload={}
            )
            ids = list(range(1, users + 1))
            envs = broadcasts.envelopes(batch, "<b>hello</b>", ids, clock.now())
            started = time.perf_counter()
            await delivery.enqueue(envs)
            times.append(time.perf_counter() - started)
            await db.close()
    return times


def _max_in_window(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    best = lo = 0
    for hi, t in enumerate(times):
        while t - times[lo] >= window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


class _NoTransport:
    async def send(self, chat_id: int, message: object) -> None:
        return None


async def run(users: int, rate: float, flood: float) -> dict[str, float]:
    clock = ManualClock(datetime.now().astimezone())
    enq = await enqueue_times(users, 5, clock)
    result: dict[str, float] = {"enqueue_median_s": statistics.median(enq)}
    with tempfile.TemporaryDirectory() as tmp:
        async with BotApiEmulator() as emu:
            settings = settings_for(
                emu,
                Path(tmp) / "bench.sqlite3",
                AGENDA_PATH=DEFAULT_AGENDA,
                ORGANISER_IDS=str(ORG),
                BROADCAST_RATE=rate,
            )
            harness = BotHarness(emu, settings, clock)
            await harness.start()
            try:
                rt = harness.runtime
                ids = list(range(100_000, 100_000 + users))
                for uid in ids:
                    emu.user(uid, "U")
                now = ts(clock.now())
                async with rt.store.db.transaction() as conn:
                    await conn.executemany(
                        "INSERT INTO users (id, first_name, first_seen, last_seen)"
                        " VALUES (?, 'U', ?, ?)",
                        [(uid, now, now) for uid in ids],
                    )
                probe = emu.user(999, "Probe")
                await probe.send("/start")
                await probe.next_message()
                rule = emu.faults.add("sendMessage", 429, retry_after=1, probability=flood, seed=3)
                delivery: Delivery = rt.delivery
                repo = OutboxRepo(rt.store.db)
                batch = await repo.create_batch(
                    "broadcast", clock.now(), created_by=ORG, audience="everyone", payload={}
                )
                tracemalloc.start()
                sends_before = len(emu.sends)
                started = time.perf_counter()
                paused_before = delivery.paused_seconds
                await delivery.enqueue(
                    broadcasts.envelopes(batch, "<b>Bench</b> broadcast", ids, clock.now())
                )
                result["enqueue_in_bot_s"] = time.perf_counter() - started
                latencies: list[float] = []
                done = asyncio.Event()

                async def probe_loop() -> None:
                    while not done.is_set():
                        t0 = time.perf_counter()
                        await probe.send("/agenda")
                        await probe.next_message(timeout=30)
                        latencies.append(time.perf_counter() - t0)
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(done.wait(), 2.0)

                prober = asyncio.create_task(probe_loop())
                await delivery.drain(timeout=users / rate * 3 + 120)
                elapsed = time.perf_counter() - started
                done.set()
                await prober
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                paused = delivery.paused_seconds - paused_before
                sent = sum(1 for s in emu.sends[sends_before:] if s.chat_id != 999)
                states = await repo.states(kind="broadcast")
                result.update(
                    users=users,
                    rate_setting=rate,
                    sent_rows=states.get("sent", 0),
                    elapsed_s=elapsed,
                    paused_s=paused,
                    achieved_rate=sent / max(elapsed - paused, 1e-9),
                    raw_rate=sent / elapsed,
                    max_in_1s=emu.max_sends_in_window(1.0),
                    max_in_1s_broadcast=_max_in_window(
                        [x.at for x in emu.sends[sends_before:] if x.chat_id != 999]
                    ),
                    flood_429s=rule.fired,
                    peak_mb=peak / 1e6,
                    agenda_latency_median_ms=statistics.median(latencies) * 1000,
                    agenda_latency_max_ms=max(latencies) * 1000,
                    agenda_probes=len(latencies),
                )
            finally:
                await harness.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=30)
    parser.add_argument("--flood", type=float, default=0.01, help="share of sends answered 429")
    args = parser.parse_args()
    r = asyncio.run(run(args.users, args.rate, args.flood))
    print(machine() + "\n")
    print("| measure | value |\n| --- | --- |")
    rows = [
        ("users", f"{r['users']:.0f}"),
        ("BROADCAST_RATE", f"{r['rate_setting']:g}/s"),
        ("enqueue of all rows (median of 5, fresh DB)", f"{r['enqueue_median_s'] * 1000:.0f} ms"),
        ("enqueue in the running bot", f"{r['enqueue_in_bot_s'] * 1000:.0f} ms"),
        ("rows sent", f"{r['sent_rows']:.0f}"),
        ("429 answers met", f"{r['flood_429s']:.0f}"),
        ("elapsed", f"{r['elapsed_s']:.1f} s (of which paused by 429: {r['paused_s']:.1f} s)"),
        (
            "achieved rate after pauses",
            f"{r['achieved_rate']:.2f}/s ({r['achieved_rate'] / r['rate_setting']:.1%})",
        ),
        ("raw rate (pauses included)", f"{r['raw_rate']:.2f}/s"),
        ("most broadcast sends in any 1 s window", f"{r['max_in_1s_broadcast']:.0f}"),
        ("most sends in any 1 s window, /agenda replies included", f"{r['max_in_1s']:.0f}"),
        ("peak traced memory (bot + emulator)", f"{r['peak_mb']:.1f} MB"),
        (
            "/agenda latency during the broadcast",
            f"median {r['agenda_latency_median_ms']:.0f} ms, max"
            f" {r['agenda_latency_max_ms']:.0f} ms ({r['agenda_probes']:.0f} probes)",
        ),
    ]
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
