from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock, ShiftedClock, SystemClock, make_clock, parse_now

TZ = ZoneInfo("Europe/Budapest")


def test_naive_confbot_now_means_the_conference_zone() -> None:
    when = parse_now("2019-11-07T09:00", TZ)
    assert when.tzinfo is TZ
    assert when.utcoffset() == timedelta(hours=1)


def test_zoned_confbot_now_is_converted_to_the_conference_zone() -> None:
    when = parse_now("2019-11-07T08:00:00+00:00", TZ)
    assert (when.hour, when.tzinfo) == (9, TZ)


def test_shifted_clock_starts_at_the_given_time_and_runs_on() -> None:
    clock = ShiftedClock(datetime(2019, 11, 7, 9, 0), TZ)
    first = clock.now()
    assert first.tzinfo is TZ
    assert timedelta(0) <= first - datetime(2019, 11, 7, 9, 0, tzinfo=TZ) < timedelta(seconds=1)
    t0 = time.monotonic()
    while time.monotonic() == t0:  # wait for the monotonic clock to tick, not for seconds
        pass
    assert clock.now() > first


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(datetime(2019, 11, 7, 9, 0, tzinfo=TZ))
    assert clock.now() == clock.now()
    clock.advance(minutes=5)
    assert clock.now().minute == 5
    with pytest.raises(ValueError, match="aware"):
        clock.set(datetime(2019, 11, 7, 9, 0))


def test_make_clock_chooses_real_or_shifted() -> None:
    assert isinstance(make_clock(None, TZ), SystemClock)
    assert isinstance(make_clock("2019-11-07T09:00", TZ), ShiftedClock)
    assert make_clock(None, TZ).now().tzinfo is TZ
