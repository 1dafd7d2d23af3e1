"""``POST /telegram``: updates pushed by Telegram (``UPDATE_MODE=webhook``).

A request is handled only with the right ``X-Telegram-Bot-Api-Secret-Token`` (compared in
constant time, before the body is read): anything else gets 403 and nothing is stored. The
update is handed to an ``UpdateSink``, which returns once it is durably recorded; only then
does Telegram get its 200. Telegram keeps an update until it gets a 2xx, so a crash at any
point loses nothing: before the record Telegram delivers it again, after it the sink finds it
at the next start. A store that cannot record answers 500, and Telegram retries later.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any, Protocol

from aiohttp import web

from bot.telemetry import Telemetry

log = logging.getLogger("confbot.web.webhook")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105  a header name


class MalformedUpdate(ValueError):
    """The body is not an update this bot can read."""


class UpdateSink(Protocol):
    async def accept(self, update_id: int, payload: str, data: dict[str, Any]) -> None:
        """Record the update durably (and queue it); return only once it is recorded.

        Raises ``MalformedUpdate`` for data that is not an update.
        """
        ...


class Webhook:
    def __init__(self, sink: UpdateSink, secret: str, telemetry: Telemetry) -> None:
        if not secret:
            raise ValueError("a webhook needs a secret")
        self.sink = sink
        self._secret = secret.encode()
        self.telemetry = telemetry

    def _refuse(self, reason: str, status: type[web.HTTPException]) -> web.HTTPException:
        self.telemetry.webhook_refused.labels(reason).inc()
        return status(text=f"{reason}\n")

    async def handle(self, request: web.Request) -> web.StreamResponse:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning(
                "webhook: refused a request without the right secret from %s", request.remote
            )
            raise self._refuse("forbidden", web.HTTPForbidden)
        raw = await request.read()  # over the server's client_max_size: 413
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise self._refuse("not JSON", web.HTTPBadRequest) from None
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if isinstance(update_id, bool) or not isinstance(update_id, int) or update_id < 0:
            raise self._refuse("not an update", web.HTTPBadRequest)
        self.telemetry.arrived(update_id)
        try:
            await self.sink.accept(update_id, raw.decode("utf-8"), data)
        except MalformedUpdate as exc:
            log.error("webhook: update %s cannot be read: %s", update_id, exc)
            raise self._refuse("not an update", web.HTTPBadRequest) from None
        except Exception:
            # Not recorded: Telegram keeps the update and delivers it again after a while.
            log.exception("webhook: update %s could not be recorded; Telegram retries", update_id)
            raise web.HTTPInternalServerError(text="not recorded, try again\n") from None
        return web.Response(status=200)
