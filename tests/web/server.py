"""A real aiohttp server with the Mini App on 127.0.0.1, in a thread of its own.

The browser tests and the screenshot script drive it from synchronous code (Playwright's sync
API); ``call`` runs a coroutine on the server's loop (to read the store, say). The server is
the real thing: the bot's store, the Runtime adapter, the reminder planner writing into the
real delivery outbox (which is not started: nothing is sent), and a ManualClock.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from bot.agenda.loaders import LoadResult, load_agenda
from bot.broadcasts import ProgressNote
from bot.clock import Clock, ManualClock
from bot.config import Settings
from bot.outgoing import OutgoingMessage
from bot.runtime import AgendaState, Runtime, build_runtime
from bot.store import Store
from bot.web.miniapp import mount
from bot.web.runtime_backend import RuntimeBackend

T = TypeVar("T")
TOKEN = "123456789:AAE-test-token-for-the-mini-app-0000000"


class _NoTransport:
    async def send(self, chat_id: int, message: OutgoingMessage) -> None:
        raise AssertionError("the delivery outbox is not started in these tests")


class _NoDisplay:
    async def show(self, note: ProgressNote) -> None:
        raise AssertionError("no broadcast runs in these tests")


def web_runtime(store: Store, clock: Clock, result: LoadResult, token: str) -> Runtime:
    """The bot's real core (store, agenda, reminder planner on the outbox), not started: the
    planner writes outbox rows, and nothing is sent."""
    settings = Settings(_env_file=None, TELEGRAM_BOT_TOKEN=token)  # type: ignore[call-arg]
    state = AgendaState(result=result, source="test")
    return build_runtime(
        settings, clock, store, state, transport=_NoTransport(), progress_display=_NoDisplay()
    )


class RecordingBackend(RuntimeBackend):
    """The real adapter, noting each planner call the routes make."""

    def __init__(self, rt: Runtime) -> None:
        super().__init__(rt)
        self.planned: list[tuple[int, str, bool]] = []

    async def on_bookmark(self, user_id: int, session_id: str, on: bool) -> None:
        self.planned.append((user_id, session_id, on))
        await super().on_bookmark(user_id, session_id, on)


class MiniAppServer:
    def __init__(
        self,
        db_path: Path,
        clock: ManualClock,
        *,
        agenda: LoadResult | Path,
        token: str = TOKEN,
    ) -> None:
        self.db_path = db_path
        self.clock = clock
        self.token = token
        self.result = agenda if isinstance(agenda, LoadResult) else load_agenda(agenda, None)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.port = 0
        self.rt: Runtime
        self.backend: RecordingBackend
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/app/"

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 20) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return future.result(timeout)

    def start(self) -> MiniAppServer:
        self._thread.start()
        self.call(self._start())
        return self

    async def _start(self) -> None:
        store = await Store.open(str(self.db_path))
        self.rt = web_runtime(store, self.clock, self.result, self.token)
        self.backend = RecordingBackend(self.rt)
        parent = web.Application()
        mount(parent, self.backend, bot_token=self.token)
        self._runner = web.AppRunner(parent, access_log=None)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        site = web.SockSite(self._runner, sock)
        await site.start()

    def stop(self) -> None:
        async def _stop() -> None:
            if self._runner is not None:
                await self._runner.cleanup()
            await self.rt.store.close()

        try:
            self.call(_stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(5)
            self.loop.close()


#: Telegram's own default themes (as its clients send them in tgWebAppThemeParams).
LIGHT_THEME = {
    "bg_color": "#ffffff",
    "text_color": "#000000",
    "hint_color": "#999999",
    "link_color": "#2481cc",
    "button_color": "#2481cc",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#efeff3",
    "header_bg_color": "#ffffff",
    "accent_text_color": "#2481cc",
    "section_bg_color": "#ffffff",
    "section_header_text_color": "#6d6d72",
    "subtitle_text_color": "#999999",
    "destructive_text_color": "#ff3b30",
}
DARK_THEME = {
    "bg_color": "#17212b",
    "text_color": "#f5f5f5",
    "hint_color": "#708499",
    "link_color": "#6ab3f3",
    "button_color": "#5288c1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#232e3c",
    "header_bg_color": "#17212b",
    "accent_text_color": "#6ab2f2",
    "section_bg_color": "#17212b",
    "section_header_text_color": "#6ab3f3",
    "subtitle_text_color": "#708499",
    "destructive_text_color": "#ec3942",
}


def launch_url(
    base: str,
    init_data: str | None = None,
    *,
    theme: dict[str, str] | None = None,
    version: str = "8.0",
    platform: str = "tdesktop",
) -> str:
    """The page's address as Telegram opens it: launch parameters in the hash."""
    import json
    from urllib.parse import urlencode

    params: dict[str, str] = {}
    if init_data is not None:
        params["tgWebAppData"] = init_data
    if theme is not None:
        params["tgWebAppThemeParams"] = json.dumps(theme)
    if init_data is not None or theme is not None:
        params["tgWebAppVersion"] = version
        params["tgWebAppPlatform"] = platform
    return base + ("#" + urlencode(params) if params else "")


def big_agenda(count: int = 1000, rooms: int = 40) -> LoadResult:
    """A generated one-day conference of ``count`` sessions: the worst case for a day view."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from bot.agenda.model import Conference, Session, SessionSpeaker, SessionType, Speaker

    tz = ZoneInfo("Europe/Brussels")
    tracks = ["Security", "Policy", "Community", "Technology", "Law", "Research", "Media", "Health"]
    kinds = [SessionType.TALK] * 6 + [SessionType.PANEL, SessionType.WORKSHOP, SessionType.KEYNOTE]
    speakers = {
        f"sp{i}": Speaker(f"sp{i}", f"Speaker {i} Example", f"Institute {i % 37}", f"Bio of {i}.")
        for i in range(300)
    }
    day = datetime(2025, 6, 4, 8, 0, tzinfo=tz)
    sessions = []
    per_room = -(-count // rooms)
    for i in range(count):
        room, slot = divmod(i, per_room)
        length = 30 if i % 5 else 60
        start = day + timedelta(minutes=30 * slot + (15 if i % 7 == 0 else 0))
        sessions.append(
            Session(
                id=f"s{i:04d}",
                title=f"Session {i}: resilience of systems, people and places, part {i % 9}",
                start=start,
                end=start + timedelta(minutes=length),
                room=f"Room {room + 1:02d}",
                track=tracks[i % len(tracks)],
                type=kinds[i % len(kinds)],
                abstract="An abstract long enough to weigh something. " * 6,
                speakers=(SessionSpeaker(f"sp{i % 300}"), SessionSpeaker(f"sp{(i * 7) % 300}")),
            )
        )
    conf = Conference(
        name="Generated Conference 1000",
        timezone=tz,
        sessions=tuple(sessions),
        speakers=speakers,
        declared_rooms=tuple(f"Room {r + 1:02d}" for r in range(rooms)),
    )
    return LoadResult(conf, "generated")
