"""``GET /healthz``: is this bot able to serve? JSON, 200 when every check passes, else 503.

Checks: the agenda is loaded (it has sessions), the store takes a write (a committed probe),
the delivery sender task is alive, and whatever the composition root adds (that updates are
being received). The outbox depth (rows waiting, rows due) is reported, not judged: a deep
outbox during a broadcast is normal. Platforms probe often, and a crowd of probes must not
become a crowd of writes, so the store probe and the depth are refreshed at most once per
``interval`` and shared by the requests in between (while one request refreshes them, the
others answer with the last result, unless it is older than ``interval + timeout``: a hung
store is reported, not waited for); the cheap checks are fresh each time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import web

from bot.runtime import Runtime

log = logging.getLogger("confbot.web.health")

#: A check the composition root adds: True when healthy.
Check = Callable[[], bool]
PROBE_KEY = "health:probe"


class SenderState(Protocol):
    """What health needs of ``bot.delivery.Delivery``."""

    @property
    def running(self) -> bool: ...


@dataclass
class _Probe:
    at: float = float("-inf")
    store_ok: bool = False
    store_error: str | None = None
    depth: tuple[int, int] | None = None
    depth_error: str | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Health:
    def __init__(
        self,
        rt: Runtime,
        *,
        checks: Mapping[str, Check] | None = None,
        interval: float = 1.0,
        timeout: float = 3.0,
    ) -> None:
        self.rt = rt
        self.checks = dict(checks or {})
        self.interval = interval
        self.timeout = timeout
        self._probe = _Probe()

    async def _refresh(self) -> _Probe:
        probe = self._probe
        age = time.monotonic() - probe.at
        if age < self.interval:
            return probe
        if probe.lock.locked() and age < self.interval + self.timeout:
            return probe  # being refreshed: the last result answers meanwhile, nobody queues
        async with probe.lock:
            if time.monotonic() - probe.at < self.interval:  # another request just did it
                return probe
            now = self.rt.clock.now()
            try:
                await asyncio.wait_for(
                    self.rt.store.kv.probe(PROBE_KEY, now.isoformat()), self.timeout
                )
                probe.store_ok, probe.store_error = True, None
            except Exception as exc:  # any failure to write is what this check reports
                log.warning("health: the store refused a write: %r", exc)
                probe.store_ok, probe.store_error = False, _why(exc)
            try:
                probe.depth = await asyncio.wait_for(
                    self.rt.store.telemetry.outbox_depth(now), self.timeout
                )
                probe.depth_error = None
            except Exception as exc:  # reported, not raised: the page must answer
                probe.depth, probe.depth_error = None, _why(exc)
            probe.at = time.monotonic()
        return probe

    async def report(self) -> tuple[bool, dict[str, Any]]:
        probe = await self._refresh()
        conference = self.rt.agenda.conference
        sessions = len(conference.sessions)
        sender: SenderState = self.rt.delivery
        checks: dict[str, dict[str, Any]] = {
            "agenda": {"ok": sessions > 0, "sessions": sessions, "conference": conference.name},
            "store": {"ok": probe.store_ok},
            "delivery": {"ok": sender.running, "running": sender.running},
            "outbox": {"ok": probe.depth is not None},
        }
        if probe.store_error:
            checks["store"]["error"] = probe.store_error
        if probe.depth is not None:
            checks["outbox"].update(depth=probe.depth[0], due=probe.depth[1])
        else:
            checks["outbox"]["error"] = probe.depth_error
        for name, check in self.checks.items():
            try:
                ok = bool(check())
            except Exception as exc:  # a broken check is a failing check
                checks[name] = {"ok": False, "error": _why(exc)}
            else:
                checks[name] = {"ok": ok}
        healthy = all(c["ok"] for c in checks.values())
        return healthy, {"ok": healthy, "checks": checks}

    async def handle(self, request: web.Request) -> web.StreamResponse:
        healthy, body = await self.report()
        return web.json_response(
            body, status=200 if healthy else 503, headers={"Cache-Control": "no-store"}
        )


def _why(exc: BaseException) -> str:
    text = str(exc).strip()
    name = type(exc).__name__
    return f"{name}: {text[:200]}" if text else name
