"""The real bot, polling the local emulator: for end-to-end tests, benchmarks and ``confbot chat``.

It starts the very ``Application`` that ``confbot run`` starts, only pointed at loopback, and
can stop and start it again on the same database to prove what survives a restart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.app import build_application, start_application, stop_application
from bot.clock import Clock
from bot.config import Settings
from bot.emulator.server import BotApiEmulator
from bot.emulator.users import FakeUser
from bot.runtime import Runtime, Tuning
from handlers.context import ConfApp

TEST_TOKEN = "123456:TEST-token-for-the-local-emulator-only-xyz"


def settings_for(emu: BotApiEmulator, database: Path, **overrides: Any) -> Settings:
    """Settings pointing at the emulator; ``.env`` is ignored so a developer's file stays out."""
    values: dict[str, Any] = {
        "TELEGRAM_BOT_TOKEN": SecretStr(TEST_TOKEN),
        "TELEGRAM_API_URL": emu.url,
        "DATABASE_PATH": database,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class BotHarness:
    """One emulator, one bot at a time; ``restart()`` keeps the database."""

    emulator: BotApiEmulator
    settings: Settings
    clock: Clock | None = None
    tuning: Tuning = field(default_factory=Tuning)
    app: ConfApp | None = None

    @property
    def runtime(self) -> Runtime:
        assert self.app is not None, "the bot is not running"
        return self.app.bot_data.runtime

    def user(self, user_id: int, first_name: str = "Ada", **kwargs: Any) -> FakeUser:
        return self.emulator.user(user_id, first_name, **kwargs)

    async def start(self) -> None:
        """Start it exactly as ``confbot run`` does (polling or webhook, web server and all),
        with a short long-poll so tests stop quickly."""
        app = build_application(self.settings, clock=self.clock, tuning=self.tuning)
        await start_application(app, poll_interval=0.0, poll_timeout=1)
        self.app = app

    @property
    def web_url(self) -> str:
        """The bot's web server, from this machine (``WEB_LISTEN`` must be set)."""
        assert self.app is not None, "the bot is not running"
        server = self.app.bot_data.web
        assert server is not None, "no web server: set WEB_LISTEN"
        return server.local_url

    async def stop(self) -> None:
        app, self.app = self.app, None
        if app is not None:
            await stop_application(app)

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def __aenter__(self) -> BotHarness:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
