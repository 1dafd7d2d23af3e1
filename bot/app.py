"""The composition root: settings -> agenda -> store -> core services -> features, as a PTB app.

This and ``bot.cli`` (and the emulator) are the only modules of ``bot/`` that import telegram
or ``handlers``; the rest of the core stays framework-free and is driven from ``handlers/``.

A feature is one module in each layer (``bot/<name>.py`` for its rules, ``handlers/<name>.py``
for Telegram, ending in ``FEATURE = Feature(...)``) plus one line in ``FEATURES`` here and, if
it has a core service, one field in ``bot.runtime.Runtime`` built in ``build_runtime``.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Sequence

from telegram.ext import ApplicationBuilder, ContextTypes, Defaults, JobQueue

from bot.agenda.loaders import load_agenda
from bot.clock import Clock, make_clock
from bot.config import Settings
from bot.runtime import AgendaState, Runtime, Tuning, build_runtime
from bot.store import Store
from bot.store.keys import KINDS
from handlers import (
    agenda,
    bookmarks,
    broadcasts,
    errors,
    feedback,
    live_agenda,
    qa,
    questions,
    reload,
    reminders,
    speakers,
    start,
    stats,
    tracking,
)
from handlers.broadcasts import TelegramProgress
from handlers.context import BotContext, BotData, ConfApp
from handlers.delivery import TelegramTransport
from handlers.feature import Feature
from handlers.menus import register_menus

log = logging.getLogger("confbot")

# PTB 22 deprecates RetryAfter.retry_after as an int and warns on every 429; opting in to the
# coming timedelta now (the transport reads both) keeps a flood of 429s from flooding the log.
os.environ.setdefault("PTB_TIMEDELTA", "1")

#: Every feature's Telegram side, in registration order: routes are tried in this order, and
#: hooks run in it (a feedback comment is claimed before a broadcast's text, and questions
#: come last: plain text no hook claimed is a question).
FEATURES: tuple[Feature, ...] = (
    tracking.FEATURE,
    errors.FEATURE,
    start.FEATURE,
    agenda.FEATURE,
    bookmarks.FEATURE,
    reminders.FEATURE,
    feedback.FEATURE,
    broadcasts.FEATURE,
    reload.FEATURE,
    stats.FEATURE,
    speakers.FEATURE,
    live_agenda.FEATURE,
    qa.FEATURE,
    questions.FEATURE,
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


def wire_renderers(rt: Runtime, features: Sequence[Feature]) -> None:
    """Each feature's outbox renderers, bound to the runtime; every kind the core enqueues must
    have one, or rows of that kind would fail at send time: refuse to start instead."""
    for feature in features:
        for kind, renderer in feature.renderers.items():
            rt.delivery.register_renderer(kind, functools.partial(renderer, rt))
    missing = sorted(set(KINDS) - set(rt.delivery.renderers))
    if missing:
        raise RuntimeError(f"no outbox renderer for {', '.join(missing)}: a feature is missing")


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    agenda: AgendaState | None = None,
    tuning: Tuning | None = None,
    features: Sequence[Feature] = FEATURES,
) -> ConfApp:
    """A ready-to-run Application; the store opens in ``post_init`` and closes at shutdown."""
    if settings.TELEGRAM_BOT_TOKEN is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    names = [f.name for f in features]
    if len(set(names)) != len(names):
        raise ValueError(f"a feature is listed twice: {names}")
    state = (agenda or load_configured_agenda(settings)).prepare()
    the_clock = clock or make_clock(settings.CONFBOT_NOW, state.conference.timezone)

    async def post_init(app: ConfApp) -> None:
        store = await Store.open(str(settings.DATABASE_PATH))
        try:
            rt = build_runtime(
                settings,
                the_clock,
                store,
                state,
                transport=TelegramTransport(app.bot),
                progress_display=TelegramProgress(app.bot),
                tuning=tuning,
            )
            wire_renderers(rt, features)
        except BaseException:
            await store.close()
            raise
        app.bot_data.runtime = rt
        await rt.start()
        for feature in features:
            if feature.startup is not None:
                await feature.startup(app, rt)
        await register_menus(app.bot, settings.ORGANISER_IDS)

    async def post_shutdown(app: ConfApp) -> None:
        if not app.bot_data.started:
            return
        rt = app.bot_data.runtime
        for feature in reversed(features):
            if feature.shutdown is not None:
                await feature.shutdown(app, rt)
        await rt.stop()

    api = settings.TELEGRAM_API_URL
    app: ConfApp = (
        ApplicationBuilder()
        .token(settings.TELEGRAM_BOT_TOKEN.get_secret_value())
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .context_types(ContextTypes(context=BotContext, bot_data=BotData))
        .job_queue(JobQueue[BotContext]())
        .defaults(Defaults(tzinfo=state.conference.timezone))
        # Updates are handled one at a time (PTB's default), so each person's messages keep
        # their order; a per-chat BaseUpdateProcessor would plug in here (.concurrent_updates).
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    for feature in features:
        feature.routes(app)
        app.bot_data.hooks.start.extend(feature.start_hooks)
        app.bot_data.hooks.text.extend(feature.text_hooks)
    tracking.register_fallback(app)
    return app
