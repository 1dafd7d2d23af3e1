"""The agenda model: type words, and what a Conference derives from its sessions."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.agenda.model import (
    HEADLINE_TYPES,
    Conference,
    Session,
    SessionSpeaker,
    SessionType,
)

TZ = ZoneInfo("Europe/Brussels")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 11, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        (None, SessionType.TALK),
        ("", SessionType.TALK),
        ("Panel", SessionType.PANEL),
        ("  KEYNOTE ", SessionType.KEYNOTE),
        ("Opening keynote", SessionType.KEYNOTE),
        ("Round table", SessionType.PANEL),
        ("Podium discussion", SessionType.PANEL),
        ("Hands-on tutorial", SessionType.WORKSHOP),
        ("Welcoming remarks", SessionType.OPENING),
        ("Closing session", SessionType.CLOSING),
        ("Lunch", SessionType.BREAK),
        ("Coffee", SessionType.BREAK),
        ("Registration", SessionType.BREAK),
        ("Evening reception", SessionType.SOCIAL),
        ("lecture", SessionType.TALK),
        ("Lightning talks", SessionType.TALK),
        ("film", SessionType.OTHER),
        ("Podium", SessionType.OTHER),
    ],
)
def test_session_type_parse(word: str | None, kind: SessionType) -> None:
    assert SessionType.parse(word) is kind


def test_headline_types() -> None:
    assert SessionType.PANEL in HEADLINE_TYPES
    assert SessionType.KEYNOTE in HEADLINE_TYPES
    assert SessionType.TALK not in HEADLINE_TYPES


def test_session_properties() -> None:
    s = Session(
        "a",
        "A",
        at(27, 23, 30),
        at(28, 0, 45),
        type=SessionType.BREAK,
        speakers=(SessionSpeaker("x"), SessionSpeaker("y", "moderator")),
    )
    assert s.duration == timedelta(hours=1, minutes=15)
    assert s.is_break
    assert s.speaker_ids == ("x", "y")
    assert s.listed_day == date(2024, 11, 27)  # no explicit day: the start's date
    late = Session("b", "B", at(28, 1), at(28, 2), day=date(2024, 11, 27))
    assert late.listed_day == date(2024, 11, 27)
    assert not late.is_break


def test_conference_days_rooms_tracks_and_span() -> None:
    sessions = (
        Session("1", "One", at(27, 9), at(27, 10), room="Room B", track="Security"),
        Session("2", "Two", at(27, 9), at(27, 10), room="Annex", track="Policy"),
        Session("3", "Three", at(28, 1), at(28, 2), room="Room B", day=date(2024, 11, 27)),
        Session("4", "Four", at(29, 9), at(29, 11), track="Security"),
    )
    conf = Conference("C", TZ, sessions, declared_rooms=("Plenary Hall", "Room B", ""))
    assert conf.days == (date(2024, 11, 27), date(2024, 11, 29))
    # Declared rooms first (even unused), then the others in order of first use.
    assert conf.rooms == ("Plenary Hall", "Room B", "Annex")
    assert conf.tracks == ("Policy", "Security")
    assert conf.start == at(27, 9)
    assert conf.end == at(29, 11)
    assert conf.tz is TZ
    assert conf.session("3") is sessions[2]
    assert conf.session("nope") is None


def test_empty_conference() -> None:
    conf = Conference("Empty", TZ, ())
    assert conf.days == ()
    assert conf.rooms == ()
    assert conf.start is None
    assert conf.end is None


def test_model_is_immutable() -> None:
    s = Session("a", "A", at(27, 9), at(27, 10))
    with pytest.raises(AttributeError):
        s.title = "B"  # type: ignore[misc]
