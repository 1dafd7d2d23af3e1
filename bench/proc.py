"""The bot in a process of its own, the emulator and the simulated people in the bench process.

In-process benchmarks (bench/replies.py, bench/broadcast.py) share one event loop between the
bot and the emulator, so on a 2-core machine the emulator's work is charged to the bot and a
second core sits idle. Here the bot is what production runs: ``confbot run`` (the real
``Application``, configured by the environment only: ``TELEGRAM_API_URL`` at the emulator, a
temporary ``DATABASE_PATH``, ``CONFBOT_NOW``, ``ORGANISER_IDS``), or the bare PTB echo bot of
bench/bare.py, in a child process. The people are the emulator's fake users, driven from here.

    async with BotApiEmulator(latency_ms=100) as emu:
        async with BotProcess(emu, "confbot", tmp, {"BROADCAST_RATE": "25"}) as bot:
            ...
            bot.peak_rss_mb()   # VmHWM of the bot process
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import signal
import statistics
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Literal

from bot.config import PROJECT_ROOT
from bot.emulator import BotApiEmulator
from bot.emulator.harness import TEST_TOKEN
from bot.emulator.users import BotMessage, FakeUser

BotKind = Literal["confbot", "bare", "bare-concurrent"]
BOT_KINDS: tuple[BotKind, ...] = ("confbot", "bare", "bare-concurrent")
#: What the bot's clock reads at start: the sample conference's morning, before its opening.
DEFAULT_NOW = "2024-11-27T08:00"


def bot_command(kind: BotKind) -> list[str]:
    """The child's command line: ``confbot run`` itself, or the bare echo bot."""
    if kind == "confbot":
        return [sys.executable, "-m", "bot.cli", "run"]
    command = [sys.executable, "-m", "bench.bare"]
    return [*command, "--concurrent"] if kind == "bare-concurrent" else command


def read_peak_rss_mb(pid: int) -> float | None:
    """Peak resident memory (VmHWM) of a live process, from /proc (Linux); None elsewhere."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class BotProcess:
    """One bot in a child process, polling ``emu``; ``stop()`` sends SIGTERM as systemd would."""

    def __init__(
        self,
        emu: BotApiEmulator,
        kind: BotKind,
        workdir: Path,
        env: Mapping[str, str] | None = None,
        *,
        start_timeout: float = 90.0,
    ) -> None:
        self.emu = emu
        self.kind = kind
        self.workdir = workdir
        self.extra_env = dict(env or {})
        self.start_timeout = start_timeout
        self.proc: asyncio.subprocess.Process | None = None
        self.log_path = workdir / f"{kind}.log"
        self.peak_rss: float | None = None

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "CONFBOT_"))}
        env.update(
            TELEGRAM_BOT_TOKEN=TEST_TOKEN,
            TELEGRAM_API_URL=self.emu.url,
            DATABASE_PATH=str(self.workdir / "bench.sqlite3"),
            CONFBOT_NOW=DEFAULT_NOW,
            LOG_LEVEL="WARNING",
            PYTHONPATH=os.pathsep.join(
                p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p
            ),
        )
        env.update(self.extra_env)
        return env

    async def start(self) -> None:
        """Start the child (in ``workdir``, so no developer's ``.env`` is read) and wait until
        it polls."""
        polls = len(self.emu.calls_of("getUpdates"))
        with open(self.log_path, "wb") as log:  # noqa: ASYNC230  once, at start
            self.proc = await asyncio.create_subprocess_exec(
                *bot_command(self.kind),
                cwd=self.workdir,
                env=self.environment(),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.start_timeout
        while len(self.emu.calls_of("getUpdates")) <= polls:
            if self.proc.returncode is not None:
                raise RuntimeError(f"{self.kind} exited at start:\n{self.log_tail()}")
            if loop.time() > deadline:
                await self.stop()
                raise RuntimeError(f"{self.kind} did not poll within {self.start_timeout}s")
            with contextlib.suppress(AssertionError):
                await self.emu.wait_call("getUpdates", polls + 1, timeout=0.5)

    def peak_rss_mb(self) -> float | None:
        """The bot process's peak resident memory so far (after ``stop()``: at its end)."""
        if self.proc is not None and self.proc.returncode is None:
            self.peak_rss = read_peak_rss_mb(self.proc.pid)
        return self.peak_rss

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    async def stop(self, timeout: float = 30.0) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.returncode is not None:
            return
        peak = read_peak_rss_mb(proc.pid)
        if peak is not None:
            self.peak_rss = peak
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()

    async def __aenter__(self) -> BotProcess:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


async def warm_up(user: FakeUser, text: str = "/start", timeout: float = 60.0) -> BotMessage:
    """One message answered: the bot's first update pays for imports and caches, not a figure."""
    await user.send(text)
    return await user.next_message(timeout=timeout)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (nearest rank); ``inf`` counts as a reply that never came."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def median(values: Sequence[float]) -> float:
    finite = [v for v in values if v == v]  # drop NaN (a measure a run could not take)
    return statistics.median(finite) if finite else float("nan")


def max_in_window(times: Sequence[float], window: float = 1.0) -> int:
    """Most events within any ``window`` seconds (a sliding window, as Telegram counts)."""
    ordered = sorted(times)
    best = lo = 0
    for hi, t in enumerate(ordered):
        while t - ordered[lo] >= window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def seconds(value: float) -> str:
    """A duration for a table: ``0.42 s``, ``> 60 s`` for a reply that never came."""
    if value != value:
        return "–"
    if value == float("inf"):
        return "timeout"
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"
