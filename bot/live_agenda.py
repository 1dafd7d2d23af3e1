"""A live agenda: ``AGENDA_URL`` fetched at start and every ``AGENDA_REFRESH_MINUTES``.

A changed programme goes through ``Reloads.apply`` (the ``/reload`` path: diff, each affected
bookmarker told once, reminders re-planned). A failed or broken fetch keeps the last good
agenda; organisers hear about it once per failure streak and once when it recovers, through
the delivery outbox (kind ``agenda_notice``, rendered at send time).

At start the order matters:

1. the copy cached on disk by the previous run replaces the ``AGENDA_PATH`` agenda quietly:
   it is what attendees saw and bookmarked before the restart, so it is the baseline;
2. the URL is fetched; if it differs from the cached copy, the difference is applied like a
   reload, so bookmarkers hear about edits made while the bot was down;
3. with no cached copy (the first run with this URL) the fetched agenda replaces the
   ``AGENDA_PATH`` one quietly: nobody has seen it yet, and a diff against an unrelated file
   would only produce noise; with neither, ``AGENDA_PATH`` stays, with a logged warning.

This runs at start-up, before updates are read, so no update has read the agenda yet. The
fetching itself (HTTP, validators, the cache on disk) is ``bot.agenda.remote.AgendaFetcher``;
this module is the policy, tested with a fake ``Fetcher``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from bot.agenda.loaders import LoadResult
from bot.agenda.remote import Changed, Failed, FetchOutcome
from bot.agenda.state import AgendaState
from bot.config import Settings
from bot.reload import Enqueue, Reloads, summary
from bot.store import keys
from bot.store.records import Envelope

log = logging.getLogger("confbot.live_agenda")

NOTICE_KIND = keys.AGENDA_NOTICE


def cache_dir(settings: Settings) -> Path:
    """Next to the database, so whatever keeps the database keeps the last good agenda."""
    return settings.state_dir / "agenda-cache"


class Fetcher(Protocol):
    """What the policy needs of ``bot.agenda.remote.AgendaFetcher``."""

    url: str

    async def load_cache(self) -> LoadResult | None: ...

    async def fetch(self, *, commit: bool = True) -> FetchOutcome: ...

    async def commit(self, changed: Changed) -> None: ...

    async def close(self) -> None: ...


class LiveAgenda:
    """Fetch, apply, notify; one refresh at a time (the job and a manual call never overlap)."""

    def __init__(
        self,
        fetcher: Fetcher,
        reloads: Reloads,
        outbox: Enqueue,
        organisers: Collection[int],
        *,
        fallback: str = "",
    ) -> None:
        self.fetcher = fetcher
        self.url = fetcher.url
        self.reloads = reloads
        self.outbox = outbox
        self.organisers = sorted(organisers)
        self.clock = reloads.clock
        #: What stays served when neither the URL nor a cached copy is available (for logs).
        self.fallback = fallback
        #: Fetches that failed or did not load since start: read by /metrics.
        self.failures = 0
        self._lock = asyncio.Lock()

    async def start(self) -> FetchOutcome:
        async with self._lock:
            cached = await self.fetcher.load_cache()
            if cached is not None:
                await self._swap_quietly(cached, "the copy kept from the last run")
            outcome = await self.fetcher.fetch(commit=False)
            if isinstance(outcome, Changed):
                if cached is None:
                    await self._swap_quietly(outcome.result, "the first fetch")
                    await self.fetcher.commit(outcome)
                else:
                    await self._apply(outcome)
            elif isinstance(outcome, Failed) and cached is None:
                log.warning(
                    "agenda URL %s failed and no copy is kept (%s): serving AGENDA_PATH %s",
                    self.url,
                    outcome.reason,
                    self.fallback,
                )
            await self._notify(outcome)
            return outcome

    async def refresh_for(self, organiser: int) -> FetchOutcome:
        """``/reload`` with ``AGENDA_URL``: one refresh now, audited like every organiser act."""
        outcome = await self.refresh()
        await self.reloads.audit.log(organiser, "reload_url", self.clock.now(), detail=self.url)
        return outcome

    async def refresh(self) -> FetchOutcome:
        """One refresh: what the repeating job runs."""
        async with self._lock:
            outcome = await self.fetcher.fetch(commit=False)
            if isinstance(outcome, Changed):
                await self._apply(outcome)
            await self._notify(outcome)
            return outcome

    async def close(self) -> None:
        await self.fetcher.close()

    async def _swap_quietly(self, result: LoadResult, what: str) -> None:
        """Replace the agenda without notices, but let listeners (reminders) re-plan."""
        log.info(
            "agenda from %s (%s): %d sessions", self.url, what, len(result.conference.sessions)
        )
        await self.reloads.swap(AgendaState(result=result, source=self.url))

    async def _apply(self, outcome: Changed) -> None:
        """The ``/reload`` path; committed only once applied, so a crash here is retried."""
        try:
            applied = await self.reloads.apply(
                AgendaState(result=outcome.result, source=self.url), actor=None
            )
        except Exception:
            log.exception("applying the agenda fetched from %s failed; retried next time", self.url)
            return
        await self.fetcher.commit(outcome)
        log.info("agenda from %s applied: %s", self.url, summary(applied.changes))

    async def _notify(self, outcome: FetchOutcome) -> None:
        """Organisers: the first failure of a streak, and the recovery; nothing else."""
        payload: dict[str, Any]
        if isinstance(outcome, Failed):
            self.failures += 1
            if not outcome.first:
                return
            since = outcome.since
            payload = {"event": "failing", "reason": outcome.reason[:600]}  # Telegram: 4096
        else:
            recovery = outcome.recovered
            if recovery is None:
                return
            since = recovery.since
            payload = {"event": "recovered", "failures": recovery.failures}
        payload.update(url=self.url, since=since.isoformat())
        await self.notify_organisers(payload, str(payload["event"]), since)

    async def notify_organisers(self, payload: dict[str, Any], event: str, since: datetime) -> int:
        """One outbox row per organiser; the key makes a repeated notice (a restart) a no-op."""
        if not self.organisers:
            log.warning("live agenda notice not delivered (no organisers): %s", payload)
            return 0
        now = self.clock.now()
        return int(
            await self.outbox.enqueue(
                [
                    Envelope(
                        chat_id=chat,
                        kind=NOTICE_KIND,
                        payload=payload,
                        due_at=now,
                        dedup_key=keys.agenda_notice_key(event, since, chat),
                    )
                    for chat in self.organisers
                ]
            )
        )
