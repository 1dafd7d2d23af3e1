""".ics files parse back with icalendar: zone, times, UID, location, description."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.agenda.loaders import load_agenda
from bot.calendar import PRODID, session_ics, session_uid, sessions_ics
from tests.conftest import BRUSSELS

BRU = ZoneInfo("Europe/Brussels")


def test_one_session_round_trips() -> None:
    conf = load_agenda(BRUSSELS, None).conference
    panel = conf.session("panel-october-7")
    assert panel is not None
    cal = Calendar.from_ical(session_ics(conf, panel))
    assert str(cal["PRODID"]) == PRODID
    tz = cal.walk("VTIMEZONE")
    assert [str(t["TZID"]) for t in tz] == ["Europe/Brussels"]
    (event,) = cal.walk("VEVENT")
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == datetime(2024, 11, 27, 14, 0, tzinfo=BRU)
    assert end == datetime(2024, 11, 27, 15, 15, tzinfo=BRU)
    assert event["DTSTART"].params["TZID"] == "Europe/Brussels"
    assert str(start.tzinfo) == "Europe/Brussels"
    assert str(event["UID"]) == session_uid(conf, panel)
    assert str(event["UID"]).startswith("panel-october-7.")
    assert "Plenary Hall" in str(event["LOCATION"])
    assert "Ophir Revach (moderator)" in str(event["DESCRIPTION"])
    assert str(event["SUMMARY"]) == panel.title


def test_uid_is_stable_and_schedule_is_in_time_order() -> None:
    conf = load_agenda(BRUSSELS, None).conference
    chosen = [s for s in conf.sessions if s.id in {"closing", "keynote-sztaray", "lunch"}]
    first = Calendar.from_ical(sessions_ics(conf, chosen))
    again = Calendar.from_ical(sessions_ics(conf, list(reversed(chosen))))
    uids = [str(e["UID"]) for e in first.walk("VEVENT")]
    assert uids == [str(e["UID"]) for e in again.walk("VEVENT")]
    assert [u.split(".")[0] for u in uids] == ["keynote-sztaray", "lunch", "closing"]
    assert len(first.walk("VTIMEZONE")) == 1


def test_odd_session_ids_get_safe_unique_uids() -> None:
    conf = load_agenda(BRUSSELS, None).conference
    s = conf.sessions[0]
    from dataclasses import replace

    a = session_uid(conf, replace(s, id="a b/c"))
    b = session_uid(conf, replace(s, id="a-b-c"))
    assert a != b
    assert " " not in a
    assert "/" not in a
