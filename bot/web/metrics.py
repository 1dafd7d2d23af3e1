"""``GET /metrics``: Prometheus's text format, for watching the opening rush.

Two sources: the bot's own counters (``bot.telemetry``: updates by kind, reply latency,
agenda reloads, refused webhook calls) and figures read when scraped, from the database and
the sender (outbox rows by kind and state, sends by outcome, seconds paused by 429s, late
reminders, users, bookmarks, ratings, feeds, agenda reload failures). Reading at scrape time
keeps one truth: the same numbers /stats shows, surviving restarts where the store has them.

Access: with ``METRICS_TOKEN`` set, ``Authorization: Bearer <token>`` (compared in constant
time); without it, only clients on this machine, and never through a reverse proxy (a
request that carries forwarding headers came from elsewhere, whatever its socket says).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.runtime import Runtime
from bot.store import keys
from bot.store.records import OutboxCount
from bot.web.http import is_loopback

log = logging.getLogger("confbot.web.metrics")

#: A reminder delivered (or still waiting) this long after it was due is late.
LATE_AFTER_SECONDS = 60.0
#: ``bot.delivery.Delivery.stats`` keys -> the ``outcome`` label of sends.
SEND_OUTCOMES = {
    "sent": "sent",
    "retry_after": "429",
    "transient": "5xx",
    "blocked": "blocked",
    "failed": "failed",
}


class DeliveryCounters(Protocol):
    """What /metrics reads of the sender: its counters since start and whether it runs."""

    @property
    def stats(self) -> Mapping[str, int]: ...

    @property
    def paused_seconds(self) -> float: ...

    @property
    def running(self) -> bool: ...


@dataclass(frozen=True)
class Snapshot:
    outbox: list[OutboxCount]
    sends: dict[str, int]
    paused_seconds: float
    sender_up: bool
    late_sent: int
    late_waiting: int
    users: int
    active_users: int
    bookmarks: int
    ratings: int
    feeds: int
    inbox_pending: int
    sessions: int
    reload_failures: int
    live_failures: int | None


class _SnapshotCollector(Collector):
    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None

    def collect(self) -> Iterator[Metric]:
        s = self.snapshot
        if s is None:
            return
        rows = GaugeMetricFamily(
            "confbot_outbox_rows", "Outbox rows by kind and state.", labels=["kind", "state"]
        )
        for c in s.outbox:
            rows.add_metric([c.kind, c.state], c.count)
        yield rows
        sends = CounterMetricFamily(
            "confbot_outbox_sends",
            "Outbox sends since start, by outcome (sent, 429, 5xx, blocked, failed).",
            labels=["outcome"],
        )
        for outcome, count in s.sends.items():
            sends.add_metric([outcome], count)
        yield sends
        yield CounterMetricFamily(
            "confbot_flood_pause_seconds",
            "Seconds all sending paused for Telegram's 429 retry_after, since start.",
            value=s.paused_seconds,
        )
        yield GaugeMetricFamily(
            "confbot_delivery_up", "1 while the outbox sender runs.", value=int(s.sender_up)
        )
        late = GaugeMetricFamily(
            "confbot_reminders_late",
            f"Reminders sent, or still waiting, over {LATE_AFTER_SECONDS:g}s after due.",
            labels=["state"],
        )
        late.add_metric(["sent"], s.late_sent)
        late.add_metric(["waiting"], s.late_waiting)
        yield late
        users = GaugeMetricFamily("confbot_users", "People who started the bot.", labels=["state"])
        users.add_metric(["all"], s.users)
        users.add_metric(["active"], s.active_users)
        yield users
        yield GaugeMetricFamily("confbot_bookmarks", "Bookmarks.", value=s.bookmarks)
        yield GaugeMetricFamily("confbot_feedback", "Session ratings given.", value=s.ratings)
        yield GaugeMetricFamily(
            "confbot_calendar_feeds", "Live calendar feed links issued.", value=s.feeds
        )
        yield GaugeMetricFamily(
            "confbot_webhook_inbox_pending",
            "Webhook updates recorded and not yet handled.",
            value=s.inbox_pending,
        )
        yield GaugeMetricFamily(
            "confbot_agenda_sessions", "Sessions in the agenda served now.", value=s.sessions
        )
        failures = CounterMetricFamily(
            "confbot_agenda_reload_failures",
            "Agendas refused since start: a broken file or upload, or a failed AGENDA_URL fetch.",
            labels=["source"],
        )
        failures.add_metric(["file"], s.reload_failures)
        if s.live_failures is not None:
            failures.add_metric(["url"], s.live_failures)
        yield failures


class Metrics:
    def __init__(self, rt: Runtime, *, token: str | None) -> None:
        self.rt = rt
        self.token = token
        self._collector = _SnapshotCollector()
        self._registry = CollectorRegistry(auto_describe=False)
        self._registry.register(self._collector)

    def authorize(self, request: web.Request) -> None:
        if self.token:
            scheme, _, value = request.headers.get("Authorization", "").partition(" ")
            given = value.strip().encode()
            if scheme.lower() != "bearer" or not hmac.compare_digest(given, self.token.encode()):
                raise web.HTTPUnauthorized(
                    text="/metrics needs Authorization: Bearer METRICS_TOKEN\n",
                    headers={"WWW-Authenticate": 'Bearer realm="confbot metrics"'},
                )
        elif not is_loopback(request):
            raise web.HTTPForbidden(
                text="/metrics answers this machine only; set METRICS_TOKEN to scrape it from"
                " elsewhere\n"
            )

    async def snapshot(self) -> Snapshot:
        rt = self.rt
        store = rt.store
        now = rt.clock.now()
        sender: DeliveryCounters = rt.delivery
        stats = sender.stats
        late_sent, late_waiting = await store.telemetry.late(
            (keys.REMINDER, keys.SPEAKER_REMINDER), now, LATE_AFTER_SECONDS
        )
        users, active = await store.users.counts()
        live = rt.live_agenda
        return Snapshot(
            outbox=await store.telemetry.outbox_counts(),
            sends={label: int(stats.get(key, 0)) for key, label in SEND_OUTCOMES.items()},
            paused_seconds=float(sender.paused_seconds),
            sender_up=sender.running,
            late_sent=late_sent,
            late_waiting=late_waiting,
            users=users,
            active_users=active,
            bookmarks=await store.bookmarks.count(),
            ratings=await store.feedback.count(),
            feeds=await store.calendar_feeds.count(),
            inbox_pending=await store.inbox.depth(),
            sessions=len(rt.agenda.conference.sessions),
            reload_failures=rt.reload.failures,
            live_failures=live.failures if live is not None else None,
        )

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.authorize(request)
        snapshot = await self.snapshot()
        # Set and rendered with no await in between: concurrent scrapes cannot mix snapshots.
        self._collector.snapshot = snapshot
        body = generate_latest(self.rt.telemetry.registry) + generate_latest(self._registry)
        return web.Response(
            body=body, headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"}
        )
