"""The composition root: settings -> agenda -> store -> core services -> features, as a PTB app.

This and ``bot.cli`` (and the emulator) are the only modules of ``bot/`` that import telegram
or ``handlers``; the rest of the core stays framework-free and is driven from ``handlers/``.

A feature is one module in each layer (``bot/<name>.py`` for its rules, ``handlers/<name>.py``
for Telegram, ending in ``FEATURE = Feature(...)``) plus one line in ``FEATURES`` here and, if
it has a core service, one field in ``bot.runtime.Runtime`` built in ``build_runtime``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import os
import signal
from collections.abc import Callable, Sequence
from typing import Any

from telegram.ext import ApplicationBuilder, ContextTypes, Defaults, JobQueue
from telegram.request import BaseRequest, RequestData

from bot.agenda.loaders import load_agenda
from bot.clock import Clock, make_clock
from bot.config import Settings
from bot.delivery import MAX_CONCURRENCY
from bot.i18n import localized
from bot.logs import (
    JsonFormatter,
    RedactingFilter,
    configure_logging,
    log_handler,
    redact_also,
    secrets_of,
)
from bot.runtime import AgendaState, Runtime, Tuning, build_runtime
from bot.store import Store
from bot.store.keys import KINDS
from bot.telemetry import replied
from handlers import (
    agenda,
    bookmarks,
    broadcasts,
    calendar,
    errors,
    feedback,
    inline,
    language,
    live_agenda,
    qa,
    questions,
    reload,
    reminders,
    shapes,
    sharing,
    speakers,
    start,
    stats,
    telemetry,
    tracking,
    web,
)
from handlers.broadcasts import TelegramProgress
from handlers.context import BotContext, BotData, ConfApp
from handlers.delivery import TelegramTransport
from handlers.feature import Feature, StartupError
from handlers.http import AiohttpRequest
from handlers.menus import register_menus
from handlers.updates import MAX_RUNNING, OrderedUpdates

log = logging.getLogger("confbot")

# PTB 22 deprecates RetryAfter.retry_after as an int and warns on every 429; opting in to the
# coming timedelta now (the transport reads both) keeps a flood of 429s from flooding the log.
os.environ.setdefault("PTB_TIMEDELTA", "1")

#: Every feature's Telegram side, in registration order: routes are tried in this order, and
#: hooks run in it (a feedback comment is claimed before a broadcast's text, and questions
#: come last: plain text no hook claimed is a question).
FEATURES: tuple[Feature, ...] = (
    telemetry.FEATURE,
    shapes.FEATURE,
    tracking.FEATURE,
    errors.FEATURE,
    start.FEATURE,
    agenda.FEATURE,
    bookmarks.FEATURE,
    calendar.FEATURE,
    reminders.FEATURE,
    feedback.FEATURE,
    broadcasts.FEATURE,
    reload.FEATURE,
    stats.FEATURE,
    speakers.FEATURE,
    sharing.FEATURE,
    inline.FEATURE,
    live_agenda.FEATURE,
    language.FEATURE,
    web.FEATURE,
    qa.FEATURE,
    questions.FEATURE,
)
__all__ = [
    "FEATURES",
    "JsonFormatter",
    "RedactingFilter",
    "StartupError",
    "build_application",
    "configure_logging",
    "log_handler",
    "redact_also",
    "run_application",
    "secrets_of",
]


#: HTTP connections to the Bot API: the updates running at once, plus the outbox's.
POOL_SIZE = MAX_RUNNING + MAX_CONCURRENCY


class TimedRequest(BaseRequest):
    """PTB's HTTP client, noting each reply sent while an update is handled (``bot.telemetry``
    times the first one) and telling ``on_sent`` the chat of every new message (the outbox
    keeps Telegram's one message a second per chat for replies too). Calls pass untouched."""

    #: Bot API methods that answer a person (the first one of an update is its reply).
    REPLIES = ("send", "edit", "answer", "copy", "forward")
    #: Of those, the ones that put a new message in a chat (Telegram's per-chat limit).
    NEW_MESSAGES = ("send", "copy", "forward")

    def __init__(self, inner: BaseRequest | None = None) -> None:
        #: Called with the chat id after each new message (``Delivery.note_send``).
        self.on_sent: Callable[[int], None] | None = None
        # aiohttp, not PTB's httpx: at a 100 ms round trip the outbox keeps ~150 calls in
        # flight and up to MAX_RUNNING updates reply at once; httpx's pool served that at ~63
        # calls a second (handlers/http.py says why). A connection for each running update
        # and room for the outbox's beside them.
        self.inner = inner or AiohttpRequest(connection_pool_size=POOL_SIZE)

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        status, body = await self.inner.do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        name = url.rsplit("/", 1)[-1]
        if 200 <= status < 300 and name.startswith(self.REPLIES):
            replied()
            if self.on_sent is not None and request_data is not None and self._new_message(name):
                chat = request_data.parameters.get("chat_id")
                if isinstance(chat, int):
                    self.on_sent(chat)
        return status, body

    @classmethod
    def _new_message(cls, method: str) -> bool:
        return method.startswith(cls.NEW_MESSAGES) and method.lower() != "sendchataction"


def load_configured_agenda(settings: Settings) -> AgendaState:
    result = load_agenda(settings.AGENDA_PATH, settings.default_tz)
    for warning in result.warnings:
        log.warning("agenda %s: %s", settings.AGENDA_PATH, warning)
    return AgendaState(result=result, source=str(settings.AGENDA_PATH))


def wire_renderers(rt: Runtime, features: Sequence[Feature]) -> None:
    """Each feature's outbox renderers, bound to the runtime and to each row's recipient's
    language (``localized``: the row is rendered in their language at send time, whatever the
    sender's own context holds); every kind the core enqueues must have one, or rows of that
    kind would fail at send time: refuse to start instead."""
    for feature in features:
        for kind, renderer in feature.renderers.items():
            rt.delivery.register_renderer(kind, localized(functools.partial(renderer, rt)))
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

    request = TimedRequest()

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
        request.on_sent = rt.delivery.note_send
        await rt.start()
        for feature in features:
            if feature.startup is not None:
                await feature.startup(app, rt)
        await register_menus(app.bot, rt)

    stopped = False

    async def post_shutdown(app: ConfApp) -> None:
        nonlocal stopped
        if not app.bot_data.started or stopped:
            return
        stopped = True
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
        .request(request)
        .context_types(ContextTypes(context=BotContext, bot_data=BotData))
        .job_queue(JobQueue[BotContext]())
        .defaults(Defaults(tzinfo=state.conference.timezone))
        # Chats and people concurrently, each chat's and each person's updates in order.
        .concurrent_updates(OrderedUpdates())
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


# ------------------------------------------------------------------------------ running it
#: Long-poll timeout of ``confbot run`` (seconds Telegram holds a getUpdates open).
POLL_TIMEOUT = 10


async def start_application(
    app: ConfApp, *, poll_interval: float = 0.0, poll_timeout: float = POLL_TIMEOUT
) -> None:
    """What ``run_polling`` does, for both modes: initialise, build the runtime (``post_init``:
    the store, the features, the web server, the webhook), receive updates, start handling.

    In polling mode PTB's ``start_polling`` deletes any webhook first, so a bot moved back
    from webhooks to polling gets its updates again. On failure everything started is
    stopped again before the error is raised.
    """
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        runtime = app.bot_data.runtime
        if runtime.settings.UPDATE_MODE == "polling":
            assert app.updater is not None  # noqa: S101  the builder always makes one
            await app.updater.start_polling(
                poll_interval=poll_interval,
                timeout=int(poll_timeout),
                allowed_updates=web.ALLOWED_UPDATES,
                drop_pending_updates=False,
            )
        await app.start()
    except BaseException:
        await stop_application(app)
        raise


async def stop_application(app: ConfApp) -> None:
    """Stop in the order that loses nothing: stop receiving (the web server, polling), let
    the handlers finish what was received, then shut the runtime down (``post_shutdown``)."""
    server = app.bot_data.web
    if server is not None:
        await server.stop()
        app.bot_data.web = None
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await _finish_updates(app)
    with contextlib.suppress(RuntimeError):  # never initialised: nothing to shut down
        await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)


async def _finish_updates(app: ConfApp) -> None:
    """``Application.stop``: the updates already received (polling: fetched) are handled and
    the ones in progress finish, each recorded as usual; those still running after the
    processor's grace period are cancelled, so a stuck one cannot hold the shutdown."""
    stopping = asyncio.ensure_future(app.stop())
    processor = app.update_processor
    grace = processor.grace if isinstance(processor, OrderedUpdates) else None
    await asyncio.wait({stopping}, timeout=grace)
    if not stopping.done() and isinstance(processor, OrderedUpdates):
        await processor.drain(0)
    await stopping


def freeze_startup_objects() -> None:
    """What start-up built (the agenda, the question index, PTB's handlers) lives as long as
    the process: moved out of the cyclic GC's generations, a full collection stops walking it.
    Such a pause (tens of ms on a large programme) delays replies and lets queued sends reach
    Telegram together, over the broadcast's pace (bench/questions.py measured the outliers it
    removes). Only for ``confbot run``: a process that starts many bots (the tests) would keep
    every stopped one's cycles for good."""
    gc.collect()
    gc.freeze()


async def run_application(app: ConfApp, stop: asyncio.Event | None = None) -> None:
    """``confbot run``: serve until SIGINT or SIGTERM (or ``stop`` is set), then stop cleanly."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    try:
        await start_application(app)  # stops what it started if it fails
        freeze_startup_objects()
        try:
            await stop.wait()
            log.info("stopping")
        finally:
            await stop_application(app)
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
