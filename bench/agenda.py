"""Agenda load time: each real export, and a generated programme in every format.

``python -m bench.agenda [--runs N] [--sessions N]`` prints a Markdown table of the median wall
time of ``load_agenda`` (sniff + parse + validate, as ``/reload`` does) over N runs. Generated
files go to a temporary directory; the real files are read from ``../shared/schedules`` when
present. Plain ``time.perf_counter``: the figures are for comparing formats and spotting
regressions, not for microsecond precision.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

from bot.agenda.errors import AgendaError
from bot.agenda.loaders import load_agenda

ROOT = Path(__file__).resolve().parents[1]
SCHEDULES = ROOT.parent / "shared" / "schedules"
BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")

REAL: dict[str, ZoneInfo] = {
    "31c3-frab.xml": BERLIN,
    "fosdem-2014-pentabarf.xml": ZoneInfo("Europe/Brussels"),
    "35c3-frab.json": BERLIN,
    "jev22-channels-pretalx-c3voc.json": ZoneInfo("Europe/Amsterdam"),
    "orlando-codecamp-2020-sessionize.json": ZoneInfo("America/New_York"),
    "pyconuk-2015.ics": ZoneInfo("Europe/London"),
    "gpn11-agenda.csv": BERLIN,
    "31c3-sendezentrum-agenda.csv": BERLIN,
}

ROOMS = 20
SLOT = timedelta(minutes=30)


class Slot:
    """One generated session: every format writes the same programme."""

    def __init__(self, n: int) -> None:
        per_day = ROOMS * 25
        day, rest = divmod(n, per_day)
        room, slot = divmod(rest, 25)
        self.n = n
        self.day = datetime(2030, 6, 3 + day, tzinfo=BERLIN)
        self.start = self.day.replace(hour=9) + slot * SLOT
        self.end = self.start + timedelta(minutes=25)
        self.room = f"Room {room + 1}"
        self.title = f"Talk number {n}: on topic {n % 37}"
        self.track = f"Track {n % 12}"
        self.speaker = n % 800
        self.abstract = "An abstract with some words, repeated. " * 8


def _slots(count: int) -> list[Slot]:
    return [Slot(n) for n in range(count)]


def gen_xml(slots: list[Slot]) -> str:
    out = ["<?xml version='1.0' encoding='utf-8' ?>", "<schedule>", "<conference>"]
    out += ["<title>Bench Con</title>", "<time_zone_name>Europe/Berlin</time_zone_name>"]
    out.append("</conference>")
    by_day: dict[datetime, dict[str, list[Slot]]] = {}
    for s in slots:
        by_day.setdefault(s.day, {}).setdefault(s.room, []).append(s)
    for index, (day, rooms) in enumerate(by_day.items(), start=1):
        out.append(f"<day index='{index}' date='{day.date()}'>")
        for room, items in rooms.items():
            out.append(f"<room name={quoteattr(room)}>")
            for s in items:
                out += [
                    f"<event id='{s.n}' guid='g-{s.n}'>",
                    f"<date>{s.start.isoformat()}</date>",
                    f"<start>{s.start:%H:%M}</start><duration>00:25</duration>",
                    f"<room>{escape(room)}</room><title>{escape(s.title)}</title>",
                    f"<track>{s.track}</track><type>lecture</type><language>en</language>",
                    f"<abstract>{escape('<p>' + s.abstract + '</p>')}</abstract>",
                    f"<persons><person id='{s.speaker}'>Speaker {s.speaker}</person></persons>",
                    "</event>",
                ]
            out.append("</room>")
        out.append("</day>")
    out.append("</schedule>")
    return "\n".join(out)


def gen_sessionize(slots: list[Slot]) -> str:
    rooms = sorted({s.room for s in slots}, key=lambda r: int(r.split()[1]))
    room_ids = {r: 1000 + i for i, r in enumerate(rooms)}
    speakers = sorted({s.speaker for s in slots})
    doc = {
        "sessions": [
            {
                "id": str(s.n),
                "title": s.title,
                "description": s.abstract,
                "startsAt": s.start.replace(tzinfo=None).isoformat(),
                "endsAt": s.end.replace(tzinfo=None).isoformat(),
                "isServiceSession": False,
                "isPlenumSession": False,
                "speakers": [f"00000000-0000-0000-0000-{s.speaker:012d}"],
                "categoryItems": [5000 + s.n % 12],
                "questionAnswers": [],
                "roomId": room_ids[s.room],
            }
            for s in slots
        ],
        "speakers": [
            {
                "id": f"00000000-0000-0000-0000-{sp:012d}",
                "firstName": "Speaker",
                "lastName": str(sp),
                "fullName": f"Speaker {sp}",
                "bio": "A bio.",
                "tagLine": "Engineer",
                "links": [],
                "sessions": [s.n for s in slots if s.speaker == sp],
            }
            for sp in speakers
        ],
        "questions": [],
        "categories": [
            {
                "id": 1,
                "title": "Track",
                "items": [{"id": 5000 + i, "name": f"Track {i}", "sort": i} for i in range(12)],
            }
        ],
        "rooms": [{"id": room_ids[r], "name": r, "sort": i} for i, r in enumerate(rooms)],
    }
    return "\ufeff" + json.dumps(doc, indent=2)


def gen_csv(slots: list[Slot]) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["Date", "Start", "End", "Room", "Track", "Title", "Speakers", "Abstract"])
    for s in slots:
        writer.writerow(
            [
                f"{s.start:%d/%m/%Y}",
                f"{s.start:%I:%M %p}",
                f"{s.end:%H:%M}",
                s.room,
                s.track,
                s.title,
                f"Speaker {s.speaker}",
                s.abstract,
            ]
        )
    return buf.getvalue()


def gen_ics(slots: list[Slot]) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN"]
    for s in slots:
        lines += [
            "BEGIN:VEVENT",
            f"UID:bench-{s.n}@example.org",
            f"DTSTART:{s.start.astimezone(UTC):%Y%m%dT%H%M%SZ}",
            f"DTEND:{s.end.astimezone(UTC):%Y%m%dT%H%M%SZ}",
            f"LOCATION:{s.room}",
            f"CATEGORIES:{s.track}",
            "SUMMARY:" + s.title.replace(",", "\\,"),
            "DESCRIPTION:" + s.abstract.replace(",", "\\,"),
            "END:VEVENT",
        ]
    lines += ["X-WR-CALNAME:Bench Con", "END:VCALENDAR", ""]
    return "\r\n".join(lines)


def gen_yaml(slots: list[Slot]) -> str:
    import yaml

    doc = {
        "conference": {"name": "Bench Con", "timezone": "Europe/Berlin"},
        "rooms": sorted({s.room for s in slots}, key=lambda r: int(r.split()[1])),
        "speakers": [
            {"id": f"sp-{sp}", "name": f"Speaker {sp}"} for sp in sorted({s.speaker for s in slots})
        ],
        "sessions": [
            {
                "id": f"s-{s.n}",
                "title": s.title,
                "date": s.start.date().isoformat(),
                "start": f"{s.start:%H:%M}",
                "end": f"{s.end:%H:%M}",
                "room": s.room,
                "track": s.track,
                "speakers": [f"sp-{s.speaker}"],
                "abstract": s.abstract,
            }
            for s in slots
        ],
    }
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def gen_schedule_json(slots: list[Slot]) -> str:
    days: dict[datetime, dict[str, list[dict[str, object]]]] = {}
    for s in slots:
        days.setdefault(s.day, {}).setdefault(s.room, []).append(
            {
                "id": s.n,
                "guid": f"g-{s.n}",
                "date": s.start.isoformat(),
                "start": f"{s.start:%H:%M}",
                "duration": "00:25",
                "room": s.room,
                "title": s.title,
                "track": s.track,
                "type": "lecture",
                "language": "en",
                "abstract": s.abstract,
                "persons": [{"id": s.speaker, "public_name": f"Speaker {s.speaker}"}],
            }
        )
    doc = {
        "schedule": {
            "version": "bench",
            "conference": {
                "title": "Bench Con",
                "acronym": "bench",
                "time_zone_name": "Europe/Berlin",
                "days": [
                    {
                        "index": i,
                        "date": day.date().isoformat(),
                        "day_start": day.replace(hour=9).isoformat(),
                        "day_end": day.replace(hour=23).isoformat(),
                        "rooms": rooms,
                    }
                    for i, (day, rooms) in enumerate(days.items(), start=1)
                ],
            },
        }
    }
    return json.dumps(doc)


def gen_indico(slots: list[Slot]) -> str:
    """An Indico event export (detail=contributions), times in UTC as many servers give them."""

    def when(moment: datetime) -> dict[str, str]:
        utc = moment.astimezone(UTC)
        return {"date": utc.date().isoformat(), "time": f"{utc:%H:%M:%S}", "tz": "UTC"}

    contributions = [
        {
            "_type": "Contribution",
            "id": str(s.n),
            "title": s.title,
            "startDate": when(s.start),
            "endDate": when(s.end),
            "duration": 25,
            "room": s.room,
            "type": "Talk",
            "description": f"<p>{escape(s.abstract)}</p>",
            "session": s.track,
            "speakers": [
                {
                    "_type": "ContributionParticipation",
                    "first_name": "Speaker",
                    "last_name": str(s.speaker),
                    "fullName": f"{s.speaker}, Speaker",
                    "id": str(s.n),
                    "person_id": s.speaker,
                    "affiliation": "Bench Institute",
                    "emailHash": f"{s.speaker:032x}",
                }
            ],
            "primaryauthors": [],
            "subContributions": [],
        }
        for s in slots
    ]
    event = {
        "_type": "Conference",
        "_fossil": "conferenceMetadataWithContribs",
        "id": "1",
        "title": "Bench Con",
        "timezone": "Europe/Berlin",
        "contributions": contributions,
    }
    return json.dumps({"count": 1, "_type": "HTTPAPIResult", "results": [event]})


def gen_pretalx_csv(slots: list[Slot]) -> str:
    """pretalx's sessions export: its column names, ISO times with offsets, paired speakers."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    header = "ID,Proposal title,Proposal state,Session type,Track,Duration,Speaker IDs"
    writer.writerow([*header.split(","), "Speaker names", "Room", "Start", "End"])
    for s in slots:
        speaker = (f"S{s.speaker:04d}", f"Speaker {s.speaker}")
        talk = (f"C{s.n:05d}", s.title, "confirmed", "Talk", s.track, 25)
        writer.writerow([*talk, *speaker, s.room, s.start.isoformat(), s.end.isoformat()])
    return "\ufeff" + buf.getvalue()


GENERATORS: dict[str, tuple[str, Callable[[list[Slot]], str]]] = {
    "schedule.xml": ("generated.xml", gen_xml),
    "sessionize": ("generated-sessionize.json", gen_sessionize),
    "csv": ("generated.csv", gen_csv),
    "ical": ("generated.ics", gen_ics),
    "yaml": ("generated.yaml", gen_yaml),
    "schedule.json": ("generated-schedule.json", gen_schedule_json),
    "indico": ("generated-indico.json", gen_indico),
    "csv (pretalx)": ("generated-pretalx.csv", gen_pretalx_csv),
}


def measure(path: Path, zone: ZoneInfo, runs: int) -> tuple[str, int, float]:
    """(format, sessions, median milliseconds) of ``runs`` loads after one warm-up."""
    result = load_agenda(path, zone)
    times: list[float] = []
    for _ in range(runs):
        began = time.perf_counter()
        load_agenda(path, zone)
        times.append((time.perf_counter() - began) * 1000)
    return result.format, len(result.conference.sessions), statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per file (median)")
    parser.add_argument("--sessions", type=int, default=2000, help="generated programme size")
    args = parser.parse_args(argv)
    rows: list[tuple[str, str, int, float]] = []
    for name, zone in REAL.items():
        path = SCHEDULES / name
        if not path.exists():
            print(f"(skipped {name}: not found under {SCHEDULES})")
            continue
        rows.append((name, *measure(path, zone, args.runs)))
    slots = _slots(args.sessions)
    with tempfile.TemporaryDirectory(prefix="bench-agenda-") as tmp:
        for fmt, (filename, generate) in GENERATORS.items():
            path = Path(tmp) / filename
            path.write_text(generate(slots), encoding="utf-8")
            try:
                rows.append((f"{filename} ({args.sessions})", *measure(path, BERLIN, args.runs)))
            except AgendaError as exc:  # a format whose loader is not built yet
                print(f"(skipped generated {fmt}: {exc})")
    print(f"| file | format | sessions | median ms ({args.runs} runs) |")
    print("| --- | --- | ---: | ---: |")
    for name, fmt, sessions, ms in rows:
        print(f"| {name} | {fmt} | {sessions} | {ms:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
