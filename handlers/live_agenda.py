"""A live agenda: ``AGENDA_URL`` fetched at start and every ``AGENDA_REFRESH_MINUTES``.

A changed programme goes through ``bot.reload.apply_agenda`` (the ``/reload`` path: diff, each
affected bookmarker told once, reminders re-planned). A failed or broken fetch keeps the last
good agenda; organisers hear about it once per failure streak and once when it recovers,
through the delivery outbox (kind ``agenda_notice``, rendered at send time).

At start the order matters:

1. the copy cached on disk by the previous run replaces the ``AGENDA_PATH`` agenda quietly:
   it is what attendees saw and bookmarked before the restart, so it is the baseline;
2. the URL is fetched; if it differs from the cached copy, the difference is applied like a
   reload, so bookmarkers hear about edits made while the bot was down;
3. with no cached copy (the first run with this URL) the fetched agenda replaces the
   ``AGENDA_PATH`` one quietly: nobody has seen it yet, and a diff against an unrelated file
   would only produce noise; with neither, ``AGENDA_PATH`` stays, with a logged warning.

This runs in ``post_init``, before polling starts, so no update has read the agenda yet.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from telegram.ext import Application, ContextTypes

from bot import texts
from bot.agenda.loaders import LoadResult
from bot.agenda.remote import AgendaFetcher, Changed, Failed, FetchOutcome
from bot.config import Settings
from bot.delivery import Envelope
from bot.outgoing import OutgoingMessage
from bot.reload import apply_agenda, summary, swap_agenda
from bot.runtime import AgendaState, Runtime

log = logging.getLogger("confbot.agenda_refresh")

JOB_NAME = "agenda_refresh"
NOTICE_KIND = "agenda_notice"
SERVICE = "live_agenda"


def cache_dir(settings: Settings) -> Path:
    """Next to the database, so whatever keeps the database keeps the last good agenda."""
    return settings.state_dir / "agenda-cache"


class LiveAgenda:
    """Fetch, apply, notify; one refresh at a time (the job and a manual call never overlap)."""

    def __init__(self, rt: Runtime, fetcher: AgendaFetcher) -> None:
        self.rt = rt
        self.fetcher = fetcher
        self.url = fetcher.url
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
                    self.rt.settings.AGENDA_PATH,
                )
            await self._notify(outcome)
            return outcome

    async def refresh(self) -> FetchOutcome:
        """One refresh: what the repeating job runs (and what tests trigger directly)."""
        async with self._lock:
            outcome = await self.fetcher.fetch(commit=False)
            if isinstance(outcome, Changed):
                await self._apply(outcome)
            await self._notify(outcome)
            return outcome

    async def _swap_quietly(self, result: LoadResult, what: str) -> None:
        """Replace the agenda without notices, but let listeners (reminders) re-plan."""
        log.info(
            "agenda from %s (%s): %d sessions", self.url, what, len(result.conference.sessions)
        )
        await swap_agenda(self.rt, AgendaState(result=result, source=self.url))

    async def _apply(self, outcome: Changed) -> None:
        """The ``/reload`` path; committed only once applied, so a crash here is retried."""
        try:
            changes = await apply_agenda(
                self.rt, AgendaState(result=outcome.result, source=self.url), actor=None
            )
        except Exception:
            log.exception("applying the agenda fetched from %s failed; retried next time", self.url)
            return
        await self.fetcher.commit(outcome)
        log.info("agenda from %s applied: %s", self.url, summary(changes))

    async def _notify(self, outcome: FetchOutcome) -> None:
        """Organisers: the first failure of a streak, and the recovery; nothing else."""
        payload: dict[str, Any]
        if isinstance(outcome, Failed):
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
        await notify_organisers(
            self.rt, payload, f"live-agenda:{payload['event']}:{since.isoformat()}"
        )


async def notify_organisers(rt: Runtime, payload: dict[str, Any], key: str) -> int:
    """One outbox row per organiser; the key makes a repeated notice (a restart) a no-op."""
    organisers = sorted(rt.settings.ORGANISER_IDS)
    delivery = rt.services.get("delivery")
    if delivery is None or not organisers:
        log.warning("live agenda notice not delivered (no delivery or no organisers): %s", payload)
        return 0
    now = rt.clock.now()
    return int(
        await delivery.enqueue(
            [
                Envelope(
                    chat_id=chat,
                    kind=NOTICE_KIND,
                    payload=payload,
                    due_at=now,
                    dedup_key=f"{key}:{chat}",
                )
                for chat in organisers
            ]
        )
    )


def notice_renderer(rt: Runtime) -> Any:
    """Turn an ``agenda_notice`` row into a message at send time, in the conference's zone."""

    async def render(payload: dict[str, Any], chat_id: int) -> OutgoingMessage | None:
        try:
            since = datetime.fromisoformat(str(payload["since"])).astimezone(rt.tz)
            url = str(payload["url"])
            event = payload["event"]
        except (KeyError, TypeError, ValueError):
            return None
        if event == "failing":
            return OutgoingMessage(
                texts.live_agenda_failing(url, str(payload.get("reason", "")), since)
            )
        if event == "recovered":
            failures = int(payload.get("failures", 1))
            return OutgoingMessage(texts.live_agenda_recovered(url, failures, since))
        return None

    return render


async def refresh_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The repeating JobQueue callback."""
    rt: Runtime = context.application.bot_data["runtime"]
    live: LiveAgenda | None = rt.services.get(SERVICE)
    if live is not None:
        await live.refresh()


def register(app: Application) -> None:
    """Nothing to route: the live agenda has no commands, only a job set up in ``startup``."""


async def startup(app: Application, rt: Runtime) -> None:
    settings = rt.settings
    if not settings.AGENDA_URL:
        return
    fetcher = AgendaFetcher(settings.AGENDA_URL, cache_dir(settings), settings.default_tz, rt.clock)
    live = LiveAgenda(rt, fetcher)
    rt.services[SERVICE] = live
    delivery = rt.services.get("delivery")
    if delivery is not None:
        delivery.register_renderer(NOTICE_KIND, notice_renderer(rt))
    await live.start()
    interval = settings.AGENDA_REFRESH_MINUTES * 60
    if app.job_queue is None:
        log.warning("no JobQueue: AGENDA_URL is fetched at start only")
        return
    app.job_queue.run_repeating(
        refresh_job,
        interval=interval,
        first=interval,
        name=JOB_NAME,
        # A refresh late by less than an interval still runs; missed ones collapse into one.
        job_kwargs={
            "misfire_grace_time": int(max(interval, 30)),
            "coalesce": True,
            "max_instances": 1,
        },
    )


async def shutdown(app: Application, rt: Runtime) -> None:
    live: LiveAgenda | None = rt.services.get(SERVICE)
    if live is not None:
        await live.fetcher.close()


__all__ = ["JOB_NAME", "NOTICE_KIND", "LiveAgenda", "cache_dir", "refresh_job", "startup"]
