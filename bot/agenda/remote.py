"""A live agenda: fetch ``AGENDA_URL`` politely, keep the last good copy on disk, never regress.

Why it is shaped like this:

* Conditional GETs (``If-None-Match`` / ``If-Modified-Since`` from the last good response), so
  an unchanged programme costs one request answered by a 304, and a server that ignores the
  validators but sends the same bytes is still "unchanged" (compared by digest, not parsed).
* A fetch that fails (network, timeout, 4xx/5xx, a body over the size cap) or returns a broken
  file never replaces the agenda: the last good one stays, and the outcome says why.
* The last good body and its validators live in ``cache_dir`` (next to the database), written
  atomically (temporary file + ``os.replace``), so a restart without network still serves the
  programme the attendees last saw. The body is written before its metadata, and the metadata
  carries the body's digest: a crash between the two leaves a usable body without validators,
  never validators for the wrong body.
* Parsing runs in a worker thread: a congress-sized export takes a noticeable fraction of a
  second, and the bot keeps answering meanwhile.
* Organisers hear about a failure once per streak and about the recovery once: the streak
  (since when, why) is kept on disk too, so a bot restarting in a loop does not repeat itself.

No telegram here: ``bot.live_agenda`` turns outcomes into ``/reload``-style agenda swaps and
organiser notices; ``handlers/live_agenda.py`` schedules the refresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import aiohttp

from bot.agenda.errors import AgendaError
from bot.agenda.loaders import LoadResult, load_bytes
from bot.clock import Clock

log = logging.getLogger("confbot.agenda.remote")

#: Seconds a whole fetch may take (connect, headers and body).
DEFAULT_TIMEOUT = 20.0
#: The biggest agenda we accept; real exports of large congresses are a few megabytes.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Recovery:
    """A failure streak that just ended: for the one "working again" notice."""

    since: datetime
    failures: int
    reason: str


@dataclass(frozen=True, slots=True)
class Unchanged:
    """304, or the same bytes again: nothing to do (``recovered`` if a streak just ended)."""

    recovered: Recovery | None = None


@dataclass(frozen=True, slots=True)
class Changed:
    """A new, valid agenda: to be applied like ``/reload``."""

    result: LoadResult
    recovered: Recovery | None = None
    #: What :meth:`AgendaFetcher.commit` keeps: (body, digest, etag, last_modified).
    pending: tuple[bytes, str, str | None, str | None] | None = field(
        default=None, repr=False, compare=False
    )


@dataclass(frozen=True, slots=True)
class Failed:
    """The last good agenda stays. ``first`` is true for the first failure of a streak only."""

    reason: str
    first: bool
    since: datetime
    failures: int


FetchOutcome = Unchanged | Changed | Failed


class _FetchError(Exception):
    """A fetch that produced no usable body; the message is the organiser-facing reason."""


def name_for_url(url: str) -> str:
    """The file name loaders see (errors and format sniffing): the URL path's last segment."""
    path = unquote(urlsplit(url).path).rstrip("/")
    name = path.rsplit("/", 1)[-1].strip()
    return name or "agenda"


def _atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` so readers see the old file or the new one, never half of either."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class AgendaFetcher:
    """Fetches one agenda URL; remembers the last good copy in memory and in ``cache_dir``."""

    def __init__(
        self,
        url: str,
        cache_dir: str | Path,
        default_tz: ZoneInfo | None,
        clock: Clock,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.url = url
        self.name = name_for_url(url)
        self.cache_dir = Path(cache_dir)
        self.default_tz = default_tz
        self.clock = clock
        self.timeout = timeout
        self.max_bytes = max_bytes
        # One set of files per URL: pointing AGENDA_URL elsewhere must not serve the old event.
        stem = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
        self._body_path = self.cache_dir / f"{stem}.body"
        self._meta_path = self.cache_dir / f"{stem}.meta.json"
        self._status_path = self.cache_dir / f"{stem}.status.json"
        self._lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None
        self._digest: str | None = None
        self._etag: str | None = None
        self._last_modified: str | None = None
        self._result: LoadResult | None = None
        self._failing_since: datetime | None = None
        self._failing_reason = ""
        self._failures = 0
        #: Requests sent, for tests and logs.
        self.requests = 0

    # -- state ------------------------------------------------------------------------------

    @property
    def last_good(self) -> LoadResult | None:
        """The agenda of the last good fetch (or of the cached copy), if any."""
        return self._result

    @property
    def failing_since(self) -> datetime | None:
        return self._failing_since

    @property
    def validators(self) -> dict[str, str]:
        """The conditional headers the next request will carry."""
        headers: dict[str, str] = {}
        if self._result is not None:
            if self._etag:
                headers["If-None-Match"] = self._etag
            if self._last_modified:
                headers["If-Modified-Since"] = self._last_modified
        return headers

    async def load_cache(self) -> LoadResult | None:
        """Read the last good copy from disk (at start); ``None`` if there is none usable.

        A cached body that no longer loads (a corrupted disk, a loader that got stricter) is
        dropped with a warning, and so are its validators: a 304 must never point at it.
        """
        self._load_status()
        try:
            body = await asyncio.to_thread(self._body_path.read_bytes)
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("agenda cache %s unreadable: %s", self._body_path, exc)
            return None
        meta = self._read_json(self._meta_path)
        try:
            result = await asyncio.to_thread(load_bytes, body, self.name, self.default_tz)
        except Exception as exc:
            log.warning("cached agenda for %s no longer loads, ignoring it: %s", self.url, exc)
            return None
        digest = _digest(body)
        self._digest, self._result = digest, result
        if meta.get("sha256") == digest and meta.get("url") == self.url:
            self._etag = meta.get("etag") or None
            self._last_modified = meta.get("last_modified") or None
        return result

    # -- fetching ---------------------------------------------------------------------------

    async def fetch(self, *, commit: bool = True) -> FetchOutcome:
        """One conditional GET; never raises for network or content trouble.

        With ``commit=False`` a :class:`Changed` is not yet the last good copy: the caller
        applies it and then calls :meth:`commit`. Until then the next fetch sends the old
        validators and sees the change again, so an agenda swap that crashed is retried
        instead of being skipped by a 304.
        """
        async with self._lock:
            try:
                outcome = await self._fetch()
            except _FetchError as exc:
                return await self._failed(str(exc))
            if commit and isinstance(outcome, Changed):
                await self._commit(outcome)
            return await self._succeeded(outcome)

    async def commit(self, changed: Changed) -> None:
        """Make a fetched change the last good copy, in memory and on disk."""
        async with self._lock:
            await self._commit(changed)

    async def _commit(self, changed: Changed) -> None:
        if changed.pending is None:
            return
        body, digest, etag, modified = changed.pending
        self._digest, self._etag, self._last_modified = digest, etag, modified
        self._result = changed.result
        try:
            await asyncio.to_thread(_atomic_write, self._body_path, body)
        except OSError as exc:  # served from memory; a restart falls back to the older copy
            log.warning("cannot keep the agenda from %s on disk: %s", self.url, exc)
        else:
            await self._save_meta()

    async def _fetch(self) -> Unchanged | Changed:
        status, headers, body = await self._get()
        if status == 304:
            if self._result is None:  # a server answering 304 to a request without validators
                self._etag = self._last_modified = None
                raise _FetchError("the server answered 304 Not Modified, but no copy is kept")
            return Unchanged()
        if status != 200:
            raise _FetchError(f"the server answered HTTP {status}")
        digest = _digest(body)
        etag, modified = headers.get("ETag"), headers.get("Last-Modified")
        if digest == self._digest and self._result is not None:
            if (etag, modified) != (self._etag, self._last_modified):
                self._etag, self._last_modified = etag, modified
                await self._save_meta()
            return Unchanged()
        try:
            result = await asyncio.to_thread(load_bytes, body, self.name, self.default_tz)
        except AgendaError as exc:
            raise _FetchError(f"the file is broken: {exc}") from exc
        except Exception as exc:  # a loader bug on odd input must not stop the refreshes
            log.exception("loading the agenda from %s failed unexpectedly", self.url)
            raise _FetchError(f"the file could not be read: {exc}") from exc
        for warning in result.warnings:
            log.warning("agenda %s: %s", self.url, warning)
        return Changed(result, pending=(body, digest, etag, modified))

    async def _get(self) -> tuple[int, Any, bytes]:
        self.requests += 1
        try:
            session = self._client()
            async with session.get(self.url, headers=self.validators) as resp:
                if resp.status != 200:
                    return resp.status, resp.headers, b""
                if (resp.content_length or 0) > self.max_bytes:
                    raise _FetchError(f"the file is larger than {self.max_bytes} bytes")
                chunks: list[bytes] = []
                size = 0
                async for chunk in resp.content.iter_chunked(64 * 1024):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise _FetchError(f"the file is larger than {self.max_bytes} bytes")
                    chunks.append(chunk)
                return resp.status, resp.headers, b"".join(chunks)
        except TimeoutError as exc:
            raise _FetchError(f"no answer within {self.timeout:g} s") from exc
        except aiohttp.ClientError as exc:
            raise _FetchError(f"cannot fetch it: {exc or type(exc).__name__}") from exc
        except OSError as exc:
            raise _FetchError(f"cannot fetch it: {exc}") from exc

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                headers={"User-Agent": "confbot (agenda refresh)"},
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- the failure streak -----------------------------------------------------------------

    async def _failed(self, reason: str) -> Failed:
        first = self._failing_since is None
        if first:
            self._failing_since = self.clock.now()
            self._failures = 0
            self._failing_reason = reason
        self._failures += 1
        await self._save_status()
        assert self._failing_since is not None  # noqa: S101  set just above; narrows the type
        log.warning(
            "agenda refresh from %s failed (%d in a row): %s", self.url, self._failures, reason
        )
        return Failed(reason, first, self._failing_since, self._failures)

    async def _succeeded(self, outcome: Unchanged | Changed) -> Unchanged | Changed:
        if self._failing_since is None:
            return outcome
        recovery = Recovery(self._failing_since, self._failures, self._failing_reason)
        self._failing_since, self._failures, self._failing_reason = None, 0, ""
        await self._save_status()
        log.info("agenda refresh from %s works again", self.url)
        if isinstance(outcome, Changed):
            return replace(outcome, recovered=recovery)
        return Unchanged(recovery)

    # -- disk -------------------------------------------------------------------------------

    async def _save_meta(self) -> None:
        meta = {
            "url": self.url,
            "sha256": self._digest,
            "etag": self._etag,
            "last_modified": self._last_modified,
            "saved_at": self.clock.now().isoformat(),
        }
        await self._write_json(self._meta_path, meta)

    async def _save_status(self) -> None:
        status: dict[str, Any] = {}
        if self._failing_since is not None:
            status = {
                "failing_since": self._failing_since.isoformat(),
                "failures": self._failures,
                "reason": self._failing_reason,
            }
        await self._write_json(self._status_path, status)

    def _load_status(self) -> None:
        status = self._read_json(self._status_path)
        try:
            since = datetime.fromisoformat(str(status["failing_since"]))
            failures = int(status.get("failures", 1))
        except (KeyError, TypeError, ValueError):
            return
        if since.tzinfo is None:
            return
        self._failing_since, self._failures = since, failures
        self._failing_reason = str(status.get("reason", ""))

    async def _write_json(self, path: Path, value: dict[str, Any]) -> None:
        data = json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")
        try:
            await asyncio.to_thread(_atomic_write, path, data)
        except OSError as exc:  # a full disk must not stop the bot from serving the agenda
            log.warning("cannot write %s: %s", path, exc)

    @staticmethod
    def _read_json(path: Path) -> dict[str, Any]:
        try:
            value = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}
