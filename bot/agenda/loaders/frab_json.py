"""The frab / pretalx ``schedule.json`` export (``/schedule/export/schedule.json``).

Shape: ``{"schedule": {"version", "conference": {"title", "time_zone_name", "rooms", "days":
[{"index", "date", "rooms": {"Room": [event, ...]}}]}}}``. Real exports vary (see
``/work/shared/schedules/README.md`` for the quirks of the ones we test with), so this reads
leniently where the meaning is clear and refuses, naming the event, where it is not:

* the start comes from the event's ISO ``date`` with its offset, converted to the conference's
  zone (one jev22 event is at ``-05:00`` in a Europe/Amsterdam conference); ``start`` + the day's
  date is only a fallback, rolled past midnight when it is earlier than the day's start;
* the zone is ``time_zone_name``, else ``AGENDA_TIMEZONE``, else a fixed zone from the offsets
  (with a warning: no daylight saving), else an error naming ``AGENDA_TIMEZONE``;
* durations ``"HH:MM"``, ``"H:MM"`` and ``"D:HH:MM"``;
* an event keeps the conference day it is listed under, even after midnight;
* persons become speakers, keyed by ``code``, ``id`` or ``guid`` (else a slug of the name) and
  merged across events;
* a text pretalx gives in several languages (``"title": {"en": "...", "de": "..."}``) keeps
  every language (titles, abstracts, the conference's name and description); its first
  language is the event's own. Rooms, tracks and types in several languages are read in their
  first language.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from bot.agenda.errors import AgendaError, AgendaWarning
from bot.agenda.loaders._common import (
    ParseError,
    People,
    decode_text,
    describe_value,
    file_text,
    join_localized,
    json_key,
    localize,
    localized_text,
    parse_date,
    parse_datetime,
    parse_duration,
    parse_json,
    parse_time,
    resolve_zone,
    zone_for_offset,
)
from bot.agenda.loaders.base import LoadResult
from bot.agenda.model import Conference, Session, SessionSpeaker, SessionType, Translations

FORMAT_NAME = "schedule.json"


def _text(value: object) -> str:
    """Optional text fields: null and numbers are common in real exports, so both are read;
    a text in several languages (``{"en": ..., "de": ...}``) gives its first language's."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    found = localized_text(value, _text)
    return found[0] if found is not None else ""


def _localized(
    value: object, read: Callable[[object], str] | None = None
) -> tuple[str, Translations]:
    """A text and, when pretalx gives it in several languages, every language's."""
    read = read or _text
    found = localized_text(value, read)
    return found if found is not None else (read(value), ())


def _ident(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, str | int):
        return str(value).strip()
    return ""


def _describe(value: object) -> str:
    return describe_value(value, "json")


@dataclass
class _Reader:
    path: Path
    warnings: list[AgendaWarning] = field(default_factory=list)

    def fail(self, place: str, message: str) -> NoReturn:
        raise AgendaError(self.path, place, message)

    def obj(self, value: object, place: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(place, f"must be an object, not {_describe(value)}")
        return value

    def array(self, value: object, place: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(place, f"must be a list, not {_describe(value)}")
        return value


def _first_offset(days: list[Any]) -> timedelta | None:
    """The UTC offset of the first dated event or day start, for files without a zone name."""
    for day in days:
        if not isinstance(day, dict):
            continue
        candidates: list[object] = [day.get("day_start")]
        rooms = day.get("rooms")
        if isinstance(rooms, dict):
            for events in rooms.values():
                if isinstance(events, list):
                    candidates.extend(e.get("date") for e in events if isinstance(e, dict))
        for value in candidates:
            try:
                moment = parse_datetime(value)
            except ParseError:
                continue
            if moment.tzinfo is not None:
                return moment.utcoffset()
    return None


def _zone(
    reader: _Reader, conf: dict[str, Any], days: list[Any], default_tz: ZoneInfo | None
) -> ZoneInfo:
    name = conf.get("time_zone_name")
    if name not in (None, ""):
        try:
            return resolve_zone(name)
        except ParseError as exc:
            reader.fail("schedule.conference.time_zone_name", str(exc))
    if default_tz is not None:
        return default_tz
    offset = _first_offset(days)
    zone = zone_for_offset(offset)
    if zone is not None:
        reader.warnings.append(
            AgendaWarning(
                "schedule.conference",
                f"no time_zone_name: times are shown at the file's fixed offset ({zone.key}), "
                "without daylight saving; set AGENDA_TIMEZONE to the conference's zone",
            )
        )
        return zone
    reader.fail(
        "schedule.conference.time_zone_name",
        "the file names no time zone; set AGENDA_TIMEZONE to the conference's zone "
        "(an IANA name such as Europe/Berlin)",
    )


@dataclass
class _Speakers:
    """Speakers met so far: one per person by the shared identity rule (``People``)."""

    people: People = field(default_factory=People)

    def add(self, reader: _Reader, person: object, place: str) -> str | None:
        data = reader.obj(person, place)
        name = _text(data.get("public_name")) or _text(data.get("name"))
        name = name or _text(data.get("full_public_name"))
        if not name:
            reader.warnings.append(AgendaWarning(place, "a person without a name is skipped"))
            return None
        bio = _clean(data.get("biography")) or _clean(data.get("bio"))
        # pretalx's speaker code (also its CSV's "Speaker IDs"), frab's id, c3voc's guid.
        ids = (("code", data.get("code")), ("id", data.get("id")), ("guid", data.get("guid")))
        return self.people.add(name, [(k, _ident(v)) for k, v in ids], bio=bio)


def _event_start(
    reader: _Reader,
    event: dict[str, Any],
    day_date: date | None,
    day_start: datetime | None,
    tz: ZoneInfo,
    at: str,
    label: str,
) -> datetime:
    """The event's moment: its ISO ``date`` when present, else the day's date plus ``start``.

    ``start`` is checked either way: a broken one ("25:61") is an error even when ``date``
    would do, because it means the export is damaged. When both are valid but name different
    wall-clock times, ``date`` (the full instant) is used and a warning says so.
    """
    raw_start = event.get("start")
    clock: time | None = None
    if raw_start not in (None, ""):
        try:
            clock = parse_time(raw_start)
        except ParseError as exc:
            reader.fail(f"{at}.start", f"{exc}, in {label}")
    raw_date = event.get("date")
    if raw_date not in (None, ""):
        try:
            written = parse_datetime(raw_date)
            moment = localize(written, tz)
        except ParseError as exc:
            reader.fail(f"{at}.date", f"{exc}, in {label}")
        if clock is not None and _hm(clock) not in (_hm(written.time()), _hm(moment.time())):
            reader.warnings.append(
                AgendaWarning(
                    f"{at}.start",
                    f"start {raw_start!r} disagrees with date {raw_date!r} "
                    f"({moment:%H:%M} in {tz.key}); using date, in {label}",
                )
            )
        return moment
    if day_date is None:
        reader.fail(f"{at}.date", f"the event has no date and its day has none either, in {label}")
    if clock is None:
        reader.fail(f"{at}.start", f"the event has neither 'date' nor 'start', in {label}")
    moment = datetime.combine(day_date, clock)
    if day_start is not None and clock < day_start.astimezone(tz).time():
        moment += timedelta(days=1)  # listed under the day, but after midnight
    try:
        return localize(moment, tz)
    except ParseError as exc:
        reader.fail(f"{at}.start", f"{exc}, in {label}")


def _hm(clock: time) -> tuple[int, int]:
    return clock.hour, clock.minute


def _clean(value: object) -> str:
    """Text with Windows line ends and trailing spaces removed (they only get in the way)."""
    lines = _text(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def _abstract(event: dict[str, Any]) -> tuple[str, Translations]:
    """Subtitle, abstract and description joined, without repeating one that equals another,
    in every language they are given in."""
    return join_localized(
        [_localized(event.get(key), _clean) for key in ("subtitle", "abstract", "description")]
    )


def load_document(
    doc: object, path: Path, default_tz: ZoneInfo | None
) -> tuple[Conference, list[AgendaWarning]]:
    """A parsed schedule.json document to a Conference."""
    reader = _Reader(path)
    top = reader.obj(doc, "")
    if "schedule" not in top:
        reader.fail("", "no 'schedule' object: not a frab/pretalx schedule.json")
    schedule = reader.obj(top["schedule"], "schedule")
    conf = reader.obj(schedule.get("conference"), "schedule.conference")
    days = reader.array(conf.get("days"), "schedule.conference.days")
    tz = _zone(reader, conf, days, default_tz)

    declared: list[str] = []
    for i, room in enumerate(reader.array(conf.get("rooms"), "schedule.conference.rooms")):
        name = _text(room.get("name")) if isinstance(room, dict) else _text(room)
        if not name:
            reader.fail(f"schedule.conference.rooms[{i}]", "a room needs a name")
        declared.append(name)

    speakers = _Speakers()
    sessions: list[Session] = []
    seen: dict[str, str] = {}
    used_rooms: list[str] = []
    for i, raw_day in enumerate(days):
        day_place = f"schedule.conference.days[{i}]"
        day = reader.obj(raw_day, day_place)
        day_date: date | None = None
        if day.get("date") not in (None, ""):
            try:
                day_date = parse_date(day["date"])
            except ParseError as exc:
                reader.fail(f"{day_place}.date", str(exc))
        day_start: datetime | None = None
        if day.get("day_start") not in (None, ""):
            try:
                day_start = localize(parse_datetime(day["day_start"]), tz)
            except ParseError as exc:
                reader.fail(f"{day_place}.day_start", str(exc))
        rooms = day.get("rooms")
        if rooms is None:
            continue
        if not isinstance(rooms, dict):
            reader.fail(
                f"{day_place}.rooms",
                f"must be an object of rooms, not {_describe(rooms)}",
            )
        for room_key, raw_events in rooms.items():
            events = reader.array(raw_events, f"{day_place}.rooms[{json_key(room_key)}]")
            for j, raw_event in enumerate(events):
                at = f"{day_place}.rooms[{json_key(room_key)}][{j}]"
                event = reader.obj(raw_event, at)
                sid = _ident(event.get("guid")) or _ident(event.get("id"))
                title, titles = _localized(event.get("title"))
                label = f"event {sid or '?'} {title[:40]!r}"
                if not sid:
                    reader.fail(at, f"the event has neither 'guid' nor 'id' ({label})")
                if not title:
                    reader.fail(f"{at}.title", f"the event has no title ({label})")
                if sid in seen:
                    reader.fail(at, f"duplicate event id {sid!r} (also {seen[sid]!r})")
                seen[sid] = title
                start = _event_start(reader, event, day_date, day_start, tz, at, label)
                try:
                    length = parse_duration(event.get("duration"), three_parts="dhm")
                except ParseError as exc:
                    reader.fail(f"{at}.duration", f"{exc}, in {label}")
                room = _text(event.get("room")) or str(room_key)
                if room not in used_rooms:
                    used_rooms.append(room)
                parts: list[SessionSpeaker] = []
                for k, person in enumerate(reader.array(event.get("persons"), f"{at}.persons")):
                    key = speakers.add(reader, person, f"{at}.persons[{k}]")
                    if key and all(p.speaker_id != key for p in parts):
                        parts.append(SessionSpeaker(key))
                abstract, abstracts = _abstract(event)
                sessions.append(
                    Session(
                        id=sid,
                        title=title,
                        titles=titles,
                        start=start,
                        end=start + length,
                        room=room,
                        track=_text(event.get("track")),
                        type=SessionType.parse(_text(event.get("type")) or None),
                        abstract=abstract,
                        abstracts=abstracts,
                        speakers=tuple(parts),
                        day=day_date or start.date(),
                        url=_text(event.get("url")),
                        language=_text(event.get("language")),
                    )
                )
    if not sessions and isinstance(schedule.get("events"), list) and schedule["events"]:
        reader.fail(
            "schedule.events",
            "a c3voc schedule version 2 (events in one flat list, no days): export the "
            "frab/pretalx schedule.json (version 1) instead",
        )
    if not sessions:
        reader.fail("schedule.conference.days", "the schedule has no events")
    # Merged exports declare many rooms that hold nothing; show only the rooms in use.
    rooms_in_order = [r for r in declared if r in used_rooms]
    rooms_in_order += [r for r in used_rooms if r not in rooms_in_order]
    name, names = _localized(conf.get("title"))
    description, descriptions = _localized(conf.get("description"))
    conference = Conference(
        name=name or _text(conf.get("acronym")) or path.stem,
        names=names if name else (),
        timezone=tz,
        sessions=tuple(sessions),
        speakers=dict(speakers.people.speakers),
        description=description,
        descriptions=descriptions,
        url=_text(conf.get("url")) or _text(schedule.get("base_url")),
        declared_rooms=tuple(rooms_in_order),
    )
    return conference, reader.warnings


class FrabJsonLoader:
    """frab / pretalx ``schedule.json``."""

    name = FORMAT_NAME

    def sniff(self, data: bytes, path: Path) -> bool:
        """JSON whose top level holds a ``schedule`` object with a ``conference``."""
        head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if head != b"{" or b'"schedule"' not in data:
            return False
        try:
            doc = json.loads(decode_text(data)[0])
        except (ValueError, RecursionError):
            # Broken JSON that still looks like a schedule should get JSON's error, not "unknown".
            return b'"conference"' in data and b'"days"' in data
        schedule = doc.get("schedule") if isinstance(doc, dict) else None
        return isinstance(schedule, dict) and "conference" in schedule

    def load(self, data: bytes, path: Path, default_tz: ZoneInfo | None) -> LoadResult:
        text, _ = file_text(data, path)
        doc = parse_json(text, path)
        conference, warnings = load_document(doc, path, default_tz)
        return LoadResult(conference, FORMAT_NAME, tuple(warnings))


LOADER = FrabJsonLoader()
