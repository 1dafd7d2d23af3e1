"""What one AGENDA_URL refresh costs: a 304, the same bytes again, and a real change.

``python -m bench.live_agenda [--runs N]`` serves the 35C3 ``schedule.json`` (from
``../shared/schedules``, else a generated 2,000-session pretalx file) on loopback with an ETag
and times ``AgendaFetcher.fetch`` end to end (HTTP, digest, parse in a worker thread, atomic
write of the body and its validators). Median wall time over N runs, as a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.agenda.remote import AgendaFetcher, Changed, Unchanged
from bot.clock import ManualClock
from tests.live_agenda.server import ScheduleServer

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "schedules" / "35c3-frab.json"
BRUSSELS = ZoneInfo("Europe/Brussels")
BERLIN = ZoneInfo("Europe/Berlin")


def generated(sessions: int = 2000) -> bytes:
    day0 = datetime(2024, 11, 27, 9, 0, tzinfo=BRUSSELS)
    rooms: dict[str, list[dict[str, object]]] = {f"Room {r}": [] for r in range(20)}
    for n in range(sessions):
        room = f"Room {n % 20}"
        start = day0 + timedelta(minutes=30 * (n // 20) % (12 * 60))
        rooms[room].append(
            {
                "guid": f"s{n}",
                "id": n,
                "date": start.isoformat(),
                "start": start.strftime("%H:%M"),
                "duration": "00:25",
                "room": room,
                "title": f"Session {n}",
                "type": "Talk",
                "persons": [{"code": f"P{n % 700}", "public_name": f"Speaker {n % 700}"}],
            }
        )
    days = []
    for d in range(5):
        date = (day0 + timedelta(days=d)).date().isoformat()
        day_rooms = {k: [e for i, e in enumerate(v) if i % 5 == d] for k, v in rooms.items()}
        for events in day_rooms.values():
            for e in events:
                e["date"] = f"{date}T{e['start']}:00+01:00"
        days.append({"index": d + 1, "date": date, "rooms": day_rooms})
    doc = {
        "schedule": {
            "version": "1",
            "conference": {
                "title": "Generated",
                "time_zone_name": "Europe/Brussels",
                "rooms": [{"name": r} for r in rooms],
                "days": days,
            },
        }
    }
    return json.dumps(doc).encode()


def edited(body: bytes, n: int) -> bytes:
    """The same programme with a changed version string: new bytes, a full parse."""
    doc = json.loads(body)
    doc["schedule"]["version"] = f"bench-{n}"
    return json.dumps(doc).encode()


async def run(runs: int) -> list[tuple[str, float, float]]:
    body = REAL.read_bytes() if REAL.exists() else generated()
    label = REAL.name if REAL.exists() else "generated 2,000 sessions"
    clock = ManualClock(datetime(2024, 11, 27, 8, 0, tzinfo=BRUSSELS))
    timings: dict[str, list[float]] = {"304": [], "200, same bytes": [], "200, changed": []}
    with tempfile.TemporaryDirectory() as tmp:
        async with ScheduleServer(body) as server:
            fetcher = AgendaFetcher(server.url, Path(tmp), BERLIN, clock)  # 35C3: Leipzig
            assert isinstance(await fetcher.fetch(), Changed)
            for n in range(runs):
                t0 = time.perf_counter()
                assert await fetcher.fetch() == Unchanged()
                timings["304"].append(time.perf_counter() - t0)

                server.fault = server.body  # a server without validators: the digest decides
                t0 = time.perf_counter()
                assert await fetcher.fetch() == Unchanged()
                timings["200, same bytes"].append(time.perf_counter() - t0)
                server.fault = None

                server.body = edited(body, n)
                t0 = time.perf_counter()
                assert isinstance(await fetcher.fetch(), Changed)
                timings["200, changed"].append(time.perf_counter() - t0)
            await fetcher.close()
    size = len(body) / 1024
    return [
        (f"{what} ({label}, {size:.0f} KiB)", statistics.median(t), max(t))
        for what, t in timings.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    rows = asyncio.run(run(args.runs))
    print("| refresh | median ms | max ms |")
    print("| --- | ---: | ---: |")
    for name, median, worst in rows:
        print(f"| {name} | {median * 1000:.1f} | {worst * 1000:.1f} |")


if __name__ == "__main__":
    main()
