"""Shared pieces for the emulator's own tests: an emulator and Ada (a module may define its own
``emu`` or ``ada`` fixture instead), a bare PTB Application against the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from telegram import Update
from telegram.ext import Application, BaseHandler, TypeHandler

from bot.emulator import BotApiEmulator, FakeUser

TOKEN = "123456:EMULATOR-TEST-TOKEN"


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        yield emulator


@pytest.fixture
def ada(emu: BotApiEmulator) -> FakeUser:
    return emu.user(1001, "Ada", username="ada")


@asynccontextmanager
async def polling_app(
    emu: BotApiEmulator,
    *handlers: BaseHandler[Any, Any, Any],
    allowed_updates: list[str] | None = None,
    seen: list[Update] | None = None,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """A PTB Application polling ``emu``; every update it receives is appended to ``seen``."""
    app = Application.builder().token(TOKEN).base_url(emu.base_url).build()
    if seen is not None:

        async def record(update: Update, context: Any) -> None:
            seen.append(update)

        app.add_handler(TypeHandler(Update, record), group=-1)
    for handler in handlers:
        app.add_handler(handler)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=allowed_updates)
    await emu.wait_call("getUpdates")
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def raw_call(emu: BotApiEmulator, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    """One Bot API call as plain JSON over HTTP: (HTTP status, decoded body)."""
    url = f"{emu.base_url}{TOKEN}/{method}"
    async with aiohttp.ClientSession() as http, http.post(url, json=params) as resp:
        return resp.status, await resp.json()


def kinds(updates: list[Update]) -> list[str]:
    """The type of each update, as Telegram names it."""
    return [next(k for k in u.to_dict() if k != "update_id") for u in updates]


Predicate = Callable[[Update], bool]
