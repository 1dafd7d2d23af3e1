"""The real exports in ../shared/schedules load, with the counts verified by hand (grep).

Read-only: each test reads the shared file and writes damaged copies to tmp_path only.
"""

from __future__ import annotations

import random
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.agenda.errors import AgendaError
from bot.agenda.loaders import load_agenda, load_bytes
from bot.agenda.loaders.base import LoadResult
from bot.agenda.model import SessionType

SCHEDULES = Path(__file__).resolve().parents[2].parent / "shared" / "schedules"
BERLIN = ZoneInfo("Europe/Berlin")
BRUSSELS = ZoneInfo("Europe/Brussels")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

#: file -> (zone, detected format, sessions loaded)
REAL = {
    "31c3-frab.xml": (BERLIN, "schedule.xml", 138),
    "35c3-frab.json": (BERLIN, "schedule.json", 164),
    "jev22-channels-pretalx-c3voc.json": (AMSTERDAM, "schedule.json", 213),
    "fosdem-2014-pentabarf.xml": (BRUSSELS, "schedule.xml", 513),
    "orlando-codecamp-2020-sessionize.json": (NEW_YORK, "sessionize", 99),
    "pyconuk-2015.ics": (LONDON, "ical", 158),  # 162 VEVENTs, 4 with an empty SUMMARY
    "gpn11-agenda.csv": (BERLIN, "csv", 29),
    "31c3-sendezentrum-agenda.csv": (BERLIN, "csv", 18),  # 21 rows, 3 unusable
}
#: file -> speakers, counted in the file with csv/ElementTree/json (distinct person ids,
#: Sessionize speaker ids, GPN "id:" prefixes, Sendezentrum names; the iCal has none).
SPEAKERS = {
    "31c3-frab.xml": 198,
    "35c3-frab.json": 219,
    "jev22-channels-pretalx-c3voc.json": 205,
    "fosdem-2014-pentabarf.xml": 487,
    "orlando-codecamp-2020-sessionize.json": 84,
    "pyconuk-2015.ics": 0,
    "gpn11-agenda.csv": 31,
    "31c3-sendezentrum-agenda.csv": 25,
}
PLACE = re.compile(
    r"(line \d+|row \d+|VEVENT \d+|sessions\[\d+\]|day \d+ / room|schedule\.conference)"
)
_cache: dict[str, LoadResult] = {}


def real(name: str) -> Path:
    path = SCHEDULES / name
    if not path.exists():
        pytest.skip(f"real schedule {path} is absent (the shared schedules are not checked out)")
    return path


def load(name: str) -> LoadResult:
    """Each real file is parsed once per test run; results are immutable."""
    if name not in _cache:
        _cache[name] = load_agenda(real(name), REAL[name][0])
    return _cache[name]


@pytest.mark.parametrize("name", sorted(REAL))
def test_loads_detected_and_counted(name: str) -> None:
    zone, fmt, count = REAL[name]
    result = load(name)
    assert result.format == fmt
    assert len(result.conference.sessions) == count
    assert result.conference.timezone == zone
    for s in result.conference.sessions:
        assert s.start.tzinfo == zone
        assert s.end >= s.start


@pytest.mark.parametrize("name", sorted(REAL))
def test_speakers_counted(name: str) -> None:
    assert len(load(name).conference.speakers) == SPEAKERS[name]


@pytest.mark.parametrize("name", sorted(REAL))
def test_truncated_copy_refused_or_shorter(name: str, tmp_path: Path) -> None:
    data = real(name).read_bytes()
    copy = tmp_path / name
    copy.write_bytes(data[: int(len(data) * 0.6)])
    zone, _, count = REAL[name]
    if name.endswith(".csv"):  # the rows before the cut are still good rows
        shorter = load_agenda(copy, zone)
        assert 0 < len(shorter.conference.sessions) < count
        return
    with pytest.raises(AgendaError) as err:
        load_agenda(copy, zone)
    assert str(err.value).startswith(str(copy))
    assert PLACE.search(str(err.value)), str(err.value)


@pytest.mark.parametrize("name", sorted(REAL))
def test_corrupted_copy_refused(name: str, tmp_path: Path) -> None:
    data = real(name).read_bytes()
    middle = len(data) // 2
    copy = tmp_path / name
    copy.write_bytes(data[:middle] + b'\x00\x81garbage<"{' + data[middle + 16 :])
    with pytest.raises(AgendaError) as err:
        load_agenda(copy, REAL[name][0])
    assert str(err.value).startswith(str(copy))
    assert PLACE.search(str(err.value)), str(err.value)


def test_31c3_frab_xml() -> None:
    conf = load("31c3-frab.xml").conference
    assert conf.name == "31. Chaos Communication Congress"
    assert conf.days == tuple(date(2014, 12, d) for d in (27, 28, 29, 30))
    assert conf.rooms == ("Saal 1", "Saal 2", "Saal G", "Saal 6")
    assert len(conf.speakers) == 198  # distinct <person id>
    late = conf.session("6109")
    assert late is not None
    assert late.start == datetime(2014, 12, 29, 0, 15, tzinfo=BERLIN)
    assert late.day == date(2014, 12, 28)
    after_midnight = [s for s in conf.sessions if s.start.date() != s.day]
    assert len(after_midnight) == 4
    assert sum("(Stream)" in s.title for s in conf.sessions) == 2


def test_31c3_offsets_without_agenda_timezone() -> None:
    result = load_agenda(real("31c3-frab.xml"))
    assert result.conference.timezone == ZoneInfo("Etc/GMT-1")
    assert any("AGENDA_TIMEZONE" in w.message for w in result.warnings)


def test_fosdem_pentabarf() -> None:
    conf = load("fosdem-2014-pentabarf.xml").conference
    assert len(conf.rooms) == 23
    assert conf.days == (date(2014, 2, 1), date(2014, 2, 2))
    assert len(conf.speakers) == 487
    first = conf.session("1616")
    assert first is not None
    assert first.title == "Welcome to FOSDEM 2014"
    assert first.start == datetime(2014, 2, 1, 10, 30, tzinfo=BRUSSELS)
    assert first.duration == timedelta(minutes=25)
    assert first.type is SessionType.KEYNOTE
    assert first.abstract == "FOSDEM welcome and opening talk."
    assert not any("<p>" in s.abstract or "&lt;" in s.abstract for s in conf.sessions)
    assert min(s.start.time() for s in conf.sessions) == time(9, 0)  # day_change 09:00


def test_fosdem_needs_agenda_timezone() -> None:
    with pytest.raises(AgendaError, match="AGENDA_TIMEZONE"):
        load_agenda(real("fosdem-2014-pentabarf.xml"))


def test_orlando_sessionize() -> None:
    conf = load("orlando-codecamp-2020-sessionize.json").conference
    assert len(conf.speakers) == 84
    assert len(conf.rooms) == 14
    service = [s for s in conf.sessions if not s.id.isdigit()]
    assert len(service) == 12
    keynote = conf.sessions[0]
    assert keynote.title == "Keynote"
    assert keynote.type is SessionType.KEYNOTE
    assert keynote.start == datetime(2020, 3, 28, 8, 0, tzinfo=NEW_YORK)
    talk = conf.session("176149")
    assert talk is not None
    assert talk.room == "Room 1"
    assert talk.speaker_ids == ("b1f7a8bd-b237-4375-9e04-bd3189932ad1",)
    lunch = next(s for s in conf.sessions if s.title == "Lunch")
    assert lunch.type is SessionType.BREAK
    assert sum(bool(s.track) for s in conf.sessions) == 22  # only 22 talks have a "Category"


def test_pyconuk_ics() -> None:
    result = load("pyconuk-2015.ics")
    conf = result.conference
    assert conf.name == "PyCon UK 2015 Schedule"
    assert len(conf.rooms) == 11
    assert conf.days == tuple(date(2015, 9, d) for d in (18, 19, 20, 21))
    opening = [s for s in conf.sessions if s.title == "Opening Plenary"]
    assert opening[0].start == datetime(2015, 9, 18, 9, 30, tzinfo=LONDON)  # 08:30Z
    assert opening[1].start.time() == time(9, 0)  # 08:00Z, not 08:00 local
    zero = [s for s in conf.sessions if s.duration == timedelta(0)]
    assert len(zero) == 5  # no DTEND
    assert sum(s.id.endswith("-2") for s in conf.sessions) == 1  # the shared UID
    assert sum("skipped: no SUMMARY" in w.message for w in result.warnings) == 4
    keynote = next(s for s in conf.sessions if s.title.startswith("Keynote: Van"))
    assert keynote.title == "Keynote: Van Lindberg, PSF Chair"


def test_pyconuk_utc_needs_agenda_timezone() -> None:
    with pytest.raises(AgendaError, match="AGENDA_TIMEZONE"):
        load_agenda(real("pyconuk-2015.ics"))


def test_gpn11_csv() -> None:
    conf = load("gpn11-agenda.csv").conference
    assert conf.rooms == ("GroßesStudio", "GroßerSeminarraum")
    assert conf.days == tuple(date(2011, 6, d) for d in (23, 24, 25, 26))
    jam = next(s for s in conf.sessions if s.start.time() == time(0))
    assert jam.start.date() == date(2011, 6, 26)
    assert jam.day == date(2011, 6, 25)  # Day 3
    gsm = conf.session("10")
    assert gsm is not None
    assert gsm.speaker_ids == ("10", "11")
    assert conf.speakers["11"].name == "Dennis Wehrle"
    assert conf.sessions[0].duration == timedelta(minutes=90)  # "1:30"


def test_sendezentrum_csv() -> None:
    result = load("31c3-sendezentrum-agenda.csv")
    conf = result.conference
    assert conf.rooms == ()
    assert conf.days == tuple(date(2014, 12, d) for d in (27, 28, 29, 30))
    first = conf.sessions[0]
    assert first.title == "Der Einstieg ins Podcasten"
    assert first.start == datetime(2014, 12, 27, 14, 0, tzinfo=BERLIN)
    reunion = next(s for s in conf.sessions if s.title == "DIE Reunion")
    assert reunion.start == datetime(2014, 12, 30, 0, 0, tzinfo=BERLIN)
    skipped = [w.place for w in result.warnings if w.message.startswith("skipped")]
    assert skipped == ["row 9", "row 20", "row 21"]
    last = conf.sessions[-1]
    assert last.title == "#31C3-Rückblick"
    assert last.duration == timedelta(minutes=30)


@pytest.mark.parametrize("name", sorted(REAL))
def test_damage_sweep_never_tracebacks(name: str) -> None:
    """Cuts at every 5% and random byte flips: a load or an AgendaError, nothing else."""
    data = real(name).read_bytes()
    zone = REAL[name][0]
    rnd = random.Random(name)
    cases = [data[: len(data) * k // 20] for k in range(1, 20)]
    for _ in range(40):
        damaged = bytearray(data)
        for _ in range(rnd.randint(1, 4)):
            damaged[rnd.randrange(len(damaged))] = rnd.choice(b'0:-<>"{}[],;\n\x00 Z\xff')
        cases.append(bytes(damaged))
    refused = []
    for case in cases:
        try:
            load_bytes(case, name, zone)
        except AgendaError as exc:
            refused.append(str(exc))
    assert refused  # most cuts break the file
    assert all(message.startswith(name) for message in refused)
