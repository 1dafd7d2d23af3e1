"""Deep-link payloads: start-safe, at most 64 characters, and back to the same session.

Checked on every session of every real export we have (UUIDs, iCal UIDs with ``@`` and
``.``, slugs longer than a button's key, numeric ids), plus ids made to be awkward.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.agenda.index import AgendaIndex, session_key
from bot.agenda.loaders import load_agenda
from bot.agenda.model import Conference, Session
from bot.deeplinks import (
    START_PARAMETER,
    id_hash,
    is_start_parameter,
    session_from_payload,
    session_payload,
    share_url,
    start_link,
)
from tests.agenda.test_real_exports import EXPECTED, load
from tests.conftest import DATA, ROOT, SHARED_SCHEDULES

#: The zone each shared export was held in (../shared/schedules/README.md).
SHARED_ZONES = {
    "31c3-frab.xml": "Europe/Berlin",
    "fosdem-2014-pentabarf.xml": "Europe/Brussels",
    "35c3-frab.json": "Europe/Berlin",
    "jev22-channels-pretalx-c3voc.json": "Europe/Amsterdam",
    "orlando-codecamp-2020-sessionize.json": "America/New_York",
    "pyconuk-2015.ics": "Europe/London",
    "gpn11-agenda.csv": "Europe/Berlin",
    "31c3-sendezentrum-agenda.csv": "Europe/Berlin",
}
FIXTURE_AGENDAS = [
    "agenda/ics_utc_folded.ics",
    "agenda/ics_tzid_floating.ics",
    "agenda/sessionize_all_data.json",
    "agenda/csv_semicolon_12h.csv",
]


def _conferences() -> list[tuple[str, Conference]]:
    found: list[tuple[str, Conference]] = []
    if SHARED_SCHEDULES.exists():
        for name, zone in SHARED_ZONES.items():
            result = load_agenda(SHARED_SCHEDULES / name, ZoneInfo(zone))
            found.append((name, result.conference))
    for real, expected in EXPECTED.items():
        found.append((real, load(real, expected[0]).conference))
    fixtures = ROOT / "tests" / "fixtures"
    for name in FIXTURE_AGENDAS:
        found.append((name, load_agenda(fixtures / name, ZoneInfo("Europe/Berlin")).conference))
    for path in sorted(DATA.glob("*.yaml")):
        found.append((path.name, load_agenda(path).conference))
    return found


CONFERENCES = _conferences()


def _assert_round_trip(index: AgendaIndex) -> None:
    payloads: dict[str, str] = {}
    for s in index.sessions:
        payload = session_payload(s.id)
        assert START_PARAMETER.match(payload), (s.id, payload)
        assert len(payload) <= 64
        assert payload not in payloads, f"{s.id!r} and {payloads[payload]!r} share {payload}"
        payloads[payload] = s.id
        found = session_from_payload(index, payload)
        assert found is not None, (s.id, payload)
        assert found.id == s.id, (s.id, payload)


@pytest.mark.parametrize(("name", "conf"), CONFERENCES, ids=[n for n, _ in CONFERENCES])
def test_every_real_session_id_round_trips(name: str, conf: Conference) -> None:
    _assert_round_trip(AgendaIndex(conf))


def test_the_real_exports_include_the_odd_ids_this_is_about() -> None:
    ids = [s.id for _, conf in CONFERENCES for s in conf.sessions]
    assert any("@" in i for i in ids)  # iCal UIDs
    assert any(len(i) == 36 and i.count("-") == 4 for i in ids)  # UUIDs
    assert any(len(i) > 64 for i in ids)  # longer than a start parameter
    assert any(i.isdigit() for i in ids)  # pentabarf and frab event ids


def _session(session_id: str, minutes: int = 0) -> Session:
    start = datetime(2024, 11, 27, 9, tzinfo=UTC) + timedelta(minutes=minutes)
    return Session(session_id, f"Talk {session_id}", start, start + timedelta(minutes=30))


ODD_IDS = [
    "4711",
    "panel-october-7",
    "a_b",
    "talk.1",  # a safe button key, but "." is not start-safe
    "_leading",
    "-leading",
    "x" * 24,
    "x" * 25,
    "x" * 300,
    "id with spaces",
    "ünïcödé-ид-標識",
    "#hash-like",
    "s_nested",
    "sh_share-like",
    "sp_speaker-like",
    "a:b:c",
    "<script>",
    "20160417T070217Z-32078@testing-worker-linux-docker-3ee836b9-3394-linux-5",
]


def test_odd_ids_round_trip_and_plain_ones_stay_readable() -> None:
    conf = Conference(
        "Odd", ZoneInfo("UTC"), tuple(_session(i, n) for n, i in enumerate(ODD_IDS)), {}
    )
    index = AgendaIndex(conf)
    _assert_round_trip(index)
    assert session_payload("4711") == "s_4711"
    assert session_payload("panel-october-7") == "s_panel-october-7"
    # The hash is session_key's, so one id reads the same in a button and in a link.
    uid = ODD_IDS[-1]
    assert session_key(uid) == "#" + id_hash(uid)
    assert session_payload(uid) == "s__" + id_hash(uid)
    assert session_payload("talk.1") == "s__" + id_hash("talk.1")


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "s_",
        "s__",
        "s__short",
        "s__" + "A" * 11,
        "s_nope",
        "s_#abcdefghij",
        "s_talk.1",
        "s_4711 ",
        "s_" + "1" * 70,
        "sp_4711",
        "sh_4711",
        "S_4711",
        "s_../../etc",
        "s_<b>",
        "4711",
    ],
)
def test_forged_payloads_resolve_to_nothing(payload: str) -> None:
    conf = Conference("C", ZoneInfo("UTC"), (_session("4711"), _session("talk.1", 30)), {})
    assert session_from_payload(AgendaIndex(conf), payload) is None


def test_payloads_survive_a_reload_that_keeps_the_id() -> None:
    """A link posted yesterday opens the session after the agenda moved it."""
    first = AgendaIndex(Conference("C", ZoneInfo("UTC"), (_session("a.b"),), {}))
    moved = AgendaIndex(Conference("C", ZoneInfo("UTC"), (_session("a.b", 90),), {}))
    payload = session_payload("a.b")
    assert session_from_payload(first, payload) is not None
    found = session_from_payload(moved, payload)
    assert found is not None
    assert found.start == moved.sessions[0].start


def test_links_are_telegram_links() -> None:
    assert start_link("confbot_test_bot", "s_4711") == "https://t.me/confbot_test_bot?start=s_4711"
    with pytest.raises(ValueError, match="start parameter"):
        start_link("bot", "s_talk.1")
    assert not is_start_parameter("x" * 65)
    url = share_url("https://t.me/b?start=sh_x", "Anna's schedule & more")
    assert url.startswith("https://t.me/share/url?url=https%3A%2F%2Ft.me%2Fb%3Fstart%3Dsh_x&text=")
    assert "&text=Anna%27s%20schedule%20%26%20more" in url
