"""What the question engine hands back: plain data the Telegram handlers render.

No HTML and no wording at all: every phrase ("in Room B this afternoon", "nothing about X")
is made by ``bot.texts`` from the structured fields here, in the user's language, so the
engine stays testable without Telegram and translatable without touching it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.agenda.index import Stint
from bot.agenda.model import Session, SessionType, Speaker


class Intent(enum.StrEnum):
    """What the attendee wants to know; decides how the handler words the answer."""

    WHEN = "when"  # "when is the session on crisis management"
    WHERE = "where"  # "where is peter sztaray speaking"
    WHO = "who"  # "who moderates the october 7 panel"
    WHAT_ON = "what_on"  # "what's on now", "anything in the plenary this afternoon"
    ABOUT = "about"  # "sessions about returning fighters", "SACC"
    SPEAKER = "speaker"  # "who is bartjan wegter"
    PLACE = "place"  # "where is the go devroom", "when is the perl track", "where is janson"
    CONFERENCE = "conference"  # "where is the venue", "what are the dates"
    UNKNOWN = "unknown"  # gibberish: nothing understood


class WindowKind(enum.StrEnum):
    """How a window was asked for; the handler may word "now" and "next" differently."""

    NOW = "now"
    NEXT = "next"
    DAY = "day"  # a whole conference day: list by the day sessions are listed under
    PART = "part"  # morning, afternoon, after lunch, before 12:00, 10:00-12:00
    POINT = "point"  # "at 11": what runs at that moment or starts soon after


class Relation(enum.StrEnum):
    """How a clock time or a break bounds a window ("after 15:00", "during lunch")."""

    AT = "at"
    AFTER = "after"
    BEFORE = "before"
    BETWEEN = "between"
    DURING = "during"


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A span of conference time the question refers to, in the conference's zone.

    The fields say how it was asked for, so the text catalogue can word it in any language:
    ``part`` ("morning", "afternoon", "evening", "night", "tonight", "later"), ``relation``
    with ``clock`` / ``clock_end`` (a time of day) or ``anchor`` (a break: "lunch", "coffee").
    ``day`` is set when the window lies within one conference day.
    """

    start: datetime
    end: datetime
    kind: WindowKind = WindowKind.PART
    day: date | None = None
    part: str | None = None
    relation: Relation | None = None
    clock: tuple[int, int] | None = None
    clock_end: tuple[int, int] | None = None
    #: the break a window is relative to ("lunch", "coffee", "tea", "break")
    anchor: str | None = None

    def contains(self, session: Session) -> bool:
        """Does the session belong to this window (runs in it, or is listed on its day)?"""
        if self.kind is WindowKind.DAY and self.day is not None:
            return session.listed_day == self.day
        if self.start == self.end:
            return session.start <= self.start < session.end
        return session.start < self.end and session.end > self.start


class ProblemKind(enum.StrEnum):
    """Why a time in the question was refused rather than guessed."""

    AMBIGUOUS_DATE = "ambiguous_date"  # "10/11/12"
    NOT_A_DATE = "not_a_date"  # "31 february"
    NO_SUCH_DAY_OF_MONTH = "no_such_day_of_month"  # "on the 15th" at a 2-day conference
    DAY_COUNT = "day_count"  # "day 5" at a 2-day conference
    CLOCK_GAP = "clock_gap"  # 02:30 on the night the clocks go forward
    NO_BREAK = "no_break"  # "after the coffee break" on a day without one


@dataclass(frozen=True, slots=True)
class Problem:
    """A refused time, with what the catalogue needs to explain it."""

    kind: ProblemKind
    #: the words of the question concerned ("10/11/12"), as typed (folded)
    text: str = ""
    day: date | None = None
    clock: tuple[int, int] | None = None
    number: int = 0
    zone: str = ""


@dataclass(frozen=True)
class Answer:
    """The engine's whole reply to one question.

    ``sessions`` is what to show first (a page), ``matches`` everything that matched, best
    first, so "N more" can page through it; ``more`` is how many ``matches`` are not shown.
    The filters understood (topic, room, track, kind, language, window, speakers) are kept as
    data so the catalogue can say "Nothing about “X” in Room B this afternoon" in any language.
    """

    intent: Intent
    sessions: tuple[Session, ...] = ()
    speakers: tuple[Speaker, ...] = ()
    #: speaker id -> role ("moderator", "speaker", ...) for the speakers of the sessions shown
    roles: dict[str, str] = field(default_factory=dict)
    window: TimeWindow | None = None
    room: str | None = None
    track: str | None = None
    kind: SessionType | None = None
    #: a session language asked for ("en", "de")
    language: str | None = None
    #: the words searched for, as typed (None when no search was made)
    topic: str | None = None
    conference_info: bool = False
    #: for "now" questions: what starts next, so "Nothing right now; next: ..." can be said
    next_sessions: tuple[Session, ...] = ()
    #: every session that matched, best first (``sessions`` is its first page)
    matches: tuple[Session, ...] = ()
    #: how many more sessions matched than are listed in ``sessions``
    more: int = 0
    #: why a time in the question was refused; nothing is guessed then
    problem: Problem | None = None
    #: when the question was asked (the conference's zone): "today", "over" are relative to it
    asked_at: datetime | None = None
    #: a single exact or near-exact title match: the handler opens its card directly
    card: Session | None = None
    #: a yes/no question ("is the go devroom today?", "is there a keynote now?"): the answer
    verdict: bool | None = None
    #: where and when a track or room runs (for "where is TRACK", "is TRACK today")
    stints: tuple[Stint, ...] = ()
    #: weak matches offered, clearly labelled, when nothing matched with confidence
    suggestions: tuple[Session, ...] = ()
    #: the suggestions match the topic, but at another time or place than the one asked
    suggested_elsewhere: bool = False
    #: the programme has ended (after its last session): only then "the conference is over"
    over: bool = False
    #: the language the question was asked in ("en", "hu")
    lang: str = "en"
    #: the question was read as naming nothing at all (empty, or only punctuation)
    empty: bool = False

    @property
    def found(self) -> bool:
        return bool(self.sessions or self.speakers or self.conference_info or self.stints)

    @property
    def total(self) -> int:
        """How many sessions matched in all."""
        return max(len(self.matches), len(self.sessions))
