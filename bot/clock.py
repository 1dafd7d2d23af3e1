"""One clock for the whole bot, so tests, rehearsals and ``CONFBOT_NOW`` can set the time.

Readings are in the zone of the agenda being served. That agenda is not always the one the
clock was made with: ``AGENDA_URL`` (its cached copy or first fetch) and a kept upload replace
``AGENDA_PATH``'s at start, and a reload may bring another zone. So every clock here can be
told the zone later (``use_zone``, called by ``bot.agenda.state.CurrentAgenda`` whenever the
agenda changes); a naive ``CONFBOT_NOW`` ("2024-11-27T09:00") is a wall-clock time of the
conference, so it is re-read in the new zone, while an aware one (or real time) is one fixed
moment that is only shown in the new zone.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol, runtime_checkable


class Clock(Protocol):
    def now(self) -> datetime: ...


@runtime_checkable
class ZonedClock(Protocol):
    """A clock whose readings follow the zone of the agenda served (see the module doc)."""

    def use_zone(self, tz: tzinfo) -> None: ...


class SystemClock:
    """Real time, in a given zone."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz

    def use_zone(self, tz: tzinfo) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz)


class ShiftedClock:
    """Starts at a chosen moment and then runs at normal speed (``CONFBOT_NOW``).

    A naive ``start`` is a wall-clock time in the conference's zone, whichever zone that
    turns out to be: ``use_zone`` re-reads it there (the seconds run since stay counted).
    """

    def __init__(self, start: datetime, tz: tzinfo) -> None:
        self.tz = tz
        self._wall = start if start.tzinfo is None else None
        self._start = self._anchor(start, tz)
        self._t0 = time.monotonic()

    @staticmethod
    def _anchor(start: datetime, tz: tzinfo) -> datetime:
        """The start as a UTC moment: elapsed time is added in UTC, not in wall-clock time
        (an aware datetime plus a timedelta ignores a clock change in between)."""
        aware = start.replace(tzinfo=tz) if start.tzinfo is None else start
        return aware.astimezone(UTC)

    def use_zone(self, tz: tzinfo) -> None:
        self.tz = tz
        if self._wall is not None:
            self._start = self._anchor(self._wall, tz)

    def now(self) -> datetime:
        return (self._start + timedelta(seconds=time.monotonic() - self._t0)).astimezone(self.tz)


class ManualClock:
    """Stands still until a test moves it; the only way tests pass time.

    Readings are in the zone of its start until ``use_zone`` (the agenda served) says otherwise;
    setting or advancing it moves the moment, never the zone.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start
        self.tz: tzinfo = start.tzinfo

    def use_zone(self, tz: tzinfo) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return self._now if self._now.tzinfo is self.tz else self._now.astimezone(self.tz)

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = when

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self._now = self._now + (delta if delta is not None else timedelta(**kwargs))
        return self.now()


def parse_now(value: str, tz: tzinfo) -> datetime:
    """ISO 8601; a naive value means the conference's zone."""
    when = datetime.fromisoformat(value.strip())
    return when.replace(tzinfo=tz) if when.tzinfo is None else when.astimezone(tz)


def make_clock(now: str | None, tz: tzinfo) -> Clock:
    """Real time, or ``CONFBOT_NOW``; a naive value stays naive so that it is read in the zone
    of the agenda actually served (``use_zone``), not in ``tz``, the first one loaded."""
    if not now:
        return SystemClock(tz)
    return ShiftedClock(datetime.fromisoformat(now.strip()), tz)
