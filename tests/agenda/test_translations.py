"""Agenda texts in several languages: pretalx's ``{"en": ..., "hu": ...}`` and native YAML's
mapping keep every language; each reader sees theirs, else the event's own (the first)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import texts
from bot.agenda.diff import diff
from bot.agenda.errors import AgendaError
from bot.agenda.index import AgendaIndex
from bot.agenda.loaders import load_agenda, load_bytes
from bot.agenda.model import Session, in_language
from bot.agenda.writer import to_yaml
from bot.calendar import session_ics
from bot.i18n import use_locale
from bot.questions.engine import QuestionEngine

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "agenda"
PRETALX = FIXTURE / "json_pretalx_multilingual.json"


def _session(sessions: tuple[Session, ...], sid: str) -> Session:
    return next(s for s in sessions if s.id.endswith(sid))


def test_pretalx_keeps_every_language_and_shows_the_readers() -> None:
    conf = load_agenda(PRETALX).conference
    opening = _session(conf.sessions, "0001")
    assert opening.title == "Opening"  # the first language is the event's own
    assert opening.titles == (("en", "Opening"), ("hu", "Megnyitó"), ("de", "Eröffnung"))
    assert opening.track == "Plenary"  # a track in several languages: its first
    assert opening.abstract == "Welcome by the organisers."
    assert opening.abstract_in(("hu",)) == "A szervezők köszöntője."
    drought = _session(conf.sessions, "0002")
    # subtitle and abstract joined language by language
    assert drought.abstract_in(("hu",)) == (
        "Egy vízgyűjtő nyomás alatt\n\nMit tesz egy száraz nyár egy folyóval."
    )
    assert drought.abstract == "A basin under stress\n\nWhat a dry summer does to a river."
    cyber = _session(conf.sessions, "0003")
    assert (cyber.title, cyber.titles) == ("Cyber attacks on waterworks", ())
    assert conf.name_in(("hu",)) == "Vízbiztonsági konferencia"
    assert conf.name_in(("fr", "en")) == "Water Security Conference"
    assert conf.description_in(("de",)) == "Two days on water and security."  # no German: own

    with use_locale("hu"):
        assert "<b>Megnyitó</b>" in texts.session_card(opening, [])
        assert "A szervezők köszöntője." in texts.session_card(opening, [])
        assert "Aszály és a Duna" in texts.slot_line(drought)
        assert "Cyber attacks on waterworks" in texts.slot_line(cyber)
    with use_locale("de-AT"):  # no German catalogue, but a German title
        assert texts.title_of(opening) == "Eröffnung"
        assert texts.title_of(drought) == "Drought and the Danube"
    with use_locale("en"):
        assert texts.title_of(opening) == "Opening"


def test_a_language_finds_its_regional_variant_and_back() -> None:
    variants = (("en", "Colour"), ("en-us", "Color"), ("pt-br", "Cor"))
    assert in_language("Colour", variants, ("en-us", "en")) == "Color"
    assert in_language("Colour", variants, ("pt", "en")) == "Cor"
    assert in_language("Colour", variants, ("fr",)) == "Colour"
    assert in_language("plain", (), ("hu",)) == "plain"


YAML = """
conference:
  name: {hu: Vízbiztonság, en: Water security}
  timezone: Europe/Budapest
sessions:
  - id: s1
    title:
      hu: Megnyitó
      en: Opening
    abstract: {hu: Köszöntő., en: Welcome.}
    date: 2024-11-27
    start: "09:00"
    duration: 30
  - id: s2
    title: Plain title
    date: 2024-11-27
    start: "10:00"
    duration: 30
"""


def test_native_yaml_texts_in_several_languages_and_convert_keeps_them() -> None:
    conf = load_bytes(YAML.encode(), "x.yaml").conference
    s1 = conf.sessions[0]
    assert (s1.title, s1.title_in(("en",)), s1.abstract_in(("en",))) == (
        "Megnyitó",
        "Opening",
        "Welcome.",
    )
    assert conf.name == "Vízbiztonság"
    again = load_bytes(to_yaml(conf).encode(), "again.yaml").conference
    assert again.sessions == conf.sessions
    assert again.names == conf.names
    assert diff(conf, again).empty


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("{english: Opening}", "sessions[0].title.english: 'english' is not a language code"),
        ("{en: [a, b]}", "sessions[0].title.en: must be text"),
        ("{en: '', hu: ''}", "sessions[0].title: must not be empty"),
    ],
)
def test_bad_texts_in_several_languages_name_the_place(title: str, message: str) -> None:
    body = YAML.replace("title:\n      hu: Megnyitó\n      en: Opening", f"title: {title}")
    with pytest.raises(AgendaError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_bytes(body.encode(), "x.yaml")


def test_a_retranslated_title_is_a_change_and_the_search_finds_every_language() -> None:
    conf = load_agenda(PRETALX).conference
    first = conf.sessions[0]
    titles = (("en", "Opening"), ("hu", "Ünnepélyes megnyitó"), ("de", "Eröffnung"))
    changed = dataclasses.replace(first, titles=titles)
    new = dataclasses.replace(conf, sessions=(changed, *conf.sessions[1:]))
    assert [c.new.id for c in diff(conf, new).renamed] == [first.id]

    engine = QuestionEngine(AgendaIndex(conf))
    now = datetime(2024, 11, 27, 8, 0, tzinfo=ZoneInfo("Europe/Budapest"))
    for question in ("aszály", "Aszály és a Duna", "drought"):
        answer = engine.ask(question, now)
        top = answer.card or (answer.sessions[0] if answer.sessions else None)
        assert top is not None, question
        assert top.id.endswith("0002"), question


def test_calendar_files_are_in_the_readers_language() -> None:
    conf = load_agenda(PRETALX).conference
    opening = _session(conf.sessions, "0001")
    with use_locale("hu"):
        data = session_ics(conf, opening).decode()
    assert "SUMMARY:Megnyitó" in data
    assert "X-WR-CALNAME:Vízbiztonsági konferencia" in data
    assert "A szervezők köszöntője." in data


def test_check_names_the_languages() -> None:
    from bot.agenda.summary import summarize

    report = summarize(load_agenda(PRETALX), PRETALX)
    assert "Languages: en, hu, de (2 sessions translated)" in report
