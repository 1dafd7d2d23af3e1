"""Sessionize "All data" JSON export (``/api/v2/{id}/view/All``).

Top level: ``sessions``, ``speakers``, ``questions``, ``categories``, ``rooms``. Quirks handled:
a UTF-8 BOM; session ids are strings (numeric for talks, GUIDs for service sessions) while
``speakers[].sessions`` holds integers; ``categoryItems`` are integer ids resolved through
``categories[].items`` (the category titled Track/Category/Topic becomes the track, "Session
format" the type); times are naive local times, so AGENDA_TIMEZONE is required unless they carry
an offset. Service sessions (breaks, keynote slots, parties) are typed from their title and
default to a break. Sessions not yet scheduled (``startsAt`` null) are skipped with a warning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.agenda.errors import AgendaError, AgendaWarning
from bot.agenda.loaders._common import (
    DATA_ERRORS,
    ParseError,
    conference_zone,
    errors_at,
    file_text,
    html_to_text,
    last_resort,
    localize,
    parse_json,
    unique_id,
)
from bot.agenda.loaders.base import LoadResult
from bot.agenda.model import Conference, Session, SessionSpeaker, SessionType, Speaker

#: Field names only Sessionize uses; lets a truncated export still be recognised (and then
#: refused with the line and column where it breaks) rather than reported as "unknown format".
_FINGERPRINT = re.compile(rb'"(?:isServiceSession|isPlenumSession|startsAt|fullName)"\s*:')
_FIRST_KEY = re.compile(rb'^\s*\{\s*"(sessions|speakers)"\s*:')
_TRACK_TITLES = ("track", "category", "categories", "topic", "topics", "theme", "stream")
_FORMAT_TITLES = ("session format", "format", "session type", "type")
_TELEGRAM = re.compile(r"(?:t\.me|telegram\.me)/@?([A-Za-z0-9_]{4,32})")


class SessionizeLoader:
    name = "sessionize"

    def sniff(self, data: bytes, path: Path) -> bool:
        head = data.removeprefix(b"\xef\xbb\xbf")
        if not head.lstrip().startswith(b"{"):
            return False
        try:
            top = json.loads(head)
        except (ValueError, RecursionError):
            # Not valid JSON (truncated, corrupted): recognise it by its first key and field names.
            return bool(_FIRST_KEY.match(head[:200]) and _FINGERPRINT.search(head[:65536]))
        return (
            isinstance(top, dict)
            and "schedule" not in top
            and isinstance(top.get("sessions"), list)
            and isinstance(top.get("speakers"), list)
            and ("rooms" in top or "categories" in top)
        )

    def load(self, data: bytes, path: Path, default_tz: ZoneInfo | None) -> LoadResult:
        text, _ = file_text(data, path)
        top = parse_json(text, path)
        if not isinstance(top, dict) or not isinstance(top.get("sessions"), list):
            raise AgendaError(path, "", "expected a JSON object with a 'sessions' list")
        with last_resort(path, "Sessionize export"):
            return _Builder(path, top, default_tz).build()


def _s(value: Any) -> str:
    return "" if value is None else str(value).strip()


class _Builder:
    def __init__(self, path: Path, top: dict[str, Any], default_tz: ZoneInfo | None) -> None:
        self.path = path
        self.top = top
        self.default_tz = default_tz
        self.warnings: list[AgendaWarning] = []

    def _list(self, key: str) -> list[Any]:
        value = self.top.get(key) or []
        if not isinstance(value, list):
            raise AgendaError(self.path, key, "expected a list")
        return value

    def build(self) -> LoadResult:
        rooms, declared = self._rooms()
        tracks, formats = self._categories()
        speakers, by_session = self._speakers()
        raw = self._list("sessions")
        zone = self._zone(raw)
        sessions: list[Session] = []
        ids: set[str] = set()
        for n, item in enumerate(raw):
            if not isinstance(item, Mapping):
                raise AgendaError(self.path, f"sessions[{n}]", "expected an object")
            place = f"sessions[{n}] (id {_s(item.get('id'))!r})"
            with errors_at(self.path, place):
                session = self._session(item, place, zone, rooms, tracks, formats, speakers)
            if session is None:
                continue
            new_id = unique_id(session.id, ids)
            if new_id != session.id:
                self.warnings.append(AgendaWarning(place, f"duplicate id; renamed {new_id!r}"))
            extra = [
                SessionSpeaker(sid)
                for sid in by_session.get(session.id, ())
                if sid not in session.speaker_ids
            ]
            sessions.append(replace(session, id=new_id, speakers=session.speakers + tuple(extra)))
        conference = Conference(
            name=self.path.stem,
            timezone=zone,
            sessions=tuple(sessions),
            speakers=speakers,
            declared_rooms=declared,
        )
        return LoadResult(conference, SessionizeLoader.name, tuple(self.warnings))

    def _zone(self, raw: list[Any]) -> ZoneInfo:
        offsets: set[timedelta] = set()
        naive = False
        for item in raw:
            if not isinstance(item, Mapping):
                continue
            for key in ("startsAt", "endsAt"):
                value = item.get(key)
                if not isinstance(value, str):
                    continue
                try:
                    offset = datetime.fromisoformat(value).utcoffset()
                except ValueError:
                    continue  # reported with its place when the session is read
                if offset is None:
                    naive = True
                else:
                    offsets.add(offset)
        zone, warnings = conference_zone(
            self.path,
            file_zone=None,
            default_tz=self.default_tz,
            offsets=() if naive else offsets,
            what="Sessionize times carry no time zone",
        )
        self.warnings.extend(warnings)
        return zone

    def _rooms(self) -> tuple[dict[str, str], tuple[str, ...]]:
        rooms: dict[str, str] = {}
        order: list[tuple[int, int, str]] = []
        for n, room in enumerate(self._list("rooms")):
            try:
                name = _s(room["name"])
                rooms[_s(room["id"])] = name
                sort = room.get("sort")
                order.append((sort if isinstance(sort, int) else n, n, name))
            except DATA_ERRORS as exc:
                raise AgendaError(self.path, f"rooms[{n}]", f"malformed room: {exc}") from exc
        return rooms, tuple(name for _, _, name in sorted(order) if name)

    def _categories(self) -> tuple[dict[str, str], dict[str, str]]:
        """Category item id -> track name, and -> session-format name."""
        tracks: dict[str, str] = {}
        formats: dict[str, str] = {}
        groups = self._list("categories")
        titles = [_s(g.get("title")).lower() if isinstance(g, Mapping) else "" for g in groups]
        track_index = next((i for i, t in enumerate(titles) if t in _TRACK_TITLES), None)
        for n, group in enumerate(groups):
            try:
                title = titles[n]
                if title in _FORMAT_TITLES:
                    target = formats
                elif n == track_index:
                    target = tracks
                else:
                    continue
                for item in group.get("items") or []:
                    target[_s(item["id"])] = _s(item["name"])
            except DATA_ERRORS as exc:
                raise AgendaError(
                    self.path, f"categories[{n}]", f"malformed category: {exc}"
                ) from exc
        return tracks, formats

    def _speakers(self) -> tuple[dict[str, Speaker], dict[str, list[str]]]:
        speakers: dict[str, Speaker] = {}
        by_session: dict[str, list[str]] = {}
        for n, item in enumerate(self._list("speakers")):
            place = f"speakers[{n}]"
            try:
                sid = _s(item["id"])
                place = f"speakers[{n}] (id {sid!r})"
                name = _s(item.get("fullName")) or " ".join(
                    p for p in (_s(item.get("firstName")), _s(item.get("lastName"))) if p
                )
                telegram = ""
                for link in item.get("links") or []:
                    m = _TELEGRAM.search(_s(link.get("url")))
                    if m:
                        telegram = m[1].lower()
                speakers[sid] = Speaker(
                    id=sid,
                    name=name or sid,
                    affiliation=_s(item.get("tagLine")),
                    bio=html_to_text(_s(item.get("bio"))),
                    telegram=telegram,
                )
                for session_id in item.get("sessions") or []:
                    by_session.setdefault(_s(session_id), []).append(sid)
            except DATA_ERRORS as exc:
                raise AgendaError(self.path, place, f"malformed speaker: {exc}") from exc
        return speakers, by_session

    def _session(
        self,
        item: Mapping[str, Any],
        place: str,
        zone: ZoneInfo,
        rooms: dict[str, str],
        tracks: dict[str, str],
        formats: dict[str, str],
        speakers: dict[str, Speaker],
    ) -> Session | None:
        sid = _s(item["id"])
        title = _s(item.get("title"))
        if not sid:
            raise AgendaError(self.path, place, "the session has no id")
        if not title:
            self.warnings.append(AgendaWarning(place, "skipped: the session has no title"))
            return None
        starts = item.get("startsAt")
        if not starts:
            self.warnings.append(AgendaWarning(place, "skipped: not scheduled (startsAt is null)"))
            return None
        start = self._moment(starts, place, "startsAt", zone)
        ends = item.get("endsAt")
        if ends:
            end = self._moment(ends, place, "endsAt", zone)
        else:
            end = start
            self.warnings.append(AgendaWarning(place, "endsAt is null; treated as zero length"))
        room_id = _s(item.get("roomId"))
        room = rooms.get(room_id, "")
        if room_id and room_id not in rooms:
            self.warnings.append(AgendaWarning(place, f"unknown roomId {room_id}"))
        items = [_s(i) for i in item.get("categoryItems") or []]
        track = next((tracks[i] for i in items if i in tracks), "")
        format_name = next((formats[i] for i in items if i in formats), "")
        if item.get("isServiceSession"):
            kind = SessionType.from_title(title)
            if kind is None:
                kind = SessionType.BREAK
        else:
            kind = SessionType.parse(format_name) if format_name else SessionType.TALK
            if kind is SessionType.OTHER:
                kind = SessionType.TALK
        parts: list[SessionSpeaker] = []
        for speaker in item.get("speakers") or []:
            speaker_id = _s(speaker.get("id") if isinstance(speaker, Mapping) else speaker)
            if speaker_id in speakers:
                parts.append(SessionSpeaker(speaker_id))
            else:
                self.warnings.append(AgendaWarning(place, f"unknown speaker {speaker_id!r}"))
        return Session(
            id=sid,
            title=title,
            start=start,
            end=end,
            room=room,
            track=track,
            type=kind,
            abstract=html_to_text(_s(item.get("description"))),
            speakers=tuple(parts),
            day=start.date(),
        )

    def _moment(self, value: Any, place: str, key: str, zone: ZoneInfo) -> datetime:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise AgendaError(self.path, place, f"{key} {value!r} is not ISO 8601") from exc
        try:
            return localize(moment, zone)
        except ParseError as exc:
            raise AgendaError(self.path, place, f"{key}: {exc}") from exc


LOADER = SessionizeLoader()
