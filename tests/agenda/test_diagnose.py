"""A file in no known format is told what it looks closest to and what it lacks."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from bot.agenda.errors import AgendaError
from bot.agenda.loaders import load_agenda, load_bytes

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"


def refusal(data: bytes, name: str = "upload.bin") -> AgendaError:
    with pytest.raises(AgendaError) as err:
        load_bytes(data, name)
    assert err.value.source == name
    assert str(err.value).startswith(f"{name}: ")
    return err.value


def test_a_csv_without_a_title_column_is_told_which_headers_would_do() -> None:
    err = refusal(b"When,Where,Who\n2024-05-02 09:00,Hall,Ada\n", "plan.csv")
    assert err.place == "row 1"
    assert err.message.startswith(
        "a CSV with no title column: expected one of Title, Proposal title, Session, "
    )
    assert "(found 'When', 'Where', 'Who')" in err.message


def test_a_csv_without_a_start_column() -> None:
    err = refusal(b"Title;Room;Speakers\nOpening;Hall;Ada\n", "plan.csv")
    assert err.place == "row 1"
    assert err.message.startswith("a CSV with no start column: expected one of Start, ")


def test_a_pretalx_speakers_export_is_not_a_programme() -> None:
    data = "\ufeffID,Name,Biography,Proposal IDs\r\nABCDEF,Ada,Bio,XYZ\r\n".encode()
    err = refusal(data, "democon_speakers.csv")
    assert "no start column" in err.message


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "Excel (.xlsx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Excel (.xls)"),
        (b"%PDF-1.7\n", "a PDF document"),
        (gzip.compress(b"{}"), "gzip-compressed"),
        (b"<!DOCTYPE html>\n<html><head><title>Log in</title>", "an HTML page"),
        (b"<?xml version='1.0'?>\n<programme><talk/></programme>", "root element is <programme>"),
        (b"<?xml version='1.0'?><iCalendar xmlns='urn:ietf:params:xml:ns:icalendar-2.0'/>", "xCal"),
        (b"BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n", "a vCard"),
        (b"conference:\n  name: X\nrooms: [A]\n", "a YAML file without 'sessions'"),
        (b'{"talks": [1, 2]}', "its top-level keys are 'talks'"),
        (b"[1, 2, 3]", "a JSON list"),
        (b'{"results": {"1": {"20250602": {}}}, "count": 1}', "Indico timetable export"),
        (b'{"results": [], "count": 0}', "Indico export with no event"),
        (b'{"count": 1, "results": [{"code": "ABC", "title": "T", "slot": {}}]}', "pretalx's API"),
        (
            b'{"sessions": [{"id": "1", "title": "T", "startsAt": "2024-05-02T09:00:00"}]}',
            "Sessionize export without its speakers",
        ),
        (b'[{"groupId": 1, "sessions": []}]', "Sessionize export without its speakers"),
        (b'{"schedule": {"version": "1"}}', "no 'conference' in 'schedule'"),
    ],
)
def test_what_it_looks_like(data: bytes, needle: str) -> None:
    err = refusal(data)
    assert needle in err.message
    assert "formats tried:" in err.message


def test_plain_text_still_lists_the_formats_tried() -> None:
    err = refusal(b"hello, I am a note\n")
    assert "not an agenda format confbot knows" in err.message or "CSV" in err.message


def test_a_c3voc_schedule_version_2_is_named() -> None:
    doc = {
        "schedule": {
            "version": "2",
            "conference": {"title": "38C3", "time_zone_name": "Europe/Berlin", "days": []},
            "events": [{"guid": "x", "title": "Opening"}],
        }
    }
    err = refusal(json.dumps(doc).encode(), "hub.json")
    assert err.place == "schedule.events"
    assert "c3voc schedule version 2" in err.message


def test_a_real_indico_file_cut_down_to_its_header_is_still_indico(tmp_path: Path) -> None:
    """The first bytes of a real export: recognised, then refused with JSON's line."""
    data = (REAL / "indico-xdc2021-contributions.json").read_bytes()[:600]
    path = tmp_path / "xdc.json"
    path.write_bytes(data)
    with pytest.raises(AgendaError) as err:
        load_agenda(path)
    assert err.value.place.startswith("line ")
