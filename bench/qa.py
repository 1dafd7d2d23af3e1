"""A crowd voting on one session's questions: every vote kept, the bot still responsive.

The real bot against the emulator, on a panel that is taking questions (a driven clock):
``--questions`` questions are posted, then ``--voters`` people, each with the audience's
queue open, press 👍 once, arriving at random over ``--spread`` seconds (0: all at once),
while one more person asks ``/now`` every 250 ms. Measured: votes a second (answered votes
over the time from the first press to the last answer), the reply (press to the answer of
the callback: the toast with the new count) at p50 / p99 / max, the bystander's ``/now``
reply at p50 / p99, and whether every vote is in the store (``COUNT`` of vote rows) and
every press was answered. The voter's own list is redrawn after the answer, off the update's
path; the time until the last redraw is reported too.

Set-up (users opening their queue) runs at 0 ms; the measurement at each ``--rtt``.

    python -m bench.qa [--voters 500] [--spread 60 0] [--rtt 0 100] [--questions 20] [--detached]

Votes are updates like any other (``handlers.qa.VOTES_BLOCK``: each person's in order, people
side by side through the update processor); ``--detached`` measures the route the first
round used, votes as tasks beside everything (``block=False``), for the comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bench import machine, table
from bot.clock import ManualClock
from bot.config import DEFAULT_AGENDA
from bot.emulator import BotApiEmulator, FakeUser
from bot.emulator.harness import BotHarness, settings_for
from handlers import qa as qa_handlers

PANEL = "panel-october-7"  # the Brussels sample's panel, 14:00-15:15
#: Five minutes into the panel: its questions are open.
DURING = datetime(2024, 11, 27, 14, 5, tzinfo=ZoneInfo("Europe/Brussels"))
PROBE_EVERY = 0.25


@dataclass
class Result:
    rtt: int
    spread: float
    voters: int
    votes_per_s: float
    p50: float
    p99: float
    worst: float
    probe_p50: float
    probe_p99: float
    redrawn_s: float
    stored: int
    unanswered: int


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


async def _vote(user: FakeUser, message_id: int, data: str, at: float, out: list[float]) -> float:
    await asyncio.sleep(max(0.0, at - time.perf_counter()))
    t0 = time.perf_counter()
    cid = await user.press_data(message_id, data)
    await user.callback_answer(cid, timeout=600)
    done = time.perf_counter()
    out.append((done - t0) * 1000)
    return done


async def _probe(user: FakeUser, stop: asyncio.Event, out: list[float]) -> None:
    while not stop.is_set():
        before = len(user.messages)
        t0 = time.perf_counter()
        await user.send("/now")
        await user.wait_for(lambda m, n=before: len(user.messages) > n, timeout=600)
        out.append((time.perf_counter() - t0) * 1000)
        await asyncio.sleep(PROBE_EVERY)


async def measure(voters: int, questions: int, spread: float, rtt: int, seed: int) -> Result:
    rng = random.Random(seed)
    clock = ManualClock(DURING)
    with tempfile.TemporaryDirectory() as tmp:
        async with BotApiEmulator() as emu:
            settings = settings_for(
                emu, Path(tmp) / "qa.sqlite3", AGENDA_PATH=DEFAULT_AGENDA, LOG_LEVEL="WARNING"
            )
            harness = BotHarness(emu, settings, clock)
            await harness.start()
            try:
                rt = harness.runtime
                for i in range(questions):  # asked through the core: not what is measured
                    uid = 50_000 + i
                    await rt.store.users.seen(uid, f"Asker{i}", None, "en", rt.now())
                    await rt.qa.begin(uid, PANEL)
                    draft = await rt.qa.take_text(uid, f"Question {i}: " + "why " * 40)
                    assert draft is not None
                    await rt.qa.post(uid, draft.token, anonymous=i % 3 == 0, name=f"Asker{i}")
                ids = [q.id for q in await rt.store.qa.export_rows()]
                crowd = [emu.user(100_000 + i, f"V{i}") for i in range(voters)]
                opened: list[int] = []
                for user in crowd:  # each voter has the audience's queue open
                    await user.send("/questions")
                    opened.append((await user.next_message(timeout=30)).message_id)
                probe = emu.user(99_999, "Bystander")
                await probe.send("/start")
                await probe.next_message(timeout=30)
                emu.set_latency(rtt)
                weights = [1 / (k + 1) for k in range(len(ids))]  # a few popular questions
                choices = rng.choices(ids, weights=weights, k=voters)
                start = time.perf_counter() + 0.2
                arrivals = sorted(start + rng.uniform(0, spread) for _ in range(voters))
                replies: list[float] = []
                probes: list[float] = []
                stop = asyncio.Event()
                prober = asyncio.create_task(_probe(probe, stop, probes))
                finished = await asyncio.gather(
                    *(
                        _vote(user, mid, f"qv:{qid}:0", at, replies)
                        for user, mid, qid, at in zip(crowd, opened, choices, arrivals, strict=True)
                    )
                )
                stop.set()
                await prober
                last = max(finished)
                elapsed = last - arrivals[0]
                stored = await rt.store.qa.vote_count()
                unanswered = len(emu.unanswered_callbacks)
            finally:
                t_stop = time.perf_counter()
                await harness.stop()  # waits for the voters' lists to be redrawn
                redrawn = time.perf_counter() - t_stop
    return Result(
        rtt=rtt,
        spread=spread,
        voters=voters,
        votes_per_s=voters / elapsed if elapsed > 0 else float("inf"),
        p50=statistics.median(replies),
        p99=_p(replies, 0.99),
        worst=max(replies),
        probe_p50=statistics.median(probes) if probes else 0.0,
        probe_p99=_p(probes, 0.99),
        redrawn_s=redrawn,
        stored=stored,
        unanswered=unanswered,
    )


async def run(voters: int, questions: int, spreads: list[float], rtts: list[int]) -> str:
    rows = []
    for rtt in rtts:
        for spread in spreads:
            r = await measure(voters, questions, spread, rtt, seed=7)
            rows.append(
                [
                    f"{r.rtt} ms",
                    "all at once" if not r.spread else f"over {r.spread:g} s",
                    r.voters,
                    f"{r.votes_per_s:.1f}",
                    f"{r.p50:.0f}",
                    f"{r.p99:.0f}",
                    f"{r.worst:.0f}",
                    f"{r.probe_p50:.0f} / {r.probe_p99:.0f}",
                    f"{r.redrawn_s:.1f}",
                    f"{r.stored} / {r.voters}" + ("" if r.stored == r.voters else " LOST"),
                    r.unanswered,
                ]
            )
    header = [
        "round trip",
        "votes arrive",
        "voters",
        "votes/s",
        "reply p50 ms",
        "reply p99 ms",
        "max ms",
        "/now p50 / p99 ms",
        "last redraw after s",
        "votes stored",
        "unanswered",
    ]
    return table(header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--voters", type=int, default=500)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument(
        "--spread", type=float, nargs="+", default=[60.0, 0.0], help="seconds; 0 = at once"
    )
    parser.add_argument("--rtt", type=int, nargs="+", default=[0, 100], help="round trip, ms")
    parser.add_argument(
        "--detached", action="store_true", help="votes as tasks beside the other updates"
    )
    args = parser.parse_args()
    if args.detached:
        qa_handlers.VOTES_BLOCK = False
    print(machine())
    print(asyncio.run(run(args.voters, args.questions, args.spread, args.rtt)))


if __name__ == "__main__":
    main()
