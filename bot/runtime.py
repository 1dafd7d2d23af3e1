"""Everything the handlers and jobs share, built once at start-up and replaced piecewise.

The agenda is swapped as a whole (``AgendaState``) on reload, so a handler that took a
reference keeps a consistent programme for the rest of its update.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.agenda.index import AgendaIndex
from bot.agenda.loaders import LoadResult
from bot.agenda.model import Conference, Session, Speaker
from bot.clock import Clock
from bot.config import Settings
from bot.store import Store

if TYPE_CHECKING:
    from bot.questions import QuestionEngine


@dataclass
class AgendaState:
    result: LoadResult
    source: str

    @property
    def conference(self) -> Conference:
        return self.result.conference

    @cached_property
    def index(self) -> AgendaIndex:
        return AgendaIndex(self.result.conference)

    @cached_property
    def questions(self) -> QuestionEngine:
        from bot.questions import QuestionEngine

        return QuestionEngine(self.index)

    def prepare(self) -> AgendaState:
        """Build the indexes now, not on the first question, and keep the collector off them.

        ``gc.freeze`` moves the agenda's many long-lived objects out of the collector's
        generations, so its pauses no longer land on an attendee's answer.
        """
        _ = self.index, self.questions
        gc.collect()
        gc.freeze()
        return self

    def session_by_key(self, key: str) -> Session | None:
        return self.index.session_by_key(key)

    def find_speakers(self, query: str) -> list[Speaker]:
        return self.index.find_speakers(query)

    def speakers_of(self, session: Session) -> list[tuple[Speaker, str]]:
        out = []
        for part in session.speakers:
            sp = self.conference.speakers.get(part.speaker_id)
            if sp is not None:
                out.append((sp, part.role))
        return out


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    store: Store
    agenda: AgendaState
    #: Services added by features (delivery, reminders, ...), by name.
    services: dict[str, Any] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return self.agenda.conference.timezone

    def now(self) -> datetime:
        return self.clock.now().astimezone(self.tz)
