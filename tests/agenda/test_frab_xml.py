"""frab / pentabarf schedule.xml: both flavours, zones, after-midnight days, refusals."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.agenda.errors import AgendaError
from bot.agenda.loaders import load_agenda, load_bytes
from bot.agenda.loaders.frab_xml import LOADER
from bot.agenda.model import SessionType

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "agenda"
BERLIN = ZoneInfo("Europe/Berlin")
BRUSSELS = ZoneInfo("Europe/Brussels")


def test_sniff_by_content_not_name() -> None:
    data = (FIXTURES / "xml_frab_offsets.xml").read_bytes()
    assert LOADER.sniff(data, Path("agenda.txt"))
    assert not LOADER.sniff(b"<html><body/></html>", Path("schedule.xml"))
    assert not LOADER.sniff(b'{"schedule": {}}', Path("schedule.xml"))


def test_frab_offsets_after_midnight_keeps_day() -> None:
    result = load_agenda(FIXTURES / "xml_frab_offsets.xml", BERLIN)
    conf = result.conference
    assert result.format == "schedule.xml"
    assert conf.name == "Test Congress"
    assert conf.timezone == BERLIN
    late = conf.session("102")
    assert late is not None
    assert late.start == datetime(2014, 12, 28, 0, 15, tzinfo=BERLIN)
    assert late.day == date(2014, 12, 27)
    assert late.duration.total_seconds() == 90 * 60  # HH:MM:SS
    assert late.type is SessionType.PANEL  # frab "podium"
    assert late.abstract.startswith("After midnight")  # subtitle kept as first paragraph
    stream = conf.session("103")
    assert stream is not None
    assert stream.room == "Saal 2"
    assert conf.rooms == ("Saal 1", "Saal 2")
    assert conf.days == (date(2014, 12, 27), date(2014, 12, 28))
    opening = conf.session("101")
    assert opening is not None
    assert opening.abstract == "Welcome & hello"
    assert opening.speaker_ids == ("1", "2")
    assert opening.language == "en"
    assert conf.speakers["2"].name == "Bob"


def test_offsets_only_without_default_tz_use_fixed_zone_and_warn() -> None:
    result = load_agenda(FIXTURES / "xml_frab_offsets.xml")
    assert result.conference.timezone == ZoneInfo("Etc/GMT-1")
    assert any("AGENDA_TIMEZONE" in str(w) for w in result.warnings)
    first = result.conference.session("101")
    assert first is not None
    assert first.start.hour == 11


def test_pentabarf_day_change_html_abstract() -> None:
    conf = load_agenda(FIXTURES / "xml_pentabarf_day_change.xml", BRUSSELS).conference
    welcome = conf.session("1616")
    night = conf.session("1700")
    assert welcome is not None
    assert night is not None
    assert welcome.start == datetime(2014, 2, 1, 10, 30, tzinfo=BRUSSELS)
    assert welcome.type is SessionType.KEYNOTE
    assert welcome.abstract == "First paragraph & more.\n\nSecond paragraph."
    # 01:30 is before day_change 04:00: the next calendar date, listed under day 1.
    assert night.start == datetime(2014, 2, 2, 1, 30, tzinfo=BRUSSELS)
    assert night.day == date(2014, 2, 1)
    assert night.type is SessionType.TALK  # "devroom"
    assert night.abstract == "Only a description."
    assert conf.venue == "ULB"
    assert conf.city == "Brussels"


def test_pentabarf_without_zone_names_the_variable() -> None:
    with pytest.raises(AgendaError, match="AGENDA_TIMEZONE"):
        load_agenda(FIXTURES / "xml_pentabarf_day_change.xml")


def test_zone_in_file_wins_over_default() -> None:
    conf = load_agenda(FIXTURES / "xml_time_zone_name.xml", BERLIN).conference
    assert conf.timezone == ZoneInfo("Europe/Amsterdam")
    assert conf.sessions[0].start.hour == 10


def test_doctype_and_entities_refused() -> None:
    data = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n<schedule></schedule>'
    with pytest.raises(AgendaError, match=r"line 2: DOCTYPE/ENTITY") as err:
        load_bytes(data, "bomb.xml", BERLIN)
    assert "bomb.xml" in str(err.value)


def test_parse_error_names_line_and_column(tmp_path: Path) -> None:
    data = (FIXTURES / "xml_frab_offsets.xml").read_bytes().replace(b"</title>", b"</titel>", 1)
    with pytest.raises(AgendaError, match=r"line 6, column \d+: mismatched tag"):
        load_bytes(data, tmp_path / "x.xml", BERLIN)


def test_bad_element_value_names_day_room_event() -> None:
    data = (FIXTURES / "xml_frab_offsets.xml").read_bytes()
    data = data.replace(b"<duration>00:45</duration>", b"<duration>forever</duration>")
    with pytest.raises(AgendaError) as err:
        load_bytes(data, "x.xml", BERLIN)
    assert "day 2 / room 'Saal 1' / event 104" in str(err.value)
    assert "'forever'" in str(err.value)


def test_event_without_title_is_skipped_with_warning() -> None:
    data = (FIXTURES / "xml_frab_offsets.xml").read_bytes()
    data = data.replace(b"<title>Day Two Talk</title>", b"<title></title>")
    result = load_bytes(data, "x.xml", BERLIN)
    assert result.conference.session("104") is None
    assert any("event 104" in w.place for w in result.warnings)


def test_unknown_declared_encoding_is_an_agenda_error() -> None:
    data = b"<?xml version='1.0' encoding='klingon'?>\n<schedule/>"
    with pytest.raises(AgendaError, match="line 1: unknown encoding"):
        load_bytes(data, "k.xml", BERLIN)


def test_a_time_the_dst_change_skips_is_refused_with_its_event() -> None:
    data = (FIXTURES / "xml_pentabarf_day_change.xml").read_bytes()
    # 02:30 is before day_change (04:00): it belongs to the next morning, 30 March 2014,
    # when Brussels skips from 02:00 to 03:00.
    data = data.replace(b'date="2014-02-01"', b'date="2014-03-29"').replace(
        b"<start>10:30</start>", b"<start>02:30</start>", 1
    )
    with pytest.raises(AgendaError, match=r"event 1616.*02:30 does not exist"):
        load_bytes(data, "t.xml", BRUSSELS)
