"""The real exports in tests/fixtures/real (and the pretalx ones re-made in tests/fixtures/derived).

Every expected count here was worked out from the file itself, by the small readers at the
bottom of this module (plain ElementTree / json / regex, none of the loaders' code), and is
also written out as a number, so a loader change that shifts a count fails twice.
"""

from __future__ import annotations

import csv
import functools
import gzip
import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.agenda.errors import AgendaError
from bot.agenda.loaders import load_bytes
from bot.agenda.loaders.base import LoadResult
from bot.agenda.model import Conference, Session, SessionType
from bot.agenda.summary import summarize
from bot.agenda.validate import overlapping_pairs
from bot.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REAL = FIXTURES / "real"
DERIVED = FIXTURES / "derived"
BERLIN = ZoneInfo("Europe/Berlin")
BRUSSELS = ZoneInfo("Europe/Brussels")
ZURICH = ZoneInfo("Europe/Zurich")
PARIS = ZoneInfo("Europe/Paris")
WARSAW = ZoneInfo("Europe/Warsaw")
ROME = ZoneInfo("Europe/Rome")
LONDON = ZoneInfo("Europe/London")

#: sha256 of the bytes as published (decompressed for .gz), from tests/fixtures/*/README.md.
SHA256 = {
    "real/38c3-hub-c3voc.xml.gz": (
        "a6d2dc5e7a26cb7ae6109c392c6c02f136b70e00c44ac07704f17c39d284f774"
    ),
    "real/fosdem-2025-pretalx.xml.gz": (
        "6a567f8d5cb9415bc70f31b52c341333b00ef1ee6870c25b1d59a7fd7366176f"
    ),
    "real/pretalx-democon-schedule.json": (
        "429af7817900a1c63f0d9692aade8a25235acc62c39781a94dd69d59be9946fc"
    ),
    "real/indico-xdc2021-contributions.json": (
        "bb36233376d3f109649b0b1226adff9df7850dc6de5d23a302713217b73747f2"
    ),
    "real/indico-fel2022-sessions.json.gz": (
        "f4eb8a4b6711519fcc1331d7e4cbfccb561b183f23a2907ad4f34573c4590fe9"
    ),
    "real/indico-dirac-40025-sessions.json": (
        "5848bd6618dd5cc9b33618229c0ccc3848335c5c3523ac980f101bb998b46cc8"
    ),
    "real/indico-cern-340656-tpc2014.json": (
        "40e1e40342a51db3cfa70505f7f427dcad6953a75c3198f545f1a2331cd25868"
    ),
    "real/indico-cern-374641-utf16.json": (
        "f7068356691612cf658174ade4cf05942f0ec5de97fd160805e24e6d0f940bc9"
    ),
    "real/moca24-handmade.ics": "099b9d74bc16d09bd48b17ac0d5d60ee8a64218dd25ed874c65ac398196ff2e3",
    "derived/pretalx-democon-sessions.csv": (
        "3eb94c39eef383186c887812b1a6ea96f0465c66c9ae67680b4a0eb4c09ae96c"
    ),
    "derived/pretalx-democon-sitzungen-de.csv": (
        "79ba8bc9b155b368e0d1f56427efbd72d005ef7615b72305d5484144af1d0343"
    ),
    "derived/pretalx-democon.ics": (
        "ecbf402694fa7a64c3947c804708cfb8dd14040acbfa88194caccc794ce49a66"
    ),
}

#: file -> (AGENDA_TIMEZONE for check, format, zone shown, sessions, speakers)
EXPECTED: dict[str, tuple[ZoneInfo | None, str, str, int, int]] = {
    "real/38c3-hub-c3voc.xml.gz": (None, "schedule.xml", "Europe/Berlin", 1007, 571),
    "real/fosdem-2025-pretalx.xml.gz": (None, "schedule.xml", "Europe/Brussels", 943, 992),
    "real/pretalx-democon-schedule.json": (None, "schedule.json", "UTC", 36, 27),
    "real/indico-xdc2021-contributions.json": (None, "indico", "Europe/Warsaw", 37, 33),
    "real/indico-fel2022-sessions.json.gz": (None, "indico", "Europe/Zurich", 67, 215),
    "real/indico-dirac-40025-sessions.json": (None, "indico", "Europe/Paris", 5, 8),
    "real/indico-cern-340656-tpc2014.json": (None, "indico", "Europe/Paris", 46, 44),
    "real/indico-cern-374641-utf16.json": (None, "indico", "Europe/Zurich", 9, 12),
    "real/moca24-handmade.ics": (ROME, "ical", "Europe/Rome", 88, 0),
    "derived/pretalx-democon-sessions.csv": (None, "csv", "Etc/GMT-1", 36, 27),
    "derived/pretalx-democon-sitzungen-de.csv": (BERLIN, "csv", "Europe/Berlin", 36, 27),
    "derived/pretalx-democon.ics": (None, "ical", "Europe/Berlin", 36, 27),
}


def raw(name: str) -> bytes:
    data = (FIXTURES / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


def plain_name(name: str) -> str:
    return Path(name).name.removesuffix(".gz")


@functools.cache
def load(name: str, zone: ZoneInfo | None = None) -> LoadResult:
    return load_bytes(raw(name), plain_name(name), zone)


def conf(name: str, zone: ZoneInfo | None = None) -> Conference:
    return load(name, zone).conference


def by_title(c: Conference, title: str) -> Session:
    found = [s for s in c.sessions if s.title == title]
    assert len(found) == 1, f"{len(found)} sessions titled {title!r}"
    return found[0]


def names(c: Conference, s: Session) -> list[str]:
    return [c.speakers[sid].name for sid in s.speaker_ids]


# --- integrity, counts, and `confbot check` -------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SHA256))
def test_fixture_is_byte_exact(name: str) -> None:
    assert hashlib.sha256(raw(name)).hexdigest() == SHA256[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_loads_with_the_counts_the_file_holds(name: str) -> None:
    zone, fmt, shown, sessions, speakers = EXPECTED[name]
    result = load(name, zone)
    assert result.format == fmt
    assert result.conference.timezone.key == shown
    assert len(result.conference.sessions) == sessions
    assert len(result.conference.speakers) == speakers
    assert (sessions, speakers) == independent_counts(name)
    for s in result.conference.sessions:
        assert s.start.tzinfo == result.conference.timezone
        assert s.end >= s.start


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_confbot_check_reports_sessions_and_speakers(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AGENDA_TIMEZONE", raising=False)
    zone, fmt, shown, sessions, speakers = EXPECTED[name]
    path = tmp_path / plain_name(name)
    path.write_bytes(raw(name))
    args = ["check", str(path)] + (["--timezone", zone.key] if zone else [])
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{path}: OK, format {fmt}"
    assert f"  time zone {shown}" in [line.split(";")[0].split(" (fixed")[0] for line in out]
    assert any(re.fullmatch(rf"Sessions: {sessions}(, of which \d+ breaks)?", x) for x in out)
    assert any(re.fullmatch(rf"Speakers: {speakers}( \(\d+ with no session\))?", x) for x in out)


def test_a_file_without_its_zone_names_agenda_timezone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AGENDA_TIMEZONE", raising=False)
    for name in ("real/moca24-handmade.ics", "derived/pretalx-democon-sitzungen-de.csv"):
        path = tmp_path / plain_name(name)
        path.write_bytes(raw(name))
        assert main(["check", str(path)]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"error: {path}: ")
        assert "AGENDA_TIMEZONE" in err


# --- the newer c3voc schedule.xml: identity by guid -----------------------------------------------


def test_38c3_people_are_their_guids_not_their_names() -> None:
    c = conf("real/38c3-hub-c3voc.xml.gz")
    opening = by_title(c, "38C3: Opening Ceremony")
    assert opening.start == datetime(2024, 12, 27, 10, 30, tzinfo=BERLIN)
    assert opening.room == "Saal 1"
    assert opening.track == "CCC"
    assert names(c, opening) == ["Gabriela Bogk", "Senficon", "Aline Blankertz"]
    assert opening.speaker_ids[0] == "0c16ffaa-709d-599f-959f-9a38b911361a"
    by_name = defaultdict(list)
    for sp in c.speakers.values():
        by_name[sp.name].append(sp.id)
    # Names that differ only in case or punctuation are different people...
    for a, b in (("anna", "Anna"), ("eli", "Eli"), ("Raketen.Papa", "Raketen Papa")):
        assert len(by_name[a]) == len(by_name[b]) == 1
        assert by_name[a] != by_name[b]
    # ...and one name under two guids is two people.
    for name in ("Andreas", "Marc", "bengoshi", "elenos"):
        assert len(by_name[name]) == 2


def test_38c3_speaker_clashes_are_only_the_real_ones() -> None:
    """A clash warning for each pair of overlapping sessions that share a guid, and no more."""
    result = load("real/38c3-hub-c3voc.xml.gz")
    warned = [w for w in result.warnings if "is also in" in w.message]
    assert len(warned) == independent_guid_clashes(raw("real/38c3-hub-c3voc.xml.gz"))


def test_fosdem_2025_pretalx_xml() -> None:
    c = conf("real/fosdem-2025-pretalx.xml.gz")
    assert c.name == "FOSDEM 2025"
    assert c.days == (date(2025, 2, 1), date(2025, 2, 2))
    first = min(c.sessions, key=lambda s: (s.start, s.room))
    assert first.start == datetime(2025, 2, 1, 9, 0, tzinfo=BRUSSELS)
    assert all(s.start.time() >= datetime(2025, 1, 1, 9, 0).time() for s in c.sessions)


# --- a recent pretalx schedule.json ---------------------------------------------------------------


def test_democon_schedule_json_keeps_starts_as_written() -> None:
    result = load("real/pretalx-democon-schedule.json")
    c = result.conference
    talk = by_title(c, "Focused 5thgeneration hardware")
    # time_zone_name is UTC, the date says 09:00+01:00: the instant is 08:00 UTC.
    assert talk.start == datetime(2020, 12, 14, 8, 0, tzinfo=UTC)
    assert talk.room == "Gray Room"
    assert talk.speaker_ids == ("NQTF8Y",)
    assert c.speakers["NQTF8Y"].name == "Brian Robinson"
    # `start` 09:00 agrees with the date's own +01:00: not a disagreement.
    assert not [w for w in result.warnings if "disagrees" in w.message]


# --- Indico ---------------------------------------------------------------------------------------


def test_xdc2021_times_are_shown_in_the_events_zone() -> None:
    c = conf("real/indico-xdc2021-contributions.json")
    assert c.name == "X.Org Developer Conference 2021"
    talk = by_title(c, "Making bare-metal testing accessible to every developer")
    assert talk.start == datetime(2021, 9, 17, 16, 10, tzinfo=WARSAW)  # 14:10 UTC in the file
    assert talk.duration == timedelta(minutes=20)
    assert talk.track == "Main Track"  # the Indico session
    assert talk.url == "https://indico.freedesktop.org/event/1/contributions/26/"
    [peres] = [c.speakers[s] for s in talk.speaker_ids]
    assert (peres.name, peres.affiliation) == ("Martin Peres", "X.Org")


def test_fel2022_sessions_posters_rooms_and_affiliations() -> None:
    result = load("real/indico-fel2022-sessions.json.gz")
    c = result.conference
    assert c.timezone == ZURICH
    assert c.venue == "Trieste Convention Centre"
    assert set(c.rooms) == {"Auditorium Generali", "Exhibition Hall"}
    talk = by_title(c, "Calls overview and best practices examples")
    assert talk.start == datetime(2022, 8, 22, 18, 15, tzinfo=ZURICH)
    assert talk.room == "Auditorium Generali"
    assert talk.track.startswith("Tutorial 1: How to expand your research network")
    [blasetti] = [c.speakers[s] for s in talk.speaker_ids]
    assert blasetti.name == "Cecilia Blasetti"
    assert blasetti.affiliation == "Elettra-Sincrotrone Trieste S.C.p.A."
    monday = by_title(c, "Monday posters: Coffee & Exhibition")
    assert (monday.start, monday.end) == (
        datetime(2022, 8, 22, 16, 0, tzinfo=ZURICH),
        datetime(2022, 8, 22, 17, 30, tzinfo=ZURICH),
    )
    assert monday.room == "Exhibition Hall"
    assert monday.abstract.startswith("56 posters:\n- ")
    # 194 posters side by side would be hundreds of "same room" warnings; as sessions, none.
    rooms = [w for w in result.warnings if "in room" in w.message]
    assert all("One-to-one meetings" in w.place for w in rooms)  # those really overlap


def test_dirac_one_name_two_event_persons() -> None:
    c = conf("real/indico-dirac-40025-sessions.json")
    andrei = [s for s in c.speakers.values() if s.name == "Andrei Tsaregorodtsev"]
    assert sorted(s.affiliation for s in andrei) == [
        "Aix Marseille Univ, CNRS/IN2P3, CPPM, Marseille, France",
        "CPPM-CNRS",
    ]
    projets = by_title(c, "Projets")
    assert projets.start == datetime(2026, 7, 7, 14, 40, tzinfo=PARIS)
    assert len(projets.speakers) == 6


def test_tpc2014_legacy_names_and_positions_are_not_identities() -> None:
    result = load("real/indico-cern-340656-tpc2014.json")
    c = result.conference
    assert c.timezone == PARIS
    talk = by_title(c, "WA105/LBNO-DEMO")
    assert talk.start == datetime(2014, 12, 17, 10, 10, tzinfo=PARIS)  # given in Zurich time
    [agostino] = [c.speakers[s] for s in talk.speaker_ids]
    assert agostino.name == "Dr. Luca AGOSTINO"
    assert agostino.affiliation == "IN2P3"
    unscheduled = [w for w in result.warnings if "not scheduled" in w.message]
    assert len(unscheduled) == 7
    assert unscheduled[0].place.startswith("results[0].contributions[6] (id 34")


def test_a_utf16_export_from_windows_loads() -> None:
    c = conf("real/indico-cern-374641-utf16.json")
    assert c.name == "Flavour Tagging Weekly"
    assert c.rooms == ("40-R-C10",)
    assert "Optimisation for Run 2" in c.tracks


# --- iCalendar ------------------------------------------------------------------------------------


def test_moca24_hand_made_ical() -> None:
    result = load("real/moca24-handmade.ics", ROME)
    c = result.conference
    assert set(c.rooms) == {"XOR", "MOV", "FreeKevin", "MOKids"}  # " XOR" trimmed
    closing = by_title(c, "Closing ceremony")
    assert closing.start == datetime(2024, 9, 15, 15, 0, tzinfo=ROME)  # 13:00Z
    assert closing.room == "XOR"
    shared = [w for w in result.warnings if "UID shared" in w.message]
    uids = re.findall(rb"^UID:(.*?)\r?$", raw("real/moca24-handmade.ics"), re.M)
    assert len(shared) == len(uids) - len(set(uids)) == 83  # 88 events, 5 distinct UIDs


def test_pretalx_ical_speakers_come_out_of_the_summary() -> None:
    c = conf("derived/pretalx-democon.ics")
    talk = by_title(c, "Focused 5thgeneration hardware")  # SUMMARY "... - Brian Robinson"
    assert names(c, talk) == ["Brian Robinson"]
    assert talk.start == datetime(2020, 12, 14, 9, 0, tzinfo=BERLIN)
    workshop = by_title(c, "Inverse motivating array")
    assert names(c, workshop) == ["Teresa Terrell", "Stephanie Hudson"]
    assert not any(" - " in s.title and s.title.endswith(")") for s in c.sessions)


# --- pretalx CSV ----------------------------------------------------------------------------------


def test_pretalx_csv_english() -> None:
    result = load("derived/pretalx-democon-sessions.csv")
    c = result.conference
    workshop = c.session("9FNRXK")
    assert workshop is not None
    assert workshop.title == "Inverse motivating array"
    assert workshop.type is SessionType.WORKSHOP
    assert workshop.start == datetime(2020, 12, 16, 9, 0, tzinfo=ZoneInfo("Etc/GMT-1"))
    assert workshop.duration == timedelta(minutes=90)
    assert workshop.room == "Tan Room"
    assert workshop.track == "Phased"
    assert workshop.language == "en"
    assert workshop.speaker_ids == ("WRQGFG", "N33EUY")
    assert names(c, workshop) == ["Teresa Terrell", "Stephanie Hudson"]
    assert any("UTC+01:00" in w.message and "AGENDA_TIMEZONE" in w.message for w in result.warnings)


def test_pretalx_csv_with_agenda_timezone_is_shown_there() -> None:
    berlin = load("derived/pretalx-democon-sessions.csv", BERLIN)
    workshop = berlin.conference.session("9FNRXK")
    assert workshop is not None
    assert workshop.start == datetime(2020, 12, 16, 9, 0, tzinfo=BERLIN)
    assert not [w for w in berlin.warnings if "converted" in w.message]
    london = load("derived/pretalx-democon-sessions.csv", LONDON)
    moved = london.conference.session("9FNRXK")
    assert moved is not None
    assert moved.start == datetime(2020, 12, 16, 8, 0, tzinfo=LONDON)  # the same instant
    [note] = [w for w in london.warnings if "converted" in w.message]
    assert "shown in Europe/London" in note.message
    assert "09:30+01:00 as 08:30" in note.message


def test_pretalx_csv_german_and_newline_delimited_is_the_same_programme() -> None:
    german = conf("derived/pretalx-democon-sitzungen-de.csv", BERLIN)
    english = conf("derived/pretalx-democon-sessions.csv", BERLIN)
    assert [(s.id, s.title, s.start, s.end, s.room, s.speaker_ids) for s in german.sessions] == [
        (s.id, s.title, s.start, s.end, s.room, s.speaker_ids) for s in english.sessions
    ]


def test_summary_spells_out_a_fixed_offset_zone() -> None:
    text = summarize(load("derived/pretalx-democon-sessions.csv"), "democon_sessions.csv")
    assert "\n  time zone Etc/GMT-1 (fixed UTC+01:00)\n" in text


def test_summary_of_a_real_indico_event() -> None:
    result = load("real/indico-fel2022-sessions.json.gz")
    text = summarize(result, "fel2022.json")
    assert "format indico" in text
    assert "time zone Europe/Zurich; Trieste Convention Centre" in text
    assert "Mon 2022-08-22" in text


def test_damaged_copies_are_refused_with_file_and_place() -> None:
    for name in ("real/indico-xdc2021-contributions.json", "real/38c3-hub-c3voc.xml.gz"):
        data = raw(name)
        with pytest.raises(AgendaError) as err:
            load_bytes(data[: len(data) // 2], plain_name(name))
        assert str(err.value).startswith(plain_name(name) + ": line ")


# --- independent readers: no loader code, just the file -------------------------------------------


def independent_counts(name: str) -> tuple[int, int]:
    data = raw(name)
    if name.endswith((".xml", ".xml.gz")):
        return _xml_counts(data)
    if "indico" in name:
        return _indico_counts(data)
    if name.endswith(".json"):
        days = json.loads(data)["schedule"]["conference"]["days"]
        events = [e for d in days for room in d["rooms"].values() for e in room]
        return len(events), len({p["code"] for e in events for p in e["persons"]})
    text = data.decode("utf-8-sig")
    if name.endswith(".ics"):
        text = re.sub(r"\r?\n[ \t]", "", text)  # unfold (RFC 5545 3.1)
        summaries = [
            re.sub(r"\\([,;\\])", r"\1", x) for x in re.findall(r"^SUMMARY:(.*?)\r?$", text, re.M)
        ]
        if "PRODID:-//pretalx//" not in text:
            return len(summaries), 0
        people = {n for s in summaries for n in s.rpartition(" - ")[2].split(", ")}
        return len(summaries), len(people)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    column = "Speaker IDs" if "Speaker IDs" in rows[0] else "IDs der Vortragenden"
    codes = {c.strip() for r in rows for c in re.split(r"[,\n]", r[column]) if c.strip()}
    return len(rows), len(codes)


def _xml_counts(data: bytes) -> tuple[int, int]:
    root = ET.fromstring(data)
    events = [e for e in root.iter("event") if (e.findtext("title") or "").strip()]
    people = {
        p.get("id") or p.get("guid") or " ".join((p.text or "").split())
        for e in events
        for p in e.iter("person")
        if (p.text or "").strip()
    }
    return len(events), len(people)


def _indico_counts(data: bytes) -> tuple[int, int]:
    text = data.decode("utf-16") if data[:2] == b"\xff\xfe" else data.decode("utf-8-sig")
    event = json.loads(text)["results"][0]
    sessions, people = 0, set()

    def who(person: dict[str, Any]) -> object:
        mail = person.get("emailHash")
        if person.get("person_id") is not None:
            return person["person_id"]
        if mail and mail != "d41d8cd98f00b204e9800998ecf8427e":
            return mail
        return person.get("fullName")

    def count(contributions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        scheduled = [c for c in contributions if c.get("startDate")]
        for c in scheduled:
            people.update(who(p) for p in (c["speakers"] or c["primaryauthors"]))
        return scheduled

    sessions += len(count(event.get("contributions") or []))
    for block in event.get("sessions") or []:
        scheduled = count(block["contributions"])
        if not scheduled:
            sessions += 1
            people.update(who(p) for p in block.get("conveners") or [])
        else:
            sessions += 1 if block["session"].get("isPoster") else len(scheduled)
    return sessions, len(people)


def independent_guid_clashes(data: bytes) -> int:
    """Pairs of overlapping events that share a person guid, counted once per guid."""
    root = ET.fromstring(data)
    by_guid: dict[str, list[Session]] = defaultdict(list)
    for e in root.iter("event"):
        start = datetime.fromisoformat(e.findtext("date") or "")
        hours, minutes = (int(x) for x in (e.findtext("duration") or "0:0").split(":"))
        s = Session(
            id=e.get("guid") or "",
            title="",
            start=start,
            end=start + timedelta(hours=hours, minutes=minutes),
        )
        for guid in {p.get("guid") or "" for p in e.iter("person")}:
            by_guid[guid].append(s)
    return sum(len(overlapping_pairs(items)) for items in by_guid.values())
