"""What the question engine hands back: plain data the Telegram handlers render.

No HTML and no wording beyond short descriptions: rendering and the message catalogue live
with the handlers, so the engine stays testable without Telegram.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.agenda.model import Session, Speaker


class Intent(enum.StrEnum):
    """What the attendee wants to know; decides how the handler words the answer."""

    WHEN = "when"  # "when is the session on crisis management"
    WHERE = "where"  # "where is peter sztaray speaking"
    WHO = "who"  # "who moderates the october 7 panel"
    WHAT_ON = "what_on"  # "what's on now", "anything in the plenary this afternoon"
    ABOUT = "about"  # "sessions about returning fighters", "SACC"
    SPEAKER = "speaker"  # "who is bartjan wegter"
    CONFERENCE = "conference"  # "where is the venue", "what are the dates"
    UNKNOWN = "unknown"  # gibberish: nothing understood


class WindowKind(enum.StrEnum):
    """How a window was asked for; the handler may word "now" and "next" differently."""

    NOW = "now"
    NEXT = "next"
    DAY = "day"  # a whole conference day: list by the day sessions are listed under
    PART = "part"  # morning, afternoon, after lunch, before 12:00, 10:00-12:00
    POINT = "point"  # "at 11": what runs at that moment or starts soon after


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A span of conference time the question refers to, in the conference's zone.

    ``label`` is a short human description ("this afternoon", "Thursday 7 November after
    13:30"); ``day`` is set when the window lies within one conference day.
    """

    start: datetime
    end: datetime
    label: str
    kind: WindowKind = WindowKind.PART
    day: date | None = None

    def contains(self, session: Session) -> bool:
        """Does the session belong to this window (runs in it, or is listed on its day)?"""
        if self.kind is WindowKind.DAY and self.day is not None:
            return session.listed_day == self.day
        if self.start == self.end:
            return session.start <= self.start < session.end
        return session.start < self.end and session.end > self.start


@dataclass(frozen=True)
class Answer:
    """The engine's whole reply to one question.

    ``understood`` is a short qualifier that reads after "Nothing" or "Sessions", e.g.
    "in Plenary Hall this afternoon", "about “quantum computing workshop”", "by Raya Kalenova",
    so the handler can say "Nothing in Plenary Hall this afternoon" when ``sessions`` is empty.
    """

    intent: Intent
    sessions: tuple[Session, ...] = ()
    speakers: tuple[Speaker, ...] = ()
    #: speaker id -> role ("moderator", "speaker", ...) for the speakers of the sessions shown
    roles: dict[str, str] = field(default_factory=dict)
    window: TimeWindow | None = None
    room: str | None = None
    #: the words searched for, after stop words were removed (None when no search was made)
    topic: str | None = None
    conference_info: bool = False
    understood: str = ""
    #: for "now" questions: what starts next, so "Nothing right now; next: ..." can be said
    next_sessions: tuple[Session, ...] = ()
    #: how many more sessions matched than are listed in ``sessions``
    more: int = 0
    #: why a time in the question was refused ("02:30 does not exist on Sunday 31 March ...")
    problem: str | None = None

    @property
    def found(self) -> bool:
        return bool(self.sessions or self.speakers or self.conference_info)
