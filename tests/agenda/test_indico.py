"""The Indico event export, on small exports shaped like the real ones in tests/fixtures/real."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.agenda.errors import AgendaError
from bot.agenda.loaders import detect, load_bytes
from bot.agenda.loaders.base import LoadResult
from bot.agenda.loaders.indico import LOADER

ZURICH = ZoneInfo("Europe/Zurich")
LISBON = ZoneInfo("Europe/Lisbon")


def when(day: str, clock: str, tz: str = "Europe/Zurich") -> dict[str, str]:
    return {"date": day, "time": clock, "tz": tz}


def person(first: str, last: str, pid: int | None, **extra: Any) -> dict[str, Any]:
    return {
        "_type": "ContributionParticipation",
        "first_name": first,
        "last_name": last,
        "fullName": f"{last}, {first}",
        "id": "0",  # legacy: a position; current: a link id. Never an identity.
        "person_id": pid,
        "affiliation": extra.pop("affiliation", ""),
        "emailHash": extra.pop("emailHash", None),
        **extra,
    }


def contribution(cid: str, title: str, start: str, end: str, **extra: Any) -> dict[str, Any]:
    return {
        "_type": "Contribution",
        "id": cid,
        "title": title,
        "startDate": when("2025-06-02", start),
        "endDate": when("2025-06-02", end),
        "duration": 30,
        "room": "Main Auditorium",
        "type": None,
        "description": "<p>About <b>it</b>.</p>",
        "speakers": [],
        "primaryauthors": [],
        "session": None,
        "track": None,
        "url": f"https://indico.example.org/event/1/contributions/{cid}/",
        **extra,
    }


def export(contributions: list[dict[str, Any]], **event: Any) -> dict[str, Any]:
    base = {
        "_type": "Conference",
        "_fossil": "conferenceMetadataWithContribs",
        "id": "1",
        "title": "Workshop on Things",
        "timezone": "Europe/Lisbon",
        "startDate": when("2025-06-02", "09:00:00"),
        "location": "CERN",
        "chairs": [person("Ada", "Lovelace", 9)],
        "contributions": contributions,
    }
    base.update(event)
    return {"count": 1, "_type": "HTTPAPIResult", "results": [base]}


def load(doc: object, zone: ZoneInfo | None = None) -> LoadResult:
    return load_bytes(json.dumps(doc).encode(), "event.json", zone)


def test_times_given_in_the_servers_zone_are_shown_in_the_events() -> None:
    result = load(export([contribution("3", "Opening", "09:00:00", "09:30:00")]))
    c = result.conference
    assert result.format == "indico"
    assert c.timezone == LISBON
    [s] = c.sessions
    assert s.start == datetime(2025, 6, 2, 8, 0, tzinfo=LISBON)  # 09:00 Zurich
    assert s.start.tzinfo == LISBON
    assert s.abstract == "About it."
    assert c.organisers == ("Ada Lovelace",)
    assert c.venue == "CERN"


def test_identity_is_the_event_person_then_the_email_hash_then_the_name() -> None:
    a1 = person("Ana", "Ruiz", 7, affiliation="CERN")
    a2 = person("Ana", "Ruíz", 7)  # re-spelt, same event person: one speaker
    b1 = person("Bo", "Li", None, emailHash="aa" * 16)
    b2 = person("Bo", "LI", None, emailHash="aa" * 16)
    nobody = "d41d8cd98f00b204e9800998ecf8427e"  # md5 of no address: not an identity
    c1 = person("Cy", "Do", None, emailHash=nobody)
    c2 = person("Cy", "Do", None, emailHash=nobody)
    d1 = person("Cy", "Do", 8)  # another event person of the same name: another speaker
    doc = export(
        [
            contribution("1", "One", "09:00:00", "09:30:00", speakers=[a1, b1, c1]),
            contribution("2", "Two", "10:00:00", "10:30:00", speakers=[a2, b2, c2, d1]),
        ]
    )
    c = load(doc).conference
    one, two = c.sessions
    assert one.speaker_ids == ("7", "a" * 32, "cy-do")
    assert two.speaker_ids == ("7", "a" * 32, "cy-do", "8")
    assert c.speakers["7"].affiliation == "CERN"
    assert c.speakers["8"].name == c.speakers["cy-do"].name == "Cy Do"


def test_legacy_full_names_are_turned_round() -> None:
    legacy = {"_type": "ContributionParticipation", "fullName": "Dr. AGOSTINO, Luca", "id": "0"}
    plain = {"fullName": "Secretariat", "id": "1"}
    doc = export([contribution("1", "One", "09:00:00", "09:30:00", speakers=[legacy, plain])])
    c = load(doc).conference
    assert [c.speakers[s].name for s in c.sessions[0].speaker_ids] == [
        "Dr. Luca AGOSTINO",
        "Secretariat",
    ]


def test_primary_authors_present_when_no_speaker_is_marked() -> None:
    doc = export(
        [
            contribution(
                "1",
                "One",
                "09:00:00",
                "09:30:00",
                primaryauthors=[person("Ana", "Ruiz", 7)],
                coauthors=[person("Bo", "Li", 8)],
            )
        ]
    )
    c = load(doc).conference
    assert [c.speakers[s].name for s in c.sessions[0].speaker_ids] == ["Ana Ruiz"]


def test_sessions_become_tracks_and_empty_blocks_sessions() -> None:
    doc = export(
        [contribution("1", "Loose talk", "08:00:00", "08:30:00", track="Physics")],
        _fossil="conferenceMetadataWithSessions",
        sessions=[
            {
                "_type": "SessionSlot",
                "id": 11,
                "title": "Detectors I",
                "room": "Room A",
                "startDate": when("2025-06-02", "09:00:00"),
                "endDate": when("2025-06-02", "10:00:00"),
                "session": {"title": "Detectors", "isPoster": False},
                "conveners": [],
                "contributions": [contribution("2", "Pixels", "09:00:00", "09:20:00", room="")],
            },
            {
                "_type": "SessionSlot",
                "id": 12,
                "title": "Round table",
                "room": "Room B",
                "startDate": when("2025-06-02", "11:00:00"),
                "endDate": when("2025-06-02", "12:00:00"),
                "session": {"title": "Plenary", "sessionConveners": []},
                "conveners": [person("Ana", "Ruiz", 7)],
                "contributions": [],
            },
        ],
    )
    c = load(doc).conference
    loose, pixels, table = sorted(c.sessions, key=lambda s: s.start)
    assert loose.track == "Physics"  # no session: the Indico track
    assert (pixels.track, pixels.room) == ("Detectors", "Room A")  # the block's room
    assert table.title == "Round table"
    assert table.id == "session-12"
    assert [(p.speaker_id, p.role) for p in table.speakers] == [("7", "chair")]


def test_a_poster_block_is_one_session() -> None:
    posters = [
        contribution(
            f"p{i}",
            f"Poster {i}",
            "16:00:00",
            "17:30:00",
            room="Hall",
            speakers=[person("P", str(i), 100 + i)],
        )
        for i in range(5)
    ]
    doc = export(
        [],
        sessions=[
            {
                "id": 20,
                "title": "Poster session",
                "startDate": when("2025-06-02", "16:00:00"),
                "endDate": when("2025-06-02", "18:00:00"),
                "session": {"title": "Posters", "isPoster": True},
                "contributions": posters,
            }
        ],
    )
    result = load(doc)
    [s] = result.conference.sessions
    assert s.id == "posters-20"
    assert s.title == "Poster session"
    assert s.end == datetime(2025, 6, 2, 17, 0, tzinfo=LISBON)
    assert s.abstract.startswith("5 posters:\n- Poster 0 (P 0)")
    assert len(s.speakers) == 5
    assert not [w for w in result.warnings if "in room" in w.message]


def test_poster_typed_contributions_outside_blocks_are_grouped_when_they_overlap() -> None:
    items = [
        contribution("a", "A", "16:00:00", "17:00:00", room="Hall", type="Poster"),
        contribution("b", "B", "16:00:00", "17:00:00", room="Hall", type="Poster"),
        contribution("c", "C", "18:00:00", "19:00:00", room="Hall", type="Poster"),
        contribution("d", "D", "16:00:00", "17:00:00", room="Other", type="Talk"),
    ]
    c = load(export(items)).conference
    assert sorted(s.id for s in c.sessions) == ["c", "d", "posters-a"]


def test_sub_contributions_lend_their_speakers_and_titles() -> None:
    sub = {"title": "Part two", "duration": 10, "speakers": [person("Bo", "Li", 8)]}
    doc = export(
        [
            contribution(
                "1",
                "Talk",
                "09:00:00",
                "09:30:00",
                speakers=[person("Ana", "Ruiz", 7)],
                subContributions=[sub],
            )
        ]
    )
    [s] = load(doc).conference.sessions
    assert s.speaker_ids == ("7", "8")
    assert s.abstract.endswith("- Part two (Bo Li)")


def test_unscheduled_and_untitled_are_skipped_with_their_place() -> None:
    items = [
        contribution("1", "Kept", "09:00:00", "09:30:00"),
        contribution("2", "Later", "09:00:00", "09:30:00", startDate=None, endDate=None),
        contribution("3", "", "09:00:00", "09:30:00"),
    ]
    result = load(export(items))
    assert [s.id for s in result.conference.sessions] == ["1"]
    places = {w.place: w.message for w in result.warnings}
    assert places["results[0].contributions[1] (id 2, 'Later')"] == (
        "skipped: not scheduled (no startDate)"
    )
    assert "results[0].contributions[2] (id 3, '')" in places


def test_no_end_date_uses_the_duration() -> None:
    item = contribution("1", "One", "09:00:00", "09:30:00", endDate=None, duration=45)
    [s] = load(export([item])).conference.sessions
    assert s.duration.total_seconds() == 45 * 60


@pytest.mark.parametrize(
    ("mutate", "place", "needle"),
    [
        (
            lambda c: c.update(startDate={"date": "2025-13-02", "time": "09:00", "tz": "UTC"}),
            "results[0].contributions[0].startDate",
            "not a date",
        ),
        (
            lambda c: c.update(startDate={"date": "2025-06-02", "time": "25:00", "tz": "UTC"}),
            "results[0].contributions[0].startDate",
            "not a time",
        ),
        (
            lambda c: c.update(startDate={"date": "2025-06-02", "time": "09:00", "tz": "Mars"}),
            "results[0].contributions[0].startDate",
            "unknown time zone",
        ),
        (
            lambda c: c.update(endDate=None, duration="long"),
            "results[0].contributions[0].duration",
            "not a number of minutes",
        ),
        (lambda c: c.update(speakers={"a": 1}), "results[0].contributions[0].speakers", "a list"),
        (
            lambda c: c.update(endDate=when("2025-06-02", "08:00:00")),
            "results[0].contributions[0].endDate",
            "ends before it starts",
        ),
    ],
)
def test_bad_values_name_the_place(mutate: Any, place: str, needle: str) -> None:
    doc = export([contribution("1", "One", "09:00:00", "09:30:00")])
    mutate(doc["results"][0]["contributions"][0])
    with pytest.raises(AgendaError) as err:
        load(doc)
    assert err.value.source == "event.json"
    assert err.value.place == place
    assert needle in err.value.message


def test_empty_or_contribution_less_exports_say_why() -> None:
    with pytest.raises(AgendaError, match="holds no event"):
        load({"count": 0, "_type": "HTTPAPIResult", "results": []})
    bare = export([])
    bare["results"][0]["_fossil"] = "conferenceMetadata"
    del bare["results"][0]["contributions"]
    with pytest.raises(AgendaError, match=r"\?detail=contributions") as err:
        load(bare)
    assert err.value.place == "results[0].contributions"


def test_zone_fallbacks() -> None:
    doc = export([contribution("1", "One", "09:00:00", "09:30:00")], timezone=None)
    assert load(doc, ZoneInfo("Asia/Tokyo")).conference.timezone.key == "Asia/Tokyo"
    result = load(doc)
    assert result.conference.timezone == ZURICH  # the zone its times are written in
    assert any("names no time zone" in w.message for w in result.warnings)
    typo = export([contribution("1", "One", "09:00:00", "09:30:00")], timezone="Europe/Lisbn")
    with pytest.raises(AgendaError, match="did you mean 'Europe/Lisbon'"):
        load(typo)


def test_several_events_load_as_one_programme() -> None:
    doc = export([contribution("1", "One", "09:00:00", "09:30:00")])
    second = copy.deepcopy(doc["results"][0])
    second["id"] = "2"
    doc["results"].append(second)
    doc["count"] = 2
    result = load(doc)
    assert sorted(s.id for s in result.conference.sessions) == ["1-1", "2-1"]
    assert any("2 events" in w.message for w in result.warnings)


def test_a_bare_event_object_and_sniffing() -> None:
    event = export([contribution("1", "One", "09:00:00", "09:30:00")])["results"][0]
    assert load(event).format == "indico"
    data = json.dumps(export([])).encode()
    assert LOADER.sniff(data, Path("x.json"))
    assert detect(data, Path("x.json")).name == "indico"
    assert LOADER.sniff(data[:-30], Path("x.json"))  # truncated: ours, to give the line
    assert not LOADER.sniff(b'{"schedule": {"conference": {}}}', Path("x.json"))
    assert not LOADER.sniff(b'{"results": [], "count": 0}', Path("x.json"))


def test_truncated_export_names_line_and_column() -> None:
    data = json.dumps(export([contribution("1", "One", "09:00:00", "09:30:00")]), indent=1)
    with pytest.raises(AgendaError) as err:
        load_bytes(data[: len(data) // 2].encode(), "cut.json")
    assert err.value.place.startswith("line ")
    assert "invalid JSON" in err.value.message
