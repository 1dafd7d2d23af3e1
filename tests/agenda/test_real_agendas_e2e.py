"""The bot started on each real schedule export: /now and the card show the right local time.

Expected times come from the raw files (an event's offset or UTC time, converted by hand to
the zone the event was held in, see ../shared/schedules/README.md), not from our loaders.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from tests.conftest import SHARED_SCHEDULES, HarnessFactory

#: file, AGENDA_TIMEZONE, a title (or part of it), its local start in that zone
CASES = [
    # "date": "2018-12-27T11:00:00+01:00"
    ("35c3-frab.json", "Europe/Berlin", "Opening Event", "2018-12-27T11:00"),
    # <date>2014-12-27T11:00:00+01:00</date>
    ("31c3-frab.xml", "Europe/Berlin", "31C3 Opening Event", "2014-12-27T11:00"),
    # <day date="2014-02-01"> ... <start>10:30</start>, no zone in the file
    ("fosdem-2014-pentabarf.xml", "Europe/Brussels", "Welcome to FOSDEM", "2014-02-01T10:30"),
    # "2022-12-27T10:30:00-05:00" in a conference whose file names Europe/Amsterdam
    ("jev22-channels-pretalx-c3voc.json", None, "Intro to Solar Protocol", "2022-12-27T16:30"),
    # "startsAt": "2020-03-28T08:00:00", naive
    ("orlando-codecamp-2020-sessionize.json", "America/New_York", "Keynote", "2020-03-28T08:00"),
    # DTSTART:20150918T083000Z; London in September is UTC+1
    ("pyconuk-2015.ics", "Europe/London", "Opening Plenary", "2015-09-18T09:30"),
    # GroßesStudio,2011-06-23,1,19:00,1:30,What to hack
    ("gpn11-agenda.csv", "Europe/Berlin", "What to hack", "2011-06-23T19:00"),
    # Samstag,27/12/14,2:00 p.m.,3:00 p.m.,Workshop,"""Der Einstieg ins Podcasten"""
    ("31c3-sendezentrum-agenda.csv", "Europe/Berlin", "Einstieg ins Podcasten", "2014-12-27T14:00"),
]


@pytest.mark.skipif(not SHARED_SCHEDULES.exists(), reason="../shared is not beside the clone")
@pytest.mark.parametrize(("name", "zone", "title", "start"), CASES, ids=[c[0] for c in CASES])
async def test_now_and_card_in_local_time(
    make_bot: HarnessFactory,
    clock: ManualClock,
    name: str,
    zone: str | None,
    title: str,
    start: str,
) -> None:
    local = datetime.fromisoformat(start).replace(tzinfo=ZoneInfo(zone or "Europe/Amsterdam"))
    clock.set(local + timedelta(minutes=5))
    overrides: dict[str, object] = {"AGENDA_PATH": SHARED_SCHEDULES / name}
    if zone:
        overrides["AGENDA_TIMEZONE"] = zone
    bot = await make_bot(**overrides)
    user = bot.user(1001)
    hhmm = local.strftime("%H:%M")
    await user.send("/now")
    now = await user.next_message()
    line = next((ln for ln in now.plain_text.splitlines() if title in ln), None)
    assert line is not None, now.plain_text
    assert line.startswith(f"{hhmm}–"), line
    await user.press(now, title)
    card = await user.wait_for(lambda m: title in m.plain_text.split("\n")[0])
    assert f", {hhmm}–" in card.plain_text, card.plain_text


@pytest.mark.skipif(not SHARED_SCHEDULES.exists(), reason="../shared is not beside the clone")
async def test_a_long_day_is_paged_under_telegrams_limit(make_bot: HarnessFactory) -> None:
    """FOSDEM's Saturday has about 250 sessions: pages, each a valid message, forward and back."""
    bot = await make_bot(
        AGENDA_PATH=SHARED_SCHEDULES / "fosdem-2014-pentabarf.xml",
        AGENDA_TIMEZONE="Europe/Brussels",
    )
    user = bot.user(1001)
    await user.send("/agenda")
    await user.press(await user.next_message(), "Sat 1 Feb")
    first = await user.wait_for(lambda m: m.edited and "(1/" in m.plain_text)
    pages = int(first.plain_text.split("(1/")[1].split(")")[0])
    assert pages > 10
    assert len(first.text) <= 4096
    await user.press(first, "Later ▶")
    second = await user.wait_for(lambda m: "(2/" in m.plain_text)
    assert second.message_id == first.message_id
    assert "◀ Earlier" in second.button_texts
    await user.press(second, "◀ Earlier")
    await user.wait_for(lambda m: "(1/" in m.plain_text and len(m.history) >= 3)
