"""Parsing /broadcast: options in any order, times in the conference zone, traps refused."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.agenda.loaders import load_agenda
from bot.broadcasts import EVERYONE, Audience, BroadcastInputError, parse_request, parse_when
from bot.runtime import AgendaState
from tests.conftest import BRUSSELS, brussels

TZ = ZoneInfo("Europe/Brussels")


@pytest.fixture(scope="module")
def state() -> AgendaState:
    return AgendaState(result=load_agenda(BRUSSELS), source=str(BRUSSELS))


def test_parse_request_options_in_any_order(state: AgendaState) -> None:
    now = brussels(8, 0)
    r = parse_request(" to:session:keynote-mousnier at 17:30  Hello there", state, now)
    assert r.audience == Audience("session", "keynote-mousnier")
    assert r.when == brussels(17, 30)
    assert " to:session:keynote-mousnier at 17:30  Hello there"[r.text_start :] == "Hello there"
    plain = parse_request(" Speakers, please come at 10 to the stage", state, now)
    assert plain.audience == EVERYONE
    assert plain.when is None
    assert plain.text_start == 1
    speakers = parse_request("to:speakers hi", state, now)
    assert speakers.audience == Audience("speakers")


def test_bare_numbers_are_text_not_times(state: AgendaState) -> None:
    """A bare number would become a month in dateparser: it is not taken as a time."""
    r = parse_request("at 10 we start", state, brussels(8, 0))
    assert r.when is None
    assert r.text_start == 0


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2024-03-31 02:30", "does not exist"),  # the spring-forward gap
        ("2024-11-26 09:00", "already passed"),
        ("2112-10-11 10:00", "too far ahead"),
    ],
)
def test_when_traps_are_refused(text: str, reason: str) -> None:
    now = datetime(2024, 3, 30, 20, 0, tzinfo=TZ) if "03-31" in text else brussels(8, 0)
    with pytest.raises(BroadcastInputError, match=reason):
        parse_when(text, now)


def test_when_is_in_the_conference_zone() -> None:
    when = parse_when("5:30 pm", brussels(8, 0))
    assert when == brussels(17, 30)
    assert when.utcoffset() == timedelta(hours=1)


def test_unknown_session_and_track_are_explained(state: AgendaState) -> None:
    with pytest.raises(BroadcastInputError, match="no session"):
        parse_request("to:session:nope hi", state, brussels(8, 0))
    with pytest.raises(BroadcastInputError, match="no track"):
        parse_request("to:track:nope hi", state, brussels(8, 0))
