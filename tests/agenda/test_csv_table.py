"""Spreadsheet CSV: delimiters, encodings, header aliases, 12-hour times, skipped rows."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.agenda.errors import AgendaError
from bot.agenda.loaders import load_agenda, load_bytes
from bot.agenda.loaders._common import parse_date, parse_duration, parse_time
from bot.agenda.loaders.csv_table import LOADER
from bot.agenda.model import SessionType

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "agenda"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2:00 p.m.", time(14)),
        ("04:30 p.m.", time(16, 30)),
        ("0:00 a.m.", time(0)),
        ("12:00 a.m.", time(0)),
        ("12:00 p.m.", time(12)),
        ("11:59 p.m.", time(23, 59)),
        ("2pm", time(14)),
        ("2 PM", time(14)),
        ("10:15AM", time(10, 15)),
        ("14h30", time(14, 30)),
        ("14.30", time(14, 30)),
        ("09:00:00", time(9)),
        ("14:00 pm", time(14)),
    ],
)
def test_clock_spellings(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["tbd", "25:00", "13:00 am", "14", "2:5"])
def test_bad_clocks(text: str) -> None:
    with pytest.raises(ValueError, match="not a time"):
        parse_time(text)


def test_dates_and_durations() -> None:
    assert parse_date("27/12/14", order="dmy") == date(2014, 12, 27)
    assert parse_date("27.12.2014", order="dmy") == date(2014, 12, 27)
    assert parse_date("2014-12-27") == date(2014, 12, 27)
    assert parse_date("12/27/2014", order="mdy") == date(2014, 12, 27)
    assert parse_duration("1:30") == timedelta(minutes=90)
    assert parse_duration("0:30") == timedelta(minutes=30)
    assert parse_duration("01:00:00") == timedelta(hours=1)
    assert parse_duration("90") == timedelta(minutes=90)
    assert parse_duration("1h30") == timedelta(minutes=90)


def test_sniff() -> None:
    assert LOADER.sniff((FIXTURES / "csv_gpn_style.csv").read_bytes(), Path("x.txt"))
    assert LOADER.sniff((FIXTURES / "csv_semicolon_12h.csv").read_bytes(), Path("x.txt"))
    assert not LOADER.sniff(b"name,email\nada,a@x\n", Path("x.csv"))
    assert not LOADER.sniff(b'{"title": 1, "start": 2}', Path("x.csv"))
    assert not LOADER.sniff(b"sessions:\n  - title: a\n", Path("x.csv"))


def test_semicolon_bom_12h_and_skips() -> None:
    result = load_agenda(FIXTURES / "csv_semicolon_12h.csv", BERLIN)
    conf = result.conference
    assert result.format == "csv"
    by_title = {s.title: s for s in conf.sessions}
    assert set(by_title) == {
        "Opening Keynote",
        "Breaking the build",
        "Midnight Special",
        "Open end talk",
        "Lunch",
    }
    assert by_title["Opening Keynote"].start == datetime(2014, 12, 27, 14, tzinfo=BERLIN)
    assert by_title["Opening Keynote"].room == "Main"
    assert by_title["Opening Keynote"].speaker_ids == ("ada-lovelace", "bob")
    assert by_title["Breaking the build"].type is SessionType.TALK
    assert by_title["Breaking the build"].end.time() == time(17)
    midnight = by_title["Midnight Special"]
    assert midnight.end == datetime(2014, 12, 28, 0, 30, tzinfo=BERLIN)
    assert by_title["Open end talk"].duration == timedelta(minutes=30)
    assert by_title["Lunch"].type is SessionType.BREAK
    assert by_title["Lunch"].start.time() == time(14, 30)
    places = {w.place: w.message for w in result.warnings}
    assert "end is 'tbd'" in places["row 5"]
    assert places["row 6"] == "skipped: no title"
    assert places["row 7"] == "skipped: start is 'tbd'"


def test_date_and_day_columns_keep_conference_day() -> None:
    conf = load_agenda(FIXTURES / "csv_gpn_style.csv", BERLIN).conference
    jam = conf.session("28")
    assert jam is not None
    assert jam.start == datetime(2011, 6, 26, 0, 0, tzinfo=BERLIN)
    assert jam.day == date(2011, 6, 25)
    couch = conf.session("29")
    assert couch is not None
    assert couch.day == date(2011, 6, 26)
    assert couch.speaker_ids == ("29",)
    assert conf.speakers["29"].name == "Jonathan Giroux"
    night = conf.session("27")
    assert night is not None
    assert night.speaker_ids == ("27", "28")
    assert night.abstract == "Short"
    assert night.room == "GroßesStudio"
    assert night.duration == timedelta(minutes=75)
    assert conf.days == (date(2011, 6, 25), date(2011, 6, 26))


def test_cp1252_fallback_warns() -> None:
    result = load_agenda(FIXTURES / "csv_cp1252.csv", BERLIN)
    session = result.conference.sessions[0]
    assert session.title == "Café society"
    assert session.room == "Salle Été"
    assert any("cp1252" in w.message for w in result.warnings)


def test_tab_delimited_without_end_or_room(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("Talk\tDate\tTime\n A talk \t2024-05-02\t9:00\n")
    result = load_agenda(path, BERLIN)
    session = result.conference.sessions[0]
    assert session.title == "A talk"
    assert session.room == ""
    assert session.duration == timedelta(minutes=30)
    assert any("30 min" in w.message for w in result.warnings)


def test_start_column_with_full_datetime(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("title,start,end\nA,2024-05-02T09:00,10:00\n")
    session = load_agenda(path, BERLIN).conference.sessions[0]
    assert session.start == datetime(2024, 5, 2, 9, tzinfo=BERLIN)
    assert session.end == datetime(2024, 5, 2, 10, tzinfo=BERLIN)


def test_month_first_column_detected(tmp_path: Path) -> None:
    path = tmp_path / "us.csv"
    path.write_text("title,date,start\nA,05/02/2024,9am\nB,05/13/2024,9am\n")
    conf = load_agenda(path, BERLIN).conference
    assert [s.start.date() for s in conf.sessions] == [date(2024, 5, 2), date(2024, 5, 13)]


def test_errors_name_the_physical_row() -> None:
    data = (FIXTURES / "csv_gpn_style.csv").read_bytes().replace(b"12:00", b"12:7x")
    with pytest.raises(AgendaError) as err:
        load_bytes(data, "g.csv", BERLIN)
    # row 1 is the header and the first record spans lines 2-4
    assert str(err.value).startswith("g.csv: row 6: start '12:7x'")


def test_nul_bytes_and_missing_zone_are_refused() -> None:
    with pytest.raises(AgendaError, match="row 2: contains NUL"):
        load_bytes(b"title,date,start\nA\x00,2024-05-02,9:00\n", "n.csv", BERLIN)
    with pytest.raises(AgendaError, match="AGENDA_TIMEZONE"):
        load_agenda(FIXTURES / "csv_gpn_style.csv")


def test_a_time_the_dst_change_skips_is_refused_with_its_row() -> None:
    data = b"Date,Start,End,Title\n2024-03-31,10:00,11:00,Fine\n2024-03-31,02:30,03:30,Ghost\n"
    with pytest.raises(AgendaError, match=r"row 3: 2024-03-31 02:30 does not exist"):
        load_bytes(data, "t.csv", ZoneInfo("Europe/Brussels"))
