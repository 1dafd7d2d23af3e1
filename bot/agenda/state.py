"""The agenda being served: a loaded programme with its indexes, swapped whole on reload.

``AgendaState`` is immutable once prepared, so a handler that took a reference keeps one
consistent programme for the rest of its update. ``CurrentAgenda`` is the single place that
says which state is current; every service holds the same ``CurrentAgenda`` and reads
``.state`` when it needs the programme, so a reload is one assignment seen by everyone.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.agenda.index import AgendaIndex
from bot.agenda.loaders import LoadResult
from bot.agenda.model import Conference, Session, Speaker
from bot.clock import Clock, ZonedClock

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


class CurrentAgenda:
    """Which ``AgendaState`` is served now, and the conference's time by the one clock.

    Only ``bot.reload`` assigns ``state``; everything else reads it. Each assignment hands the
    served agenda's zone to the clock (``bot.clock.ZonedClock``), so every reading, and a
    naive ``CONFBOT_NOW``, follows the agenda attendees actually see: the live URL's, a kept
    upload, whatever a reload brought, not the ``AGENDA_PATH`` file the bot started with.
    """

    def __init__(self, state: AgendaState, clock: Clock) -> None:
        self.clock = clock
        self._state = state
        self._follow(state)

    @property
    def state(self) -> AgendaState:
        return self._state

    @state.setter
    def state(self, value: AgendaState) -> None:
        self._state = value
        self._follow(value)

    def _follow(self, state: AgendaState) -> None:
        if isinstance(self.clock, ZonedClock):
            self.clock.use_zone(state.conference.timezone)

    @property
    def conference(self) -> Conference:
        return self.state.conference

    @property
    def index(self) -> AgendaIndex:
        return self.state.index

    @property
    def tz(self) -> ZoneInfo:
        return self.state.conference.timezone

    def now(self) -> datetime:
        """The clock's time in the conference's zone (as attendees read it)."""
        return self.clock.now().astimezone(self.tz)
