"""Indico's HTTP API export of an event: ``/export/event/ID.json?detail=contributions`` (or
``detail=sessions``), the format most scientific and many governmental conferences can give.

Shape (``indico/modules/events/api.py``): ``{"count", "results": [event, ...]}`` where an event
is ``{"_type": "Conference", "title", "timezone", "startDate", "contributions": [...]}`` and,
with ``detail=sessions``, ``"sessions": [block, ...]``: the timetable blocks of each session,
each with its own ``contributions``. A bare event object (``results[0]`` saved on its own) is
read too. What Indico's exports really look like, and how each part is read:

* **Times** are ``{"date": "2022-08-22", "time": "17:30:00", "tz": "Europe/Zurich"}`` in the
  *server's* zone (or the ``tz=`` of the request), which need not be the event's: CERN served
  a Europe/Paris symposium in Europe/Zurich time, freedesktop.org serves UTC. They are exact
  instants; the conference is shown in the event's ``timezone``.
* **Contributions** are the sessions of the programme: ``title``, ``description`` (HTML),
  ``room`` (else ``roomFullname``, else the block's room), ``type``, ``url``; an unscheduled one
  (``startDate: null``) is skipped with a warning. The end is ``endDate``, else the start plus
  ``duration`` minutes. Sub-contributions have no times: their titles join the abstract and
  their speakers the contribution's.
* **Sessions become tracks**: a contribution's track is its session's title (``session``, or
  the block's), else its Indico ``track``. A block without contributions is a session itself,
  with its conveners as chairs. A **poster session** (``isPoster``, or contributions whose type
  says poster) is one session listing its posters, not dozens of talks in one room at once.
* **Speakers** are ``speakers``, else (many events mark none) the ``primaryauthors``; never the
  co-authors. Each comes with their ``affiliation`` and is named
  ``first_name last_name`` (legacy files have only ``fullName``, "LAST, First"). Identity: the
  event person (``person_id``), else the e-mail hash (not the hash of an empty address), else
  the name. Indico's own ``id`` is not used: it numbers the person's link to one contribution
  (current Indico) or their place in its list (legacy: every first speaker is "0").
* Files saved by Windows tools may be UTF-16 (with a BOM); ``load_bytes`` re-encodes them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from bot.agenda.errors import AgendaError, AgendaWarning
from bot.agenda.loaders._common import (
    TZ_VARIABLE,
    ParseError,
    People,
    describe_value,
    file_text,
    html_to_text,
    last_resort,
    parse_date,
    parse_json,
    parse_time,
    resolve_zone,
    unique_id,
)
from bot.agenda.loaders.base import LoadResult
from bot.agenda.model import Conference, Session, SessionSpeaker, SessionType

FORMAT_NAME = "indico"
#: md5("") : what Indico writes as the e-mail hash of a person without an address.
_NO_EMAIL = "d41d8cd98f00b204e9800998ecf8427e"
_FINGERPRINT = re.compile(
    rb'"(?:_fossil"\s*:\s*"conferenceMetadata|_type"\s*:\s*"(?:HTTPAPIResult|Conference)")'
)
_TITLE_PREFIX = re.compile(r"^((?:(?:Dr|Prof|Mr|Mrs|Ms|Mx|Sir|Dame)\.?\s+)*)(.*)$", re.IGNORECASE)
_POSTER = re.compile(r"\bposters?\b", re.IGNORECASE)


def _text(value: object) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int | float):
        return str(value)
    return value.strip() if isinstance(value, str) else ""


def _events(doc: object) -> list[Any] | None:
    """The event objects of an export, or None when it is not an Indico event export."""
    if isinstance(doc, Mapping):
        results = doc.get("results")
        if isinstance(results, list) and ("count" in doc or doc.get("_type") == "HTTPAPIResult"):
            return results
        if _is_event(doc):
            return [doc]
    if isinstance(doc, list) and doc and all(_is_event(e) for e in doc):
        return list(doc)
    return None


def _is_event(value: object) -> bool:
    if not isinstance(value, Mapping):
        return False
    fossil = _text(value.get("_fossil"))
    return value.get("_type") == "Conference" or fossil.startswith("conferenceMetadata")


class IndicoLoader:
    name = FORMAT_NAME

    def sniff(self, data: bytes, path: Path) -> bool:
        head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if head not in (b"{", b"[") or not _FINGERPRINT.search(data):
            return False
        try:
            doc = json.loads(data.decode("utf-8-sig"))
        except (ValueError, RecursionError):
            # Broken JSON that is plainly Indico's gets JSON's line and column, not "unknown".
            return _FINGERPRINT.search(data[:65536]) is not None
        found = _events(doc)
        return found is not None

    def load(self, data: bytes, path: Path, default_tz: ZoneInfo | None) -> LoadResult:
        text, _ = file_text(data, path)
        doc = parse_json(text, path)
        events = _events(doc)
        if events is None:
            raise AgendaError(path, "", "not an Indico event export (no 'results' list of events)")
        with last_resort(path, "Indico export"):
            return _Builder(path, default_tz).build(events)


@dataclass
class _Builder:
    path: Path
    default_tz: ZoneInfo | None
    warnings: list[AgendaWarning] = field(default_factory=list)
    people: People = field(default_factory=People)
    ids: set[str] = field(default_factory=set)

    def fail(self, place: str, message: str) -> NoReturn:
        raise AgendaError(self.path, place, message)

    def obj(self, value: object, place: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(place, f"must be an object, not {describe_value(value, 'json')}")
        return value

    def array(self, value: object, place: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(place, f"must be a list, not {describe_value(value, 'json')}")
        return value

    def build(self, events: list[Any]) -> LoadResult:
        if not events:
            self.fail(
                "results",
                "the export holds no event (results is empty): the event is unlisted or "
                "protected, or the export needs an API token",
            )
        first = self.obj(events[0], "results[0]")
        zone = self._zone(first)
        if len(events) > 1:
            self.warnings.append(
                AgendaWarning(
                    "results",
                    f"the export holds {len(events)} events; they are loaded as one programme "
                    f"named after the first, {_text(first.get('title'))!r}",
                )
            )
        sessions: list[Session] = []
        for n, raw in enumerate(events):
            event = self.obj(raw, f"results[{n}]")
            prefix = f"{_text(event.get('id'))}-" if len(events) > 1 else ""
            sessions.extend(self._event_sessions(event, f"results[{n}]", zone, prefix))
        if not sessions:
            fossil = _text(first.get("_fossil"))
            why = (
                "it was exported without its contributions: add ?detail=contributions "
                "(or detail=sessions) to the export URL"
                if fossil == "conferenceMetadata" or "contributions" not in first
                else "none of its contributions is scheduled"
            )
            self.fail("results[0].contributions", f"the event has no sessions: {why}")
        chairs = [self._name(c) for c in self.array(first.get("chairs"), "results[0].chairs")]
        organiser = _text(first.get("organizer"))
        conference = Conference(
            name=_text(first.get("title")) or self.path.stem,
            timezone=zone,
            sessions=tuple(sessions),
            speakers=self.people.speakers,
            venue=_text(first.get("location")),
            address=_text(first.get("address")),
            organisers=(organiser,) if organiser else tuple(c for c in chairs if c),
            description=html_to_text(_text(first.get("description"))),
            url=_text(first.get("url")),
        )
        return LoadResult(conference, FORMAT_NAME, tuple(self.warnings))

    def _zone(self, event: Mapping[str, Any]) -> ZoneInfo:
        """The event's own ``timezone``; else AGENDA_TIMEZONE; else its start's ``tz``."""
        name = _text(event.get("timezone"))
        if name:
            try:
                return resolve_zone(name)
            except ParseError as exc:
                if self.default_tz is None:
                    self.fail("results[0].timezone", str(exc))
                self.warnings.append(
                    AgendaWarning("results[0].timezone", f"{exc}; using {self.default_tz}")
                )
        if self.default_tz is not None:
            return self.default_tz
        start = event.get("startDate")
        if isinstance(start, Mapping) and _text(start.get("tz")):
            try:
                zone = resolve_zone(_text(start.get("tz")))
            except ParseError:
                pass
            else:
                self.warnings.append(
                    AgendaWarning(
                        "results[0].timezone",
                        f"the event names no time zone; showing it in {zone.key}, the zone of "
                        f"its times (set {TZ_VARIABLE} if the conference is elsewhere)",
                    )
                )
                return zone
        self.fail(
            "results[0].timezone",
            f"the event names no time zone: set {TZ_VARIABLE} to the conference's zone",
        )

    def _moment(self, value: object, place: str, zone: ZoneInfo) -> datetime | None:
        """``{date, time, tz}`` as an instant shown in ``zone``; None for null."""
        if value is None:
            return None
        data = self.obj(value, place)
        try:
            day = parse_date(data.get("date"))
            clock = parse_time(_text(data.get("time")).split(".")[0])
            written = resolve_zone(_text(data.get("tz")) or zone.key)
        except ParseError as exc:
            self.fail(place, str(exc))
        return datetime.combine(day, clock, tzinfo=written).astimezone(zone)

    def _event_sessions(
        self, event: Mapping[str, Any], at: str, zone: ZoneInfo, prefix: str
    ) -> Iterator[Session]:
        loose = self.array(event.get("contributions"), f"{at}.contributions")
        yield from self._contributions(loose, f"{at}.contributions", zone, prefix, block=None)
        for b, raw in enumerate(self.array(event.get("sessions"), f"{at}.sessions")):
            place = f"{at}.sessions[{b}]"
            block = self.obj(raw, place)
            contributions = self.array(block.get("contributions"), f"{place}.contributions")
            if contributions:
                yield from self._contributions(
                    contributions, f"{place}.contributions", zone, prefix, block=block
                )
            else:
                session = self._block_session(block, place, zone, prefix)
                if session is not None:
                    yield session

    def _contributions(
        self,
        items: list[Any],
        at: str,
        zone: ZoneInfo,
        prefix: str,
        block: Mapping[str, Any] | None,
    ) -> Iterator[Session]:
        posters: dict[tuple[str, str], list[Session]] = {}
        block_is_poster = bool(block and _session_of(block).get("isPoster"))
        for n, raw in enumerate(items):
            place = f"{at}[{n}]"
            contribution = self.obj(raw, place)
            session = self._contribution(contribution, place, zone, prefix, block)
            if session is None:
                continue
            kind = _text(contribution.get("type"))
            if block_is_poster or _POSTER.search(kind):
                posters.setdefault((session.track or kind, session.room), []).append(session)
            else:
                yield session
        for group in posters.values():
            if block_is_poster and block is not None:
                yield self._poster_session(group, block, prefix, zone)
                continue
            for cluster in _overlapping(group):
                yield (
                    cluster[0]
                    if len(cluster) == 1
                    else self._poster_session(cluster, None, prefix, zone)
                )

    def _contribution(
        self,
        data: Mapping[str, Any],
        place: str,
        zone: ZoneInfo,
        prefix: str,
        block: Mapping[str, Any] | None,
    ) -> Session | None:
        title = _text(data.get("title"))
        raw_id = _text(data.get("id")) or _text(data.get("friendly_id")) or _text(data.get("db_id"))
        label = f"{place} (id {raw_id or '?'}, {title[:40]!r})"
        if not title:
            self.warnings.append(AgendaWarning(label, "skipped: the contribution has no title"))
            return None
        start = self._moment(data.get("startDate"), f"{place}.startDate", zone)
        if start is None:
            self.warnings.append(AgendaWarning(label, "skipped: not scheduled (no startDate)"))
            return None
        end = self._moment(data.get("endDate"), f"{place}.endDate", zone)
        if end is None:
            minutes = data.get("duration")
            if isinstance(minutes, bool) or not isinstance(minutes, int | float) or minutes < 0:
                self.fail(f"{place}.duration", f"{minutes!r} is not a number of minutes")
            end = start + timedelta(minutes=minutes)
        if end < start:
            self.fail(f"{place}.endDate", "the contribution ends before it starts")
        speakers = self._speakers(data.get("speakers"), f"{place}.speakers", "speaker")
        if not speakers:  # many events mark no speaker: the primary authors present
            speakers = self._speakers(
                data.get("primaryauthors"), f"{place}.primaryauthors", "speaker"
            )
        abstract = html_to_text(_text(data.get("description")))
        subs = self.array(data.get("subContributions"), f"{place}.subContributions")
        lines: list[str] = []
        for k, raw_sub in enumerate(subs):
            sub = self.obj(raw_sub, f"{place}.subContributions[{k}]")
            extra = self._speakers(
                sub.get("speakers"), f"{place}.subContributions[{k}].speakers", "speaker"
            )
            speakers += tuple(s for s in extra if s.speaker_id not in _ids(speakers))
            names = ", ".join(self.people.speakers[s.speaker_id].name for s in extra)
            sub_title = _text(sub.get("title"))
            if sub_title:
                lines.append(f"- {sub_title}" + (f" ({names})" if names else ""))
        if lines:
            abstract = "\n\n".join(x for x in (abstract, "\n".join(lines)) if x)
        track = _text(data.get("session")) or (
            _text(_session_of(block).get("title")) if block else ""
        )
        kind_word = _text(data.get("type"))
        kind = SessionType.parse(kind_word) if kind_word else SessionType.TALK
        if kind is SessionType.OTHER:
            kind = SessionType.from_title(title) or SessionType.TALK
        room = _text(data.get("room")) or _text(data.get("roomFullname"))
        if not room and block is not None:
            room = _text(block.get("room")) or _text(block.get("roomFullname"))
        return Session(
            id=unique_id(prefix + (raw_id or f"contribution-{len(self.ids) + 1}"), self.ids),
            title=title,
            start=start,
            end=end,
            room=room,
            track=track or _text(data.get("track")),
            type=kind,
            abstract=abstract,
            speakers=speakers,
            day=start.date(),
            url=_text(data.get("url")),
        )

    def _poster_session(
        self,
        group: list[Session],
        block: Mapping[str, Any] | None,
        prefix: str,
        zone: ZoneInfo,
    ) -> Session:
        """Posters presented side by side: one session, the posters listed in its abstract.

        A poster block spans its own times; posters outside a block span theirs.
        """
        group = sorted(group, key=lambda p: (p.start, p.title))
        first = group[0]
        start, end = first.start, max(p.end for p in group)
        title = first.track or "Posters"
        base = first.id
        url = first.url
        if block is not None:
            title = _text(block.get("title")) or title
            base = _text(block.get("id")) or base
            url = _text(block.get("url")) or url
            start = self._moment(block.get("startDate"), "block", zone) or start
            end = max(self._moment(block.get("endDate"), "block", zone) or end, start)
        lines = []
        speakers: list[SessionSpeaker] = []
        for poster in group:
            names = ", ".join(self.people.speakers[s.speaker_id].name for s in poster.speakers)
            lines.append(f"- {poster.title}" + (f" ({names})" if names else ""))
            speakers.extend(s for s in poster.speakers if s.speaker_id not in _ids(speakers))
            self.ids.discard(poster.id)  # the poster's own id is free again
        return Session(
            id=unique_id(f"{prefix}posters-{base}", self.ids),
            title=title,
            start=start,
            end=end,
            room=first.room,
            track=first.track,
            type=SessionType.OTHER,
            abstract=f"{len(group)} posters:\n" + "\n".join(lines),
            speakers=tuple(speakers),
            day=start.date(),
            url=url,
        )

    def _block_session(
        self, block: Mapping[str, Any], place: str, zone: ZoneInfo, prefix: str
    ) -> Session | None:
        """A timetable block with no contributions in the export: a session of its own."""
        title = _text(block.get("title")) or _text(_session_of(block).get("title"))
        start = self._moment(block.get("startDate"), f"{place}.startDate", zone)
        if not title or start is None:
            self.warnings.append(AgendaWarning(place, "skipped: a session block without times"))
            return None
        end = self._moment(block.get("endDate"), f"{place}.endDate", zone) or start
        chairs = self._speakers(
            block.get("conveners") or _session_of(block).get("sessionConveners"),
            f"{place}.conveners",
            "chair",
        )
        kind = SessionType.from_title(title) or SessionType.TALK
        return Session(
            id=unique_id(f"{prefix}session-{_text(block.get('id')) or title}", self.ids),
            title=title,
            start=start,
            end=max(end, start),
            room=_text(block.get("room")) or _text(block.get("roomFullname")),
            track=_text(_session_of(block).get("title")),
            type=kind,
            abstract=html_to_text(_text(block.get("description"))),
            speakers=chairs,
            day=start.date(),
            url=_text(block.get("url")),
        )

    def _speakers(self, value: object, place: str, role: str) -> tuple[SessionSpeaker, ...]:
        out: list[SessionSpeaker] = []
        for k, raw in enumerate(self.array(value, place)):
            person = self.obj(raw, f"{place}[{k}]")
            email = _text(person.get("emailHash"))
            sid = self.people.add(
                self._name(person),
                (
                    ("person_id", person.get("person_id")),
                    ("email", "" if email == _NO_EMAIL else email),
                ),
                affiliation=_text(person.get("affiliation")),
            )
            if sid and sid not in _ids(out):
                out.append(SessionSpeaker(sid, role))
        return tuple(out)

    @staticmethod
    def _name(person: object) -> str:
        """``First Last``; a legacy ``"Dr. LAST, First"`` becomes ``"Dr. First LAST"``."""
        if not isinstance(person, Mapping):
            return ""
        first = _text(person.get("first_name")) or _text(person.get("firstName"))
        last = _text(person.get("last_name")) or _text(person.get("familyName"))
        if first or last:
            return f"{first} {last}".strip()
        full = _text(person.get("fullName")) or _text(person.get("name"))
        m = _TITLE_PREFIX.match(full)
        title, rest = (m[1], m[2]) if m else ("", full)
        if rest.count(",") == 1:
            surname, given = (p.strip() for p in rest.split(","))
            if surname and given:
                return f"{title}{given} {surname}"
        return full


def _overlapping(sessions: list[Session]) -> Iterator[list[Session]]:
    """Runs of sessions that overlap in time (posters up at the same time)."""
    cluster: list[Session] = []
    for s in sorted(sessions, key=lambda s: (s.start, s.end)):
        if cluster and s.start >= max(c.end for c in cluster):
            yield cluster
            cluster = []
        cluster.append(s)
    if cluster:
        yield cluster


def _session_of(block: Mapping[str, Any] | None) -> Mapping[str, Any]:
    session = block.get("session") if block else None
    return session if isinstance(session, Mapping) else {}


def _ids(parts: tuple[SessionSpeaker, ...] | list[SessionSpeaker]) -> set[str]:
    return {p.speaker_id for p in parts}


LOADER = IndicoLoader()
