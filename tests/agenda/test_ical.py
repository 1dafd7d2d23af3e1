"""iCalendar: UTC and TZID times, floating times, missing DTEND, shared UIDs, refusals."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.agenda.errors import AgendaError
from bot.agenda.loaders import load_agenda, load_bytes
from bot.agenda.loaders.ical import LOADER
from bot.agenda.model import SessionType

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "agenda"
UTC_FILE = FIXTURES / "ics_utc_folded.ics"
TZ_FILE = FIXTURES / "ics_tzid_floating.ics"
LONDON = ZoneInfo("Europe/London")
BERLIN = ZoneInfo("Europe/Berlin")


def test_sniff() -> None:
    assert LOADER.sniff(UTC_FILE.read_bytes(), Path("x.txt"))
    assert not LOADER.sniff(b"BEGIN:VCARD\r\n", Path("x.ics"))


def test_utc_file_converted_to_local_time() -> None:
    result = load_agenda(UTC_FILE, LONDON)
    conf = result.conference
    assert result.format == "ical"
    assert conf.name == "Test UK Schedule"  # X-WR-CALNAME after the events
    keynote = conf.sessions[0]
    assert keynote.id.endswith("3394-linux-5")  # folded UID unfolded
    assert keynote.title == "Keynote: Van Lindberg, PSF Chair"
    assert keynote.start == datetime(2015, 9, 18, 9, 30, tzinfo=LONDON)
    assert keynote.type is SessionType.KEYNOTE
    assert keynote.track == "Keynotes"
    assert keynote.url == "http://www.pyconuk.org/keynote/"
    assert "because it is long" in keynote.abstract
    assert [s.id for s in conf.sessions[1:3]] == ["shared-uid@test", "shared-uid@test-2"]
    end = conf.session("no-end@test")
    assert end is not None
    assert end.duration == timedelta(0)
    assert end.title == "End of Conference, pack up"
    assert len(conf.sessions) == 4
    messages = " | ".join(str(w) for w in result.warnings)
    assert "all-day" in messages
    assert "UID shared" in messages
    assert "no DTEND" in messages
    assert "VEVENT 6 (UID untitled@test): skipped: no SUMMARY" in messages


def test_utc_only_needs_agenda_timezone() -> None:
    with pytest.raises(AgendaError, match="AGENDA_TIMEZONE"):
        load_agenda(UTC_FILE)


def test_tzid_floating_and_duration() -> None:
    conf = load_agenda(TZ_FILE).conference  # X-WR-TIMEZONE gives the zone
    assert conf.timezone == BERLIN
    zoned, floating = conf.sessions
    assert zoned.start == datetime(2024, 6, 12, 14, tzinfo=BERLIN)
    assert zoned.room == "Hall A"
    assert floating.start == datetime(2024, 6, 12, 16, tzinfo=BERLIN)
    assert floating.duration == timedelta(minutes=45)
    assert floating.type is SessionType.WORKSHOP
    assert floating.day == date(2024, 6, 12)


def test_a_zone_in_the_file_wins_over_agenda_timezone() -> None:
    conf = load_agenda(TZ_FILE, LONDON).conference  # the contract: "a zone in the file wins"
    assert conf.timezone == BERLIN
    assert conf.sessions[0].start == datetime(2024, 6, 12, 14, tzinfo=BERLIN)
    assert conf.sessions[1].start.hour == 16  # floating: the conference's wall clock


def test_agenda_timezone_converts_utc_times() -> None:
    conf = load_agenda(UTC_FILE, LONDON).conference
    assert conf.timezone == LONDON
    assert all(s.start.tzinfo == LONDON for s in conf.sessions)


def test_vtimezone_alone_gives_the_zone() -> None:
    data = TZ_FILE.read_bytes().replace(b"X-WR-TIMEZONE:Europe/Berlin\r\n", b"")
    assert load_bytes(data, "t.ics").conference.timezone == BERLIN


def test_truncated_and_garbage_refused_with_line() -> None:
    data = UTC_FILE.read_bytes()
    with pytest.raises(AgendaError, match=r"t\.ics: line \d+: the file ends inside VEVENT"):
        load_bytes(data[: data.index(b"LOCATION:Bistro")], "t.ics", LONDON)
    bad = data.replace(b"LOCATION:Bistro", b"LOCATION Bistro")
    with pytest.raises(AgendaError, match=r"line 20: not an iCalendar content line"):
        load_bytes(bad, "t.ics", LONDON)


def test_bad_value_names_the_vevent() -> None:
    data = UTC_FILE.read_bytes().replace(b"DTSTART:20150919T153000Z", b"DTSTART:2015091xT1530Z")
    with pytest.raises(AgendaError, match=r"VEVENT 2 \(UID shared-uid@test\): DTSTART"):
        load_bytes(data, "t.ics", LONDON)


def _pretalx_ics(*summaries: str, prodid: str = "-//pretalx//pretalx.com//democon") -> bytes:
    events = "".join(
        "BEGIN:VEVENT\r\n"
        f"UID:pretalx-democon-C{n}@pretalx.com\r\n"
        f"SUMMARY:{summary}\r\n"
        f"DTSTART;TZID=Europe/Berlin:20241227T{10 + n:02d}0000\r\n"
        f"DTEND;TZID=Europe/Berlin:20241227T{10 + n:02d}3000\r\n"
        "LOCATION:Saal 1\r\n"
        "END:VEVENT\r\n"
        for n, summary in enumerate(summaries)
    )
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:{prodid}\r\n{events}END:VCALENDAR\r\n".encode()
    )


def test_pretalx_summary_holds_the_speakers() -> None:
    data = _pretalx_ics(
        "Opening - Ada Lovelace\\, Bob",
        "Q&A - the sequel - Cy",  # a title with " - " in it: split at the last one
        "No speakers yet - ",
        "Plain title",
    )
    c = load_bytes(data, "schedule.ics").conference
    got = [(s.title, [c.speakers[x].name for x in s.speaker_ids]) for s in c.sessions]
    assert got == [
        ("Opening", ["Ada Lovelace", "Bob"]),
        ("Q&A - the sequel", ["Cy"]),
        ("No speakers yet", []),
        ("Plain title", []),
    ]
    assert c.timezone.key == "Europe/Berlin"


def test_a_calendar_not_made_by_pretalx_keeps_its_summary() -> None:
    data = _pretalx_ics("Opening - Ada Lovelace", prodid="-//Example Corp//Calendar//EN")
    c = load_bytes(data, "schedule.ics").conference
    assert c.sessions[0].title == "Opening - Ada Lovelace"
    assert c.speakers == {}
