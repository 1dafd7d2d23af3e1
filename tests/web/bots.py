"""The real bot with its web server, against the emulator: helpers for the web tests."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from multidict import CIMultiDict

from bot.clock import ManualClock
from bot.emulator import BotApiEmulator
from bot.emulator.harness import BotHarness, settings_for
from tests.conftest import BRUSSELS

#: What the bot registers with Telegram; the emulator plays the reverse proxy in front of it.
PUBLIC = "https://bot.example.org"
WebBotFactory = Callable[..., Awaitable[BotHarness]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def web_emulator() -> AsyncIterator[BotApiEmulator]:
    """An emulator that retries webhook deliveries quickly and allows quick setWebhooks."""
    async with BotApiEmulator(webhook_retry_delay=0.05, webhook_timeout=5.0) as emu:
        emu.webhook.set_interval = 0
        yield emu


@pytest.fixture
async def web_bot(
    web_emulator: BotApiEmulator, clock: ManualClock, tmp_path: Path
) -> AsyncIterator[WebBotFactory]:
    """Start the real bot with ``WEB_LISTEN`` on a free loopback port and ``PUBLIC_URL``
    routed to it by the emulator; keyword arguments are settings. Stopped at the end."""
    started: list[BotHarness] = []

    async def factory(**overrides: Any) -> BotHarness:
        port = free_port()
        web_emulator.webhook.route(PUBLIC, f"http://127.0.0.1:{port}")
        values: dict[str, Any] = {
            "AGENDA_PATH": BRUSSELS,
            "WEB_LISTEN": f"127.0.0.1:{port}",
            "PUBLIC_URL": PUBLIC,
        }
        values.update(overrides)
        settings = settings_for(web_emulator, tmp_path / "confbot.sqlite3", **values)
        harness = BotHarness(web_emulator, settings, clock)
        await harness.start()
        started.append(harness)
        return harness

    yield factory
    for harness in started:
        await harness.stop()


Headers = CIMultiDict[str]


async def get(url: str, **kw: Any) -> tuple[int, Headers, bytes]:
    """(status, headers (case-insensitive), body) of a GET."""
    return await request("GET", url, **kw)


async def request(method: str, url: str, **kw: Any) -> tuple[int, Headers, bytes]:
    async with aiohttp.ClientSession() as http, http.request(method, url, **kw) as resp:
        return resp.status, resp.headers.copy(), await resp.read()


async def get_json(url: str, **kw: Any) -> tuple[int, Any]:
    status, _headers, body = await get(url, **kw)
    return status, json.loads(body)


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:
    """Wait for something the bot does after its reply (a handler in a later group)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.01)
