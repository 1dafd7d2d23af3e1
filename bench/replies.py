"""Reply latency of confbot against a bare PTB echo bot, in the same emulator harness.

The bare bot answers every message with one ``send_message`` and nothing else: the floor of
what any PTB bot pays for polling, HTTP and JSON on this machine. The ratio to it is what
confbot's own work (store, agenda, rendering) costs.

    python -m bench.replies [--users 1000] [--rounds 200] [--reps 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bench import machine, table
from bot.emulator import BotApiEmulator, FakeUser
from bot.emulator.harness import TEST_TOKEN, BotHarness, settings_for

Starter = Callable[[BotApiEmulator, Path], Awaitable[Callable[[], Awaitable[None]]]]


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    await message.reply_text(message.text)


async def start_bare(emu: BotApiEmulator, tmp: Path) -> Callable[[], Awaitable[None]]:
    app = Application.builder().token(TEST_TOKEN).base_url(emu.base_url).build()
    app.add_handler(MessageHandler(filters.ALL, _echo))
    await app.initialize()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    await app.start()

    async def stop() -> None:
        assert app.updater is not None
        await app.updater.stop()
        await app.stop()
        await app.shutdown()

    return stop


async def start_confbot(emu: BotApiEmulator, tmp: Path) -> Callable[[], Awaitable[None]]:
    harness = BotHarness(emu, settings_for(emu, tmp / "bench.sqlite3", LOG_LEVEL="WARNING"))
    await harness.start()
    return harness.stop


async def _one(user: FakeUser, text: str) -> float:
    t0 = time.perf_counter()
    await user.send(text)
    await user.next_message(timeout=30)
    return (time.perf_counter() - t0) * 1000


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure(starter: Starter, command: str, users: int, rounds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        async with BotApiEmulator() as emu:
            stop = await starter(emu, Path(tmp))
            try:
                await emu.wait_call("getUpdates")
                warm = emu.user(1, "Warm")
                for _ in range(5):
                    await _one(warm, command)
                seq_user = emu.user(2, "Seq")
                sequential = [await _one(seq_user, command) for _ in range(rounds)]
                crowd = [emu.user(10_000 + i, f"U{i}") for i in range(users)]
                t0 = time.perf_counter()
                burst = await asyncio.gather(*(_one(u, command) for u in crowd))
                burst_s = time.perf_counter() - t0
            finally:
                await stop()
    return {
        "seq_p50": statistics.median(sequential),
        "seq_p99": _p(sequential, 0.99),
        "burst_p50": statistics.median(burst),
        "burst_p99": _p(list(burst), 0.99),
        "burst_total_s": burst_s,
    }


BOTS: tuple[tuple[str, Starter, str], ...] = (
    ("bare PTB echo", start_bare, "/start"),
    ("confbot /start", start_confbot, "/start"),
    ("confbot /agenda", start_confbot, "/agenda"),
)
MEASURES = ("seq_p50", "seq_p99", "burst_p50", "burst_p99", "burst_total_s")


async def run(users: int, rounds: int, reps: int) -> str:
    """The bots take turns, ``reps`` times, so a noisy minute hits all of them alike."""
    runs: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in BOTS}
    for _ in range(reps):
        for name, starter, command in BOTS:
            runs[name].append(await measure(starter, command, users, rounds))

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    def ratio(name: str, key: str) -> float:  # the median of the per-turn ratios
        base = runs["bare PTB echo"]
        return statistics.median(r[key] / b[key] for r, b in zip(runs[name], base, strict=True))

    rows: list[list[str]] = []
    for name, _, _ in BOTS:
        rows.append(
            [
                name,
                f"{med(name, 'seq_p50'):.1f}",
                f"{med(name, 'seq_p99'):.1f}",
                f"{med(name, 'burst_p50'):.0f}",
                f"{med(name, 'burst_p99'):.0f}",
                f"{med(name, 'burst_total_s'):.2f}",
            ]
        )
    for name in ("confbot /start", "confbot /agenda"):
        rows.append([f"ratio {name} / bare", *(f"{ratio(name, k):.2f}x" for k in MEASURES)])
    header = [
        f"bot (median of {reps} turns)",
        "sequential p50 ms",
        "sequential p99 ms",
        f"burst of {users} p50 ms",
        "burst p99 ms",
        "burst total s",
    ]
    return table(header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--reps", type=int, default=3, help="turns per bot; medians reported")
    args = parser.parse_args()
    print(machine())
    print(asyncio.run(run(args.users, args.rounds, args.reps)))


if __name__ == "__main__":
    main()
