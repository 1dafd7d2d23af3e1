"""frab / pentabarf ``schedule.xml`` (CCC congresses, FOSDEM, many pretalx exports).

Shape: ``<schedule><conference/><day index date start end><room name><event id guid>``. Two
flavours are handled:

- frab: each event has an ISO ``<date>`` with offset (``2014-12-28T00:00:00+01:00``), which is
  the calendar moment even when the event sits after midnight under the previous ``<day>``.
- pentabarf (FOSDEM): no ``<date>`` and no guid; the moment is the day's ``date`` plus
  ``<start>``, and a start earlier than ``<conference><day_change>`` (the wall-clock time at which
  one conference day turns into the next) falls on the following calendar date.

Either way the session keeps the ``<day>`` it is listed under as ``Session.day``. Abstracts may be
escaped HTML (FOSDEM); they become plain text with paragraphs as blank lines.

Parsed with ``xml.etree.ElementTree``; DOCTYPE and ENTITY declarations are refused up front, so
entity-expansion tricks never reach the parser (no need for defusedxml).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.agenda.errors import AgendaError, AgendaWarning
from bot.agenda.loaders._common import (
    ParseError,
    People,
    conference_zone,
    errors_at,
    html_to_text,
    last_resort,
    localize,
    parse_duration,
    parse_time,
    slugify,
    unique_id,
)
from bot.agenda.loaders.base import LoadResult
from bot.agenda.model import Conference, Session, SessionSpeaker, SessionType

#: Optional declaration, comments and DOCTYPE (refused later, with its line), then <schedule>.
_ROOT = re.compile(
    rb"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>\s*)*"
    rb"<schedule[\s>/]",
    re.DOTALL | re.IGNORECASE,
)
_UNSAFE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)

#: frab/pentabarf event types our generic parser does not know.
_FRAB_TYPES = {
    "devroom": SessionType.TALK,
    "maintrack": SessionType.TALK,
    "lecture": SessionType.TALK,
    "podium": SessionType.PANEL,
    "meeting": SessionType.OTHER,
    "certification": SessionType.OTHER,
}


def _text(element: ET.Element | None, tag: str) -> str:
    if element is None:
        return ""
    found = element.find(tag)
    if found is None or found.text is None:
        return ""
    return found.text.strip()


class FrabXmlLoader:
    name = "schedule.xml"

    def sniff(self, data: bytes, path: Path) -> bool:
        head = data[:4096].removeprefix(b"\xef\xbb\xbf")
        return _ROOT.match(head) is not None

    def load(self, data: bytes, path: Path, default_tz: ZoneInfo | None) -> LoadResult:
        unsafe = _UNSAFE.search(data)
        if unsafe:
            line = data.count(b"\n", 0, unsafe.start()) + 1
            raise AgendaError(
                path, f"line {line}", "DOCTYPE/ENTITY declarations are not allowed in an agenda"
            )
        try:
            root = ET.fromstring(data)  # noqa: S314  DOCTYPE/ENTITY refused above: no expansion
        except ET.ParseError as exc:
            line, column = exc.position
            reason = str(exc).split(":")[0]
            raise AgendaError(path, f"line {line}, column {column + 1}", reason) from exc
        except LookupError as exc:  # an unknown encoding in the XML declaration
            raise AgendaError(path, "line 1", str(exc)) from exc
        if root.tag != "schedule":
            raise AgendaError(path, "line 1", f"expected <schedule>, found <{root.tag}>")
        with last_resort(path, "schedule.xml"):
            return _Builder(path, root, default_tz).build()


class _Builder:
    """Walks one parsed schedule; keeps where it is so every error can name the place."""

    def __init__(self, path: Path, root: ET.Element, default_tz: ZoneInfo | None) -> None:
        self.path = path
        self.root = root
        self.default_tz = default_tz
        self.conf = root.find("conference")
        self.warnings: list[AgendaWarning] = []
        self.people = People()
        self.ids: set[str] = set()

    def _zone(self) -> ZoneInfo:
        offsets: set[timedelta] = set()
        for day in self.root.iter("day"):
            for attr in ("start", "end"):
                value = day.get(attr)
                if value:
                    offsets.add(self._offset(value))
        for event in self.root.iter("event"):
            value = _text(event, "date")
            if value:
                offsets.add(self._offset(value))
        offsets.discard(timedelta(-1))
        zone, warnings = conference_zone(
            self.path,
            file_zone=_text(self.conf, "time_zone_name"),
            default_tz=self.default_tz,
            offsets=offsets,
        )
        self.warnings.extend(warnings)
        return zone

    @staticmethod
    def _offset(value: str) -> timedelta:
        """The UTC offset of an ISO timestamp; a sentinel for naive or unreadable ones."""
        try:
            offset = datetime.fromisoformat(value).utcoffset()
        except ValueError:
            return timedelta(-1)
        return timedelta(-1) if offset is None else offset

    def build(self) -> LoadResult:
        zone = self._zone()
        day_change = self._day_change()
        sessions: list[Session] = []
        rooms: dict[str, None] = {}
        for d_no, day in enumerate(self.root.iter("day"), start=1):
            index = day.get("index") or str(d_no)
            try:
                day_date = date.fromisoformat((day.get("date") or "").strip())
            except ValueError as exc:
                raise AgendaError(
                    self.path, f"day {index}", f"date {day.get('date')!r} is not YYYY-MM-DD"
                ) from exc
            for room in day.iter("room"):
                room_name = (room.get("name") or "").strip()
                if room_name:
                    rooms.setdefault(room_name, None)
                for e_no, event in enumerate(room.iter("event"), start=1):
                    eid = event.get("id") or event.get("guid") or f"#{e_no}"
                    place = f"day {index} / room {room_name!r} / event {eid}"
                    with errors_at(self.path, place):
                        session = self._session(event, place, day_date, day_change, zone, room_name)
                    if session is not None:
                        sessions.append(session)
        conference = Conference(
            name=_text(self.conf, "title") or _text(self.conf, "acronym") or self.path.stem,
            timezone=zone,
            sessions=tuple(sessions),
            speakers=self.people.speakers,
            venue=_text(self.conf, "venue"),
            city=_text(self.conf, "city"),
            url=_text(self.conf, "base_url") or _text(self.conf, "url"),
            declared_rooms=tuple(rooms),
        )
        return LoadResult(conference, FrabXmlLoader.name, tuple(self.warnings))

    def _day_change(self) -> time:
        value = _text(self.conf, "day_change")
        if not value:
            return time(0)
        try:
            return parse_time(value)
        except ValueError as exc:
            raise AgendaError(
                self.path, "conference / day_change", f"{value!r} is not a time"
            ) from exc

    def _session(
        self,
        event: ET.Element,
        place: str,
        day_date: date,
        day_change: time,
        zone: ZoneInfo,
        room_name: str,
    ) -> Session | None:
        title = _text(event, "title")
        if not title:
            self.warnings.append(AgendaWarning(place, "skipped: the event has no title"))
            return None
        start = self._start(event, place, day_date, day_change, zone)
        duration_text = _text(event, "duration")
        try:
            duration = parse_duration(duration_text) if duration_text else timedelta(0)
        except ValueError as exc:
            raise AgendaError(self.path, place, f"duration {duration_text!r} is not HH:MM") from exc
        raw_id = event.get("id") or event.get("guid") or slugify(title, fallback="event")
        session_id = unique_id(raw_id.strip(), self.ids)
        if session_id != raw_id.strip():
            self.warnings.append(
                AgendaWarning(place, f"duplicate event id {raw_id!r}; renamed {session_id!r}")
            )
        abstract = html_to_text(_text(event, "abstract")) or html_to_text(
            _text(event, "description")
        )
        subtitle = _text(event, "subtitle")
        if subtitle and subtitle not in abstract:
            abstract = f"{subtitle}\n\n{abstract}".strip()
        kind_word = _text(event, "type")
        kind = _FRAB_TYPES.get(kind_word.lower()) or SessionType.parse(kind_word)
        return Session(
            id=session_id,
            title=title,
            start=start,
            end=start + duration,
            room=_text(event, "room") or room_name,
            track=_text(event, "track"),
            type=kind,
            abstract=abstract,
            speakers=self._persons(event),
            day=day_date,
            url=_text(event, "url"),
            language=_text(event, "language"),
        )

    def _start(
        self, event: ET.Element, place: str, day_date: date, day_change: time, zone: ZoneInfo
    ) -> datetime:
        stamp = _text(event, "date")
        if stamp:
            try:
                moment = datetime.fromisoformat(stamp)
            except ValueError as exc:
                raise AgendaError(self.path, place, f"date {stamp!r} is not ISO 8601") from exc
            if moment.tzinfo is not None or "T" in stamp:
                return localize(moment, zone)
        start_text = _text(event, "start")
        try:
            clock = parse_time(start_text)
        except ValueError as exc:
            raise AgendaError(self.path, place, f"start {start_text!r} is not HH:MM") from exc
        calendar_day = day_date + timedelta(days=1) if clock < day_change else day_date
        try:
            return localize(datetime.combine(calendar_day, clock), zone)
        except ParseError as exc:
            raise AgendaError(self.path, place, str(exc)) from exc

    def _persons(self, event: ET.Element) -> tuple[SessionSpeaker, ...]:
        """``<person id guid>Name</person>``: identity by ``id``, else ``guid``, else the name."""
        parts: list[SessionSpeaker] = []
        persons = event.find("persons")
        if persons is None:
            return ()
        for person in persons.iter("person"):
            pid = self.people.add(
                person.text or "", (("id", person.get("id")), ("guid", person.get("guid")))
            )
            if pid and all(p.speaker_id != pid for p in parts):
                parts.append(SessionSpeaker(pid))
        return tuple(parts)


LOADER = FrabXmlLoader()
