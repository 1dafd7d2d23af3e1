"""Shared fixtures: a manual clock, the local Bot API emulator, and the real bot against it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.emulator import BotApiEmulator
from bot.emulator.harness import BotHarness, settings_for
from tests.core_env import Core, open_core

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
BRUSSELS = DATA / "brussels-security-resilience.yaml"
BUDAPEST = DATA / "budapest-counter-terrorism.yaml"
SHARED_SCHEDULES = ROOT.parent / "shared" / "schedules"
BRUSSELS_TZ = ZoneInfo("Europe/Brussels")

HarnessFactory = Callable[..., Awaitable[BotHarness]]


#: The (illustrative) day of the Brussels sample conference.
BRUSSELS_DAY = date(2024, 11, 27)


def brussels(hour: int, minute: int = 0) -> datetime:
    """A moment on the Brussels sample conference's day."""
    d = BRUSSELS_DAY
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=BRUSSELS_TZ)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(brussels(8, 0))


@pytest.fixture
async def core(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Core]:
    """The core's services on a real store, without Telegram (unit tests)."""
    async with open_core(tmp_path, clock) as built:
        yield built


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emu:
        yield emu


@pytest.fixture
async def make_bot(
    emulator: BotApiEmulator, clock: ManualClock, tmp_path: Path
) -> AsyncIterator[HarnessFactory]:
    """Start the real Application against the emulator; stopped at the end of the test."""
    started: list[BotHarness] = []

    async def factory(**overrides: Any) -> BotHarness:
        overrides.setdefault("AGENDA_PATH", BRUSSELS)
        harness = BotHarness(
            emulator, settings_for(emulator, tmp_path / "confbot.sqlite3", **overrides), clock
        )
        await harness.start()
        started.append(harness)
        return harness

    yield factory
    for harness in started:
        await harness.stop()


@pytest.fixture
async def bot(make_bot: HarnessFactory) -> BotHarness:
    return await make_bot()
