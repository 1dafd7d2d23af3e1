"""AgendaIndex: by day, room, track and speaker; what runs now and what comes next."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.agenda.index import AgendaIndex
from bot.agenda.model import Conference, Session, SessionSpeaker, SessionType, Speaker

TZ = ZoneInfo("Europe/Brussels")
DAY1, DAY2 = date(2024, 11, 27), date(2024, 11, 28)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 11, day, hour, minute, tzinfo=TZ)


def s(
    sid: str,
    start: datetime,
    minutes: int,
    room: str = "Plenary Hall",
    *,
    kind: SessionType = SessionType.TALK,
    track: str = "",
    speakers: tuple[str, ...] = (),
    day: date | None = None,
) -> Session:
    return Session(
        sid,
        sid.title(),
        start,
        start + timedelta(minutes=minutes),
        room=room,
        type=kind,
        track=track,
        speakers=tuple(SessionSpeaker(x) for x in speakers),
        day=day,
    )


SESSIONS = (
    s("opening", at(27, 9), 30, kind=SessionType.OPENING, speakers=("ana",)),
    s("keynote", at(27, 9, 30), 60, kind=SessionType.KEYNOTE, track="Policy", speakers=("bo",)),
    s("coffee", at(27, 10, 30), 30, "Foyer", kind=SessionType.BREAK),
    s("panel", at(27, 11), 60, track="Security", speakers=("ana", "bo")),
    s("workshop", at(27, 11), 90, "Room B", kind=SessionType.WORKSHOP, track="security"),
    s("lunch", at(27, 12, 30), 60, "Foyer", kind=SessionType.BREAK),
    s("talk", at(27, 13, 30), 45),
    s("party", at(28, 0, 30), 120, "Bar", kind=SessionType.SOCIAL, day=DAY1),
    s("day2", at(28, 9), 60),
    s("all-day", at(28, 8), 600, "Expo", kind=SessionType.OTHER),
)
CONF = Conference(
    "Test",
    TZ,
    SESSIONS,
    speakers={"ana": Speaker("ana", "Ana"), "bo": Speaker("bo", "Bo")},
)


@pytest.fixture
def index() -> AgendaIndex:
    return AgendaIndex(CONF)


def ids(sessions: tuple[Session, ...]) -> list[str]:
    return [x.id for x in sessions]


def test_sessions_sorted_and_by_id(index: AgendaIndex) -> None:
    assert ids(index.sessions)[:3] == ["opening", "keynote", "coffee"]
    assert index.session("panel") is SESSIONS[3]
    assert index.session("missing") is None
    assert index.speaker("bo") == Speaker("bo", "Bo")


def test_by_day_keeps_after_midnight_on_its_listed_day(index: AgendaIndex) -> None:
    assert index.days == (DAY1, DAY2)
    assert ids(index.on_day(DAY1))[-1] == "party"
    assert "party" not in ids(index.on_day(DAY2))
    assert ids(index.on_day(DAY2)) == ["all-day", "day2"]
    assert index.on_day(date(2024, 11, 30)) == ()


def test_by_room_track_and_speaker_ignore_case(index: AgendaIndex) -> None:
    assert ids(index.in_room("room b")) == ["workshop"]
    assert ids(index.in_track("SECURITY")) == ["panel", "workshop"]
    assert ids(index.of_speaker("ana")) == ["opening", "panel"]
    assert index.of_speaker("nobody") == ()


def test_running_at(index: AgendaIndex) -> None:
    assert ids(index.running_at(at(27, 9))) == ["opening"]  # start is inclusive
    assert ids(index.running_at(at(27, 9, 30))) == ["keynote"]  # end is exclusive
    assert ids(index.running_at(at(27, 12))) == ["workshop"]  # the longer parallel session
    assert ids(index.running_at(at(27, 11, 15))) == ["panel", "workshop"]
    assert index.running_at(at(27, 8)) == ()
    # The 10-hour expo is found even though it started long before (bisect window).
    assert ids(index.running_at(at(28, 17))) == ["all-day"]
    # An aware time in another zone means the same moment.
    utc = at(27, 9, 45).astimezone(ZoneInfo("UTC"))
    assert ids(index.running_at(utc)) == ["keynote"]


def test_next_after_with_parallel_sessions_and_breaks(index: AgendaIndex) -> None:
    assert ids(index.next_after(at(27, 8))) == ["opening"]
    assert ids(index.next_after(at(27, 10))) == ["coffee"]
    assert ids(index.next_after(at(27, 10), include_breaks=False)) == ["panel", "workshop"]
    assert ids(index.next_after(at(27, 10, 30))) == ["panel", "workshop"]  # strictly after
    assert ids(index.next_after(at(27, 11, 30), include_breaks=False)) == ["talk"]
    assert ids(index.next_after(at(27, 14))) == ["party"]
    assert index.next_after(at(28, 9)) == ()


def test_starting_between_and_overlapping(index: AgendaIndex) -> None:
    assert ids(index.starting_between(at(27, 11), at(27, 13))) == ["panel", "workshop", "lunch"]
    assert ids(index.overlapping(at(27, 12), at(27, 13))) == ["workshop", "lunch"]


def test_day_of_after_midnight(index: AgendaIndex) -> None:
    assert index.day_of(at(28, 1)) == DAY1  # the party belongs to the evening before
    assert index.day_of(at(28, 12)) == DAY2
    assert index.day_of(at(27, 20)) == DAY1
    assert index.day_of(at(30, 12)) is None


def test_empty_index() -> None:
    index = AgendaIndex(Conference("Empty", TZ, ()))
    assert index.running_at(at(27, 9)) == ()
    assert index.next_after(at(27, 9)) == ()
    assert index.days == ()
