"""Time expressions: the common phrases, and dateparser's traps guarded against."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import texts
from bot.agenda.model import Session, SessionType
from bot.questions.answer import TimeWindow, WindowKind
from bot.questions.normalize import fold
from bot.questions.timeexpr import TimeContext, TimeParse, parse_time

BRUSSELS = ZoneInfo("Europe/Brussels")
DAYS = (date(2024, 11, 27), date(2024, 11, 28))


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BRUSSELS)


def _break(
    sid: str, title: str, day: date, start: tuple[int, int], end: tuple[int, int]
) -> Session:
    return Session(sid, title, _at(day, *start), _at(day, *end), type=SessionType.BREAK)


BREAKS = (
    _break("coffee-1", "Coffee break", DAYS[0], (10, 30), (11, 0)),
    _break("lunch-1", "Lunch", DAYS[0], (13, 0), (14, 0)),
    _break("coffee-2", "Coffee break", DAYS[0], (15, 30), (16, 0)),
    _break("lunch-2", "Networking lunch", DAYS[1], (12, 30), (13, 15)),
)
CTX = TimeContext(BRUSSELS, DAYS, BREAKS)
MORNING = _at(DAYS[0], 8, 45)


def parse(text: str, now: datetime = MORNING, ctx: TimeContext = CTX) -> TimeParse:
    return parse_time(fold(text), now, ctx)


def label(w: TimeWindow, now: datetime = MORNING) -> str:
    """The window as the catalogue words it (the engine itself produces no words)."""
    return texts.window_label(w, now)


def problem(tp: TimeParse) -> str:
    assert tp.problem is not None
    return texts.time_problem(tp.problem)


def test_bare_number_is_not_a_month_or_an_hour() -> None:
    for text in ("9", "what's on 9", "room 9", "session 12"):
        assert parse(text).window is None, text


def test_at_nine_is_nine_in_the_morning() -> None:
    w = parse("what's on at 9").window
    assert w is not None
    assert w.start == _at(DAYS[0], 9)
    assert w.kind is WindowKind.POINT
    assert label(w) == "today at 09:00"


@pytest.mark.parametrize(
    ("text", "hour", "minute"),
    [
        ("at 11", 11, 0),
        ("around 10", 10, 0),
        ("at 9am", 9, 0),
        ("9 am", 9, 0),
        ("3pm", 15, 0),
        ("at 2", 14, 0),  # small hours without am/pm are the afternoon at a conference
        ("14:30", 14, 30),
        ("at 2:30", 14, 30),
        ("at 09:30", 9, 30),
        ("at noon", 12, 0),
        ("at 11 o'clock", 11, 0),
    ],
)
def test_clock_times(text: str, hour: int, minute: int) -> None:
    w = parse(text).window
    assert w is not None, text
    assert (w.start.hour, w.start.minute) == (hour, minute)
    assert w.start.tzinfo is not None


def test_slash_dates_are_refused_not_read_as_2112() -> None:
    tp = parse("what's on 10/11/12")
    assert tp.window is None
    assert tp.problem is not None
    assert "10/11/12" in problem(tp)
    assert parse("10/11").window is None


def test_a_time_in_the_dst_gap_is_refused() -> None:
    ctx = TimeContext(BRUSSELS, (date(2024, 3, 31),))
    now = datetime(2024, 3, 31, 1, 0, tzinfo=BRUSSELS)
    for text in ("what's on at 02:30", "what is on today at 2:30am", "31 march at 02:30"):
        tp = parse(text, now, ctx)
        assert tp.window is None, text
        assert tp.problem is not None
        assert "does not exist" in problem(tp)
    assert parse("at 03:30", now, ctx).window is not None  # after the change: fine


def test_tomorrow_and_today_follow_the_clock() -> None:
    w = parse("what's on tomorrow").window
    assert w is not None
    assert w.kind is WindowKind.DAY
    assert w.day == DAYS[1]
    assert label(w) == "tomorrow"
    later = parse("tomorrow", now=_at(DAYS[1], 9)).window
    assert later is not None
    assert later.day == DAYS[1] + timedelta(days=1)  # not a conference day: honest, empty
    today = parse("today", now=_at(DAYS[1], 9)).window
    assert today is not None
    assert today.day == DAYS[1]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("day 2", DAYS[1]),
        ("day two", DAYS[1]),
        ("the second day", DAYS[1]),
        ("on the first day", DAYS[0]),
        ("last day", DAYS[1]),
        ("thursday", DAYS[1]),
        ("on wednesday", DAYS[0]),
        ("28 november", DAYS[1]),
        ("nov 28", DAYS[1]),
        ("november 27th", DAYS[0]),
        ("on the 28th", DAYS[1]),
        ("2024-11-28", DAYS[1]),
    ],
)
def test_conference_days(text: str, day: date) -> None:
    w = parse(f"what's on {text}").window
    assert w is not None, text
    assert w.day == day


def test_day_beyond_the_conference_is_reported() -> None:
    tp = parse("day 5")
    assert tp.window is None
    assert tp.problem is not None


def test_after_lunch_is_after_the_lunch_in_the_agenda() -> None:
    w = parse("what's on after lunch").window
    assert w is not None
    assert w.start == _at(DAYS[0], 14)
    assert "after lunch" in label(w)
    w2 = parse("after lunch on day 2").window
    assert w2 is not None
    assert w2.start == _at(DAYS[1], 13, 15)
    before = parse("before lunch").window
    assert before is not None
    assert before.end == _at(DAYS[0], 13)


def test_after_the_coffee_break_picks_the_next_one_today() -> None:
    w = parse("after the coffee break", now=_at(DAYS[0], 12)).window
    assert w is not None
    assert w.start == _at(DAYS[0], 16)
    first = parse("after the coffee break").window
    assert first is not None
    assert first.start == _at(DAYS[0], 11)


def test_parts_of_the_day() -> None:
    w = parse("this afternoon").window
    assert w is not None
    assert (w.start, w.end, label(w)) == (_at(DAYS[0], 12), _at(DAYS[0], 18), "this afternoon")
    night = parse("tonight").window
    assert night is not None
    assert label(night) == "tonight"
    assert night.start == _at(DAYS[0], 18)
    tm = parse("tomorrow morning").window
    assert tm is not None
    assert tm.day == DAYS[1]
    assert tm.end == _at(DAYS[1], 12)
    assert label(tm) == "tomorrow morning"


def test_day_and_time_combined() -> None:
    w = parse("what's on tomorrow at 11").window
    assert w is not None
    assert w.start == _at(DAYS[1], 11)
    assert label(w) == "tomorrow at 11:00"
    r = parse("between 10 and 12 on day 2").window
    assert r is not None
    assert (r.start, r.end) == (_at(DAYS[1], 10), _at(DAYS[1], 12))
    a = parse("after 3pm").window
    assert a is not None
    assert a.start == _at(DAYS[0], 15)


def test_now_and_next() -> None:
    now = parse("what's on now").window
    assert now is not None
    assert now.kind is WindowKind.NOW
    assert now.start == MORNING
    nxt = parse("what's next").window
    assert nxt is not None
    assert nxt.kind is WindowKind.NEXT


def test_time_words_are_taken_out_of_the_text() -> None:
    tp = parse("crisis management tomorrow at 11")
    assert tp.rest == "crisis management"


def test_dates_can_be_left_in_the_topic() -> None:
    tp = parse_time(fold("who moderates the october 7 panel"), MORNING, CTX, dates=False)
    assert tp.window is None
    assert "october 7" in tp.rest


def test_naive_time_zone_conversion_of_now() -> None:
    utc_now = datetime(2024, 11, 27, 7, 45, tzinfo=ZoneInfo("UTC"))  # 08:45 in Brussels
    w = parse("at 9", now=utc_now).window
    assert w is not None
    assert w.start == _at(DAYS[0], 9)
