"""One clock for the whole bot, so tests, rehearsals and ``CONFBOT_NOW`` can set the time."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Real time, in a given zone."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz)


class ShiftedClock:
    """Starts at a chosen moment and then runs at normal speed (``CONFBOT_NOW``)."""

    def __init__(self, start: datetime, tz: tzinfo) -> None:
        if start.tzinfo is None:
            start = start.replace(tzinfo=tz)
        self.tz = tz
        self._start = start.astimezone(tz)
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return (self._start + timedelta(seconds=time.monotonic() - self._t0)).astimezone(self.tz)


class ManualClock:
    """Stands still until a test moves it; the only way tests pass time."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = when

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self._now = self._now + (delta if delta is not None else timedelta(**kwargs))
        return self._now


def parse_now(value: str, tz: tzinfo) -> datetime:
    """ISO 8601; a naive value means the conference's zone."""
    when = datetime.fromisoformat(value.strip())
    return when.replace(tzinfo=tz) if when.tzinfo is None else when.astimezone(tz)


def make_clock(now: str | None, tz: tzinfo) -> Clock:
    return ShiftedClock(parse_now(now, tz), tz) if now else SystemClock(tz)
