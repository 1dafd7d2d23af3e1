"""How many sendMessage calls a second the emulator answers, and what the client costs.

Three clients send the same HTML message to 500 users while the real confbot bot polls the
same emulator in the same process: a bare aiohttp client (the emulator's own capacity),
PTB's default HTTPX client (what the bot pays on a real network too) and PTB over the
in-process ``EmulatorRequest`` (no sockets). Each runs at 0 ms and at a 100 ms round trip,
``--reps`` times; medians are reported.

    python -m bench.emulator [--calls 3000] [--reps 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
from telegram.ext import Application

from bench import machine, table
from bot.emulator import BotApiEmulator
from bot.emulator.harness import TEST_TOKEN, BotHarness, settings_for
from bot.emulator.transport import EmulatorRequest

USERS = 500
TEXT = "<b>Keynote</b> moved to Room A &amp; starts at 9:30"
Sender = Callable[[BotApiEmulator, int, int], Awaitable[float]]


async def _raw(emu: BotApiEmulator, calls: int, concurrency: int) -> float:
    url = f"{emu.base_url}{TEST_TOKEN}/sendMessage"
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        sem = asyncio.Semaphore(concurrency)

        async def one(i: int) -> None:
            async with sem:
                data = {"chat_id": str(10_000 + i % USERS), "text": TEXT, "parse_mode": "HTML"}
                async with http.post(url, data=data) as resp:
                    await resp.read()

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(calls)))
        return calls / (time.perf_counter() - started)


async def _ptb(emu: BotApiEmulator, calls: int, concurrency: int, *, in_process: bool) -> float:
    builder = Application.builder().token(TEST_TOKEN).base_url(emu.base_url)
    if in_process:
        builder = builder.request(EmulatorRequest(emu)).get_updates_request(EmulatorRequest(emu))
    else:
        builder = builder.connection_pool_size(concurrency)
    app = builder.build()
    async with app:
        sem = asyncio.Semaphore(concurrency)

        async def one(i: int) -> None:
            async with sem:
                await app.bot.send_message(10_000 + i % USERS, TEXT, parse_mode="HTML")

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(calls)))
        return calls / (time.perf_counter() - started)


async def _ptb_http(emu: BotApiEmulator, calls: int, concurrency: int) -> float:
    return await _ptb(emu, calls, concurrency, in_process=False)


async def _ptb_local(emu: BotApiEmulator, calls: int, concurrency: int) -> float:
    return await _ptb(emu, calls, concurrency, in_process=True)


CLIENTS: tuple[tuple[str, Sender], ...] = (
    ("aiohttp client (emulator's capacity)", _raw),
    ("PTB, default HTTPX client", _ptb_http),
    ("PTB, in-process EmulatorRequest", _ptb_local),
)
#: (round trip ms, concurrency): on a 100 ms network, 100 calls in flight for 1,000/s.
SETTINGS = ((0, 16), (100, 100))


async def measure(calls: int, reps: int) -> str:
    runs: dict[tuple[str, int], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(reps):
            for latency, concurrency in SETTINGS:
                async with BotApiEmulator(latency_ms=latency) as emu:
                    for i in range(USERS):
                        emu.user(10_000 + i, f"U{i}")
                    bot = BotHarness(
                        emu, settings_for(emu, Path(tmp) / "b.sqlite3", LOG_LEVEL="WARNING")
                    )
                    await bot.start()  # the bot polls the same emulator meanwhile
                    try:
                        for name, sender in CLIENTS:
                            rate = await sender(emu, calls, concurrency)
                            runs.setdefault((name, latency), []).append(rate)
                    finally:
                        await bot.stop()
    rows = [
        [name, *(f"{statistics.median(runs[(name, lat)]):.0f}" for lat, _ in SETTINGS)]
        for name, _ in CLIENTS
    ]
    header = [
        f"client (median of {reps}, {calls} calls)",
        *(f"sendMessage/s, {lat} ms round trip, {conc} in flight" for lat, conc in SETTINGS),
    ]
    return table(header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    print(machine())
    print(asyncio.run(measure(args.calls, args.reps)))


if __name__ == "__main__":
    main()
