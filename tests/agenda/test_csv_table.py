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


# --- pretalx's sessions export ------------------------------------------------------------

PRETALX_HEADER = (
    "\ufeffID,Proposal title,Proposal state,Session type,Track,Duration,Language,"
    "Speaker IDs,Speaker names,Room,Start,End\r\n"
)


def pretalx(*rows: str) -> bytes:
    return (PRETALX_HEADER + "".join(r + "\r\n" for r in rows)).encode("utf-8")


def test_pretalx_columns_iso_times_and_paired_speakers() -> None:
    data = pretalx(
        'ABC123,Opening,confirmed,Keynote,Main,45,en,"XYZ111, XYZ222","Ada Lovelace, Bob",'
        "Hall 1,2024-11-27T09:00:00+01:00,2024-11-27T09:45:00+01:00",
    )
    result = load_bytes(data, "democon_sessions.csv")
    c = result.conference
    assert c.name == "democon"
    [s] = c.sessions
    assert (s.id, s.title, s.type, s.track, s.room) == (
        "ABC123",
        "Opening",
        SessionType.KEYNOTE,
        "Main",
        "Hall 1",
    )
    assert s.start == datetime(2024, 11, 27, 9, 0, tzinfo=ZoneInfo("Etc/GMT-1"))
    assert s.end == datetime(2024, 11, 27, 9, 45, tzinfo=ZoneInfo("Etc/GMT-1"))
    assert s.speaker_ids == ("XYZ111", "XYZ222")
    assert [c.speakers[x].name for x in s.speaker_ids] == ["Ada Lovelace", "Bob"]


def test_pretalx_states_off_the_programme_and_unscheduled_rows_are_skipped() -> None:
    data = pretalx(
        "A1,Kept,accepted,Talk,,30,en,S1,Ada,Hall,2024-11-27T09:00:00+01:00,",
        "A2,Gone,withdrawn,Talk,,30,en,S2,Bob,Hall,2024-11-27T10:00:00+01:00,",
        "A3,Not yet,submitted,Talk,,30,en,S3,Cy,,,",
    )
    result = load_bytes(data, "s.csv", BERLIN)
    assert [s.id for s in result.conference.sessions] == ["A1"]
    assert result.conference.sessions[0].duration == timedelta(minutes=30)  # Duration column
    places = {w.place: w.message for w in result.warnings}
    assert places["row 3"] == "skipped: 'Gone' is withdrawn"
    assert places["row 4"] == "skipped: no start date/time"


def test_pretalx_defused_cells_are_restored() -> None:
    data = pretalx(
        "A1,'=Equals and '|pipes\\|,confirmed,Talk,'-Minus track,30,en,S1,'@handle,Hall,"
        "2024-11-27T09:00:00+01:00,2024-11-27T09:30:00+01:00",
    )
    [s] = load_bytes(data, "s.csv", BERLIN).conference.sessions
    assert s.title == "=Equals and '|pipes|"
    assert s.track == "-Minus track"
    assert load_bytes(data, "s.csv", BERLIN).conference.speakers["S1"].name == "@handle"


def test_a_plain_spreadsheet_keeps_a_leading_quote() -> None:
    data = b"Title,Start\n'=quoted,2024-11-27T09:00\n"
    [s] = load_bytes(data, "s.csv", BERLIN).conference.sessions
    assert s.title == "'=quoted"


def test_speaker_ids_and_names_that_do_not_pair_up_warn() -> None:
    data = pretalx(
        'A1,T,confirmed,Talk,,30,en,"S1, S2",Ada,Hall,2024-11-27T09:00:00+01:00,',
    )
    result = load_bytes(data, "s.csv", BERLIN)
    assert [w.message for w in result.warnings if "speaker ids" in w.message] == [
        "2 speaker ids but 1 speaker names: the names are used without their ids"
    ]
    assert [sp.name for sp in result.conference.speakers.values()] == ["Ada"]


def test_iso_end_and_split_end_columns(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "Title,Start (date),Start (time),End (date),End (time)\n"
        "Night,2024-05-02,23:00,2024-05-03,01:00\n"
        "Day,2024-05-03,10:00,2024-05-03,11:00\n"
    )
    night, day = load_agenda(path, BERLIN).conference.sessions
    assert night.end == datetime(2024, 5, 3, 1, 0, tzinfo=BERLIN)
    assert day.duration == timedelta(hours=1)
    path.write_text("title,start,end\nA,2024-05-02T09:00Z,2024-05-02T10:30Z\n")
    [s] = load_agenda(path, BERLIN).conference.sessions
    assert (s.start, s.end) == (
        datetime(2024, 5, 2, 11, 0, tzinfo=BERLIN),
        datetime(2024, 5, 2, 12, 30, tzinfo=BERLIN),
    )
    path.write_text("title,start,end\nA,2024-05-02T09:00,2024-05-02T08:00\n")
    with pytest.raises(AgendaError, match="row 2: end '2024-05-02T08:00' is before the start"):
        load_agenda(path, BERLIN)


def test_offsets_make_agenda_timezone_optional_but_not_when_mixed_with_naive() -> None:
    offsets = b"Title,Start,End\nA,2024-05-02T09:00+02:00,2024-05-02T10:00+02:00\n"
    assert load_bytes(offsets, "o.csv").conference.timezone.key == "Etc/GMT-2"
    mixed = b"Title,Start,End\nA,2024-05-02T09:00+02:00,10:00\nB,2024-05-02T11:00,12:00\n"
    with pytest.raises(AgendaError, match="mixes times with and without UTC offsets"):
        load_bytes(mixed, "m.csv")
    assert load_bytes(mixed, "m.csv", BERLIN).conference.sessions[1].start.hour == 11


def test_pretalx_german_headers() -> None:
    data = (
        "\ufeffID,Titel,Einreichungsart,Raum,IDs der Vortragenden,Namen der Vortragenden,"
        "Beginn (Datum),Beginn (Uhrzeit),Ende (Uhrzeit),Einreichungsstatus\r\n"
        'X1,Eröffnung,Vortrag,Saal,"S1\nS2","Ada\nBob",2024-11-27,09:00:00,09:30:00,confirmed\r\n'
    ).encode()
    [s] = load_bytes(data, "sitzungen.csv", BERLIN).conference.sessions
    assert (s.id, s.title, s.room) == ("X1", "Eröffnung", "Saal")
    assert s.speaker_ids == ("S1", "S2")
    assert s.start == datetime(2024, 11, 27, 9, tzinfo=BERLIN)
    assert s.end == datetime(2024, 11, 27, 9, 30, tzinfo=BERLIN)
