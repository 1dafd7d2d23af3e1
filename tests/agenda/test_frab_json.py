"""The frab / pretalx schedule.json loader, on two real exports and on small hand-made ones."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.agenda.errors import AgendaError
from bot.agenda.loaders import detect, load_agenda, load_bytes
from bot.agenda.loaders.frab_json import LOADER
from bot.agenda.model import Conference, Session, SessionType
from bot.agenda.summary import summarize

SCHEDULES = Path(__file__).resolve().parents[2].parent / "shared" / "schedules"
CCC = SCHEDULES / "35c3-frab.json"
JEV = SCHEDULES / "jev22-channels-pretalx-c3voc.json"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
BERLIN = ZoneInfo("Europe/Berlin")


def shared(path: Path) -> Path:
    if not SCHEDULES.is_dir():
        pytest.skip(f"the shared schedules are not here ({SCHEDULES} is absent)")
    return path


def by_title(conf: Conference, title: str) -> Session:
    found = [s for s in conf.sessions if s.title == title]
    assert len(found) == 1, f"{len(found)} sessions titled {title!r}"
    return found[0]


def test_35c3_loads() -> None:
    result = load_agenda(shared(CCC))
    conf = result.conference
    assert result.format == "schedule.json"
    assert conf.name == "35th Chaos Communication Congress"
    assert len(conf.sessions) == 164
    assert conf.days == tuple(date(2018, 12, d) for d in (27, 28, 29, 30))
    assert len(conf.rooms) == 5
    assert len(conf.speakers) == 219
    # No time_zone_name: the fixed +01:00 of the file, and a warning saying how to do better.
    assert conf.timezone.key == "Etc/GMT-1"
    assert any("AGENDA_TIMEZONE" in str(w) for w in result.warnings)

    opening = by_title(conf, "Opening Event")
    assert opening.start == datetime(2018, 12, 27, 11, 0, tzinfo=BERLIN)
    assert opening.duration == timedelta(minutes=30)
    assert opening.room == "Adams"
    assert opening.id == "15f4e5c5-40e1-4c73-8da0-4cc2a773ab13"
    assert opening.type is SessionType.TALK  # "lecture"
    assert [conf.speakers[sid].name for sid in opening.speaker_ids] == ["rufus", "rixx"]

    # After midnight: on the 30th by the clock, listed under the 29th.
    hebocon = by_title(conf, "Hebocon")
    assert hebocon.start == datetime(2018, 12, 30, 0, 10, tzinfo=BERLIN)
    assert hebocon.listed_day == date(2018, 12, 29)


def test_35c3_with_agenda_timezone_uses_it() -> None:
    result = load_agenda(shared(CCC), BERLIN)
    assert result.conference.timezone == BERLIN
    assert not any("AGENDA_TIMEZONE" in str(w) for w in result.warnings)
    opening = by_title(result.conference, "Opening Event")
    assert opening.start.tzinfo == BERLIN
    assert (opening.start.hour, opening.start.minute) == (11, 0)


def test_jev22_loads() -> None:
    result = load_agenda(shared(JEV))
    conf = result.conference
    assert conf.timezone == AMSTERDAM
    assert len(conf.sessions) == 213
    assert conf.days == tuple(date(2022, 12, d) for d in range(26, 32))
    # 47 rooms declared, 14 used: only the used ones, in declared order.
    assert len(conf.rooms) == 14
    assert conf.rooms[:2] == ("Fireshonks", "HIP1")
    assert len(conf.speakers) == 205
    by_day = {d: sum(1 for s in conf.sessions if s.listed_day == d) for d in conf.days}
    assert list(by_day.values()) == [4, 37, 62, 64, 41, 5]

    # The one event given at -05:00 (New York) is shown in the conference's zone.
    solar = by_title(conf, "Intro to Solar Protocol")
    assert solar.start == datetime(2022, 12, 27, 16, 30, tzinfo=AMSTERDAM)
    assert solar.start.tzinfo == AMSTERDAM
    assert (solar.start.hour, solar.start.minute) == (16, 30)
    assert solar.listed_day == date(2022, 12, 27)

    opening = by_title(conf, "Opening Event")
    assert opening.start == datetime(2022, 12, 27, 11, 0, tzinfo=AMSTERDAM)
    # "1:00" durations read like "01:00".
    assert any(s.duration == timedelta(hours=4) for s in conf.sessions)
    # Texts lose their Windows line ends; \\u escapes arrive as real characters.
    assert all("\r" not in s.abstract for s in conf.sessions)
    assert "Freiräume" in conf.tracks


def test_jev22_summary_lists_days_and_warnings() -> None:
    result = load_agenda(shared(JEV))
    text = summarize(result, JEV)
    assert "format schedule.json" in text
    assert "6 days" in text
    assert "Mon 2022-12-26" in text
    assert "Rooms (14)" in text
    assert "Speakers: 205" in text
    assert f"Warnings ({len(result.warnings)})" in text


def test_summary_caps_a_long_warning_list() -> None:
    base = schedule([event(str(i), "00:00", "01:00") for i in range(30)])
    result = load_bytes(json.dumps(base).encode(), "clash.json")
    assert len(result.warnings) > 20
    text = summarize(result, "clash.json")
    assert f"and {len(result.warnings) - 20} more" in text
    assert text.count("\n  - ") == 21


def test_truncated_copy_names_line_and_column(tmp_path: Path) -> None:
    data = shared(CCC).read_bytes()
    broken = tmp_path / "35c3-truncated.json"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(AgendaError) as info:
        load_agenda(broken)
    err = info.value
    assert err.source == str(broken)
    assert err.place.startswith("line ")
    assert ", column " in err.place
    assert "invalid JSON" in err.message


def test_bad_duration_copy_names_the_event(tmp_path: Path) -> None:
    doc = json.loads(shared(CCC).read_bytes())
    doc["schedule"]["conference"]["days"][0]["rooms"]["Adams"][0]["duration"] = "half an hour"
    broken = tmp_path / "35c3-bad-duration.json"
    broken.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(AgendaError) as info:
        load_agenda(broken)
    err = info.value
    assert err.source == str(broken)
    assert err.place == 'schedule.conference.days[0].rooms["Adams"][0].duration'
    assert err.message.startswith("'half an hour' is not a duration")
    assert err.message.endswith("in event 15f4e5c5-40e1-4c73-8da0-4cc2a773ab13 'Opening Event'")


def test_bad_zone_name_in_a_copy(tmp_path: Path) -> None:
    doc = json.loads(shared(JEV).read_bytes())
    doc["schedule"]["conference"]["time_zone_name"] = "Europe/Amsterdan"
    with pytest.raises(AgendaError, match="did you mean 'Europe/Amsterdam'") as info:
        load_bytes(json.dumps(doc).encode(), tmp_path / "jev.json")
    assert info.value.place == "schedule.conference.time_zone_name"


# --- small hand-made schedules ------------------------------------------------------------


def event(eid: str, start: str, duration: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": int(eid) if eid.isdigit() else eid,
        "title": f"Event {eid}",
        "start": start,
        "duration": duration,
        "room": "Hall",
        "persons": [],
        **extra,
    }


def schedule(events: list[dict[str, Any]], **conference: Any) -> dict[str, Any]:
    conf: dict[str, Any] = {
        "title": "Mini",
        "time_zone_name": "Europe/Berlin",
        "days": [
            {
                "index": 1,
                "date": "2024-03-30",
                "day_start": "2024-03-30T10:00:00+01:00",
                "rooms": {"Hall": events},
            },
        ],
    }
    conf.update(conference)
    return {"schedule": {"version": "1", "conference": conf}}


def load_doc(doc: dict[str, Any], default_tz: ZoneInfo | None = None) -> Conference:
    return load_bytes(json.dumps(doc).encode(), "mini.json", default_tz).conference


def test_without_dates_times_come_from_the_day_and_roll_past_midnight() -> None:
    conf = load_doc(schedule([event("1", "10:00", "1:00"), event("2", "01:30", "0:45")]))
    first, late = conf.sessions
    assert first.start == datetime(2024, 3, 30, 10, 0, tzinfo=BERLIN)
    assert first.duration == timedelta(hours=1)
    # 01:30 is earlier than the day's 10:00 start: the next morning, listed under the 30th.
    assert late.start == datetime(2024, 3, 31, 1, 30, tzinfo=BERLIN)
    assert late.listed_day == date(2024, 3, 30)


def test_without_dates_a_time_in_the_dst_gap_is_refused() -> None:
    with pytest.raises(AgendaError, match="does not exist") as info:
        load_doc(schedule([event("1", "02:30", "0:30")]))
    assert info.value.place == 'schedule.conference.days[0].rooms["Hall"][0].start'
    assert info.value.message.endswith("in event 1 'Event 1'")


def test_day_hour_minute_durations() -> None:
    conf = load_doc(schedule([event("1", "10:00", "1:02:00")]))
    assert conf.sessions[0].duration == timedelta(days=1, hours=2)


def test_persons_are_merged_and_ids_chosen() -> None:
    persons_a = [
        {"id": 1, "code": "ABC", "public_name": "Ana", "biography": "Bio\r\nline  \r\n"},
        {"id": 2, "public_name": "Bo"},
        {"name": "Cy Dö"},
    ]
    persons_b = [{"id": 9, "code": "ABC", "public_name": "Ana"}, {"id": 2, "public_name": "Di"}]
    conf = load_doc(
        schedule(
            [
                event("1", "10:00", "00:30", persons=persons_a),
                event("2", "11:00", "00:30", persons=persons_b),
            ]
        )
    )
    assert conf.sessions[0].speaker_ids == ("ABC", "2", "cy-do")
    # Same numeric id, another name (merged pretalx instances): kept apart.
    assert conf.sessions[1].speaker_ids == ("ABC", "2-di")
    assert conf.speakers["ABC"].bio == "Bio\nline"
    assert conf.speakers["cy-do"].name == "Cy Dö"


def test_guid_wins_over_id_and_dates_with_offsets_win_over_start() -> None:
    ev = event("5", "09:00", "00:30", guid="g-5", date="2024-03-30T17:00:00Z")
    conf = load_doc(schedule([ev]))
    s = conf.sessions[0]
    assert s.id == "g-5"
    assert s.start == datetime(2024, 3, 30, 18, 0, tzinfo=BERLIN)


def test_zone_order_name_then_agenda_timezone_then_offset_then_error() -> None:
    no_zone = schedule([event("1", "10:00", "00:30")], time_zone_name=None)
    no_zone["schedule"]["conference"]["days"][0]["day_start"] = "2024-03-30T10:00:00"
    with pytest.raises(AgendaError, match="AGENDA_TIMEZONE") as info:
        load_doc(no_zone)
    assert info.value.place == "schedule.conference.time_zone_name"
    assert load_doc(no_zone, ZoneInfo("Europe/Paris")).timezone.key == "Europe/Paris"
    with_offset = schedule(
        [event("1", "10:00", "00:30", date="2024-03-30T10:00:00-05:00")], time_zone_name=""
    )
    assert load_doc(with_offset).timezone.key == "Etc/GMT-1"  # the day's start comes first
    with_offset["schedule"]["conference"]["days"][0]["day_start"] = None
    assert load_doc(with_offset).timezone.key == "Etc/GMT+5"  # else the first event's offset
    assert load_doc(schedule([event("1", "10:00", "00:30")]), ZoneInfo("UTC")).timezone == BERLIN


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda d: d["schedule"].update(conference=[]), "must be an object"),
        (lambda d: d["schedule"]["conference"].update(days={}), "must be a list"),
        (lambda d: d["schedule"]["conference"]["days"][0].update(rooms=[]), "object of rooms"),
        (lambda d: d["schedule"]["conference"]["days"][0]["rooms"].update(Hall={}), "a list"),
        (lambda d: d["schedule"]["conference"]["days"][0]["rooms"]["Hall"].append(3), "object"),
        (
            lambda d: d["schedule"]["conference"]["days"][0]["rooms"]["Hall"][0].pop("title"),
            "no title",
        ),
        (
            lambda d: d["schedule"]["conference"]["days"][0]["rooms"]["Hall"][0].update(id=None),
            "neither 'guid' nor 'id'",
        ),
        (
            lambda d: d["schedule"]["conference"]["days"][0]["rooms"]["Hall"][0].update(
                date="yesterday"
            ),
            "not a date and time",
        ),
        (
            lambda d: d["schedule"]["conference"]["days"][0]["rooms"]["Hall"][0].update(
                duration=None
            ),
            "not a duration",
        ),
        (
            lambda d: d["schedule"]["conference"]["days"][0]["rooms"]["Hall"][0].update(
                persons={"a": 1}
            ),
            "must be a list",
        ),
        (
            lambda d: d["schedule"]["conference"]["days"][0]["rooms"]["Hall"].append(
                event("1", "12:00", "00:10")
            ),
            "duplicate event id '1'",
        ),
        (lambda d: d["schedule"]["conference"]["days"][0].update(date="30.03.2024"), "not a date"),
        (lambda d: d["schedule"]["conference"].update(days=[]), "no events"),
    ],
)
def test_wrong_shapes_are_agenda_errors(mutate: Any, needle: str) -> None:
    doc = copy.deepcopy(schedule([event("1", "10:00", "00:30")]))
    mutate(doc)
    with pytest.raises(AgendaError) as info:
        load_doc(doc)
    assert needle in info.value.message


def test_bad_encoding_is_an_agenda_error() -> None:
    data = json.dumps(schedule([event("1", "10:00", "00:30")])).encode().replace(b"Mini", b"M\xe9")
    with pytest.raises(AgendaError, match="not UTF-8"):
        LOADER.load(data, Path("x.json"), None)


def test_sniff() -> None:
    data = json.dumps(schedule([event("1", "10:00", "00:30")])).encode()
    assert LOADER.sniff(data, Path("anything.bin"))
    assert detect(data, Path("x.json")).name == "schedule.json"
    assert LOADER.sniff(data[:-20], Path("x.json"))  # truncated: still ours, to report the line
    assert not LOADER.sniff(b'{"sessions": []}', Path("x.json"))
    assert not LOADER.sniff(b"conference:\n  name: x\nsessions: []\n", Path("x.yaml"))


# --- the start check: `start` must be a time, and agree with `date` ----------------------


def test_35c3_copy_with_a_broken_start_is_refused_with_the_place(tmp_path: Path) -> None:
    """`date` alone would do, but a `start` of "25:61" means the export is damaged."""
    doc = json.loads(shared(CCC).read_bytes())
    day = doc["schedule"]["conference"]["days"][1]
    room = next(iter(day["rooms"]))
    day["rooms"][room][0]["start"] = "25:61"
    broken = tmp_path / "35c3-bad-start.json"
    broken.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(AgendaError) as info:
        load_agenda(broken)
    text = str(info.value)
    assert text.startswith(f"{broken}: schedule.conference.")
    assert f"days[1].rooms[\"{room}\"][0].start: '25:61' is not a time" in text


def test_room_b_example_from_the_issue() -> None:
    doc = schedule([event("1", "25:61", "00:30", date="2024-03-30T10:00:00+01:00")])
    doc["schedule"]["conference"]["days"][0]["rooms"] = {
        "Room B": doc["schedule"]["conference"]["days"][0]["rooms"]["Hall"]
    }
    with pytest.raises(AgendaError) as info:
        load_doc(doc)
    assert "days[0].rooms[\"Room B\"][0].start: '25:61' is not a time" in str(info.value)


@pytest.mark.parametrize("bad", ["25:61", "24:00", "noon-ish", 930, ["10:00"]])
def test_a_start_that_is_not_a_time_is_refused_even_with_a_date(bad: object) -> None:
    doc = schedule([event("1", "10:00", "00:30", date="2024-03-30T10:00:00+01:00")])
    doc["schedule"]["conference"]["days"][0]["rooms"]["Hall"][0]["start"] = bad
    with pytest.raises(AgendaError) as info:
        load_doc(doc)
    assert info.value.place.endswith('rooms["Hall"][0].start')
    assert "is not a time" in info.value.message


def test_start_and_date_that_disagree_warn_and_date_wins() -> None:
    ev = event("1", "09:00", "00:30", date="2024-03-30T11:15:00+01:00")
    result = load_bytes(json.dumps(schedule([ev])).encode(), "mini.json")
    assert result.conference.sessions[0].start == datetime(2024, 3, 30, 11, 15, tzinfo=BERLIN)
    [warning] = [w for w in result.warnings if "disagrees" in w.message]
    assert warning.place == 'schedule.conference.days[0].rooms["Hall"][0].start'
    assert "start '09:00' disagrees with date '2024-03-30T11:15:00+01:00'" in warning.message
    assert "using date" in warning.message


def test_start_in_the_dates_own_offset_is_agreement() -> None:
    """pretalx writes `start` in the event's local time; an offset other than the zone's is fine."""
    ev = event("1", "10:30", "00:30", date="2024-03-30T10:30:00-05:00")
    result = load_bytes(json.dumps(schedule([ev])).encode(), "mini.json")
    assert not [w for w in result.warnings if "disagrees" in w.message]
    assert result.conference.sessions[0].start == datetime(2024, 3, 30, 16, 30, tzinfo=BERLIN)


@pytest.mark.parametrize("name", ["35c3-frab.json", "jev22-channels-pretalx-c3voc.json"])
def test_real_exports_have_starts_that_agree_with_their_dates(name: str) -> None:
    result = load_agenda(shared(SCHEDULES / name))
    assert not [w for w in result.warnings if "disagrees" in w.message]
