"""Counting every update and timing its first reply, for /metrics (``bot.telemetry``).

Registered in the earliest group, so an update is counted and its clock started before any
handler runs; the reply is timed where replies leave (``bot.app``'s request wrapper).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import TypeHandler

from handlers.common import Context, update_kind
from handlers.context import ConfApp
from handlers.feature import Feature

#: Before the shapes gate (-2), tracking (-1) and everything else: within one group PTB runs
#: only the first handler that matches, so each of these catch-all handlers needs its own.
GROUP = -3


async def count(update: Update, context: Context) -> None:
    context.rt.telemetry.update_started(update.update_id, update_kind(update))


def routes(app: ConfApp) -> None:
    app.add_handler(TypeHandler(Update, count), group=GROUP)


FEATURE = Feature("telemetry", routes=routes)
