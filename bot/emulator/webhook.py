"""Webhook mode: the emulator POSTs each update to the bot, as Telegram does.

Delivery follows the Bot API server's WebhookActor: updates of one queue (a chat, or one
person's callback or inline queries) go one at a time and in order, different queues in
parallel up to ``max_connections`` (default 40); a non-2xx answer or a timeout keeps the update
and retries it later (1 s, then doubling up to a minute, or the answer's Retry-After), and
``getWebhookInfo`` reports the last error in Telegram's words. A 2xx answer whose JSON body
names a ``method`` is executed, as Telegram does.

Like a Bot API server started with ``--local``, it accepts http URLs on any port. Safety rule
of this workplace: it only ever connects to loopback addresses. A public URL (what a bot
behind a reverse proxy registers) can be mapped to a local one with ``route()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import ipaddress
import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

if TYPE_CHECKING:
    from telegram.ext import Application

    from bot.emulator.server import BotApiEmulator

JsonDict = dict[str, Any]
logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_MAX_CONNECTIONS = 40
_SECRET_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def is_loopback_url(url: str) -> bool:
    """True when ``url``'s host is a loopback address (127.0.0.0/8, ::1) or ``localhost``."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class WebhookDelivery:
    """One POST of an update: ``status`` is the HTTP status, or None with ``error``."""

    update_id: int
    attempt: int
    status: int | None
    error: str | None
    at: float

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status <= 299


@dataclass
class _Queue:
    items: deque[JsonDict]
    wakeup_at: float = 0.0
    fails: int = 0
    delay: float = 0.0
    busy: bool = False


class WebhookDispatcher:
    """The webhook side of one emulator (one bot)."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        *,
        retry_delay: float = 1.0,
        max_retry_delay: float = 60.0,
        timeout: float = 60.0,
    ) -> None:
        self.emu = emulator
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.timeout = timeout
        #: Telegram accepts one setWebhook with a URL per second (429 retry after 1 otherwise).
        self.set_interval = 1.0
        self.url = ""
        self.target = ""
        self.secret_token = ""
        self.max_connections = 0
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.deliveries: list[WebhookDelivery] = []
        self.routes: dict[str, str] = {}
        self._queues: dict[int, _Queue] = {}
        self._ready: list[tuple[float, int, int]] = []  # (wakeup_at, head update_id, queue)
        self._in_flight = 0
        self._queued = 0  # updates waiting in the queues (not in flight)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._workers: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None
        self._next_set_time = 0.0

    @property
    def active(self) -> bool:
        return bool(self.url)

    @property
    def busy(self) -> bool:
        """Updates not yet acknowledged by the bot (wait_idle waits for them)."""
        return self._in_flight > 0 or self._queued > 0

    def route(self, public_prefix: str, local_base: str) -> None:
        """Deliver what the bot registers under ``public_prefix`` to ``local_base`` instead
        (the emulator plays the reverse proxy). ``local_base`` must be a loopback URL."""
        if not is_loopback_url(local_base):
            raise ValueError(f"{local_base!r} is not a loopback URL")
        self.routes[public_prefix.rstrip("/")] = local_base.rstrip("/")

    def _resolve(self, url: str) -> str:
        for prefix, local in sorted(self.routes.items(), key=lambda kv: -len(kv[0])):
            if url == prefix or url.startswith(prefix + "/") or url.startswith(prefix + "?"):
                return local + url[len(prefix) :]
        return url

    # ----------------------------------------------------------------- Bot API methods
    async def set(self, params: JsonDict) -> Any:
        """setWebhook (Client::process_set_webhook_query, do_set_webhook)."""
        from bot.emulator.server import ApiError, Described, bad_request

        url = str(params.get("url") or "")
        now = time.monotonic()
        if url:
            if now < self._next_set_time:
                raise ApiError(429, "Too Many Requests: retry after 1", 1)
            self._next_set_time = now + self.set_interval
        max_connections = params.get("max_connections")
        if not url:
            max_connections = 0
        elif not isinstance(max_connections, int):
            max_connections = DEFAULT_MAX_CONNECTIONS
        else:
            max_connections = min(max(max_connections, 1), 100)
        secret = str(params.get("secret_token") or "") if url else ""
        drop = bool(params.get("drop_pending_updates"))
        if (
            url == self.url
            and max_connections == self.max_connections
            and secret == self.secret_token
            and not drop
        ):
            self.emu._set_allowed(params.get("allowed_updates"))
            return Described(
                True, "Webhook is already set" if url else "Webhook is already deleted"
            )
        was_set = self.active
        await self._close()
        if drop:
            self.emu._drop_pending()
        if not url:
            return Described(
                True, "Webhook was deleted" if was_set else "Webhook is already deleted"
            )
        try:
            parts = urlsplit(url if "://" in url else "https://" + url)
            valid = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
        except ValueError:
            valid = False
        if not valid:
            raise bad_request("invalid webhook URL specified")
        if len(secret) > 256:
            raise bad_request("secret token is too long")
        if not set(secret) <= _SECRET_CHARS:
            raise bad_request("secret token contains unallowed characters")
        target = self._resolve(url if "://" in url else "https://" + url)
        if not is_loopback_url(target):
            raise bad_request(
                "bad webhook: the emulator delivers to loopback addresses only; map "
                f"{url!r} to a local URL with emu.webhook.route(public_prefix, local_base)"
            )
        self.url = url
        self.target = target
        self.secret_token = secret
        self.max_connections = max_connections
        self.last_error_date = None
        self.last_error_message = None
        self.emu._set_allowed(params.get("allowed_updates"))
        self.emu._signal.notify("updates")  # a pending long poll is terminated with 409
        for update in list(self.emu._pending.values()):
            self.enqueue(update)
        self._task = asyncio.get_running_loop().create_task(self._run())
        return Described(True, "Webhook was set")

    async def delete(self, drop_pending_updates: bool) -> Any:
        return await self.set({"url": "", "drop_pending_updates": drop_pending_updates})

    def info(self) -> JsonDict:
        """getWebhookInfo (Client::JsonWebhookInfo)."""
        data: JsonDict = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": self.emu.pending_updates,
        }
        if self.last_error_date is not None:
            data["last_error_date"] = self.last_error_date
            data["last_error_message"] = self.last_error_message
        if self.max_connections:
            data["max_connections"] = self.max_connections
        if self.url:
            data["ip_address"] = "127.0.0.1"
        allowed = self.emu.allowed_updates
        if allowed is not None:
            data["allowed_updates"] = allowed
        return data

    # ----------------------------------------------------------------- queueing
    def enqueue(self, update: JsonDict) -> None:
        from bot.emulator.server import webhook_queue_id

        qid = webhook_queue_id(update)
        queue = self._queues.get(qid)
        if queue is None:
            queue = self._queues[qid] = _Queue(deque())
        queue.items.append(update)
        self._queued += 1
        if len(queue.items) == 1 and not queue.busy:
            queue.wakeup_at = time.monotonic()
            heapq.heappush(self._ready, (queue.wakeup_at, int(update["update_id"]), qid))
        self._wake.set()

    def clear(self) -> None:
        for queue in self._queues.values():
            queue.items.clear()
        self._queues = {qid: q for qid, q in self._queues.items() if q.busy}
        self._queued = 0
        self._ready.clear()

    async def _close(self) -> None:
        """Forget the webhook; undelivered updates stay pending for getUpdates."""
        self.url = ""
        self.target = ""
        self.secret_token = ""
        self.max_connections = 0
        task, self._task = self._task, None
        workers, self._workers = set(self._workers), set()
        for worker in [*workers, *([task] if task else [])]:
            worker.cancel()
        for worker in [*workers, *([task] if task else [])]:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await worker
        self._queues.clear()
        self._ready.clear()
        self._in_flight = 0
        self._queued = 0
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def stop(self) -> None:
        await self._close()

    # ----------------------------------------------------------------- delivery
    async def _run(self) -> None:
        while True:
            now = time.monotonic()
            while self._ready and self._in_flight < self.max_connections:
                wakeup_at, _, qid = self._ready[0]
                if wakeup_at > now:
                    break
                heapq.heappop(self._ready)
                queue = self._queues.get(qid)
                if queue is None or queue.busy or not queue.items:
                    continue
                queue.busy = True
                self._in_flight += 1
                self._queued -= 1
                worker = asyncio.get_running_loop().create_task(self._deliver(qid, queue))
                self._workers.add(worker)
                worker.add_done_callback(self._workers.discard)
            self._wake.clear()
            timeout = None
            if self._ready and self._in_flight < self.max_connections:
                timeout = max(0.0, self._ready[0][0] - time.monotonic())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _deliver(self, qid: int, queue: _Queue) -> None:
        update = queue.items[0]
        status: int | None = None
        error: str | None = None
        retry_after = 0
        reply: Any = None
        rtt = self.emu.round_trip()
        try:
            if rtt:
                await asyncio.sleep(rtt / 2)
            if self._session is None:
                self._session = aiohttp.ClientSession(
                    connector=aiohttp.TCPConnector(limit=max(self.max_connections, 1)),
                    timeout=aiohttp.ClientTimeout(total=self.timeout),
                )
            headers = {"Content-Type": "application/json", "Accept-Encoding": "gzip, deflate"}
            if self.secret_token:
                headers[SECRET_HEADER] = self.secret_token
            body = json.dumps(update, ensure_ascii=False, separators=(",", ":")).encode()
            async with self._session.post(self.target, data=body, headers=headers) as resp:
                status = resp.status
                text = await resp.read()
                if 200 <= status <= 299:
                    with contextlib.suppress(ValueError, UnicodeDecodeError):
                        reply = json.loads(text) if text.strip() else None
                else:
                    error = (
                        f"Wrong response from the webhook: {status} {resp.reason or ''}".rstrip()
                    )
                    with contextlib.suppress(ValueError):
                        retry_after = int(resp.headers.get("Retry-After", "0"))
            if rtt:
                await asyncio.sleep(rtt - rtt / 2)
        except asyncio.CancelledError:
            raise
        except TimeoutError:
            error = "Read timeout expired"
        except aiohttp.ClientConnectorError as exc:
            refused = isinstance(exc.os_error, ConnectionRefusedError)
            error = "Connection refused" if refused else str(exc)
        except aiohttp.ClientError as exc:
            error = str(exc) or type(exc).__name__
        finally:
            self._in_flight -= 1
            queue.busy = False
        attempt = queue.fails + 1
        self.deliveries.append(
            WebhookDelivery(int(update["update_id"]), attempt, status, error, time.monotonic())
        )
        if error is None:
            if queue.items and queue.items[0] is update:
                queue.items.popleft()
            queue.fails = 0
            queue.delay = 0.0
            pending = self.emu._pending.get(int(update["update_id"]))
            if pending is update:
                del self.emu._pending[int(update["update_id"])]
            if isinstance(reply, dict) and isinstance(reply.get("method"), str):
                method = reply["method"]
                if method.lower() not in ("deletewebhook", "setwebhook", "close", "logout") and (
                    not method.lower().startswith("get")
                ):
                    params = {k: v for k, v in reply.items() if k != "method"}
                    await self.emu.call_internal(method, params)
            now = time.monotonic()
        else:
            self.last_error_date = int(time.time())
            self.last_error_message = error
            queue.fails += 1
            if retry_after > 0:
                delay = float(min(retry_after, 3600))
            elif queue.fails == 1:
                delay = self.retry_delay
            else:
                delay = min(self.max_retry_delay, max(queue.delay, self.retry_delay) * 2)
            queue.delay = delay
            now = time.monotonic() + delay
            self._queued += 1  # back in its queue
        self.emu._last_activity = time.monotonic()
        if queue.items:
            queue.wakeup_at = now
            heapq.heappush(self._ready, (now, int(queue.items[0]["update_id"]), qid))
        elif self._queues.get(qid) is queue:
            del self._queues[qid]  # empty queues are forgotten: memory stays O(busy chats)
        self.emu._signal.notify()
        self._wake.set()


class WebhookReceiver:
    """A tiny loopback HTTP server that records what the emulator POSTs (for tests).

    ``respond`` decides each answer: a status code, or an async callable receiving the
    request JSON and returning (status, body, headers). Defaults to 200 with an empty body.
    """

    def __init__(
        self,
        respond: int | Callable[[JsonDict], Awaitable[tuple[int, Any, dict[str, str]]]] = 200,
        path: str = "/telegram",
    ) -> None:
        self.respond = respond
        self.path = path
        self.received: list[JsonDict] = []
        self.headers: list[dict[str, str]] = []
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._event = asyncio.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    async def __aenter__(self) -> WebhookReceiver:
        app = web.Application()
        app.router.add_post(self.path, self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        data = await request.json()
        self.received.append(data)
        self.headers.append(dict(request.headers))
        self._event.set()
        if isinstance(self.respond, int):
            return web.Response(status=self.respond)
        status, body, headers = await self.respond(data)
        if isinstance(body, (dict, list)):
            return web.json_response(body, status=status, headers=headers)
        return web.Response(status=status, text=str(body or ""), headers=headers)

    async def wait(self, count: int = 1, timeout: float = 5.0) -> list[JsonDict]:
        """Wait until ``count`` POSTs have arrived; returns them all."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.received) < count:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"only {len(self.received)} webhook POST(s) within {timeout}s")
            self._event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), remaining)
        return list(self.received)


class PtbWebhookBridge(WebhookReceiver):
    """Feeds POSTed updates to a python-telegram-bot Application (no Updater needed).

    A wrong or missing secret gets 403, as a production endpoint should answer. Use it to run
    an Application in webhook mode against the emulator before the bot has its own server.
    """

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        secret_token: str = "",
        path: str = "/telegram",
    ) -> None:
        super().__init__(200, path)
        self.application = application
        self.secret_token = secret_token

    async def _handle(self, request: web.Request) -> web.Response:
        from telegram import Update

        if request.headers.get(SECRET_HEADER, "") != self.secret_token:
            return web.Response(status=403)
        data = await request.json()
        self.received.append(data)
        self.headers.append(dict(request.headers))
        self._event.set()
        update = Update.de_json(data, self.application.bot)
        await self.application.update_queue.put(update)
        return web.Response(status=200)
