"""What a file that no loader takes looks closest to, and what it lacks.

"Not an agenda format" helps nobody; "a CSV with no title column: expected one of Title,
Proposal title, Session, ..." or "an Indico timetable export: use /export/event/ID.json" does.
Each guess returns a :class:`Diagnosis` with a score; :func:`best` reports the highest. The
guesses only look at the file, they never load it, so they are cheap and cannot fail.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import yaml

from bot.agenda.loaders.base import Diagnosis

__all__ = ["best"]

_XML_ROOT = re.compile(
    rb"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<([A-Za-z_][\w:.-]*)", re.S
)
_EXPORTS = (
    "a pretalx/frab schedule.json (a 'schedule' object with a 'conference'), a Sessionize "
    "'All data' export ('sessions', 'speakers' and 'rooms' lists) or an Indico event export "
    "('results', a list of events)"
)


def best(data: bytes, path: Path) -> Diagnosis | None:
    """The most likely explanation, or None when the file resembles nothing at all."""
    from bot.agenda.loaders import csv_table  # a loader module; imported late like the others

    guesses: list[Callable[[bytes, Path], Diagnosis | None]] = [
        _binary,
        _markup,
        _json,
        _calendar,
        _yaml,
        csv_table.diagnose,
    ]
    found = [d for guess in guesses if (d := guess(data, path)) is not None]
    return max(found, key=lambda d: d.score, default=None)


def _binary(data: bytes, path: Path) -> Diagnosis | None:
    if data.startswith(b"PK\x03\x04"):
        return Diagnosis(
            100,
            "",
            "a ZIP archive, perhaps an Excel (.xlsx) or LibreOffice (.ods) workbook: save the "
            "sheet as CSV (UTF-8) and use that",
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return Diagnosis(100, "", "an old Excel (.xls) or Word file: save the sheet as CSV")
    if data.startswith(b"%PDF"):
        return Diagnosis(
            100,
            "",
            "a PDF document: confbot reads a schedule export (schedule.json or .xml, iCal, CSV, "
            "Sessionize, Indico), not a printed programme",
        )
    if data.startswith(b"\x1f\x8b"):
        return Diagnosis(100, "", "a gzip-compressed file: decompress it first")
    if b"\x00" in data[:4096]:
        return Diagnosis(90, "", "a binary file, not a text export")
    return None


def _markup(data: bytes, path: Path) -> Diagnosis | None:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1024].lower()
    if head.startswith(b"<!doctype html") or b"<html" in head[:300]:
        return Diagnosis(
            80,
            "",
            "an HTML page, not an export: the link or file is a web page (perhaps a login or "
            "error page); use the export itself, e.g. .../schedule/export/schedule.json",
        )
    m = _XML_ROOT.match(data[:4096].removeprefix(b"\xef\xbb\xbf"))
    if not m:
        return None
    root = m[1].decode("ascii", "replace")
    if root.split(":")[-1].lower() in ("icalendar", "vcalendar"):
        return Diagnosis(
            60, "line 1", "an xCal (XML iCalendar) file: export the calendar as .ics instead"
        )
    return Diagnosis(
        50,
        "line 1",
        f"an XML file whose root element is <{root}>: the XML confbot reads is a frab, "
        "pentabarf or pretalx schedule.xml, with <schedule> at its root",
    )


def _keys(value: Mapping[str, object]) -> str:
    names = [repr(k) for k in list(value)[:10]]
    return ", ".join(names) + (", ..." if len(value) > 10 else "") if names else "none"


def _json(data: bytes, path: Path) -> Diagnosis | None:
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"{", b"["):
        return None
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        return Diagnosis(
            30, "", "text that starts like JSON but is not valid JSON (truncated or damaged?)"
        )
    if isinstance(doc, list):
        if doc and all(isinstance(g, Mapping) and "sessions" in g for g in doc):
            return _sessionize_partial()
        return Diagnosis(40, "", f"a JSON list, not an agenda export: expected {_EXPORTS}")
    if not isinstance(doc, Mapping):
        return Diagnosis(40, "", f"a JSON value, not an agenda export: expected {_EXPORTS}")
    schedule = doc.get("schedule")
    if isinstance(schedule, Mapping) and "conference" not in schedule:
        return Diagnosis(
            60,
            "schedule",
            f"a schedule.json with no 'conference' in 'schedule' (it has {_keys(schedule)})",
        )
    results = doc.get("results")
    if isinstance(results, Mapping):
        return Diagnosis(
            70,
            "results",
            "an Indico timetable export (/export/timetable/ID.json): confbot reads Indico's "
            "event export, /export/event/ID.json?detail=contributions",
        )
    if isinstance(results, list):
        if not results:
            return Diagnosis(
                70,
                "results",
                "an Indico export with no event in it (results is empty): the event is "
                "unlisted or protected, or the export needs an API token",
            )
        first = results[0]
        if isinstance(first, Mapping) and "code" in first and ("slot" in first or "slots" in first):
            return Diagnosis(
                70,
                "results",
                "a page of pretalx's API (talks): use the schedule export instead, "
                ".../schedule/export/schedule.json",
            )
    if isinstance(doc.get("sessions"), list) and "speakers" not in doc:
        return _sessionize_partial()
    return Diagnosis(
        40,
        "",
        f"a JSON file in no agenda format confbot knows: expected {_EXPORTS}; its top-level "
        f"keys are {_keys(doc)}",
    )


def _sessionize_partial() -> Diagnosis:
    return Diagnosis(
        60,
        "",
        "a Sessionize export without its speakers and rooms: use the 'All Data' view of the "
        "Sessionize API (/api/v2/{id}/view/All)",
    )


def _calendar(data: bytes, path: Path) -> Diagnosis | None:
    head = data[:512].removeprefix(b"\xef\xbb\xbf").lstrip().upper()
    if head.startswith(b"BEGIN:VCARD"):
        return Diagnosis(80, "line 1", "a vCard (contacts), not a calendar")
    if head.startswith(b"BEGIN:") and b"VCALENDAR" not in head[:40]:
        return Diagnosis(50, "line 1", "an iCalendar-like file that does not start with VCALENDAR")
    return None


def _yaml(data: bytes, path: Path) -> Diagnosis | None:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if not head or head in (b"{", b"[", b"<"):
        return None
    try:
        doc = yaml.safe_load(data.decode("utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(doc, Mapping) or len(doc) < 1:
        return None
    return Diagnosis(
        30,
        "",
        "a YAML file without 'sessions': confbot's own format needs 'conference' and "
        f"'sessions' (see docs/agenda-format.md); its top-level keys are {_keys(doc)}",
    )
