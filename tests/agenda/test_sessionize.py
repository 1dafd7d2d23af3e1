"""Sessionize "All data" JSON: BOM, string/int ids, categories, service sessions, zones."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.agenda.errors import AgendaError
from bot.agenda.loaders import load_agenda, load_bytes
from bot.agenda.loaders.sessionize import LOADER
from bot.agenda.model import SessionType

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "agenda"
FIXTURE = FIXTURES / "sessionize_all_data.json"
NEW_YORK = ZoneInfo("America/New_York")


def test_sniff() -> None:
    data = FIXTURE.read_bytes()
    assert LOADER.sniff(data, Path("x.bin"))
    assert not LOADER.sniff(
        b'{"schedule": {}, "sessions": [], "speakers": [], "rooms": []}', FIXTURE
    )
    assert not LOADER.sniff(b'{"sessions": []}', FIXTURE)
    assert LOADER.sniff(data[: len(data) // 2], FIXTURE)  # truncated: still recognised


def test_load_fixture() -> None:
    result = load_agenda(FIXTURE, NEW_YORK)
    conf = result.conference
    assert result.format == "sessionize"
    assert [s.id for s in conf.sessions] == [
        "11111111-2222-3333-4444-555555555555",
        "175963",
        "175964",
        "aaaaaaaa-0000-0000-0000-000000000001",
    ]
    assert conf.rooms[:2] == ("Auditorium", "Room 2")
    talk = conf.session("175963")
    assert talk is not None
    assert talk.start == datetime(2020, 3, 28, 9, 0, tzinfo=NEW_YORK)
    assert talk.track == "UI/UX"
    assert talk.room == "Room 2"
    assert talk.type is SessionType.TALK  # "Lightning talk"
    assert talk.abstract == "Why UX\n\nmatters."
    speaker = conf.speakers["da813fb1-1ae6-44d5-8211-cb94bc2ccf0f"]
    assert speaker.name == "Abhishek Murali"
    assert speaker.affiliation == "Product Designer"
    assert speaker.telegram == "abhim"
    workshop = conf.session("175964")
    assert workshop is not None
    assert workshop.type is SessionType.WORKSHOP
    # speakers[].sessions (integers) also link the speaker to a session that lists nobody
    assert workshop.speaker_ids == ("da813fb1-1ae6-44d5-8211-cb94bc2ccf0f",)
    lunch = conf.session("11111111-2222-3333-4444-555555555555")
    party = conf.session("aaaaaaaa-0000-0000-0000-000000000001")
    assert lunch is not None
    assert lunch.type is SessionType.BREAK
    assert lunch.abstract == ""
    assert party is not None
    assert party.type is SessionType.SOCIAL
    assert any("sessions[3] (id '175965')" in w.place for w in result.warnings)


def test_naive_times_need_agenda_timezone() -> None:
    with pytest.raises(AgendaError, match="AGENDA_TIMEZONE"):
        load_agenda(FIXTURE)


def test_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    data = FIXTURE.read_bytes().replace(b'"title": "Lunch",', b'"title": "Lunch"', 1)
    with pytest.raises(AgendaError, match=r"line 6, column \d+: Expecting ',' delimiter"):
        load_bytes(data, tmp_path / "s.json", NEW_YORK)


def test_bad_value_names_the_session() -> None:
    data = FIXTURE.read_bytes().replace(b"2020-03-28T09:00:00", b"28/03/2020 9am", 1)
    with pytest.raises(AgendaError) as err:
        load_bytes(data, "s.json", NEW_YORK)
    assert "sessions[1] (id '175963')" in str(err.value)
    assert "startsAt" in str(err.value)


def test_wrong_shapes_are_agenda_errors() -> None:
    data = b'{"sessions": [42], "speakers": [], "rooms": []}'
    with pytest.raises(AgendaError, match=r"sessions\[0\]"):
        LOADER.load(data, Path("s.json"), NEW_YORK)
    data = b'{"sessions": [], "speakers": [{"name": "x"}], "rooms": []}'
    with pytest.raises(AgendaError, match=r"speakers\[0\]"):
        LOADER.load(data, Path("s.json"), NEW_YORK)
