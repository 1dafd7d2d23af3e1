"""The native YAML loader: what it accepts, and that every bad input is an AgendaError."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.agenda.errors import AgendaError
from bot.agenda.loaders import detect, load_agenda, load_bytes
from bot.agenda.loaders.yaml_native import LOADER
from bot.agenda.model import Session, SessionType

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "agenda"
BRUSSELS = ZoneInfo("Europe/Brussels")


def doc(
    sessions: str, *, head: str = "conference:\n  name: T\n  timezone: Europe/Brussels\n"
) -> bytes:
    """A small document: the given YAML under ``sessions:`` after a standard header."""
    return (head + "sessions:\n" + sessions).encode()


def one_session(body: str) -> Session:
    return load_bytes(doc(body), "x.yaml").conference.sessions[0]


ONE = """  - id: a
    title: A
    date: 2024-11-27
    start: "09:00"
    end: "10:00"
"""


def test_valid_fixture_loads() -> None:
    result = load_agenda(FIXTURES / "yaml_valid.yaml")
    conf = result.conference
    assert result.format == "yaml"
    assert result.warnings == ()
    assert conf.timezone == BRUSSELS
    assert [s.id for s in conf.sessions] == ["s1", "s2"]
    s1, s2 = conf.sessions
    assert s1.start == datetime(2024, 11, 27, 9, 0, tzinfo=BRUSSELS)
    assert s1.end == datetime(2024, 11, 27, 10, 0, tzinfo=BRUSSELS)
    assert [(p.speaker_id, p.role) for p in s1.speakers] == [
        ("ada", "speaker"),
        ("alan", "moderator"),
    ]
    assert s2.duration == timedelta(minutes=30)
    assert s2.type is SessionType.TALK
    assert conf.rooms == ("Main Hall", "Room 2")
    assert s1.day == date(2024, 11, 27)


@pytest.mark.parametrize(
    ("name", "place", "needle"),
    [
        ("yaml_syntax_error.yaml", "line 10, column 10", "invalid YAML"),
        ("yaml_missing_title.yaml", "sessions[1].title", "'title' is required"),
        ("yaml_bad_time.yaml", "sessions[0].start", "'25:00' is not a time"),
        ("yaml_end_before_start.yaml", "sessions[0].end", "before the start"),
        ("yaml_unknown_speaker.yaml", "sessions[0].speakers[1]", "unknown speaker id 'grace'"),
        ("yaml_duplicate_id.yaml", "sessions[1].id", "duplicate session id 's1'"),
        ("yaml_unknown_zone.yaml", "conference.timezone", "did you mean 'Europe/Brussels'"),
        ("yaml_dst_gap.yaml", "sessions[0].start", "does not exist in Europe/Brussels"),
    ],
)
def test_broken_fixture_names_file_and_place(name: str, place: str, needle: str) -> None:
    path = FIXTURES / name
    with pytest.raises(AgendaError) as info:
        load_agenda(path)
    err = info.value
    assert err.source == str(path)
    assert err.place == place
    assert needle in err.message
    assert str(err).startswith(f"{path}: {place}: ")


def test_times_are_text_not_base60_numbers() -> None:
    """Unquoted 14:30 is a base-60 integer (870) in YAML 1.1; here it stays a time."""
    body = "  - id: a\n    title: A\n    date: 2024-11-27\n    start: 14:30\n    end: 9:45\n"
    with pytest.raises(AgendaError, match="before the start"):
        load_bytes(doc(body), "x.yaml")
    body = "  - id: a\n    title: A\n    date: 2024-11-27\n    start: 9:30\n    end: 14:30\n"
    s = load_bytes(doc(body), "x.yaml").conference.sessions[0]
    assert (s.start.hour, s.start.minute, s.end.hour, s.end.minute) == (9, 30, 14, 30)


@pytest.mark.parametrize("duration", ["45", 45, "0:45", "00:45", "PT45M"])
def test_duration_spellings(duration: object) -> None:
    value = f'"{duration}"' if isinstance(duration, str) else str(duration)
    body = (
        f'  - id: a\n    title: A\n    date: 2024-11-27\n    start: "09:00"\n    duration: {value}'
    )
    assert one_session(body + "\n").duration == timedelta(minutes=45)


def test_full_datetimes_with_offsets_are_converted_to_the_zone() -> None:
    body = (
        "  - id: a\n    title: A\n    start: 2024-11-27T08:00:00Z\n"
        "    end: 2024-11-27T10:30:00+01:00\n"
    )
    s = load_bytes(doc(body), "x.yaml").conference.sessions[0]
    assert s.start == datetime(2024, 11, 27, 9, 0, tzinfo=BRUSSELS)
    assert s.start.tzinfo == BRUSSELS
    assert (s.end.hour, s.end.minute) == (10, 30)


def test_after_midnight_session_keeps_its_listed_day() -> None:
    body = (
        "  - id: party\n    title: Party\n    type: social\n    date: 2024-11-28\n"
        '    start: "00:30"\n    duration: "2:00"\n    day: 2024-11-27\n'
    )
    s = one_session(body)
    assert s.start.date() == date(2024, 11, 28)
    assert s.listed_day == date(2024, 11, 27)
    assert s.type is SessionType.SOCIAL


def test_dst_fold_takes_the_first_occurrence() -> None:
    body = '  - id: a\n    title: A\n    date: 2024-10-27\n    start: "02:30"\n    duration: 20\n'
    s = one_session(body)
    assert s.start.utcoffset() == timedelta(hours=2)  # CEST, the first 02:30


def test_default_zone_used_only_when_the_file_has_none() -> None:
    head = "conference:\n  name: T\n"
    with pytest.raises(AgendaError, match="AGENDA_TIMEZONE") as info:
        load_bytes(doc(ONE, head=head), "x.yaml")
    assert info.value.place == "conference.timezone"
    tokyo = ZoneInfo("Asia/Tokyo")
    conf = load_bytes(doc(ONE, head=head), "x.yaml", tokyo).conference
    assert conf.timezone == tokyo
    assert conf.sessions[0].start.utcoffset() == timedelta(hours=9)
    # A zone in the file wins over AGENDA_TIMEZONE.
    assert load_bytes(doc(ONE), "x.yaml", tokyo).conference.timezone == BRUSSELS


def test_unknown_keys_warn_with_a_suggestion() -> None:
    body = ONE + "    romo: Hall\n"
    head = "conference:\n  name: T\n  timezone: Europe/Brussels\n  organizers: [Us]\n  cty: X\n"
    result = load_bytes(doc(body, head=head), "x.yaml")
    messages = [str(w) for w in result.warnings]
    assert any("sessions[0].romo" in m and "did you mean 'room'" in m for m in messages)
    assert any("conference.cty" in m and "did you mean 'city'" in m for m in messages)
    assert result.conference.organisers == ("Us",)  # US spelling accepted as an alias


def test_room_not_in_declared_rooms_warns() -> None:
    head = "conference:\n  name: T\n  timezone: UTC\nrooms: [Plenary Hall]\n"
    result = load_bytes(doc(ONE + "    room: Plenary hall\n", head=head), "x.yaml")
    assert any("did you mean 'Plenary Hall'" in str(w) for w in result.warnings)


def test_ids_numbers_and_telegram_are_normalised() -> None:
    text = """conference: {name: T, timezone: UTC}
speakers:
  - {id: 7, name: Seven, telegram: "@Seven_Of_Nine"}
sessions:
  - {id: 101, title: A, date: 2024-11-27, start: "09:00", end: "10:00", speakers: 7, room: 12}
"""
    conf = load_bytes(text.encode(), "x.yaml").conference
    assert conf.sessions[0].id == "101"
    assert conf.sessions[0].speaker_ids == ("7",)
    assert conf.sessions[0].room == "12"
    assert conf.speakers["7"].telegram == "seven_of_nine"


def test_free_type_words_are_mapped() -> None:
    body = ONE + "    type: Round table discussion\n"
    assert one_session(body).type is SessionType.PANEL


@pytest.mark.parametrize(
    ("text", "place", "needle"),
    [
        ("- a\n- b\n", "", "must be a mapping"),
        ("conference: [x]\nsessions: []\n", "conference", "must be a mapping"),
        ("conference: {name: T, timezone: UTC}\nsessions: {a: 1}\n", "sessions", "must be a list"),
        ("conference: {name: T, timezone: UTC}\nsessions: []\n", "sessions", "at least one"),
        ("sessions: [{id: a}]\n", "conference", "'conference' is required"),
        ("conference: {name: T, timezone: 5}\nsessions: [x]\n", "conference.timezone", "zone"),
        (
            "conference: {name: 1984, timezone: UTC}\nsessions: [{id: a, title: A, "
            'date: 2024-01-01, start: "09:00", end: "10:00"}]\n',
            "conference.name",
            "a number",
        ),
        ("conference: {name: T, timezone: UTC}\nsessions: [[1, 2]]\n", "sessions[0]", "mapping"),
        (
            "conference: {name: T, timezone: UTC}\nsessions: [{id: a, title: 12, date: 2024-01-01, "
            'start: "09:00", end: "10:00"}]\n',
            "sessions[0].title",
            "put it in quotes",
        ),
        (
            "conference: {name: T, timezone: UTC}\nsessions: [{id: [a], title: A}]\n",
            "sessions[0].id",
            "must be text or a number",
        ),
        (
            "conference: {name: T, timezone: UTC}\nsessions: [{id: a, title: A, start: '09:00', "
            "end: '10:00'}]\n",
            "sessions[0].date",
            "'date' is required",
        ),
        (
            "conference: {name: T, timezone: UTC}\nsessions: [{id: a, title: A, date: 2024-02-30, "
            "start: '09:00', end: '10:00'}]\n",
            "sessions[0].date",
            "not a date",
        ),
        (
            "conference: {name: T, timezone: UTC}\nsessions: [{id: a, title: A, date: 2024-02-03, "
            "start: '09:00'}]\n",
            "sessions[0].end",
            "'end' or 'duration' is required",
        ),
        (
            "conference: {name: T, timezone: UTC}\nsessions: [{id: a, title: A, date: 2024-02-03, "
            "start: '09:00', end: '10:00', duration: 30}]\n",
            "sessions[0].duration",
            "does not match",
        ),
        (
            "conference: {name: T, timezone: UTC}\nsessions: [{id: a, title: A, date: 2024-02-03, "
            "start: '09:00', duration: -5}]\n",
            "sessions[0].duration",
            "negative",
        ),
        (
            "conference: {name: T, timezone: UTC}\nspeakers: [{id: x}]\nsessions: [{id: a}]\n",
            "speakers[0].name",
            "'name' is required",
        ),
        (
            "conference: {name: T, timezone: UTC}\nspeakers: [{id: x, name: X}, {id: x, name: Y}]\n"
            "sessions: [{id: a}]\n",
            "speakers[1].id",
            "duplicate speaker id",
        ),
        (
            "conference: {name: T, timezone: UTC}\nsessions: [{id: a, title: A, date: 2024-02-03, "
            "start: '09:00', duration: 5, speakers: [{role: chair}]}]\n",
            "sessions[0].speakers[0].id",
            "'id' is required",
        ),
    ],
)
def test_wrong_shapes_are_agenda_errors(text: str, place: str, needle: str) -> None:
    with pytest.raises(AgendaError) as info:
        load_bytes(text.encode(), "bad.yaml")
    assert info.value.place == place
    assert needle in info.value.message


def test_bad_encoding_is_an_agenda_error() -> None:
    data = doc(ONE).replace(b"title: A", b"title: Caf\xe9")
    with pytest.raises(AgendaError, match="not UTF-8"):
        LOADER.load(data, Path("latin1.yaml"), None)


def test_bom_and_crlf_are_fine() -> None:
    data = b"\xef\xbb\xbf" + doc(ONE).replace(b"\n", b"\r\n")
    assert load_bytes(data, "x.yaml").conference.sessions[0].title == "A"


def test_duplicate_mapping_key_is_an_error_with_its_line() -> None:
    with pytest.raises(AgendaError) as info:
        load_bytes(doc(ONE + "    title: B\n"), "x.yaml")
    assert info.value.place == "line 10, column 5"
    assert "written twice" in info.value.message


def test_sniff() -> None:
    assert LOADER.sniff(doc(ONE), Path("x.txt"))
    assert not LOADER.sniff(
        b'{"schedule": {"conference": {"days": []}}, "sessions": 1}', Path("s.json")
    )
    sessionize = b'{"sessions": [{"id": "1", "startsAt": "2020-01-01T09:00:00"}], "speakers": []}'
    assert not LOADER.sniff(sessionize, Path("all.json"))
    assert not LOADER.sniff(b"BEGIN:VCALENDAR\n", Path("x.ics"))
    # A broken .yaml file is still claimed, so the user sees the YAML error, not "unknown format".
    assert LOADER.sniff(b"sessions: [\n", Path("x.yaml"))
    assert detect(doc(ONE), Path("agenda.yml")).name == "yaml"


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


def test_any_value_of_the_wrong_type_is_an_agenda_error_never_a_traceback() -> None:
    """Replace every node of a valid file by each wrong kind of value; nothing may crash."""
    original = yaml.safe_load((FIXTURES / "yaml_valid.yaml").read_text(encoding="utf-8"))
    wrong: list[Any] = [[], {}, 42, 4.5, True, None, "", "x", [{"a": 1}], {"id": []}]
    for path in list(_paths(original))[1:]:
        for bad in wrong:
            mutated = copy.deepcopy(original)
            parent = mutated
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = bad
            data = yaml.safe_dump(mutated).encode()
            with contextlib.suppress(AgendaError):
                load_bytes(data, "mutated.yaml")


def test_merge_keys_can_be_overridden_and_x_keys_are_quiet() -> None:
    text = b"""conference: {name: T, timezone: UTC}
x-defaults: &d {date: 2024-01-01, start: "09:00", duration: 30, room: Hall}
sessions:
  - {<<: *d, id: a, title: A}
  - {<<: *d, id: b, title: B, start: "10:00"}
"""
    result = load_bytes(text, "merge.yaml")
    assert result.warnings == ()
    a, b = result.conference.sessions
    assert (a.start.hour, b.start.hour, b.room) == (9, 10, "Hall")
