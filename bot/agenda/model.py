"""The agenda model every loader produces and every feature reads.

Immutable on purpose: an agenda is replaced as a whole on reload, so readers never see a
half-updated programme. All datetimes are timezone-aware, in the conference's zone.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
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
        for needle, kind, where in _TYPE_WORDS:
            if _In.TYPE in where and needle in word:
                return kind
        return cls.OTHER

    @classmethod
    def from_title(cls, title: str) -> SessionType | None:
        """Best-effort kind for formats with no type field (iCal, CSV, Sessionize service slots).

        Deliberately conservative: break words only count at the start (or "... Break" at the
        end), so "Breaking the build" stays a talk; other words must be whole, unhyphenated
        words, so "third-party" is not a party. None means "no idea", and the caller picks its
        default.
        """
        words = re.sub(r"[^\w\s-]", " ", title.lower()).replace("hands-on", "hands on").split()
        if not words:
            return None
        first = _TITLE_FIRST_WORDS.get(words[0])
        if first is not None:
            return first
        flat = " ".join(words)
        if _TITLE_END_BREAK.search(flat):
            return cls.BREAK
        for pattern, kind in _TITLE_WORDS:
            if pattern.search(flat):
                return kind
        return None


class _In(enum.Flag):
    """Where a keyword of ``_TYPE_WORDS`` counts."""

    TYPE = enum.auto()  # inside a type/format field: "Coffee break", "Panel discussion"
    FIRST = enum.auto()  # as the first word of a title: "Lunch", "Welcome and intro"
    WORD = enum.auto()  # as a whole word anywhere in a title: "Closing keynote"


_T, _F, _W = _In.TYPE, _In.FIRST, _In.WORD

#: The one keyword table: ``parse`` tries the TYPE words in this order (the first hit wins);
#: ``from_title`` takes a FIRST word, then a title ending in "break", then WORD words in order.
_TYPE_WORDS: tuple[tuple[str, SessionType, _In], ...] = (
    ("keynote", SessionType.KEYNOTE, _T | _W),
    ("panel", SessionType.PANEL, _T | _W),
    ("round table", SessionType.PANEL, _T),
    ("roundtable", SessionType.PANEL, _T),
    ("discussion", SessionType.PANEL, _T),
    ("workshop", SessionType.WORKSHOP, _T | _W),
    ("tutorial", SessionType.WORKSHOP, _T | _W),
    ("hands on", SessionType.WORKSHOP, _W),
    ("welcom", SessionType.OPENING, _T),
    ("welcome", SessionType.OPENING, _F),
    ("opening", SessionType.OPENING, _T | _F),
    ("closing", SessionType.CLOSING, _T | _F),
    ("lunch", SessionType.BREAK, _T | _F),
    ("coffee", SessionType.BREAK, _T | _F),
    ("tea", SessionType.BREAK, _F),
    ("break", SessionType.BREAK, _T | _F),
    ("breakfast", SessionType.BREAK, _F),
    ("pause", SessionType.BREAK, _T),
    ("registration", SessionType.BREAK, _T | _F),
    ("snacks", SessionType.BREAK, _F),
    ("social", SessionType.SOCIAL, _T | _W),
    ("party", SessionType.SOCIAL, _T | _W),
    ("reception", SessionType.SOCIAL, _T | _W),
    ("dinner", SessionType.SOCIAL, _T | _W),
    ("lecture", SessionType.TALK, _T),
    ("talk", SessionType.TALK, _T),
    ("presentation", SessionType.TALK, _T),
    ("session", SessionType.TALK, _T),
    ("lightning", SessionType.TALK, _T),
)
_TITLE_FIRST_WORDS = {needle: kind for needle, kind, where in _TYPE_WORDS if _F in where}
_TITLE_WORDS = tuple(
    (re.compile(rf"(?<![\w-]){re.escape(needle)}(?![\w-])"), kind)
    for needle, kind, where in _TYPE_WORDS
    if _W in where
)
_TITLE_END_BREAK = re.compile(r"(?<![\w-])break$")

#: Kinds a user can opt into with "remind me before every panel".
HEADLINE_TYPES = frozenset({SessionType.PANEL, SessionType.KEYNOTE})
#: Kinds that are not reminded, bookmarked or rated.
UNRATED_TYPES = frozenset({SessionType.BREAK})


#: A text in several languages: ``(language tag, text)`` pairs, tags lower-case with ``-``
#: ("en", "pt-br"), the event's default language first. Empty for a text in one language.
Translations = tuple[tuple[str, str], ...]


def in_language(default: str, variants: Translations, languages: Sequence[str]) -> str:
    """The variant for the first of ``languages`` (tags, most wanted first) that has one, else
    ``default`` (the event's own language). ``de`` finds ``de-at`` when no plain ``de`` exists.
    """
    if not variants:
        return default
    for wanted in languages:
        for tag, text in variants:
            if tag == wanted:
                return text
        base = wanted.split("-", 1)[0]
        for tag, text in variants:
            if tag.split("-", 1)[0] == base:
                return text
    return default


def language_tag(code: str) -> str:
    """A language tag as ``Translations`` keep it: "pt_BR" -> "pt-br"."""
    return code.strip().replace("_", "-").casefold()


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
    #: ``title`` and ``abstract`` in every language the agenda gives (``title`` is the first).
    titles: Translations = ()
    abstracts: Translations = ()

    def title_in(self, languages: Sequence[str]) -> str:
        """The title in the first of ``languages`` the agenda has, else its own."""
        return in_language(self.title, self.titles, languages)

    def abstract_in(self, languages: Sequence[str]) -> str:
        return in_language(self.abstract, self.abstracts, languages)

    @property
    def all_titles(self) -> tuple[str, ...]:
        """Every language's title, the default first (each once): what a search matches."""
        return tuple(dict.fromkeys((self.title, *(t for _, t in self.titles))))

    @property
    def all_titles_text(self) -> str:
        """Every language's title in one string (" / " between): what a word is looked for in."""
        return " / ".join(self.all_titles) if self.titles else self.title

    @property
    def all_abstracts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.abstract, *(t for _, t in self.abstracts))))

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
    #: ``name`` and ``description`` in every language the agenda gives.
    names: Translations = ()
    descriptions: Translations = ()

    def name_in(self, languages: Sequence[str]) -> str:
        return in_language(self.name, self.names, languages)

    def description_in(self, languages: Sequence[str]) -> str:
        return in_language(self.description, self.descriptions, languages)

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
