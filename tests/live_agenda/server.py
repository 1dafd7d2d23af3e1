"""Test helpers for the live agenda: a tiny pretalx ``schedule.json`` and a server that edits it.

The server behaves like pretalx's export: a strong ETag derived from the body, 304 on a matching
``If-None-Match``; a test can switch it to answer 500, or garbage, or close it to play "no network".
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

from aiohttp import web

#: Sessions of the fixture: id -> (title, room, start "HH:MM", duration "HH:MM", type).
BASE_EVENTS: dict[str, tuple[str, str, str, str, str]] = {
    "opening": ("Opening of the live conference", "Main Hall", "09:00", "00:30", "Opening"),
    "zero-trust": ("Zero trust in practice", "Main Hall", "10:00", "00:45", "Talk"),
    "resilience-panel": ("Resilience <by> design & panel", "Room B", "11:00", "01:00", "Panel"),
    "lunch": ("Lunch", "Main Hall", "12:30", "01:00", "Break"),
}
DAY = "2024-11-27"
ZONE = "Europe/Brussels"
OFFSET = "+01:00"


def schedule(
    moves: dict[str, str] | None = None, *, drop: tuple[str, ...] = (), version: str = "1"
) -> dict[str, Any]:
    """A pretalx-style schedule.json document; ``moves`` maps an id to a new start "HH:MM"."""
    moves = moves or {}
    rooms: dict[str, list[dict[str, Any]]] = {"Main Hall": [], "Room B": []}
    for n, (sid, (title, room, start, duration, kind)) in enumerate(BASE_EVENTS.items(), 1):
        if sid in drop:
            continue
        start = moves.get(sid, start)
        rooms[room].append(
            {
                "id": n,
                "guid": sid,
                "date": f"{DAY}T{start}:00{OFFSET}",
                "start": start,
                "duration": duration,
                "room": room,
                "title": title,
                "type": kind,
                "track": "Security",
                "abstract": "",
                "persons": [{"code": f"SPK{n}", "public_name": f"Speaker {n}"}]
                if kind != "Break"
                else [],
            }
        )
    return {
        "schedule": {
            "version": version,
            "base_url": "https://pretalx.example/live/schedule/",
            "conference": {
                "acronym": "live24",
                "title": "Live Agenda Conference",
                "start": DAY,
                "end": DAY,
                "daysCount": 1,
                "time_zone_name": ZONE,
                "rooms": [{"name": "Main Hall"}, {"name": "Room B"}],
                "days": [
                    {
                        "index": 1,
                        "date": DAY,
                        "day_start": f"{DAY}T06:00:00{OFFSET}",
                        "day_end": f"{DAY}T23:00:00{OFFSET}",
                        "rooms": copy.deepcopy(rooms),
                    }
                ],
            },
        }
    }


def encode(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, indent=1).encode("utf-8")


class ScheduleServer:
    """``async with ScheduleServer() as srv``: serves ``srv.body`` at ``srv.url`` on loopback."""

    def __init__(self, body: bytes | None = None, *, port: int = 0) -> None:
        self.body = body if body is not None else encode(schedule())
        #: None: serve the body; an int: answer that status; bytes: serve them as a 200.
        self.fault: int | bytes | None = None
        self.requests: list[dict[str, str]] = []
        self.statuses: list[int] = []
        self.port = port
        self._runner: web.AppRunner | None = None

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:20] + '"'

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/live24/schedule/export/schedule.json"

    def publish(self, doc: dict[str, Any]) -> None:
        self.body = encode(doc)

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests.append(dict(request.headers))
        response = self._answer(request)
        self.statuses.append(response.status)
        return response

    def _answer(self, request: web.Request) -> web.Response:
        if isinstance(self.fault, int):
            return web.Response(status=self.fault, text="Internal Server Error")
        if isinstance(self.fault, bytes):
            return web.Response(body=self.fault, content_type="application/json")
        if request.headers.get("If-None-Match") == self.etag:
            return web.Response(status=304, headers={"ETag": self.etag})
        return web.Response(
            body=self.body,
            content_type="application/json",
            headers={"ETag": self.etag, "Last-Modified": "Wed, 20 Nov 2024 10:00:00 GMT"},
        )

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/live24/schedule/export/schedule.json", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        if self.port == 0:
            server = site._server
            assert server is not None
            sockets = getattr(server, "sockets", None) or []
            self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> ScheduleServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
