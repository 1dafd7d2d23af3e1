"""Who is who: a person is the file's id, else their guid, else (only then) their name."""

from __future__ import annotations

import json
from typing import Any

from bot.agenda.loaders import load_bytes
from bot.agenda.loaders._common import People, button_safe


def test_names_differing_in_case_or_punctuation_are_two_people_without_ids() -> None:
    people = People()
    a, b, c = people.add("anna"), people.add("Anna"), people.add("anna")
    assert a == c != b
    assert (a, b) == ("anna", "anna-2")
    assert people.add("Raketen.Papa") != people.add("Raketen Papa")
    assert people.add("  Ada   Lovelace ") == people.add("Ada Lovelace")  # only spacing differs


def test_two_guids_with_one_name_are_two_people() -> None:
    people = People()
    first = people.add("Andreas", [("guid", "2e770e82-f65d-56f5-b6cc-323987c0083a")])
    second = people.add("Andreas", [("guid", "2da182ba-a7d2-5606-85ec-c97e79e6e47e")])
    assert first != second
    assert len(people.speakers) == 2


def test_the_first_present_id_wins_and_details_fill_in() -> None:
    people = People()
    one = people.add("Ada", [("id", None), ("guid", "g-1")], affiliation="")
    two = people.add("Ada L.", [("id", ""), ("guid", "g-1")], affiliation="Analytical Engines")
    assert one == two == "g-1"
    assert people.speakers["g-1"].name == "Ada"  # the first spelling stays
    assert people.speakers["g-1"].affiliation == "Analytical Engines"


def test_a_plain_id_under_another_name_is_another_person_a_global_id_is_not() -> None:
    people = People()
    assert people.add("Tobias", [("id", 12)]) == "12"
    assert people.add("Rixx", [("id", 12)]) == "12-rixx"  # merged pretalx instances collide
    assert people.add("Tobias", [("id", "12")]) == "12"
    assert people.add("Bo Li", [("email", "ab" * 16)]) == people.add(
        "BO LI", [("email", "ab" * 16)]
    )
    assert people.add("Cy", [("guid", "g-9")]) == people.add("Cyrus", [("guid", "g-9")])


def test_speaker_ids_are_button_safe() -> None:
    people = People()
    odd = people.add("Zoë Ñandú", [("id", "id with spaces/and:colons")])
    long = people.add("Long Id", [("guid", "x" * 60)])
    script = people.add("李小龍")
    for sid in (odd, long, script):
        assert sid is not None
        assert button_safe(sid), sid
    assert odd == "zoe-nandu"
    assert people.add("") is None
    forty = "y" * 40
    assert people.add("Forty", [("guid", forty)]) == forty
    clash = people.add("Other", [("code", forty)])  # another kind of id, the same text
    assert clash is not None
    assert clash != forty
    assert button_safe(clash)


def _schedule(persons_by_event: list[list[dict[str, Any]]]) -> bytes:
    events = [
        {
            "guid": f"e-{n}",
            "title": f"Event {n}",
            "date": "2024-12-27T11:00:00+01:00",
            "start": "11:00",
            "duration": "00:30",
            "room": f"Room {n}",
            "persons": persons,
        }
        for n, persons in enumerate(persons_by_event)
    ]
    doc = {
        "schedule": {
            "conference": {
                "title": "T",
                "time_zone_name": "Europe/Berlin",
                "days": [{"index": 1, "date": "2024-12-27", "rooms": {"Room": events}}],
            }
        }
    }
    return json.dumps(doc).encode()


def test_no_false_clash_for_two_people_of_one_name_in_schedule_json() -> None:
    data = _schedule(
        [[{"guid": "g-a", "public_name": "Andreas"}], [{"guid": "g-b", "public_name": "Andreas"}]]
    )
    result = load_bytes(data, "s.json")
    assert len(result.conference.speakers) == 2
    assert not [w for w in result.warnings if "is also in" in w.message]


def test_a_real_clash_is_still_reported() -> None:
    data = _schedule(
        [[{"code": "ABC", "public_name": "Ada"}], [{"code": "ABC", "public_name": "Ada"}]]
    )
    result = load_bytes(data, "s.json")
    assert len(result.conference.speakers) == 1
    assert [w for w in result.warnings if "speaker 'ABC' is also in" in w.message]


def test_newer_c3voc_xml_persons_by_guid() -> None:
    xml = b"""<?xml version="1.0"?>
<schedule><conference><title>T</title><time_zone_name>Europe/Berlin</time_zone_name></conference>
<day index="1" date="2024-12-27">
 <room name="A"><event guid="e1"><date>2024-12-27T11:00:00+01:00</date><start>11:00</start>
  <duration>00:30</duration><title>One</title>
  <persons><person guid="g-anna">anna</person><person guid="g-eli">Eli</person></persons>
 </event></room>
 <room name="B"><event guid="e2"><date>2024-12-27T11:00:00+01:00</date><start>11:00</start>
  <duration>00:30</duration><title>Two</title>
  <persons><person guid="g-Anna">Anna</person><person guid="g-eli">Eli</person></persons>
 </event></room>
</day></schedule>"""
    result = load_bytes(xml, "s.xml")
    c = result.conference
    assert sorted(c.speakers) == ["g-Anna", "g-anna", "g-eli"]
    clashes = [w.message for w in result.warnings if "is also in" in w.message]
    assert clashes == ["speaker 'g-eli' is also in 'e1' at the same time"]
