"""Benchmark of inline mode's core: one page of results (the engine's answer, or the empty
query's now-and-next, and up to 50 session cards: one inline query's work) on a generated
2,000-session agenda and on FOSDEM 2014 (513 talks).

Run with ``python -m bench.inline``. Prints a Markdown table of the CPU time per page
(``time.process_time``: p50, p99, max) for a mix of queries: empty (now and next), topics,
tracks, windows, words the engine does not read as a question (the literal fallback), no match,
each first page and its second page by the offset. Target: well under the 10 ms a chat
answer may take.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.questions import make_conference
from bot import inline
from bot.agenda.loaders import LoadResult, load_agenda
from bot.agenda.state import AgendaState

TZ = ZoneInfo("Europe/Brussels")
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "schedules"
QUERIES = (
    "",
    "security",
    "crisis management panel",
    "tomorrow afternoon",
    "keynote",
    "devroom",
    "zzqxj wvvkp",
    "python",
    "postgres",
    "what's on now",
)


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def measure(state: AgendaState, now: datetime, rounds: int) -> dict[str, float]:
    for q in QUERIES:  # warm: the engine's lazy parts, the catalogue
        inline.page(state, q, "", now)
    gc.collect()
    gc.freeze()
    times: list[float] = []
    slowest = ("", 0.0)
    for _ in range(rounds):
        for q in QUERIES:
            offset = ""
            for _page in range(2):  # the first page, and the second by its offset
                t = time.process_time()
                got = inline.page(state, q, offset, now)
                took = (time.process_time() - t) * 1000
                times.append(took)
                if took > slowest[1]:
                    slowest = (q, took)
                offset = got.next_offset
                if not offset:
                    break
    return {
        "p50": statistics.median(times),
        "p99": _percentile(times, 0.99),
        "max": max(times),
        "slowest": slowest[1],
        "slowest_query": slowest[0],  # type: ignore[dict-item]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    conference = make_conference(args.sessions)
    generated = AgendaState(LoadResult(conference, ()), "generated").prepare()  # type: ignore[call-arg]
    first_day = min(s.start for s in conference.sessions)
    rows = [
        (
            "generated",
            len(conference.sessions),
            measure(generated, first_day + timedelta(hours=3), args.rounds),
        )
    ]
    fosdem = SHARED / "fosdem-2014-pentabarf.xml"
    if fosdem.exists():
        state = AgendaState(load_agenda(fosdem, TZ), str(fosdem)).prepare()
        now = datetime(2014, 2, 1, 11, 0, tzinfo=TZ)
        rows.append(
            ("FOSDEM 2014", len(state.conference.sessions), measure(state, now, args.rounds))
        )
    print("| agenda | sessions | page p50 | p99 | max | slowest query |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, n, m in rows:
        print(
            f"| {name} | {n} | {m['p50']:.2f} ms | {m['p99']:.2f} ms | {m['max']:.2f} ms"
            f" | `{m['slowest_query'] or '(empty)'}` |"
        )


if __name__ == "__main__":
    main()
