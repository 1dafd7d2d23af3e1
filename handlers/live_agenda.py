"""The live agenda in Telegram: the JobQueue job that refreshes ``AGENDA_URL``, and the
organisers' notices (failing since ..., working again) rendered at send time.

The fetch / apply / notify policy is ``bot.live_agenda``; ``/reload`` with ``AGENDA_URL``
is in ``handlers.reload``.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot import texts
from bot.live_agenda import NOTICE_KIND
from bot.outgoing import OutgoingMessage
from bot.runtime import Runtime
from bot.store.records import OutboxRow
from handlers.context import BotContext, ConfApp
from handlers.feature import Feature

log = logging.getLogger("confbot.live_agenda")

JOB_NAME = "agenda_refresh"


async def render_notice(rt: Runtime, row: OutboxRow) -> OutgoingMessage | None:
    """An ``agenda_notice`` row as a message, its times in the conference's zone."""
    payload = row.payload
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


async def refresh_job(context: BotContext) -> None:
    """The repeating JobQueue callback."""
    live = context.rt.live_agenda
    if live is not None:
        await live.refresh()


async def startup(app: ConfApp, rt: Runtime) -> None:
    """With ``AGENDA_URL``: refresh every ``AGENDA_REFRESH_MINUTES`` (fetched once at start)."""
    if rt.live_agenda is None:
        return
    if app.job_queue is None:
        raise RuntimeError(
            "AGENDA_URL needs PTB's JobQueue: install python-telegram-bot[job-queue]"
        )
    interval = rt.settings.AGENDA_REFRESH_MINUTES * 60
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


FEATURE = Feature("live_agenda", renderers={NOTICE_KIND: render_notice}, startup=startup)
