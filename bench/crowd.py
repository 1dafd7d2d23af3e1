"""A crowd opening the bot at once: N people each send ``/start``, ``/help``, ``/agenda``.

The host says "open the bot now": every person sends the three commands in a row, all at the
same moment. Measured per person: the time to their first reply (p50, p95, p99, max), and
whether their replies came in the order they wrote (the exact messages a person alone gets,
in the same order). The bot runs in its own process (bench/proc.py): confbot as ``confbot
run``, and side by side a bare PTB echo bot with PTB's defaults (one update at a time) and
one with ``concurrent_updates`` on. Each at a 0 ms and a 100 ms round trip (every Bot API
call answered after it, ±10%). Bots take turns within each repetition; medians of the
repetitions are printed as Markdown table rows.

    python -m bench.crowd [--users 100 300 1000] [--latency 0 100] [--reps 2]
                          [--bots confbot bare bare-concurrent] [--timeout 120]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import machine, table
from bench.proc import (
    BOT_KINDS,
    BotKind,
    BotProcess,
    median,
    percentile,
    seconds,
)
from bot.emulator import BotApiEmulator
from bot.emulator.users import BotMessage, FakeUser

COMMANDS = ("/start", "/help", "/agenda")
#: Everyone in the crowd has this name, so each gets exactly the replies the lone caller got.
NAME = "Crowd"
FIRST_ID = 100_000


@dataclass
class CrowdRun:
    bot: str
    latency_ms: float
    users: int
    first_reply: list[float]  # seconds per person; inf: no reply within the timeout
    answered: int  # people who got every reply
    in_order: int  # people whose replies match the lone caller's, in order
    all_done_s: float  # from the first send to the last reply (inf: not all came)
    peak_rss_mb: float | None
    timeout: float


def _text(message: BotMessage) -> str:
    return message.plain_text or message.text or ""


async def expected_replies(emu: BotApiEmulator, user: FakeUser) -> list[str]:
    """What one person alone gets for the three commands, one after another (and a warm-up:
    the bot's first updates pay for imports and caches)."""
    for command in COMMANDS:
        await user.send(command)
        await user.next_message(timeout=60)
        await emu.wait_idle(quiet=0.3, timeout=60)
    return [_text(m) for m in user.messages]


async def crowd_run(
    kind: BotKind, users: int, latency_ms: float, *, timeout: float = 120.0
) -> CrowdRun:
    with tempfile.TemporaryDirectory(prefix="confbot-crowd-") as tmp:
        async with (
            BotApiEmulator(latency_ms=latency_ms) as emu,
            BotProcess(emu, kind, Path(tmp)) as bot,
        ):
            expected = await expected_replies(emu, emu.user(FIRST_ID - 1, NAME))
            crowd = [emu.user(FIRST_ID + i, NAME) for i in range(users)]
            sent_at: dict[int, float] = {}
            first: dict[int, float] = {}
            counts: dict[int, int] = {}
            done = asyncio.Event()
            complete = 0

            def on_event(event: str, message: BotMessage) -> None:
                nonlocal complete
                chat = message.chat_id
                if event != "new" or chat not in sent_at:
                    return
                first.setdefault(chat, message.sent_at)
                counts[chat] = counts.get(chat, 0) + 1
                if counts[chat] == len(expected):
                    complete += 1
                    if complete == users:
                        done.set()

            emu.listeners.append(on_event)
            started = time.monotonic()
            for person in crowd:  # three messages in a row each, everyone at once
                sent_at[person.id] = time.monotonic()
                for command in COMMANDS:
                    await person.send(command)
            try:
                await asyncio.wait_for(done.wait(), timeout)
                all_done = time.monotonic() - started
                await emu.wait_idle(quiet=0.3, timeout=10)  # anything unexpected after
            except TimeoutError:
                all_done = float("inf")
            latencies = [
                first[p.id] - sent_at[p.id] if p.id in first else float("inf") for p in crowd
            ]
            in_order = sum(1 for p in crowd if [_text(m) for m in p.messages] == expected)
            answered = sum(1 for p in crowd if counts.get(p.id, 0) >= len(expected))
            emu.listeners.remove(on_event)
            await bot.stop()
            return CrowdRun(
                bot=kind,
                latency_ms=latency_ms,
                users=users,
                first_reply=latencies,
                answered=answered,
                in_order=in_order,
                all_done_s=all_done,
                peak_rss_mb=bot.peak_rss,
                timeout=timeout,
            )


LABELS: dict[str, str] = {
    "confbot": "confbot",
    "bare": "bare PTB echo, defaults",
    "bare-concurrent": "bare PTB echo, concurrent_updates",
}
HEADER = [
    "bot",
    "round trip",
    "people × 3 msgs",
    "first reply p50",
    "p95",
    "p99",
    "max",
    "all replied",
    "replies in order",
    "last reply after",
    "bot peak RSS",
]


def row(runs: list[CrowdRun]) -> list[str]:
    """One table row: medians over the repetitions; counts are the worst repetition's."""
    first = runs[0]

    def shown(value: float) -> str:
        return f"> {first.timeout:g} s" if value == float("inf") else seconds(value)

    def med(q: float) -> str:
        return shown(median([percentile(r.first_reply, q) for r in runs]))

    rss = median([r.peak_rss_mb for r in runs if r.peak_rss_mb is not None])
    return [
        LABELS[first.bot],
        f"{first.latency_ms:g} ms",
        f"{first.users}",
        med(0.50),
        med(0.95),
        med(0.99),
        med(1.0),
        f"{min(r.answered for r in runs)}/{first.users}",
        f"{min(r.in_order for r in runs)}/{first.users}",
        shown(median([r.all_done_s for r in runs])),
        "–" if rss != rss else f"{rss:.0f} MB",
    ]


async def run(
    bots: list[BotKind], sizes: list[int], latencies: list[float], reps: int, timeout: float
) -> str:
    runs: dict[tuple[str, float, int], list[CrowdRun]] = {}
    for rep in range(reps):
        for users in sizes:
            for latency in latencies:
                for kind in bots:  # bots take turns, so a noisy minute hits all alike
                    result = await crowd_run(kind, users, latency, timeout=timeout)
                    runs.setdefault((kind, latency, users), []).append(result)
                    print(
                        f"# rep {rep + 1}/{reps}: {' | '.join(row([result]))}",
                        file=sys.stderr,
                        flush=True,
                    )
    rows = [
        row(runs[(kind, latency, users)])
        for users in sizes
        for latency in latencies
        for kind in bots
    ]
    return table(HEADER, rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--latency", type=float, nargs="+", default=[0, 100], metavar="MS")
    parser.add_argument("--reps", type=int, default=2, help="repetitions; medians reported")
    parser.add_argument("--bots", nargs="+", choices=BOT_KINDS, default=list(BOT_KINDS))
    parser.add_argument(
        "--timeout", type=float, default=120, help="seconds a run waits for every reply"
    )
    args = parser.parse_args()
    print(machine())
    print(asyncio.run(run(args.bots, args.users, args.latency, args.reps, args.timeout)))


if __name__ == "__main__":
    main()
