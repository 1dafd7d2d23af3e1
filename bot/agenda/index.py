"""Lookups the bot makes on every message, precomputed once per agenda load."""

from __future__ import annotations

import base64
import bisect
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from rapidfuzz import fuzz, process

from bot.agenda.model import Conference, Session, Speaker

_SAFE_KEY = re.compile(r"^[A-Za-z0-9_.\-]{1,24}$")
_ALNUM = re.compile(r"[^\W_]+")
#: "K.1.105 (La Fontaine)", "H.2215 (Ferrer)": a room code, then its name in brackets.
_CODE_AND_NAME = re.compile(r"^\s*(?P<code>[^()]+?)\s*\((?P<name>[^()]+)\)\s*$")
#: Words that name the main room when it is called so ("Plenary Hall", "Main stage").
_MAIN_WORDS = re.compile(r"\b(?:main|plenary|plenar|aula|auditorium|grand|great)\b", re.I)


@dataclass(frozen=True, slots=True)
class Stint:
    """A track or a room on one day: where, when it opens and closes, how many sessions."""

    room: str
    day: date
    start: datetime
    end: datetime
    count: int
    track: str = ""


@dataclass(frozen=True, slots=True)
class RoomName:
    """A room as signs and programmes name it: its full name, a code and the name in brackets.

    ``keys`` are the forms a question may use, folded with separators dropped, so
    ``AW1.120``, ``aw1120`` and ``aw1 120`` are the same room; ``words`` the folded words of
    its name for matching by name ("ferrer", "la fontaine").
    """

    room: str
    code: str
    name: str
    keys: tuple[str, ...]
    words: tuple[str, ...]


def room_name(room: str) -> RoomName:
    """Split "H.2215 (Ferrer)" into its code and name and the keys a question may use."""
    m = _CODE_AND_NAME.match(room)
    code, name = (m.group("code"), m.group("name")) if m else (room, "")
    keys: dict[str, None] = {}
    for part in (room, code, name):
        joined = "".join(_ALNUM.findall(fold(part)))
        if joined:
            keys.setdefault(joined, None)
    return RoomName(room, code, name, tuple(keys), tuple(_ALNUM.findall(fold(room))))


#: A room's day is told track by track when its tracks come in at most this many blocks
#: (FOSDEM: a devroom a day, or two); else as one span (a congress hall mixing tracks).
MAX_TRACK_BLOCKS = 4


def room_stints(sessions: Iterable[Session]) -> tuple[Stint, ...]:
    """A room's days: one stint per track block when its tracks follow one another, else one
    stint per day."""
    by_day: dict[date, list[Session]] = defaultdict(list)
    for s in sessions:
        by_day[s.listed_day].append(s)
    out: list[Stint] = []
    for group in by_day.values():
        group.sort(key=lambda s: s.start)
        blocks: list[list[Session]] = []
        for s in group:
            if blocks and blocks[-1][-1].track == s.track:
                blocks[-1].append(s)
            else:
                blocks.append([s])
        if len(blocks) <= MAX_TRACK_BLOCKS:
            out.extend(stints(block, by_track=True)[0] for block in blocks)
        else:
            out.extend(stints(group))
    return tuple(sorted(out, key=lambda st: (st.start, st.room)))


def stints(sessions: Iterable[Session], *, by_track: bool = False) -> tuple[Stint, ...]:
    """Sessions grouped by room and listed day (and track), in time order."""
    groups: dict[tuple[str, date, str], list[Session]] = defaultdict(list)
    for s in sessions:
        groups[s.room, s.listed_day, s.track if by_track else ""].append(s)
    out = [
        Stint(
            room,
            day,
            min(s.start for s in group),
            max(s.end for s in group),
            len(group),
            track,
        )
        for (room, day, track), group in groups.items()
    ]
    return tuple(sorted(out, key=lambda st: (st.start, st.room)))


def session_key(session_id: str) -> str:
    """A short, stable, button-safe key for a session id (long or odd ids become a hash)."""
    if _SAFE_KEY.match(session_id):
        return session_id
    digest = hashlib.blake2b(session_id.encode("utf-8"), digest_size=8).digest()
    return "#" + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")[:10]


def fold(text: str) -> str:
    """Accent- and case-insensitive form: "Péter Sztáray" and "peter sztaray" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


class AgendaIndex:
    """Sessions by id, day, room, track and speaker; what runs at a time and what comes next."""

    def __init__(self, conference: Conference) -> None:
        self.conference = conference
        self.sessions: tuple[Session, ...] = tuple(
            sorted(conference.sessions, key=lambda s: (s.start, s.end, s.room, s.title))
        )
        self._by_id = {s.id: s for s in self.sessions}
        self._by_key = {session_key(s.id): s for s in self.sessions}
        self._starts = [s.start for s in self.sessions]
        by_day: dict[date, list[Session]] = defaultdict(list)
        by_room: dict[str, list[Session]] = defaultdict(list)
        by_track: dict[str, list[Session]] = defaultdict(list)
        by_speaker: dict[str, list[Session]] = defaultdict(list)
        for s in self.sessions:
            by_day[s.listed_day].append(s)
            if s.room:
                by_room[s.room.casefold()].append(s)
            if s.track:
                by_track[s.track.casefold()].append(s)
            for sid in dict.fromkeys(s.speaker_ids):
                by_speaker[sid].append(s)
        self._by_day = dict(by_day)
        self._by_room = dict(by_room)
        self._by_track = dict(by_track)
        self._by_speaker = dict(by_speaker)
        self.days: tuple[date, ...] = tuple(sorted(self._by_day))
        self._max_duration = max((s.end - s.start for s in self.sessions), default=None)
        #: every room (declared order first) with its code, name and the keys to find it by
        self.room_names: tuple[RoomName, ...] = tuple(room_name(r) for r in conference.rooms)
        #: tracks in name order, as the agenda writes them
        self.tracks: tuple[str, ...] = tuple(
            sorted({s.track for s in self.sessions if s.track}, key=str.casefold)
        )
        self._track_stints = {
            t.casefold(): stints(self._by_track[t.casefold()]) for t in self.tracks
        }
        self._room_stints = {r.casefold(): room_stints(group) for r, group in self._by_room.items()}
        self.main_room: str | None = self._find_main_room()
        #: when the last session ends: the programme is over after that
        self.end: datetime | None = max((s.end for s in self.sessions), default=None)

    def _find_main_room(self) -> str | None:
        """The room people call "the main hall": one named so, else where the keynotes and
        openings are, else the room with the most sessions."""
        rooms = [r.room for r in self.room_names]
        if not rooms:
            return None
        named = [r for r in rooms if _MAIN_WORDS.search(r)]
        if named:
            return named[0]
        headline: dict[str, int] = defaultdict(int)
        for s in self.sessions:
            if s.room and s.type.value in ("keynote", "opening", "closing"):
                headline[s.room] += 1
        if headline:
            return max(rooms, key=lambda r: (headline.get(r, 0), -rooms.index(r)))
        return max(rooms, key=lambda r: (len(self.in_room(r)), -rooms.index(r)))

    @property
    def tz(self) -> object:
        return self.conference.timezone

    def session(self, session_id: str) -> Session | None:
        return self._by_id.get(session_id)

    def find_speakers(self, query: str, limit: int = 8) -> list[Speaker]:
        """Speakers by id, part of a name, or a name with small typos, best first."""
        q = fold(query)
        if not q:
            return []
        speakers = self.conference.speakers
        if query in speakers:
            return [speakers[query]]
        folded = {sid: fold(sp.name) for sid, sp in speakers.items()}
        hits = [speakers[sid] for sid, name in folded.items() if q in name]
        if hits:
            return sorted(hits, key=lambda sp: sp.name.casefold())[:limit]
        found = process.extract(q, folded, scorer=fuzz.WRatio, score_cutoff=80, limit=limit)
        return [speakers[sid] for _, _, sid in found]

    def session_by_key(self, key: str) -> Session | None:
        """Resolve a key made by ``session_key`` (or a plain id)."""
        return self._by_key.get(key) or self._by_id.get(key)

    def speaker(self, speaker_id: str) -> Speaker | None:
        return self.conference.speakers.get(speaker_id)

    def on_day(self, day: date) -> tuple[Session, ...]:
        return tuple(self._by_day.get(day, ()))

    def in_room(self, room: str) -> tuple[Session, ...]:
        return tuple(self._by_room.get(room.casefold(), ()))

    def in_track(self, track: str) -> tuple[Session, ...]:
        return tuple(self._by_track.get(track.casefold(), ()))

    def track_stints(self, track: str) -> tuple[Stint, ...]:
        """Where and when a track runs: one stint per room and day."""
        return self._track_stints.get(track.casefold(), ())

    def room_stints(self, room: str) -> tuple[Stint, ...]:
        """When a room is in use: one stint per day and track."""
        return self._room_stints.get(room.casefold(), ())

    def of_speaker(self, speaker_id: str) -> tuple[Session, ...]:
        return tuple(self._by_speaker.get(speaker_id, ()))

    def running_at(self, when: datetime) -> tuple[Session, ...]:
        """Sessions with start <= when < end (bisect bounds the scan by the longest session)."""
        hi = bisect.bisect_right(self._starts, when)
        if self._max_duration is None:
            return ()
        lo = bisect.bisect_left(self._starts, when - self._max_duration)
        return tuple(s for s in self.sessions[lo:hi] if s.start <= when < s.end)

    def starting_between(self, start: datetime, end: datetime) -> tuple[Session, ...]:
        lo = bisect.bisect_left(self._starts, start)
        hi = bisect.bisect_left(self._starts, end)
        return self.sessions[lo:hi]

    def starting_after(self, when: datetime) -> tuple[Session, ...]:
        """Sessions that start after ``when``, in time order."""
        return self.sessions[bisect.bisect_right(self._starts, when) :]

    def overlapping(self, start: datetime, end: datetime) -> tuple[Session, ...]:
        """Sessions that run at any moment of [start, end)."""
        hi = bisect.bisect_left(self._starts, end)
        if self._max_duration is None:
            return ()
        lo = bisect.bisect_left(self._starts, start - self._max_duration)
        return tuple(s for s in self.sessions[lo:hi] if s.end > start)

    def next_after(self, when: datetime, *, include_breaks: bool = True) -> tuple[Session, ...]:
        """The sessions that start at the earliest start time after ``when`` (parallel tracks)."""
        i = bisect.bisect_right(self._starts, when)
        while i < len(self.sessions):
            first = self.sessions[i].start
            group = [s for s in self.sessions[i:] if s.start == first]
            chosen = [s for s in group if include_breaks or not s.is_break]
            if chosen:
                return tuple(chosen)
            i += len(group)
        return ()

    def day_of(self, when: datetime) -> date | None:
        """The conference day a moment belongs to (a 01:00 party belongs to the evening before)."""
        local = when.astimezone(self.conference.timezone)
        running = self.running_at(local)
        if running:
            return running[0].listed_day
        d = local.date()
        if d in self._by_day:
            return d
        return None
