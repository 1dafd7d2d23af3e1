"""The agenda model every loader produces and every feature reads.

Immutable on purpose: an agenda is replaced as a whole on reload, so readers never see a
half-updated programme. All datetimes are timezone-aware, in the conference's zone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo


class SessionType(enum.StrEnum):
    """What kind of slot a session is; drives reminders ("every panel") and feedback."""

    TALK = "talk"
    PANEL = "panel"
    KEYNOTE = "keynote"
    WORKSHOP = "workshop"
    OPENING = "opening"
    CLOSING = "closing"
    BREAK = "break"
    SOCIAL = "social"
    OTHER = "other"

    @classmethod
    def parse(cls, value: str | None) -> SessionType:
        """Map the free-form type words real exports use onto our few kinds."""
        if not value:
            return cls.TALK
        word = value.strip().lower()
        for member in cls:
            if word == member.value:
                return member
        for needle, kind in _TYPE_WORDS:
            if needle in word:
                return kind
        return cls.OTHER


_TYPE_WORDS: tuple[tuple[str, SessionType], ...] = (
    ("keynote", SessionType.KEYNOTE),
    ("panel", SessionType.PANEL),
    ("round table", SessionType.PANEL),
    ("roundtable", SessionType.PANEL),
    ("discussion", SessionType.PANEL),
    ("workshop", SessionType.WORKSHOP),
    ("tutorial", SessionType.WORKSHOP),
    ("welcom", SessionType.OPENING),
    ("opening", SessionType.OPENING),
    ("closing", SessionType.CLOSING),
    ("lunch", SessionType.BREAK),
    ("coffee", SessionType.BREAK),
    ("break", SessionType.BREAK),
    ("pause", SessionType.BREAK),
    ("registration", SessionType.BREAK),
    ("social", SessionType.SOCIAL),
    ("party", SessionType.SOCIAL),
    ("reception", SessionType.SOCIAL),
    ("dinner", SessionType.SOCIAL),
    ("lecture", SessionType.TALK),
    ("talk", SessionType.TALK),
    ("presentation", SessionType.TALK),
    ("session", SessionType.TALK),
    ("lightning", SessionType.TALK),
)

#: Kinds a user can opt into with "remind me before every panel".
HEADLINE_TYPES = frozenset({SessionType.PANEL, SessionType.KEYNOTE})
#: Kinds that are not reminded, bookmarked or rated.
UNRATED_TYPES = frozenset({SessionType.BREAK})


@dataclass(frozen=True, slots=True)
class Speaker:
    id: str
    name: str
    affiliation: str = ""
    bio: str = ""
    #: Telegram username without "@", lower-cased; lets a speaker link by /start.
    telegram: str = ""


@dataclass(frozen=True, slots=True)
class SessionSpeaker:
    """A speaker's part in one session: "speaker", "moderator", "chair", ..."""

    speaker_id: str
    role: str = "speaker"


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    title: str
    start: datetime
    end: datetime
    room: str = ""
    track: str = ""
    type: SessionType = SessionType.TALK
    abstract: str = ""
    speakers: tuple[SessionSpeaker, ...] = ()
    #: The conference day this session is listed under (after-midnight events keep theirs).
    day: date | None = None
    url: str = ""
    language: str = ""

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def is_break(self) -> bool:
        return self.type in UNRATED_TYPES

    @property
    def speaker_ids(self) -> tuple[str, ...]:
        return tuple(s.speaker_id for s in self.speakers)

    @property
    def listed_day(self) -> date:
        return self.day if self.day is not None else self.start.date()


@dataclass(frozen=True, slots=True)
class Conference:
    name: str
    timezone: ZoneInfo
    sessions: tuple[Session, ...]
    speakers: dict[str, Speaker] = field(default_factory=dict)
    venue: str = ""
    address: str = ""
    city: str = ""
    organisers: tuple[str, ...] = ()
    description: str = ""
    url: str = ""
    #: Declared rooms in display order; rooms used by sessions but not declared follow.
    declared_rooms: tuple[str, ...] = ()

    @property
    def tz(self) -> tzinfo:
        return self.timezone

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(sorted({s.listed_day for s in self.sessions}))

    @property
    def rooms(self) -> tuple[str, ...]:
        seen = dict.fromkeys(r for r in self.declared_rooms if r)
        for s in sorted(self.sessions, key=lambda s: (s.start, s.room)):
            if s.room:
                seen.setdefault(s.room, None)
        return tuple(seen)

    @property
    def tracks(self) -> tuple[str, ...]:
        return tuple(sorted({s.track for s in self.sessions if s.track}))

    @property
    def start(self) -> datetime | None:
        return min((s.start for s in self.sessions), default=None)

    @property
    def end(self) -> datetime | None:
        return max((s.end for s in self.sessions), default=None)

    def session(self, session_id: str) -> Session | None:
        for s in self.sessions:
            if s.id == session_id:
                return s
        return None
