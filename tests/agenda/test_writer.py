"""Conference -> native YAML -> Conference gives back the same agenda."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.agenda.loaders import load_agenda, load_bytes
from bot.agenda.model import Conference, Session, SessionSpeaker, SessionType, Speaker
from bot.agenda.writer import conference_to_dict, to_yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEDULES = ROOT.parent / "shared" / "schedules"
SOURCES = [
    *sorted((ROOT / "data").glob("*.yaml")),
    SCHEDULES / "35c3-frab.json",
    SCHEDULES / "jev22-channels-pretalx-c3voc.json",
]
BRUSSELS = ZoneInfo("Europe/Brussels")


def round_trip(conf: Conference) -> Conference:
    text = to_yaml(conf)
    result = load_bytes(text.encode("utf-8"), "converted.yaml")
    assert result.format == "yaml"
    return result.conference


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_round_trip_of_real_agendas(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared not available)")
    original = load_agenda(path).conference
    again = round_trip(original)
    assert again.sessions == original.sessions
    assert again.speakers == original.speakers
    assert again == original


#: The other formats' real exports, with the zone each event was held in (for zone-less files).
OTHER_FORMATS = {
    "31c3-frab.xml": "Europe/Berlin",
    "fosdem-2014-pentabarf.xml": "Europe/Brussels",
    "orlando-codecamp-2020-sessionize.json": "America/New_York",
    "pyconuk-2015.ics": "Europe/London",
    "gpn11-agenda.csv": "Europe/Berlin",
    "31c3-sendezentrum-agenda.csv": "Europe/Berlin",
}


@pytest.mark.parametrize(("name", "zone"), OTHER_FORMATS.items())
def test_round_trip_of_other_formats(name: str, zone: str) -> None:
    """``confbot convert`` must be lossless whatever the input format."""
    path = SCHEDULES / name
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared not available)")
    original = load_agenda(path, ZoneInfo(zone)).conference
    assert round_trip(original) == original


def _conf(*sessions: Session, speakers: dict[str, Speaker] | None = None) -> Conference:
    return Conference(name="T", timezone=BRUSSELS, sessions=sessions, speakers=speakers or {})


def at(y: int, mo: int, d: int, h: int, mi: int, sec: int = 0, *, fold: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, sec, tzinfo=BRUSSELS, fold=fold)


def test_awkward_texts_and_ids_survive() -> None:
    tricky = [
        "14:30",
        "yes",
        "no",
        "null",
        "0123",
        "1e5",
        "- dash",
        "# hash",
        "a: colon",
        "  leading and trailing spaces  ",
        "line one\nline two  \n\n  indented\n",
        "quotes ' and \"",
        "tab\there",
        "Ünïcödé ✓ 🎉",
    ]
    # Loaders strip the ends of texts, so the model never holds outer spaces.
    sessions = tuple(
        Session(
            id=text.strip() if i % 2 else f"id-{i}",
            title=text.strip(),
            start=at(2024, 11, 27, 9, i),
            end=at(2024, 11, 27, 10, i),
            abstract=text.strip(),
            track=text.strip(),
            room=text.strip(),
            url=text.strip(),
            day=date(2024, 11, 27),
        )
        for i, text in enumerate(tricky)
    )
    conf = _conf(*sessions)
    assert round_trip(conf).sessions == conf.sessions


def test_after_midnight_seconds_and_roles() -> None:
    speakers = {"7": Speaker("7", "Seven", telegram="seven_of_nine", bio="A\nB")}
    sessions = (
        Session(
            "late",
            "Late",
            at(2024, 11, 28, 0, 30),
            at(2024, 11, 28, 2, 0),
            type=SessionType.SOCIAL,
            day=date(2024, 11, 27),
            speakers=(SessionSpeaker("7", "moderator"),),
        ),
        Session(
            "cross",
            "Across midnight",
            at(2024, 11, 27, 23, 0),
            at(2024, 11, 28, 1, 0),
            day=date(2024, 11, 27),
        ),
        Session(
            "secs",
            "Seconds",
            at(2024, 11, 27, 9, 0, 15),
            at(2024, 11, 27, 9, 5, 45),
            day=date(2024, 11, 27),
        ),
    )
    conf = _conf(*sessions, speakers=speakers)
    assert round_trip(conf) == conf
    doc = conference_to_dict(conf)
    assert doc["sessions"][0]["day"] == date(2024, 11, 27)
    assert doc["sessions"][0]["speakers"] == [{"id": "7", "role": "moderator"}]


def test_times_in_the_repeated_hour_keep_their_offset() -> None:
    """27 Oct 2024: 02:30 happens twice in Brussels; the second one needs its offset written."""
    second = at(2024, 10, 27, 2, 30, fold=1)
    assert second.utcoffset() == timedelta(hours=1)
    s = Session("fold", "Fold", second, second + timedelta(minutes=20), day=date(2024, 10, 27))
    again = round_trip(_conf(s)).sessions[0]
    assert again.start.utcoffset() == timedelta(hours=1)
    assert again.start.timestamp() == s.start.timestamp()


def test_output_is_readable_yaml() -> None:
    conf = load_agenda(ROOT / "data" / "brussels-security-resilience.yaml").conference
    text = to_yaml(conf, source="brussels.yaml")
    assert text.startswith("# confbot agenda")
    assert "from brussels.yaml" in text
    assert 'start: "09:15"' in text  # times quoted, so YAML 1.1 tools do not read base 60
    assert "\n\nsessions:\n  - id: registration\n" in text
    assert "Dr Péter Sztáray" in text  # real characters, not \u escapes
    doc = yaml.safe_load(text)
    assert set(doc) == {"conference", "rooms", "speakers", "sessions"}
