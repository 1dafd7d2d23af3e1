"""iCalendar (``.ics``) agenda, read with the ``icalendar`` library.

Each VEVENT is a session: SUMMARY -> title, DTSTART/DTEND (or DURATION) -> times, LOCATION ->
room, CATEGORIES -> track, DESCRIPTION -> abstract, URL, UID -> id. Folding, CRLF and escaped
commas are the library's job.

pretalx's export (``PRODID:-//pretalx//<host>//<event>``) has no speaker property: it writes
them into the title, ``SUMMARY:<title> - <name>, <name>`` (``pretalx/schedule/domain/ical.py``).
For such a file the speakers are taken from there, split at the last " - " and at ", ", and
the title is kept without them. iCal gives names only, so a speaker is their name.

The conference zone follows the configuration contract, "a zone in the file wins": the
VTIMEZONE / TZID the events use, else ``X-WR-TIMEZONE``, else AGENDA_TIMEZONE; a file in UTC
only (PyCon UK 2015) or with floating times needs AGENDA_TIMEZONE.

Choices: an event with neither DTEND nor DURATION lasts zero minutes, as RFC 5545 §3.6.1 says
(warned, since "evening social" entries often mean "open end"); all-day events (DATE values) are
not sessions and are skipped with a warning; a UID shared by two events gets ``-2`` appended to
the later one. Because the library silently swallows garbage lines, the text is first checked
line by line (content-line syntax, BEGIN/END nesting), so a corrupted or truncated file is
refused with the line where it breaks.
"""

from __future__ import annotations

import re
from collections import Counter
from contextlib import suppress
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from bot.agenda.errors import AgendaError, AgendaWarning
from bot.agenda.loaders._common import (
    DATA_ERRORS,
    TZ_VARIABLE,
    ParseError,
    People,
    errors_at,
    file_text,
    last_resort,
    localize,
    resolve_zone,
    unique_id,
)
from bot.agenda.loaders.base import LoadResult
from bot.agenda.model import Conference, Session, SessionSpeaker, SessionType

_CONTENT_LINE = re.compile(r"^[A-Za-z0-9-]+(?:;[^:]*)?:")
_BEGIN_END = re.compile(r"^(BEGIN|END):(.*)$", re.IGNORECASE)


def _check_lines(text: str, path: Path) -> None:
    """Refuse text that is not a well-formed iCalendar stream, naming the line."""
    stack: list[str] = []
    last = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        last = number
        if line[0] in " \t":
            if number == 1:
                raise AgendaError(path, "line 1", "starts with a continuation line")
            continue
        if "\x00" in line or not _CONTENT_LINE.match(line):
            raise AgendaError(path, f"line {number}", "not an iCalendar content line")
        m = _BEGIN_END.match(line)
        if not m:
            continue
        kind, name = m[1].upper(), m[2].strip().upper()
        if kind == "BEGIN":
            stack.append(name)
        elif not stack or stack[-1] != name:
            expected = f"END:{stack[-1]}" if stack else "nothing"
            raise AgendaError(path, f"line {number}", f"END:{name} where {expected} was due")
        else:
            stack.pop()
            if not stack and name == "VCALENDAR":
                return
    open_name = stack[-1] if stack else "VCALENDAR"
    raise AgendaError(
        path, f"line {last}", f"the file ends inside {open_name}: truncated (no END:{open_name})"
    )


def _text(component: Any, key: str) -> str:
    value = component.get(key)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip()


def _categories(component: Any) -> list[str]:
    value = component.get("CATEGORIES")
    if value is None:
        return []
    found: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        cats = getattr(item, "cats", None)
        found.extend(str(c).strip() for c in (cats if cats is not None else [item]))
    return [c for c in found if c]


class IcalLoader:
    name = "ical"

    def sniff(self, data: bytes, path: Path) -> bool:
        head = data[:512].removeprefix(b"\xef\xbb\xbf").lstrip()
        return head[:15].upper() == b"BEGIN:VCALENDAR"

    def load(self, data: bytes, path: Path, default_tz: ZoneInfo | None) -> LoadResult:
        text, _ = file_text(data, path)
        _check_lines(text, path)
        try:
            calendar = icalendar.Calendar.from_ical(text)
        except DATA_ERRORS as exc:
            raise AgendaError(path, "", f"not a readable iCalendar file: {exc}") from exc
        with last_resort(path, "iCalendar file"):
            return _Builder(path, calendar, default_tz).build()


class _Builder:
    def __init__(self, path: Path, calendar: Any, default_tz: ZoneInfo | None) -> None:
        self.path = path
        self.calendar = calendar
        self.default_tz = default_tz
        self.warnings: list[AgendaWarning] = []
        self.people = People()
        self.pretalx = _text(calendar, "PRODID").lower().startswith("-//pretalx//")

    def _zone(self, events: list[Any]) -> ZoneInfo:
        names: Counter[str] = Counter()
        for tz in self.calendar.walk("VTIMEZONE"):
            names[_text(tz, "TZID")] += 1
        for event in events:
            start = event.get("DTSTART")
            tzid = start.params.get("TZID") if start is not None else None
            if tzid:
                names[str(tzid)] += 1
        hinted = _text(self.calendar, "X-WR-TIMEZONE")
        for name in [name for name, _ in names.most_common()] + [hinted]:
            with suppress(ParseError):  # a Windows or vendor TZID: try the next
                return resolve_zone(name)
        if self.default_tz is not None:
            return self.default_tz
        raise AgendaError(
            self.path,
            "",
            "the calendar names no time zone (its times are UTC or floating): set "
            f"{TZ_VARIABLE} to the conference's zone (e.g. Europe/London)",
        )

    def build(self) -> LoadResult:
        events = list(self.calendar.walk("VEVENT"))
        zone = self._zone(events)
        sessions: list[Session] = []
        ids: set[str] = set()
        for n, event in enumerate(events, start=1):
            uid = _text(event, "UID")
            place = f"VEVENT {n} (UID {uid})" if uid else f"VEVENT {n}"
            with errors_at(self.path, place):
                session = self._session(event, n, place, uid, zone, ids)
            if session is not None:
                sessions.append(session)
        conference = Conference(
            name=_text(self.calendar, "X-WR-CALNAME")
            or _text(self.calendar, "NAME")
            or self.path.stem,
            timezone=zone,
            sessions=tuple(sessions),
            speakers=self.people.speakers,
            description=_text(self.calendar, "X-WR-CALDESC"),
        )
        return LoadResult(conference, IcalLoader.name, tuple(self.warnings))

    def _moment(self, event: Any, key: str, place: str, zone: ZoneInfo) -> datetime | date | None:
        prop = event.get(key)
        if prop is None:
            return None
        value = getattr(prop, "dt", None)
        if isinstance(value, datetime):
            return localize(value, zone)
        if isinstance(value, date):
            return value
        raise AgendaError(self.path, place, f"{key} {prop.to_ical().decode()!r} is not a date-time")

    def _session(
        self, event: Any, n: int, place: str, uid: str, zone: ZoneInfo, ids: set[str]
    ) -> Session | None:
        for key, message in getattr(event, "errors", []) or []:
            raise AgendaError(self.path, place, f"{key}: {message}")
        title = _text(event, "SUMMARY")
        if not title:
            self.warnings.append(AgendaWarning(place, "skipped: no SUMMARY"))
            return None
        speakers: tuple[SessionSpeaker, ...] = ()
        if self.pretalx:
            title, speakers = self._pretalx_summary(title)
        start = self._moment(event, "DTSTART", place, zone)
        if start is None:
            self.warnings.append(AgendaWarning(place, "skipped: no DTSTART"))
            return None
        if not isinstance(start, datetime):
            self.warnings.append(AgendaWarning(place, "skipped: an all-day event, not a session"))
            return None
        end = self._moment(event, "DTEND", place, zone)
        if end is None and event.get("DURATION") is not None:
            duration = event["DURATION"].dt
            if not isinstance(duration, timedelta):
                raise AgendaError(self.path, place, "DURATION is not a duration")
            end = start + duration
        if end is None:
            end = start
            self.warnings.append(
                AgendaWarning(place, "no DTEND or DURATION: a zero-length entry (RFC 5545)")
            )
        if not isinstance(end, datetime):
            end = datetime.combine(end, start.timetz())
        if end < start:
            raise AgendaError(self.path, place, "DTEND is before DTSTART")
        base = uid or f"vevent-{n}"
        session_id = unique_id(base, ids)
        if session_id != base:
            self.warnings.append(
                AgendaWarning(
                    place, f"UID shared with an earlier event; this one is {session_id!r}"
                )
            )
        categories = _categories(event)
        kind = SessionType.from_title(title) or (
            SessionType.parse(categories[0]) if categories else SessionType.TALK
        )
        if kind is SessionType.OTHER:
            kind = SessionType.TALK
        return Session(
            id=session_id,
            title=title,
            start=start,
            end=end,
            room=_text(event, "LOCATION"),
            track=categories[0] if categories else "",
            type=kind,
            abstract=_text(event, "DESCRIPTION"),
            speakers=speakers,
            day=start.date(),
            url=_text(event, "URL"),
        )

    def _pretalx_summary(self, summary: str) -> tuple[str, tuple[SessionSpeaker, ...]]:
        """``"Title - Ada, Bob"`` -> ("Title", speakers); ``"Title - "`` has none."""
        if summary.endswith(" -"):
            return summary[:-2].rstrip() or summary, ()
        title, sep, names = summary.rpartition(" - ")
        if not sep or not title.strip():
            return summary, ()
        parts: list[SessionSpeaker] = []
        for name in names.split(", "):
            sid = self.people.add(name)
            if sid and all(p.speaker_id != sid for p in parts):
                parts.append(SessionSpeaker(sid))
        return title.strip(), tuple(parts)


LOADER = IcalLoader()
