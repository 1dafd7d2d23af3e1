"""Speaker links: issuing one-time codes for a big programme, redeeming one, and the
``speaker_of`` lookup that /help and /whoami make on every call.

    python -m bench.speakers [--speakers 2000] [--rounds 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench import machine, table
from bot.agenda.model import Conference, Session, SessionSpeaker, Speaker
from bot.clock import ManualClock
from bot.speakers import SpeakerLinks, new_code
from bot.store import Store
from bot.store.db import ts


def conference(n: int) -> Conference:
    tz = ZoneInfo("Europe/Brussels")
    start = datetime(2030, 5, 1, 9, 0, tzinfo=tz)
    speakers = {f"sp{i}": Speaker(f"sp{i}", f"Speaker {i}") for i in range(n)}
    sessions = tuple(
        Session(
            f"s{i}",
            f"Talk {i}",
            start,
            start + timedelta(minutes=30),
            speakers=(SessionSpeaker(f"sp{i}"),),
        )
        for i in range(n)
    )
    return Conference("Bench", tz, sessions, speakers)


def ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.3f}"


async def run(n: int, rounds: int) -> list[list[object]]:
    conf = conference(n)
    clock = ManualClock(datetime(2030, 4, 1, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(str(Path(tmp) / "bench.sqlite3"))
        now = ts(clock.now())
        for uid in range(1, rounds + 1):
            await store.db.execute(
                "INSERT INTO users (id, first_seen, last_seen) VALUES (?, ?, ?)", (uid, now, now)
            )
        svc = SpeakerLinks(store.speakers, clock, lambda: conf, link_hours=72)
        issue: list[float] = []
        issued = []
        for _ in range(5):
            t0 = time.perf_counter()
            issued = await svc.issue(by=1)
            issue.append(time.perf_counter() - t0)
        redeem: list[float] = []
        for uid, code in zip(range(1, rounds + 1), issued, strict=False):
            t0 = time.perf_counter()
            result = await svc.redeem(code.code, uid)
            redeem.append(time.perf_counter() - t0)
            assert result.outcome == "linked"
        refused: list[float] = []
        for uid in range(1, rounds + 1):
            t0 = time.perf_counter()
            await svc.redeem(new_code(), uid)
            refused.append(time.perf_counter() - t0)
        lookup: list[float] = []
        for uid in range(1, rounds + 1):
            t0 = time.perf_counter()
            await svc.speaker_of(uid)
            lookup.append(time.perf_counter() - t0)
        await store.close()
    return [
        [f"issue codes for {n} speakers (one transaction)", ms(issue)],
        ["redeem a valid code", ms(redeem)],
        ["refuse an unknown code", ms(refused)],
        ["speaker_of(user id)", ms(lookup)],
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--speakers", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    rows = asyncio.run(run(args.speakers, args.rounds))
    print(machine())
    print()
    print(table(["operation", "median ms"], rows))


if __name__ == "__main__":
    main()
