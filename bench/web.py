"""Web server benchmark: ``/cal/TOKEN.ics`` and ``/healthz`` under 200 concurrent clients while a
broadcast runs.

The real bot (polling the local emulator, its outbox sending a broadcast at BROADCAST_RATE)
serves its web server on 127.0.0.1; a load generator in a separate process (so it does not
share the bot's event loop) keeps ``--concurrency`` requests in flight for ``--seconds`` per
path, on loopback only, and reports requests per second and latency percentiles. Access
logging is on, at INFO, through the same redacting filter as ``confbot run`` (to /dev/null).
Run: ``python -m bench.web`` (full: ``--seconds 10 --users 20000``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench import machine, table
from bot import broadcasts
from bot.clock import ManualClock
from bot.config import DEFAULT_AGENDA
from bot.emulator import BotApiEmulator
from bot.emulator.harness import BotHarness, settings_for
from bot.logs import configure_logging
from bot.store.db import ts
from bot.store.outbox import OutboxRepo

ORG = 4242
FEED_USER = 777
BOOKMARKS = ("keynote-sztaray", "panel-security-landscape", "crisis-management", "closing")


# ------------------------------------------------------------------ the load generator
async def _load(
    url: str, concurrency: int, seconds: float, headers: dict[str, str]
) -> dict[str, Any]:
    import aiohttp

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as http:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                try:
                    async with http.get(url, headers=headers) as resp:
                        await resp.read()
                        statuses[resp.status] = statuses.get(resp.status, 0) + 1
                except aiohttp.ClientError:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - t0)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": latencies[-1] * 1000,
        "statuses": statuses,
        "errors": errors,
    }


def client_main(args: argparse.Namespace) -> None:
    headers = json.loads(args.headers)
    result = asyncio.run(_load(args.client, args.concurrency, args.seconds, headers))
    print(json.dumps(result))


# ------------------------------------------------------------------ the bot under load
async def _measure(
    url: str, concurrency: int, seconds: float, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.web", "--client", url,
        "--concurrency", str(concurrency), "--seconds", str(seconds),
        "--headers", json.dumps(headers or {}),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"the load generator failed ({proc.returncode})")
    return dict(json.loads(out))


async def run(
    users: int, concurrency: int, seconds: float, rate: float, *, access_log: bool = True
) -> dict[str, Any]:
    clock = ManualClock(datetime(2024, 11, 27, 9, 0).astimezone())
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        async with BotApiEmulator() as emu:
            port = _free_port()
            settings = settings_for(
                emu,
                Path(tmp) / "bench.sqlite3",
                AGENDA_PATH=DEFAULT_AGENDA,
                ORGANISER_IDS=str(ORG),
                BROADCAST_RATE=rate,
                WEB_LISTEN=f"127.0.0.1:{port}",
                PUBLIC_URL="https://bench.example.org",
                LOG_LEVEL="INFO" if access_log else "WARNING",
            )
            handler = logging.FileHandler(os.devnull)
            configure_logging(settings, handler)
            harness = BotHarness(emu, settings, clock)
            await harness.start()
            try:
                rt = harness.runtime
                base = harness.web_url
                ids = list(range(100_000, 100_000 + users))
                for uid in ids:
                    emu.user(uid, "U")
                now = ts(clock.now())
                async with rt.store.db.transaction() as conn:
                    await conn.executemany(
                        "INSERT INTO users (id, first_name, first_seen, last_seen)"
                        " VALUES (?, 'U', ?, ?)",
                        [(uid, now, now) for uid in [*ids, FEED_USER]],
                    )
                for sid in BOOKMARKS:
                    await rt.store.bookmarks.add(FEED_USER, sid, clock.now())
                token = await rt.calendar_feeds.issue(FEED_USER)
                repo = OutboxRepo(rt.store.db)
                batch = await repo.create_batch(
                    "broadcast", clock.now(), created_by=ORG, audience="everyone", payload={}
                )
                await rt.delivery.enqueue(
                    broadcasts.envelopes(batch, "<b>Bench</b> broadcast", ids, clock.now())
                )
                feed = f"{base}/cal/{token}.ics"
                await _measure(feed, 1, 0.2)  # warm up: the feed rendered once
                for name, url, headers in (
                    ("/cal/TOKEN.ics", feed, None),
                    ("/cal/TOKEN.ics (If-None-Match: 304)", feed, {"If-None-Match": "*"}),
                    ("/healthz", f"{base}/healthz", None),
                ):
                    sent_before = rt.delivery.stats["sent"]
                    t0 = time.perf_counter()
                    measured = await _measure(url, concurrency, seconds, headers)
                    window = time.perf_counter() - t0
                    measured["broadcast_rate"] = (rt.delivery.stats["sent"] - sent_before) / window
                    results[name] = measured
                results["left"] = (await repo.progress(batch)).left
            finally:
                await harness.stop()
                logging.getLogger().removeHandler(handler)
    return results


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=5_000, help="broadcast recipients")
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=4.0, help="per path")
    parser.add_argument("--rate", type=float, default=25.0, help="BROADCAST_RATE")
    parser.add_argument(
        "--no-access-log", action="store_true", help="LOG_LEVEL=WARNING: no request logging"
    )
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--headers", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client_main(args)
        return
    r = asyncio.run(
        run(
            args.users, args.concurrency, args.seconds, args.rate, access_log=not args.no_access_log
        )
    )
    print(machine())
    print(
        f"\n{args.concurrency} concurrent clients, {args.seconds:g} s per path, while a"
        f" broadcast to {args.users} users runs at BROADCAST_RATE={args.rate:g};"
        f" access log {'off' if args.no_access_log else 'on (INFO, to /dev/null)'}\n"
    )
    rows = []
    for name, m in r.items():
        if name == "left":
            continue
        rows.append(
            [
                name,
                f"{m['rps']:.0f}",
                f"{m['p50_ms']:.1f}",
                f"{m['p99_ms']:.1f}",
                f"{m['max_ms']:.0f}",
                ", ".join(f"{k}: {v}" for k, v in sorted(m["statuses"].items())),
                m["errors"],
                f"{m['broadcast_rate']:.1f}/s",
            ]
        )
    header = ["path", "req/s", "p50 ms", "p99 ms", "max ms", "statuses", "errors", "broadcast"]
    print(table(header, rows))
    print(f"\nbroadcast rows still to send at the end: {r['left']}")


if __name__ == "__main__":
    main()
