"""The clock follows the agenda actually served, not the ``AGENDA_PATH`` file the bot started with.

``AGENDA_URL`` serves a conference in New York while ``AGENDA_PATH`` is the Brussels sample;
``CONFBOT_NOW`` is naive ("10:05" at the conference). The clock is the one the application
makes from the settings (no ManualClock), as ``confbot run`` does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.emulator import BotApiEmulator
from bot.emulator.harness import BotHarness, settings_for
from tests.conftest import BRUSSELS
from tests.live_agenda.server import ScheduleServer, encode, schedule
from tests.live_agenda.test_live_agenda_e2e import refresh

NEW_YORK = ZoneInfo("America/New_York")
ORGANISER = 9001


def new_york_schedule() -> bytes:
    """The live fixture moved to New York: 10:00 there is 16:00 in Brussels."""
    body = encode(schedule()).decode("utf-8")
    return body.replace("Europe/Brussels", "America/New_York").replace("+01:00", "-05:00").encode()


@pytest.fixture
async def server() -> AsyncIterator[ScheduleServer]:
    async with ScheduleServer(new_york_schedule()) as srv:
        yield srv


async def started(emulator: BotApiEmulator, tmp_path: Path, **settings: str) -> BotHarness:
    harness = BotHarness(
        emulator,
        settings_for(
            emulator,
            tmp_path / "confbot.sqlite3",
            AGENDA_PATH=BRUSSELS,
            CONFBOT_NOW="2024-11-27T10:05",
            ORGANISER_IDS=str(ORGANISER),
            **settings,
        ),
    )
    await harness.start()
    return harness


async def now_text(bot: BotHarness) -> str:
    ada = bot.user(1001, "Ada")
    await ada.send("/now")
    return (await ada.next_message()).plain_text or ""


async def test_now_follows_the_url_agenda_zone(
    emulator: BotApiEmulator, tmp_path: Path, server: ScheduleServer
) -> None:
    bot = await started(emulator, tmp_path, AGENDA_URL=server.url)
    try:
        assert bot.runtime.agenda.conference.timezone == NEW_YORK
        reading = bot.runtime.clock.now()
        assert reading.tzinfo == NEW_YORK, "every reading is in the served agenda's zone"
        assert (reading.hour, reading.minute) == (10, 5), "naive CONFBOT_NOW: New York time"
        text = await now_text(bot)
        assert "On now (10:05)" in text, text
        assert "Zero trust in practice" in text

        # A refresh brings the conference back to Brussels: 10:05 is now Brussels time.
        server.publish(schedule())
        await refresh(bot)
        assert bot.runtime.agenda.conference.timezone == ZoneInfo("Europe/Brussels")
        reading = bot.runtime.clock.now()
        assert reading.tzinfo == ZoneInfo("Europe/Brussels")
        assert (reading.hour, reading.minute) == (10, 5)
        text = await now_text(bot)
        assert "On now (10:05)" in text, text
        assert "Zero trust in practice" in text
    finally:
        await bot.stop()


async def test_the_cached_url_agenda_sets_the_zone_after_a_restart(
    emulator: BotApiEmulator, tmp_path: Path, server: ScheduleServer
) -> None:
    """The URL is down at the restart: the copy kept from the last run is served, in its zone."""
    bot = await started(emulator, tmp_path, AGENDA_URL=server.url)
    await bot.stop()
    server.fault = 500
    bot = await started(emulator, tmp_path, AGENDA_URL=server.url)
    try:
        assert bot.runtime.agenda.source == server.url
        assert bot.runtime.clock.now().tzinfo == NEW_YORK
        assert "On now (10:05)" in await now_text(bot)
    finally:
        await bot.stop()


async def test_a_kept_upload_sets_the_zone_after_a_restart(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    bot = await started(emulator, tmp_path)
    try:
        assert "Zero trust" not in await now_text(bot)  # the Brussels sample at 10:05 Brussels
        olga = bot.user(ORGANISER, "Olga")
        await olga.send_document("schedule.json", new_york_schedule())
        preview = await olga.wait_for(lambda m: "Apply" in " ".join(m.button_texts))
        await olga.callback_answer(await olga.press(preview, "Apply"))
        await bot.emulator.wait_idle()
        assert bot.runtime.clock.now().tzinfo == NEW_YORK, "a reload changes the zone at once"
        assert "On now (10:05)" in await now_text(bot)

        await bot.restart()  # the kept upload comes back, and with it New York time
        assert bot.runtime.agenda.source == "schedule.json"
        reading = bot.runtime.clock.now()
        assert reading.tzinfo == NEW_YORK
        assert (reading.hour, reading.minute) == (10, 5)
        text = await now_text(bot)
        assert "On now (10:05)" in text
        assert "Zero trust in practice" in text
    finally:
        await bot.stop()
