"""Lookups the bot makes on every message, precomputed once per agenda load."""

from __future__ import annotations

import base64
import bisect
import hashlib
import re
import unicodedata
from collections import defaultdict
from datetime import date, datetime

from rapidfuzz import fuzz, process

from bot.agenda.model import Conference, Session, Speaker

_SAFE_KEY = re.compile(r"^[A-Za-z0-9_.\-]{1,24}$")


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
