"""The composition root: settings -> agenda -> store -> handlers -> jobs, as a PTB Application.

This and ``bot.cli`` are the only modules of ``bot/`` that import telegram; the rest of the
core stays framework-free and is driven from ``handlers/``.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from telegram.ext import Application, ApplicationBuilder, Defaults

from bot.agenda.loaders import load_agenda
from bot.clock import Clock, make_clock
from bot.config import Settings
from bot.runtime import AgendaState, Runtime
from bot.store import Store
from handlers.menus import register_menus

log = logging.getLogger("confbot")

# PTB 22 deprecates RetryAfter.retry_after as an int and warns on every 429; opting in to the
# coming timedelta now (the transport reads both) keeps a flood of 429s from flooding the log.
os.environ.setdefault("PTB_TIMEDELTA", "1")

#: Handler modules in registration order; each has ``register(app)`` and may have
#: ``async startup(app, runtime)`` / ``async shutdown(app, runtime)``.
FEATURES: tuple[str, ...] = (
    "handlers.tracking",
    "handlers.errors",
    "handlers.delivery",
    "handlers.agenda",
    "handlers.bookmarks",
    "handlers.feedback",
    "handlers.broadcasts",
    "handlers.speakers",
    "handlers.live_agenda",
    "handlers.questions",
)


class RedactingFilter(logging.Filter):
    """Belt and braces: whatever logs a URL, a bot token in it never reaches a log line."""

    _token = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
    #: One-time speaker codes (``/start sp_…``) appear in PTB's DEBUG lines about updates.
    _speaker_code = re.compile(r"\bsp_[A-Za-z0-9_-]{16,}")

    def __init__(self, secrets: Sequence[str] = ()) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def _clean(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[token]")
        return self._speaker_code.sub("sp_[code]", self._token.sub("[token]", text))

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self._clean(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure_logging(settings: Settings, handler: logging.Handler | None = None) -> None:
    """Log at LOG_LEVEL, with httpx's per-request lines (they carry the token) silenced."""
    root = logging.getLogger()
    root.setLevel(settings.LOG_LEVEL)
    if handler is None:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    token = settings.TELEGRAM_BOT_TOKEN.get_secret_value() if settings.TELEGRAM_BOT_TOKEN else ""
    handler.addFilter(RedactingFilter([token]))
    root.addHandler(handler)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def load_configured_agenda(settings: Settings) -> AgendaState:
    result = load_agenda(settings.AGENDA_PATH, settings.default_tz)
    for warning in result.warnings:
        log.warning("agenda %s: %s", settings.AGENDA_PATH, warning)
    return AgendaState(result=result, source=str(settings.AGENDA_PATH))


def _features() -> list[ModuleType]:
    modules = []
    for name in FEATURES:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return modules


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    agenda: AgendaState | None = None,
    extra: dict[str, Any] | None = None,
) -> Application:
    """A ready-to-run Application; the store opens in ``post_init`` and closes at shutdown."""
    if settings.TELEGRAM_BOT_TOKEN is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    state = (agenda or load_configured_agenda(settings)).prepare()
    the_clock = clock or make_clock(settings.CONFBOT_NOW, state.conference.timezone)
    features = _features()

    async def post_init(app: Application) -> None:
        store = await Store.open(str(settings.DATABASE_PATH))
        rt = Runtime(settings=settings, clock=the_clock, store=store, agenda=state)
        rt.services.update(extra or {})
        app.bot_data["runtime"] = rt
        for module in features:
            startup = getattr(module, "startup", None)
            if startup is not None:
                await startup(app, rt)
        await register_menus(app.bot, settings.ORGANISER_IDS)

    async def post_shutdown(app: Application) -> None:
        rt: Runtime | None = app.bot_data.get("runtime")
        if rt is None:
            return
        for module in reversed(features):
            shutdown = getattr(module, "shutdown", None)
            if shutdown is not None:
                await shutdown(app, rt)
        await rt.store.close()

    api = settings.TELEGRAM_API_URL
    app = (
        ApplicationBuilder()
        .token(settings.TELEGRAM_BOT_TOKEN.get_secret_value())
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .defaults(Defaults(tzinfo=state.conference.timezone))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    for module in features:
        module.register(app)
    tracking = importlib.import_module("handlers.tracking")
    tracking.register_fallback(app)
    return app
