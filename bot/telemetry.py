"""What the bot counts as it runs, for ``/metrics``: updates, reply latency, agenda reloads.

The counters live in a registry of this runtime's own (not prometheus-client's global one),
so two bots in one process (tests, benchmarks) never mix their figures. Values the database
or the sender already know (outbox rows, sends, users) are not counted twice here: the
``/metrics`` handler reads them when it is scraped (``bot.web.metrics``).

Reply latency is measured from when an update reached the bot (its POST to the webhook, or,
when polling, the moment it is handled) to the first message, edit or answer sent back while
it was being handled. The update being handled is a context variable, so the Telegram side
only says "an update starts" (``update_started``) and "a reply went out" (``replied``), from
wherever it happens to be; sends made outside an update's handling (the outbox) are not
replies and are not timed.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram

#: Reply latency buckets, in seconds: a chat answer should come well within a second.
REPLY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
#: Webhook arrivals remembered until their update is handled (a bound against a flood).
MAX_ARRIVALS = 10_000


@dataclass(slots=True)
class _Handling:
    started: float
    histogram: Histogram
    replied: bool = False


_handling: ContextVar[_Handling | None] = ContextVar("confbot_update_handling", default=None)


def replied() -> None:
    """A reply went out: the first one of the update being handled is timed, once."""
    handling = _handling.get()
    if handling is not None and not handling.replied:
        handling.replied = True
        handling.histogram.observe(time.monotonic() - handling.started)


class Telemetry:
    """The bot's own counters (see the module docstring)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.updates = Counter(
            "confbot_updates",
            "Updates handled, by kind (message, callback_query, inline_query, ...).",
            ["kind"],
            registry=self.registry,
        )
        self.reply_seconds = Histogram(
            "confbot_reply_seconds",
            "Seconds from an update's arrival to the bot's first reply to it.",
            buckets=REPLY_BUCKETS,
            registry=self.registry,
        )
        self.agenda_reloads = Counter(
            "confbot_agenda_reloads",
            "Agendas put in place (a reload, an upload, a live refresh, a kept copy at start).",
            registry=self.registry,
        )
        self.webhook_refused = Counter(
            "confbot_webhook_refused",
            "Requests to /telegram refused (wrong or missing secret, malformed body).",
            ["reason"],
            registry=self.registry,
        )
        self._arrivals: OrderedDict[int, float] = OrderedDict()

    def arrived(self, update_id: int) -> None:
        """An update reached the webhook: its latency is counted from now."""
        self._arrivals[update_id] = time.monotonic()
        while len(self._arrivals) > MAX_ARRIVALS:
            self._arrivals.popitem(last=False)

    def update_started(self, update_id: int, kind: str) -> None:
        """Called first thing while an update is handled (in the task that handles it)."""
        self.updates.labels(kind).inc()
        started = self._arrivals.pop(update_id, None)
        _handling.set(_Handling(started or time.monotonic(), self.reply_seconds))

    async def on_agenda_change(self, *_: object) -> None:
        """An agenda listener (``Reloads.listeners``): every swap counts."""
        self.agenda_reloads.inc()
