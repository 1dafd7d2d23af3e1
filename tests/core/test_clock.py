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


NEW_YORK = ZoneInfo("America/New_York")
BRUSSELS = ZoneInfo("Europe/Brussels")


def test_a_naive_start_is_read_again_in_the_zone_the_clock_is_told() -> None:
    """CONFBOT_NOW=09:00 means 09:00 at the conference, whichever agenda turns out to be it."""
    clock = make_clock("2024-11-27T09:00", BRUSSELS)
    assert isinstance(clock, ShiftedClock)
    clock.use_zone(NEW_YORK)
    now = clock.now()
    assert now.tzinfo is NEW_YORK
    assert (now.hour, now.minute) == (9, 0)
    assert now - datetime(2024, 11, 27, 9, 0, tzinfo=NEW_YORK) < timedelta(seconds=1)


def test_an_aware_start_stays_the_same_moment_in_another_zone() -> None:
    clock = make_clock("2024-11-27T09:00+01:00", BRUSSELS)
    clock.use_zone(NEW_YORK)  # type: ignore[attr-defined]
    now = clock.now()
    assert now.tzinfo is NEW_YORK
    assert now.hour == 3  # 09:00 in Brussels is 03:00 in New York


def test_real_time_and_the_manual_clock_read_in_the_zone_they_are_told() -> None:
    system = make_clock(None, BRUSSELS)
    system.use_zone(NEW_YORK)  # type: ignore[attr-defined]
    assert system.now().tzinfo is NEW_YORK
    manual = ManualClock(datetime(2024, 11, 27, 9, 0, tzinfo=BRUSSELS))
    manual.use_zone(NEW_YORK)
    assert manual.now().tzinfo is NEW_YORK
    assert manual.now() == datetime(2024, 11, 27, 9, 0, tzinfo=BRUSSELS)
    assert manual.advance(minutes=5).tzinfo is NEW_YORK


def test_the_shifted_clock_counts_elapsed_time_across_a_clock_change() -> None:
    """Elapsed seconds are real seconds: 01:59 + 2 min on the night clocks go forward (Budapest,
    31 March 2024) is 03:01, not 02:01 (which does not exist)."""
    clock = ShiftedClock(datetime(2024, 3, 31, 1, 59), TZ)
    clock._t0 -= 120  # two minutes have passed
    now = clock.now()
    assert (now.hour, now.minute) == (3, 1)
