"""The sample agendas in data/: they load cleanly and keep the facts of their sources."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.agenda.index import AgendaIndex
from bot.agenda.loaders import load_agenda
from bot.agenda.model import Conference, Session, SessionType
from bot.agenda.summary import summarize

DATA = Path(__file__).resolve().parents[2] / "data"
AGENDA_SUFFIXES = {".yaml", ".yml", ".json", ".xml", ".ics", ".csv"}
SAMPLES = sorted(p for p in DATA.iterdir() if p.suffix.lower() in AGENDA_SUFFIXES)
BRUSSELS_TZ = ZoneInfo("Europe/Brussels")
BUDAPEST_TZ = ZoneInfo("Europe/Budapest")


def load(name: str) -> Conference:
    return load_agenda(DATA / name).conference


def speaker_names(conf: Conference, s: Session) -> list[str]:
    return [conf.speakers[sid].name for sid in s.speaker_ids]


def test_there_are_samples() -> None:
    names = {p.name for p in SAMPLES}
    assert {"brussels-security-resilience.yaml", "budapest-counter-terrorism.yaml"} <= names


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_every_sample_loads_without_warnings(path: Path) -> None:
    result = load_agenda(path)
    assert result.warnings == (), [str(w) for w in result.warnings]
    conf = result.conference
    assert conf.name
    assert conf.sessions
    assert all(s.start.tzinfo == conf.timezone for s in conf.sessions)
    assert "Warnings: none" in summarize(result, path)


def test_budapest_facts() -> None:
    conf = load("budapest-counter-terrorism.yaml")
    assert conf.name == (
        "Racialisation that Leads to Terrorism: Regional Political Responses and Risk Reduction"
    )
    assert conf.timezone == BUDAPEST_TZ
    assert conf.city == "Budapest"
    assert conf.days == (date(2019, 11, 7), date(2019, 11, 8))
    assert any("Foreign Affairs and Trade" in o for o in conf.organisers)
    assert any("UNOCT" in o for o in conf.organisers)
    for fact in (
        "Ministry of Interior",
        "130 experts",
        "António Guterres",
        "28 June 2018",
        "June 2020",
        "European Economic Area",
        "Europol",
        "OSCE",
        "NATO",
        "Western Balkans",
    ):
        assert fact in conf.description, fact

    panels = [s for s in conf.sessions if s.type is SessionType.PANEL]
    assert len(panels) == 3
    assert {s.listed_day for s in panels} <= {date(2019, 11, 7), date(2019, 11, 8)}
    topics = ["terrorist narratives", "foreign fighters", "young people"]
    for panel, topic in zip(sorted(panels, key=lambda s: s.start), topics, strict=True):
        assert topic in panel.title
        assert panel.track == "Western Balkans"
        assert "Western Balkans" in panel.abstract
    assert conf.speakers == {}  # the source names nobody, and nobody is invented
    assert sum(1 for s in conf.sessions if s.title == "Lunch" and s.is_break) == 2
    opening = conf.session("opening")
    assert opening is not None
    assert opening.start == datetime(2019, 11, 7, 9, 30, tzinfo=BUDAPEST_TZ)


def test_brussels_facts() -> None:
    conf = load("brussels-security-resilience.yaml")
    assert conf.name == "Security and Resilience Challenges"
    assert conf.timezone == BRUSSELS_TZ
    assert conf.venue == "Permanent Representation of Hungary to the EU"
    assert conf.city == "Brussels"
    organisers = " ".join(conf.organisers)
    for org in (
        "European Jewish Congress",
        "Hungarian Presidency",
        "European Commission",
        "World Jewish Congress",
    ):
        assert org in organisers
    assert len(conf.rooms) >= 2
    assert "Plenary Hall" in conf.rooms
    assert conf.days == (date(2024, 11, 27),)

    names = {sp.name for sp in conf.speakers.values()}
    assert names == {
        "Raya Kalenova",
        "Balint Ódor",
        "Katharina von Schnurbein",
        "Maram Stern",
        "Dr Andor Grósz",
        "Dr Péter Sztáray",
        "Bartjan Wegter",
        "Julien Mousnier",
        "Ophir Revach",
    }
    assert "2012" in conf.speakers["ophir-revach"].bio
    assert "DG JUST" in conf.speakers["julien-mousnier"].affiliation
    assert "Counter-Terrorism Coordinator" in conf.speakers["bartjan-wegter"].affiliation

    welcome = conf.session("welcome")
    assert welcome is not None
    assert welcome.type is SessionType.OPENING
    assert speaker_names(conf, welcome) == [
        "Raya Kalenova",
        "Balint Ódor",
        "Katharina von Schnurbein",
        "Maram Stern",
        "Dr Andor Grósz",
    ]

    crisis = conf.session("crisis-management")
    assert crisis is not None
    assert "crisis management" in crisis.title.lower()
    assert crisis.speaker_ids == ("ophir-revach",)
    assert crisis.room != "Plenary Hall"

    oct7 = conf.session("panel-october-7")
    assert oct7 is not None
    assert oct7.type is SessionType.PANEL
    assert "October 7th" in oct7.title
    roles = {p.speaker_id: p.role for p in oct7.speakers}
    assert roles["ophir-revach"] == "moderator"
    assert len(roles) >= 3

    landscape = conf.session("panel-security-landscape")
    assert landscape is not None
    assert landscape.type is SessionType.PANEL
    assert "evolving security landscape" in landscape.title
    keynoters = {
        sid for s in conf.sessions if s.type is SessionType.KEYNOTE for sid in s.speaker_ids
    }
    assert {"peter-sztaray", "julien-mousnier"} <= keynoters

    lunch = [s for s in conf.sessions if s.title == "Lunch"]
    assert len(lunch) == 1
    assert lunch[0].type is SessionType.BREAK
    assert any(s.title.startswith("Coffee") and s.is_break for s in conf.sessions)
    assert any(s.type is SessionType.CLOSING for s in conf.sessions)


def test_brussels_has_parallel_sessions_after_the_coffee_break() -> None:
    conf = load("brussels-security-resilience.yaml")
    index = AgendaIndex(conf)
    coffee = conf.session("coffee-break")
    assert coffee is not None
    nxt = index.next_after(coffee.start)
    assert {s.id for s in nxt} == {"keynote-mousnier", "crisis-management"}
    lunch = conf.session("lunch")
    assert lunch is not None
    after_lunch = index.next_after(lunch.start)
    assert [s.id for s in after_lunch] == ["panel-october-7"]
