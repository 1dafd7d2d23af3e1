"""Questions on a real, large programme through the real Application and the emulator:
the "N more" button pages through every match, a forged or foreign page button is refused,
an exact title opens the card, and every message fits Telegram's limits.

Expected sessions come from FOSDEM 2014's pentabarf XML (read by hand), not from the engine.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.emulator.harness import BotHarness
from tests.conftest import SHARED_SCHEDULES, HarnessFactory

FOSDEM = SHARED_SCHEDULES / "fosdem-2014-pentabarf.xml"
BRUSSELS = ZoneInfo("Europe/Brussels")
pytestmark = pytest.mark.skipif(not FOSDEM.exists(), reason="../shared is not beside the clone")


async def _fosdem(make_bot: HarnessFactory, clock: ManualClock, hour: int = 11) -> BotHarness:
    clock.set(datetime(2014, 2, 1, hour, 20, tzinfo=BRUSSELS))
    return await make_bot(AGENDA_PATH=FOSDEM, AGENDA_TIMEZONE="Europe/Brussels")


async def test_more_button_pages_through_every_match(
    make_bot: HarnessFactory, clock: ManualClock
) -> None:
    bot = await _fosdem(make_bot, clock, hour=8)  # before the first talk: all of them to come
    ada = bot.user(1001)
    # The Open document editors devroom: 28 talks on Saturday in H.2214 (counted in the XML).
    await ada.send("what's in the open document editors devroom")
    first = await ada.next_message()
    assert "28 sessions · in the Open document editors track (1–20 of 28)" in first.plain_text
    more = next(text for row in first.buttons for text, _ in row if text.endswith(" more"))
    assert more == "8 more"
    await ada.press(first, more)
    second = await ada.wait_for(lambda m: m.edited and "of 28)" in m.plain_text)
    assert "(21–28 of 28)" in second.plain_text
    assert len([ln for ln in second.plain_text.splitlines() if "· H.2214" in ln]) == 8
    assert not any(text.endswith(" more") for row in second.buttons for text, _ in row)
    assert len(first.text) <= 4096
    assert len(second.text) <= 4096


async def test_forged_and_foreign_page_buttons_are_refused(
    make_bot: HarnessFactory, clock: ManualClock
) -> None:
    bot = await _fosdem(make_bot, clock)
    ada, eve = bot.user(1001), bot.user(1002)
    await ada.send("what's in the open document editors devroom")
    first = await ada.next_message()
    data = next(d for row in first.buttons for text, d in row if text.endswith(" more"))
    assert data is not None
    assert len(data.encode()) <= 64
    forged = await ada.press_data(first.message_id, "qm:AAAAAAAAAAAA:1")
    assert (await ada.callback_answer(forged)).show_alert
    out_of_range = await ada.press_data(first.message_id, data.rsplit(":", 1)[0] + ":99999")
    assert (await ada.callback_answer(out_of_range)).show_alert
    await eve.send("/start")
    await eve.next_message()
    foreign = await eve.press_data(first.message_id, data)
    assert (await eve.callback_answer(foreign)).show_alert


async def test_exact_title_opens_the_card(make_bot: HarnessFactory, clock: ManualClock) -> None:
    bot = await _fosdem(make_bot, clock)
    ada = bot.user(1001)
    await ada.send("when is anatomy of kdbus")
    card = await ada.next_message()
    assert card.plain_text.startswith("Anatomy of kdbus")
    assert "12:45–13:30" in card.plain_text
    assert "H.1308 (Rolin)" in card.plain_text
    assert any("Bookmark" in text for row in card.buttons for text, _ in row)


async def test_nothing_in_a_room_now_says_what_is_next_there(
    make_bot: HarnessFactory, clock: ManualClock
) -> None:
    bot = await _fosdem(make_bot, clock)
    ada = bot.user(1001)
    await ada.send("what's on in k.1.105 now")
    answer = await ada.next_message()
    assert "Nothing right now (11:20) · in K.1.105 (La Fontaine)" in answer.plain_text
    assert "An Introduction to Sage" in answer.plain_text  # 13:00 there
    assert "over" not in answer.plain_text
    await ada.send("is the go devroom today")
    place = await ada.next_message()
    assert place.plain_text.startswith("No")
    assert "K.4.601" in place.plain_text
    assert "09:45–17:20" in place.plain_text
