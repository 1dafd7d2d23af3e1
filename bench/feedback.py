"""Feedback at conference scale: 10,000 ratings written the way the handlers write them, then
the /stats section and the /export (CSV and chart) timed at that size.

``python -m bench.feedback [--ratings N] [--runs N] [--comments F]`` uses a real SQLite file
(WAL, as in production) in a temporary directory and the Brussels sample programme. Each
rating goes through ``FeedbackService.rate`` (validation, the rating's transaction, the comment
window) and a share of them through ``take_comment``, exactly what the button and text handlers
call. Medians over the runs, ``time.perf_counter``; prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench import machine
from bot.agenda.loaders import load_agenda
from bot.agenda.state import AgendaState, CurrentAgenda
from bot.clock import ManualClock
from bot.config import DEFAULT_AGENDA
from bot.feedback import FeedbackService, chart_png, rateable_sessions
from bot.store import Store
from bot.store.db import ts


async def timed(fn: Callable[[], Awaitable[Any]], runs: int) -> tuple[float, Any]:
    """Median wall time in milliseconds, and the last result."""
    samples = []
    result: Any = None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = await fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), result


async def run(ratings: int, runs: int, comment_share: float) -> list[tuple[str, str]]:
    state = AgendaState(result=load_agenda(DEFAULT_AGENDA, None), source=str(DEFAULT_AGENDA))
    conf_day = state.index.days[-1]
    end = max(s.end for s in state.index.on_day(conf_day))
    clock = ManualClock(end)
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(str(Path(tmp) / "bench.sqlite3"))
        try:
            svc = FeedbackService(store.feedback, store.users, CurrentAgenda(state, clock))
            sessions = rateable_sessions(state, clock.now())
            users = -(-ratings // len(sessions))
            async with store.db.transaction() as conn:
                await conn.executemany(
                    "INSERT INTO users (id, first_name, first_seen, last_seen) VALUES (?, ?, ?, ?)",
                    [
                        (10_000_000 + u, f"User {u}", ts(clock.now()), ts(clock.now()))
                        for u in range(users)
                    ],
                )
            rnd = random.Random(6)
            pairs = [(10_000_000 + u, s.id) for u in range(users) for s in sessions][:ratings]
            rate_ms: list[float] = []
            comment_ms: list[float] = []
            t_all = time.perf_counter()
            for uid, sid in pairs:
                value = rnd.choice((1, 2, 3, 3, 4, 4, 4, 5, 5, 5))
                t0 = time.perf_counter()
                await svc.rate(uid, sid, value)
                rate_ms.append((time.perf_counter() - t0) * 1000)
                if rnd.random() < comment_share:
                    text = f"Comment {uid} on {sid}: <b>bold</b> & “quotes” " + "x" * rnd.randint(
                        0, 300
                    )
                    t0 = time.perf_counter()
                    await svc.take_comment(uid, text)
                    comment_ms.append((time.perf_counter() - t0) * 1000)
            total_s = time.perf_counter() - t_all
            stored = await store.feedback.count()
            assert stored == ratings, (stored, ratings)

            async def stats_all() -> list[str]:
                """What the /stats section computes (it then shows one of the pages)."""
                return svc.stats_pages(await svc.stats())

            stats_ms, pages = await timed(stats_all, runs)
            csv_ms, (data, _, _) = await timed(svc.export_csv, runs)

            async def chart() -> bytes:
                stats = await svc.stats(include_unrated=False, comments_per_session=0)
                return await asyncio.to_thread(chart_png, stats, state.conference.name)

            chart_ms, png = await timed(chart, runs)
            export_ms, _ = await timed(svc.export, runs)
        finally:
            await store.close()
    quantiles = statistics.quantiles(rate_ms, n=100)
    return [
        (
            "ratings written (handlers' path)",
            f"{ratings:,} ({users:,} users × {len(sessions)} sessions)",
        ),
        ("comments written", f"{len(comment_ms):,}"),
        ("write total", f"{total_s:.2f} s ({ratings / total_s:,.0f} ratings/s)"),
        ("rate: median / p99", f"{statistics.median(rate_ms):.3f} ms / {quantiles[98]:.3f} ms"),
        ("comment: median", f"{statistics.median(comment_ms):.3f} ms" if comment_ms else "–"),
        ("/stats feedback section (all pages)", f"{stats_ms:.1f} ms ({len(pages)} pages)"),
        ("/export CSV", f"{csv_ms:.1f} ms ({len(data) / 1024:,.0f} KiB)"),
        ("/export chart PNG", f"{chart_ms:.1f} ms ({len(png) / 1024:,.0f} KiB)"),
        ("/export total (CSV + chart)", f"{export_ms:.1f} ms"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--ratings", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--comments", type=float, default=0.3, help="share of ratings commented")
    args = parser.parse_args()
    rows = asyncio.run(run(args.ratings, args.runs, args.comments))
    print(f"Feedback benchmark: median of {args.runs} runs for /stats and /export\n")
    print("| measure | value |")
    print("| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")
    print(f"\n{machine()}; SQLite file in a temporary directory (WAL, synchronous=NORMAL).")


if __name__ == "__main__":
    main()
