"""The bot's one web server (aiohttp), in the bot's process and event loop.

| path | what | module |
| --- | --- | --- |
| ``POST /telegram`` | updates from Telegram (``UPDATE_MODE=webhook`` only) | ``bot.web.webhook`` |
| ``GET /healthz`` | JSON health, 200 or 503 | ``bot.web.health`` |
| ``GET /metrics`` | Prometheus text format | ``bot.web.metrics`` |
| ``GET /cal/TOKEN.ics``, ``GET /cal/conference.ics`` | live calendar feeds | ``bot.web.feeds`` |
| ``/app/`` | the timetable Mini App | ``bot.web.miniapp`` |

Every request is logged (``confbot.web.access``) with its path, status, size and duration;
feed tokens are masked, query strings are not logged, and headers (the webhook secret, a
metrics token, Mini App initData) never are. Unknown paths get 404, wrong methods 405 with
``Allow``, bodies over ``MAX_BODY`` 413 (announced or not), and an unexpected failure a bare
500 (logged with its traceback).

The server reaches the bot only through the typed ``Runtime`` (and, for webhooks, an
``UpdateSink`` the Telegram side provides), so nothing here imports telegram.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from bot.runtime import Runtime
from bot.web.feeds import Feeds
from bot.web.health import Check, Health
from bot.web.http import loggable_path
from bot.web.initdata import DEFAULT_MAX_AGE
from bot.web.metrics import Metrics
from bot.web.miniapp import mount
from bot.web.runtime_backend import RuntimeBackend
from bot.web.webhook import UpdateSink, Webhook

log = logging.getLogger("confbot.web")
access_log = logging.getLogger("confbot.web.access")

#: The largest request body accepted (Telegram's updates are a few KB; 1 MiB is generous).
MAX_BODY = 1024 * 1024
#: Seconds a stopping server gives requests in flight.
SHUTDOWN_TIMEOUT = 5.0
RUNTIME_KEY: web.AppKey[Runtime] = web.AppKey("runtime", Runtime)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class RedactedAccessLogger(AbstractAccessLogger):
    """One line per request, secrets left out (see the module docstring)."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %s %dB %.1fms",
            request.remote or "-",
            request.method,
            loggable_path(request.path),
            response.status,
            response.body_length,
            time * 1000,
        )

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)


#: Requests handled at once; the rest wait their turn (see ``_guard``).
MAX_CONCURRENT = 32
_SLOTS: web.AppKey[asyncio.Semaphore] = web.AppKey("slots", asyncio.Semaphore)


@web.middleware
async def _guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """413 for an announced oversized body; a bare 500 for anything unexpected.

    At most ``MAX_CONCURRENT`` requests are handled at once: a crowd of clients then waits in
    line instead of filling the event loop the bot shares, so its replies and the outbox
    sender keep their turns.
    """
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(MAX_BODY, request.content_length)
    try:
        async with request.app[_SLOTS]:
            return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("%s %s failed", request.method, loggable_path(request.path))
        raise web.HTTPInternalServerError(text="internal error\n") from None


def build_web_app(
    rt: Runtime,
    *,
    bot_token: str,
    updates: UpdateSink | None = None,
    webhook_secret: str | None = None,
    metrics_token: str | None = None,
    checks: Mapping[str, Check] | None = None,
    health_interval: float = 1.0,
    miniapp_max_age: timedelta = DEFAULT_MAX_AGE,
    wall_clock: Callable[[], float] = time.time,
) -> web.Application:
    """The aiohttp application (the server's routes), for ``WebServer`` and tests."""
    app = web.Application(middlewares=[_guard], client_max_size=MAX_BODY)
    app[RUNTIME_KEY] = rt
    app[_SLOTS] = asyncio.Semaphore(MAX_CONCURRENT)
    router = app.router
    health = Health(rt, checks=checks, interval=health_interval)
    router.add_get("/healthz", health.handle)
    router.add_get("/metrics", Metrics(rt, token=metrics_token).handle)
    Feeds(rt.calendar_feeds).add_routes(router)
    if updates is not None:
        if not webhook_secret:
            raise ValueError("webhook mode needs a secret")
        router.add_post("/telegram", Webhook(updates, webhook_secret, rt.telemetry).handle)
    mount(
        app,
        RuntimeBackend(rt),
        bot_token=bot_token,
        max_age=miniapp_max_age,
        wall_clock=wall_clock,
    )
    return app


class WebServer:
    """Listens on ``host:port`` (port 0: a free one, read back from ``port``)."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    @property
    def running(self) -> bool:
        return self._runner is not None

    @property
    def local_url(self) -> str:
        """The address to reach it from this machine (``http://127.0.0.1:PORT``)."""
        host = self.host
        if host in ("0.0.0.0", "::", ""):  # noqa: S104  every interface includes loopback
            host = "127.0.0.1" if host != "::" else "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        if self._runner is not None:
            return
        runner = web.AppRunner(
            self.app,
            access_log=access_log,
            access_log_class=RedactedAccessLogger,
            shutdown_timeout=SHUTDOWN_TIMEOUT,
            handle_signals=False,
        )
        await runner.setup()
        try:
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(1024)
            sock.setblocking(False)
            site = web.SockSite(runner, sock)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self.port = int(sock.getsockname()[1])
        self._runner = runner
        log.info("web server listening on %s", self.local_url)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()


__all__ = ["MAX_BODY", "RUNTIME_KEY", "WebServer", "build_web_app"]
