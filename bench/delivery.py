"""Delivery on a real network: a broadcast at BROADCAST_RATE, an urgent alert with paid sending.

The bot runs as ``confbot run`` in its own process (bench/proc.py) against the emulator with
Telegram's limits on (30 free sends a second, 1 per chat, 1,000 paid) and a round trip per
call. The audience is written into the bot's database before it starts; an organiser then
drives the real commands through the emulator: ``/broadcast TEXT`` and its "Send to N" button,
or ``/alert TEXT`` and its button.

    python -m bench.delivery broadcast [--users 10000] [--rate 25] [--latency 0 100]
    python -m bench.delivery alert [--users 20000] [--paid-rate 1000] [--latency 100]

broadcast: achieved rate (sends over the first to the last), most sends in any 1 s window,
lost and duplicated people. alert: total time from pressing Send to the last delivery,
sustained rate, lost, duplicates, paid sends, ``/agenda`` answered meanwhile (10 people asking
about once a second: p50, p99, max) and the bot's peak memory. Where this branch has no paid
sending (``Settings.PAID_BROADCAST_RATE``) or no ``/alert``, the alert benchmark says so and
measures nothing. Each run prints one Markdown table row.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench import machine, table
from bench.proc import BotProcess, max_in_window, median, percentile, seconds, warm_up
from bot import texts
from bot.config import Settings
from bot.emulator import BotApiEmulator
from bot.emulator.users import BotMessage, FakeUser
from bot.store import Store
from bot.store.db import ts

ORG = 4242
FIRST_ID = 200_000
PROBES = 10
BROADCAST_TEXT = "Bench broadcast: the closing keynote moves to the Plenary Hall"
ALERT_TEXT = "Bench alert: evacuate hall B now, use the north exits"


class Unavailable(Exception):
    """This branch cannot run the benchmark (a feature not merged yet); the reason is shown."""


async def seed_audience(database: Path, ids: Sequence[int]) -> None:
    """The audience as people who pressed Start earlier, written before the bot starts."""
    store = await Store.open(str(database))
    try:
        now = ts(datetime.now(UTC))
        async with store.db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO users (id, first_name, first_seen, last_seen) VALUES (?, 'U', ?, ?)",
                [(uid, now, now) for uid in ids],
            )
    finally:
        await store.close()


@dataclass
class Deliveries:
    """Every message containing ``marker`` (an alert comes in a frame), by its send time."""

    marker: str
    times: list[float] = field(default_factory=list)
    per_chat: Counter[int] = field(default_factory=Counter)
    paid: int = 0
    other_paid: int = 0  # paid sends of anything else: must stay 0
    last_new: float = 0.0
    all_in: asyncio.Event = field(default_factory=asyncio.Event)
    expect: set[int] = field(default_factory=set)
    #: Set when Send is pressed: the organiser's preview, which has the same text, is not one.
    armed: bool = False
    _seen: int = 0

    def on_event(self, event: str, message: BotMessage) -> None:
        if event != "new" or not self.armed:
            return
        if self.marker not in (message.plain_text or message.text or ""):
            self.other_paid += message.paid
            return
        self.times.append(message.sent_at)
        self.per_chat[message.chat_id] += 1
        self.paid += message.paid
        if self.per_chat[message.chat_id] == 1 and message.chat_id in self.expect:
            self._seen += 1
            if self._seen == len(self.expect):
                self.all_in.set()

    def lost(self) -> int:
        return sum(1 for uid in self.expect if self.per_chat[uid] == 0)

    def duplicates(self) -> int:
        return sum(n - 1 for n in self.per_chat.values() if n > 1)

    def rate(self) -> float:
        if len(self.times) < 2:
            return float("nan")
        return (len(self.times) - 1) / (max(self.times) - min(self.times))


def _send_button(message: BotMessage) -> str | None:
    labels = [label for row in message.buttons for label, _ in row]
    return next((label for label in labels if "send" in label.lower()), None)


async def confirm(org: FakeUser, command: str, seen: Deliveries, timeout: float = 120.0) -> float:
    """Send ``command``, press the preview's Send button; the time of the press (monotonic)."""
    await org.send(command)
    unknown = texts.unknown_command()
    while True:
        message = await org.next_message(timeout=timeout)
        if (message.plain_text or message.text) == unknown:
            raise Unavailable(f"{command.split()[0]} is not a command on this branch")
        label = _send_button(message)
        if label is not None:
            pressed = time.monotonic()
            seen.armed = True
            await org.press(message, label)
            return pressed


async def _setup(
    emu: BotApiEmulator, tmp: Path, users: int, env: dict[str, str]
) -> tuple[BotProcess, FakeUser, list[int]]:
    ids = list(range(FIRST_ID, FIRST_ID + users))
    await seed_audience(tmp / "bench.sqlite3", ids)
    for uid in ids:
        emu.user(uid, "U")
    bot = BotProcess(emu, "confbot", tmp, {"ORGANISER_IDS": str(ORG), **env})
    await bot.start()
    org = emu.user(ORG, "Org")
    await warm_up(org)
    await emu.wait_idle(quiet=0.3, timeout=60)
    # "Telegram" must not pause to walk 10,000 people's chats: a GC pause in the emulator
    # would squeeze the sends that waited into one second, which Telegram would not see.
    gc.collect()
    gc.freeze()
    return bot, org, ids


@dataclass
class BroadcastRun:
    users: int
    rate_setting: float
    latency_ms: float
    achieved: float
    max_1s: int
    lost: int
    duplicates: int
    elapsed_s: float
    peak_rss_mb: float | None
    flood_429s: int  # sends Telegram's limits refused (30 a second, 1 per chat)


async def broadcast_run(users: int, rate: float, latency_ms: float) -> BroadcastRun:
    timeout = users / rate * 1.5 + 120
    with tempfile.TemporaryDirectory(prefix="confbot-bcast-") as tmp:
        async with BotApiEmulator(latency_ms=latency_ms, telegram_limits=True) as emu:
            bot, org, ids = await _setup(emu, Path(tmp), users, {"BROADCAST_RATE": f"{rate:g}"})
            try:
                seen = Deliveries(BROADCAST_TEXT, expect=set(ids))
                emu.listeners.append(seen.on_event)
                pressed = await confirm(org, f"/broadcast {BROADCAST_TEXT}", seen)
                try:
                    await asyncio.wait_for(seen.all_in.wait(), timeout)
                except TimeoutError:
                    print(f"# broadcast: not all delivered within {timeout:.0f} s", file=sys.stderr)
                await emu.wait_idle(quiet=1.0, timeout=60)
                return BroadcastRun(
                    users=users,
                    rate_setting=rate,
                    latency_ms=latency_ms,
                    achieved=seen.rate(),
                    max_1s=max_in_window(seen.times),
                    lost=seen.lost(),
                    duplicates=seen.duplicates(),
                    elapsed_s=max(seen.times, default=pressed) - pressed,
                    peak_rss_mb=bot.peak_rss_mb(),
                    flood_429s=sum(1 for c in emu.calls if c.status == 429),
                )
            finally:
                await bot.stop()


BROADCAST_HEADER = [
    "broadcast",
    "round trip",
    "achieved rate",
    "of the setting",
    "most sends in 1 s",
    "429s",
    "lost",
    "duplicates",
    "Send pressed to last delivery",
    "bot peak RSS",
]


def broadcast_row(runs: list[BroadcastRun]) -> list[str]:
    r = runs[0]
    achieved = median([x.achieved for x in runs])
    rss = median([x.peak_rss_mb for x in runs if x.peak_rss_mb is not None])
    return [
        f"{r.users:,} people at {r.rate_setting:g}/s",
        f"{r.latency_ms:g} ms",
        f"{achieved:.2f}/s",
        f"{achieved / r.rate_setting:.1%}",
        f"{max(x.max_1s for x in runs)}",
        f"{max(x.flood_429s for x in runs)}",
        f"{max(x.lost for x in runs)}",
        f"{max(x.duplicates for x in runs)}",
        seconds(median([x.elapsed_s for x in runs])),
        "–" if rss != rss else f"{rss:.0f} MB",
    ]


@dataclass
class AlertRun:
    users: int
    paid_rate: float
    latency_ms: float
    total_s: float  # Send pressed to the last delivery (inf: not all within the timeout)
    sustained: float
    lost: int
    duplicates: int
    paid: int
    other_paid: int
    stars: float
    agenda: list[float]
    peak_rss_mb: float | None
    emulator_cpu: float  # the bench process's CPU over the wall time: near 1.0, it is the limit


async def _probe(user: FakeUser, stop: asyncio.Event, latencies: list[float]) -> None:
    """Ask ``/agenda`` about once a second while the alert goes out; the reply's latency."""
    while not stop.is_set():
        started = time.monotonic()
        await user.send("/agenda")
        try:
            reply = await user.wait_for(
                lambda m: ALERT_TEXT not in (m.plain_text or m.text or ""),
                timeout=60,
                include_existing=False,
            )
        except AssertionError:  # no answer within a minute: counted as never
            latencies.append(float("inf"))
            return
        latencies.append(reply.sent_at - started)
        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - started)))


async def alert_run(users: int, paid_rate: float, latency_ms: float, timeout: float) -> AlertRun:
    if "PAID_BROADCAST_RATE" not in Settings.model_fields:
        raise Unavailable("paid sending not available on this branch (no PAID_BROADCAST_RATE)")
    env = {"PAID_BROADCAST_RATE": f"{paid_rate:g}", "BROADCAST_RATE": "25"}
    with tempfile.TemporaryDirectory(prefix="confbot-alert-") as tmp:
        async with BotApiEmulator(latency_ms=latency_ms, telegram_limits=True) as emu:
            bot, org, ids = await _setup(emu, Path(tmp), users, env)
            try:
                seen = Deliveries(ALERT_TEXT, expect=set(ids))
                emu.listeners.append(seen.on_event)
                probes = [emu.user(FIRST_ID - 1 - i, "Probe") for i in range(PROBES)]
                for probe in probes:  # known to the bot, but after the audience was chosen
                    await warm_up(probe, "/help")
                stop = asyncio.Event()
                latencies: list[float] = []
                cpu = time.process_time()
                pressed = await confirm(org, f"/alert {ALERT_TEXT}", seen)
                tasks = [asyncio.create_task(_probe(p, stop, latencies)) for p in probes]
                try:
                    await asyncio.wait_for(seen.all_in.wait(), timeout)
                    total = max(seen.times) - pressed
                except TimeoutError:
                    total = float("inf")
                stop.set()
                cpu_share = (time.process_time() - cpu) / (time.monotonic() - pressed)
                await asyncio.gather(*tasks)
                return AlertRun(
                    users=users,
                    paid_rate=paid_rate,
                    latency_ms=latency_ms,
                    total_s=total,
                    sustained=seen.rate(),
                    lost=seen.lost(),
                    duplicates=seen.duplicates(),
                    paid=seen.paid,
                    other_paid=seen.other_paid,
                    stars=emu.stars_spent,
                    agenda=latencies,
                    peak_rss_mb=bot.peak_rss_mb(),
                    emulator_cpu=cpu_share,
                )
            finally:
                await bot.stop()


ALERT_HEADER = [
    "alert",
    "round trip",
    "Send pressed to last delivery",
    "sustained rate",
    "lost",
    "duplicates",
    "sent paid",
    "other sends paid",
    "/agenda p50 / p99 / max during it",
    "bot peak RSS",
    "emulator CPU",
]


def alert_row(runs: list[AlertRun]) -> list[str]:
    r = runs[0]
    total = median([x.total_s for x in runs])
    rss = median([x.peak_rss_mb for x in runs if x.peak_rss_mb is not None])

    def agenda(q: float) -> str:
        return seconds(median([percentile(x.agenda, q) for x in runs]))

    return [
        f"{r.users:,} people at PAID_BROADCAST_RATE={r.paid_rate:g}",
        f"{r.latency_ms:g} ms",
        "not all delivered" if total == float("inf") else seconds(total),
        f"{median([x.sustained for x in runs]):.0f}/s",
        f"{max(x.lost for x in runs)}",
        f"{max(x.duplicates for x in runs)}",
        f"{min(x.paid for x in runs):,}" + ("" if r.paid else " (paid sending not used)"),
        f"{max(x.other_paid for x in runs)}",
        f"{agenda(0.5)} / {agenda(0.99)} / {agenda(1.0)}",
        "–" if rss != rss else f"{rss:.0f} MB",
        f"{median([x.emulator_cpu for x in runs]):.0%} of a core",
    ]


async def run_broadcast(users: int, rate: float, latencies: list[float], reps: int) -> str:
    rows = []
    for latency in latencies:
        runs = [await broadcast_run(users, rate, latency) for _ in range(reps)]
        rows.append(broadcast_row(runs))
        print(f"# {' | '.join(rows[-1])}", file=sys.stderr, flush=True)
    return table(BROADCAST_HEADER, rows)


async def run_alert(
    users: int, paid_rate: float, latencies: list[float], reps: int, timeout: float
) -> str:
    rows = []
    for latency in latencies:
        try:
            runs = [await alert_run(users, paid_rate, latency, timeout) for _ in range(reps)]
        except Unavailable as why:
            na = ["n/a"] * (len(ALERT_HEADER) - 3)
            rows.append([f"{users:,} people", f"{latency:g} ms", f"{why}", *na])
            continue
        rows.append(alert_row(runs))
        print(f"# {' | '.join(rows[-1])}", file=sys.stderr, flush=True)
    return table(ALERT_HEADER, rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="which", required=True)
    b = sub.add_parser("broadcast", help="a broadcast at BROADCAST_RATE")
    b.add_argument("--users", type=int, default=10_000)
    b.add_argument("--rate", type=float, default=25)
    b.add_argument("--latency", type=float, nargs="+", default=[0, 100], metavar="MS")
    b.add_argument("--reps", type=int, default=1)
    a = sub.add_parser("alert", help="an /alert with paid sending")
    a.add_argument("--users", type=int, default=20_000)
    a.add_argument("--paid-rate", type=float, default=1000)
    a.add_argument("--latency", type=float, nargs="+", default=[100], metavar="MS")
    a.add_argument("--reps", type=int, default=1)
    a.add_argument("--timeout", type=float, default=120, help="seconds to wait for everyone")
    args = parser.parse_args()
    print(machine())
    if args.which == "broadcast":
        print(asyncio.run(run_broadcast(args.users, args.rate, args.latency, args.reps)))
    else:
        result = run_alert(args.users, args.paid_rate, args.latency, args.reps, args.timeout)
        print(asyncio.run(result))


if __name__ == "__main__":
    main()
