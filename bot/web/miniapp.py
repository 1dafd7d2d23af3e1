"""The timetable Mini App: its page, its static files and its JSON API, as an aiohttp sub-app.

The web server mounts it (``parent.add_subapp("/app/", miniapp_routes(backend, ...))``, see
``mount``); every URL the page uses is relative, so the prefix is the server's choice.

- ``GET /app/``: the page. ``GET /app/static/<version>/<file>``: its scripts and styles, served
  from memory with a strong ETag, gzip when the client takes it, and cached for a year: the
  version is a hash of all the files, so a new release has new URLs.
- ``GET /app/api/agenda``: the programme, built once per agenda (a reload makes a new one),
  gzip-compressed, with an ETag and ``304`` for ``If-None-Match``.
- ``GET /app/api/clock``: the bot's clock (the now-line); ``GET /app/api/search?q=``: session
  ids the chat's question engine finds; ``GET /app/api/sessions/<id>.ics``: one session's .ics.
- With ``Authorization: tma <initData>`` (validated in ``bot.web.initdata``; 401 otherwise):
  ``GET /app/api/me``, ``POST|DELETE /app/api/bookmarks/<id>``, ``POST /app/api/ratings/<id>``.

Errors under ``/app/api/`` are JSON ``{"error": code, "message": text}`` with the right status.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import logging
import mimetypes
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.agenda.model import Session
from bot.calendar import ics_filename, session_ics
from bot.feedback import FeedbackRefused, Refusal
from bot.web.agenda_json import MAX_QUERY, agenda_payload, conference_day, search
from bot.web.backend import AgendaView, MiniAppBackend
from bot.web.http import etag_matches
from bot.web.initdata import (
    DEFAULT_MAX_AGE,
    InitData,
    InitDataError,
    from_authorization,
    validate,
)

log = logging.getLogger("confbot.web.miniapp")

STATIC_DIR = Path(__file__).resolve().parent / "static"
#: The API's bodies are a few bytes (``{"rating": 4}``).
MAX_BODY = 4096
#: Files at least this big are sent gzip-compressed to clients that accept it.
GZIP_MIN = 512
_ASSET_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,80}$")
_ASSET_TYPES = {".js", ".css", ".svg", ".png", ".ico", ".txt", ".woff2", ".json"}
_COMPRESSIBLE = {".js", ".css", ".svg", ".txt", ".json", ".html"}
_VERSION_MARK = "%VERSION%"
#: Cross-origin embedding only by Telegram Web; no script or style from anywhere else.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " connect-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none';"
    " frame-ancestors 'self' https://web.telegram.org"
)
BACKEND_KEY: web.AppKey[MiniAppBackend] = web.AppKey("miniapp_backend", MiniAppBackend)


# ---------------------------------------------------------------------------------- helpers
def accepts_gzip(request: web.Request) -> bool:
    """Whether Accept-Encoding allows gzip (``gzip;q=0`` does not)."""
    for part in request.headers.get("Accept-Encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() not in ("gzip", "*"):
            continue
        q = params.strip().replace(" ", "")
        if q.startswith("q="):
            try:
                return float(q[2:]) > 0
            except ValueError:
                return False
        return True
    return False


def api_error(status: type[web.HTTPException], code: str, message: str, **headers: str) -> Any:
    body = json.dumps({"error": code, "message": message})
    kw: dict[str, Any] = {"text": body, "content_type": "application/json"}
    if headers:
        kw["headers"] = headers
    if status is web.HTTPRequestEntityTooLarge:
        return web.HTTPRequestEntityTooLarge(MAX_BODY, MAX_BODY + 1, **kw)
    return status(**kw)


def _security_headers(response: web.StreamResponse) -> None:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")


def _bytes_response(
    request: web.Request,
    body: bytes,
    gz: bytes | None,
    *,
    etag: str,
    content_type: str,
    cache: str,
) -> web.Response:
    """A 200 or 304 with the ETag, compressed when worth it and accepted."""
    headers = {"ETag": etag, "Cache-Control": cache, "Vary": "Accept-Encoding"}
    if etag_matches(request, etag):
        return web.Response(status=304, headers=headers)
    response = web.Response(headers=headers, content_type=content_type.split(";")[0])
    if ";" in content_type:
        response.charset = content_type.split("charset=")[-1]
    if gz is not None and accepts_gzip(request):
        response.body = gz
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.body = body
    return response


# ---------------------------------------------------------------------------------- assets
@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    gz: bytes | None
    etag: str
    content_type: str


def _asset(name: str, body: bytes) -> Asset:
    suffix = Path(name).suffix.lower()
    ctype = mimetypes.types_map.get(suffix, "application/octet-stream")
    if suffix == ".js":
        ctype = "text/javascript"
    if ctype.startswith("text/") or suffix in (".svg", ".json"):
        ctype += "; charset=utf-8"
    gz = None
    if suffix in _COMPRESSIBLE and len(body) >= GZIP_MIN:
        gz = gzip.compress(body, compresslevel=9, mtime=0)
    return Asset(body, gz, '"' + hashlib.sha256(body).hexdigest()[:20] + '"', ctype)


class StaticAssets:
    """The page and its files, read once: small, and served from memory by the bot itself."""

    def __init__(self, root: Path = STATIC_DIR) -> None:
        files = {
            p.name: p.read_bytes()
            for p in sorted(root.iterdir())
            if p.is_file() and p.suffix.lower() in _ASSET_TYPES and _ASSET_NAME.match(p.name)
        }
        digest = hashlib.sha256()
        for name, body in files.items():
            digest.update(name.encode() + b"\0" + body + b"\0")
        template = (root / "index.html").read_bytes()
        digest.update(template)
        self.version = digest.hexdigest()[:12]
        self.files = {name: _asset(name, body) for name, body in files.items()}
        self.index = _asset(
            "index.html", template.replace(_VERSION_MARK.encode(), self.version.encode())
        )


# ---------------------------------------------------------------------------------- agenda
class AgendaCache:
    """The agenda's JSON, raw and gzipped, for one agenda object at a time."""

    def __init__(self) -> None:
        self._state: AgendaView | None = None
        self._entry: tuple[bytes, bytes, str] | None = None
        self._lock = asyncio.Lock()

    async def get(self, state: AgendaView) -> tuple[bytes, bytes, str]:
        entry = self._entry
        if entry is not None and self._state is state:
            return entry
        async with self._lock:
            if self._entry is None or self._state is not state:
                # Building and compressing a 1,000-session agenda takes tens of milliseconds:
                # off the event loop, so other requests and the bot are not held up.
                self._entry = await asyncio.to_thread(self._build, state)
                self._state = state
            return self._entry

    @staticmethod
    def _build(state: AgendaView) -> tuple[bytes, bytes, str]:
        payload = agenda_payload(state)
        raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        etag = 'W/"' + hashlib.sha256(raw).hexdigest()[:24] + '"'
        payload["version"] = etag[3:-1]
        raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return raw, gzip.compress(raw, compresslevel=6, mtime=0), etag


# ---------------------------------------------------------------------------------- the app
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """JSON errors under /api/, the status codes aiohttp chose kept; nothing unhandled leaks."""
    is_api = "/api/" in request.path
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if not is_api or exc.content_type == "application/json" or exc.status < 400:
            _security_headers(exc)
            raise
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            exc.status, "error"
        )
        body = json.dumps({"error": code, "message": exc.reason})
        raise _like(exc, body) from None
    except Exception:
        log.exception("mini app request %s %s failed", request.method, request.path)
        if is_api:
            raise api_error(
                web.HTTPInternalServerError, "internal", "Something went wrong."
            ) from None
        raise web.HTTPInternalServerError() from None
    _security_headers(response)
    return response


def _like(exc: web.HTTPException, body: str) -> web.HTTPException:
    """The same error, with a JSON body (the two classes with arguments built as they need)."""
    kw: dict[str, Any] = {"text": body, "content_type": "application/json"}
    if isinstance(exc, web.HTTPMethodNotAllowed):
        return web.HTTPMethodNotAllowed(exc.method, exc.allowed_methods, **kw)
    if isinstance(exc, web.HTTPRequestEntityTooLarge):
        return web.HTTPRequestEntityTooLarge(MAX_BODY, MAX_BODY + 1, **kw)
    try:
        return type(exc)(**kw)
    except TypeError:
        return web.HTTPBadRequest(**kw)


class MiniApp:
    """The handlers, holding the backend, the identity check and the caches."""

    def __init__(
        self,
        backend: MiniAppBackend,
        *,
        bot_token: str,
        max_age: timedelta = DEFAULT_MAX_AGE,
        wall_clock: Callable[[], float] = time.time,
        static_dir: Path = STATIC_DIR,
    ) -> None:
        self.backend = backend
        self._token = bot_token
        self.max_age = max_age
        self.wall_clock = wall_clock
        self.assets = StaticAssets(static_dir)
        self.agenda_cache = AgendaCache()

    # ---- identity and input
    def identity(self, request: web.Request) -> InitData:
        raw = from_authorization(request.headers.get("Authorization"))
        try:
            return validate(raw, self._token, max_age=self.max_age, wall_clock=self.wall_clock)
        except InitDataError as exc:
            log.info("mini app: initData refused (%s) for %s", exc.reason, request.path)
            raise api_error(
                web.HTTPUnauthorized,
                "unauthorized",
                f"Open the timetable from Telegram ({exc.reason}).",
                **{"WWW-Authenticate": "tma"},
            ) from None

    @staticmethod
    async def body(request: web.Request) -> bytes:
        """The request body, refused with 413 past ``MAX_BODY`` whether announced or not."""
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise api_error(web.HTTPRequestEntityTooLarge, "too_large", "The body is too large.")
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = await request.content.readany()
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_BODY:
                raise api_error(
                    web.HTTPRequestEntityTooLarge, "too_large", "The body is too large."
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def session(self, request: web.Request) -> Session:
        """The session named in the path (its key or its id), or 404."""
        key = request.match_info["key"]
        session = self.backend.agenda().index.session_by_key(key)
        if session is None:
            raise api_error(web.HTTPNotFound, "unknown_session", "There is no such session.")
        return session

    def _clock(self) -> dict[str, Any]:
        now = self.backend.now()
        return {
            "now": now.isoformat(timespec="seconds"),
            "day": conference_day(self.backend.agenda(), now),
        }

    # ---- page and files
    async def index(self, request: web.Request) -> web.StreamResponse:
        a = self.assets.index
        response = _bytes_response(
            request, a.body, a.gz, etag=a.etag, content_type=a.content_type, cache="no-cache"
        )
        response.headers["Content-Security-Policy"] = CSP
        return response

    async def static(self, request: web.Request) -> web.StreamResponse:
        asset = self.assets.files.get(request.match_info["name"])
        if asset is None:
            raise web.HTTPNotFound()
        current = request.match_info["version"] == self.assets.version
        # An old version's URL still gets today's file, but is not cached for long under it.
        cache = "public, max-age=31536000, immutable" if current else "no-cache"
        return _bytes_response(
            request,
            asset.body,
            asset.gz,
            etag=asset.etag,
            content_type=asset.content_type,
            cache=cache,
        )

    # ---- public API
    async def agenda(self, request: web.Request) -> web.StreamResponse:
        raw, gz, etag = await self.agenda_cache.get(self.backend.agenda())
        return _bytes_response(
            request,
            raw,
            gz,
            etag=etag,
            content_type="application/json; charset=utf-8",
            cache="no-cache",
        )

    async def clock(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(self._clock(), headers={"Cache-Control": "no-store"})

    async def search(self, request: web.Request) -> web.StreamResponse:
        q = request.query.get("q")
        if q is None or not q.strip():
            raise api_error(web.HTTPBadRequest, "bad_query", "Say what to search for (q=...).")
        if len(q) > MAX_QUERY:
            raise api_error(
                web.HTTPBadRequest, "bad_query", f"Searches are at most {MAX_QUERY} characters."
            )
        ids = search(self.backend.agenda(), q, self.backend.now())
        return web.json_response({"q": q, "ids": ids}, headers={"Cache-Control": "no-store"})

    async def ics(self, request: web.Request) -> web.StreamResponse:
        session = self.session(request)
        conf = self.backend.agenda().conference
        data = session_ics(conf, session, now=self.backend.now())
        return web.Response(
            body=data,
            content_type="text/calendar",
            charset="utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{ics_filename(session.id)}"',
                "Cache-Control": "no-cache",
            },
        )

    # ---- the user's own
    async def me(self, request: web.Request) -> web.StreamResponse:
        ident = self.identity(request)
        uid = ident.user.id
        bookmarks = sorted(await self.backend.bookmarks(uid))
        ratings = dict(await self.backend.ratings(uid))
        return web.json_response(
            {
                **self._clock(),
                "user": {
                    "id": uid,
                    "first_name": ident.user.first_name,
                    "language_code": ident.user.language_code,
                    "language": await self.backend.language(ident.user),
                },
                "bookmarks": bookmarks,
                "ratings": ratings,
                "reminder_minutes": await self.backend.reminder_minutes(uid),
            },
            headers={"Cache-Control": "no-store"},
        )

    async def bookmark(self, request: web.Request) -> web.StreamResponse:
        await self.body(request)
        ident = self.identity(request)
        session = self.session(request)
        if session.is_break:
            raise api_error(web.HTTPBadRequest, "not_bookmarkable", "Breaks cannot be bookmarked.")
        on = request.method == "POST"
        uid = ident.user.id
        await self.backend.seen(ident.user)
        await self.backend.set_bookmark(uid, session.id, on)
        await self.backend.on_bookmark(uid, session.id, on)
        return web.json_response(
            {
                "session_id": session.id,
                "bookmarked": on,
                "reminder_minutes": await self.backend.reminder_minutes(uid),
            },
            headers={"Cache-Control": "no-store"},
        )

    async def rate(self, request: web.Request) -> web.StreamResponse:
        raw = await self.body(request)
        ident = self.identity(request)
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise api_error(web.HTTPBadRequest, "bad_json", "The body is not JSON.") from None
        rating = data.get("rating") if isinstance(data, dict) else None
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise api_error(web.HTTPBadRequest, "bad_rating", "A rating is a whole number 1-5.")
        session = self.session(request)
        await self.backend.seen(ident.user)
        try:
            previous = await self.backend.rate(ident.user.id, session.id, rating)
        except FeedbackRefused as exc:
            raise _refusal(exc.reason) from None
        return web.json_response(
            {"session_id": session.id, "rating": rating, "previous": previous},
            headers={"Cache-Control": "no-store"},
        )


def _refusal(reason: Refusal) -> Any:
    if reason is Refusal.UNKNOWN:
        return api_error(web.HTTPNotFound, "unknown_session", "There is no such session.")
    if reason is Refusal.NOT_STARTED:
        return api_error(web.HTTPConflict, "not_started", "Sessions are rated once they start.")
    if reason is Refusal.BREAK:
        return api_error(web.HTTPBadRequest, "not_rateable", "Breaks are not rated.")
    return api_error(web.HTTPBadRequest, "bad_rating", "A rating is a whole number 1-5.")


def miniapp_routes(
    backend: MiniAppBackend,
    *,
    bot_token: str,
    max_age: timedelta = DEFAULT_MAX_AGE,
    wall_clock: Callable[[], float] = time.time,
    static_dir: Path = STATIC_DIR,
) -> web.Application:
    """The Mini App as a sub-application; mount it at ``/app/`` (see ``mount``).

    ``bot_token`` checks initData; ``max_age`` is how old an initData may be; ``wall_clock``
    is real time for that check (epoch seconds; tests pass their own).
    """
    app = MiniApp(
        backend, bot_token=bot_token, max_age=max_age, wall_clock=wall_clock, static_dir=static_dir
    )
    sub = web.Application(middlewares=[_errors])
    sub[BACKEND_KEY] = backend
    r = sub.router
    r.add_get("/", app.index)
    r.add_get("/static/{version}/{name}", app.static)
    r.add_get("/api/agenda", app.agenda)
    r.add_get("/api/clock", app.clock)
    r.add_get("/api/search", app.search)
    r.add_get("/api/me", app.me)
    r.add_get(r"/api/sessions/{key}.ics", app.ics)
    r.add_post("/api/bookmarks/{key}", app.bookmark)
    r.add_delete("/api/bookmarks/{key}", app.bookmark)
    r.add_post("/api/ratings/{key}", app.rate)
    return sub


def mount(
    parent: web.Application,
    backend: MiniAppBackend,
    *,
    bot_token: str,
    prefix: str = "/app",
    **kw: Any,
) -> web.Application:
    """Add the Mini App under ``prefix`` (and a redirect from the bare prefix to ``prefix/``)."""
    sub = miniapp_routes(backend, bot_token=bot_token, **kw)

    async def slash(request: web.Request) -> web.StreamResponse:
        query = f"?{request.query_string}" if request.query_string else ""
        raise web.HTTPPermanentRedirect(prefix + "/" + query)

    parent.router.add_get(prefix, slash)
    parent.add_subapp(prefix + "/", sub)
    return sub
