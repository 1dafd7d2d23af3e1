"""What ``/metrics`` and ``/healthz`` read from the database: counts, never rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.store.db import Database
from bot.store.records import OutboxCount, ts


class TelemetryRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def outbox_counts(self) -> list[OutboxCount]:
        rows = await self.db.fetchall(
            "SELECT kind, state, count(*) FROM outbox GROUP BY kind, state ORDER BY kind, state"
        )
        return [OutboxCount(str(r[0]), str(r[1]), int(r[2])) for r in rows]

    async def outbox_depth(self, now: datetime) -> tuple[int, int]:
        """(rows waiting to be sent, of which due now): pending or in flight."""
        row = await self.db.fetchone(
            "SELECT count(*), coalesce(sum(due_at <= ?), 0) FROM outbox"
            " WHERE state IN ('pending', 'inflight')",
            (ts(now),),
        )
        return (int(row[0]), int(row[1])) if row else (0, 0)

    async def late(self, kinds: Sequence[str], now: datetime, grace: float) -> tuple[int, int]:
        """(sent late, waiting late) rows of ``kinds``: sent, or still unsent at ``now``, more
        than ``grace`` seconds after they were due (or enqueued, if enqueued after their due
        time: a bookmark made five minutes before a talk is not a late reminder)."""
        marks = ",".join("?" * len(kinds))
        row = await self.db.fetchone(
            "SELECT"  # noqa: S608  marks are placeholders
            " coalesce(sum(state = 'sent' AND julianday(sent_at)"
            "   > max(julianday(due_at), julianday(created_at)) + ?), 0),"
            " coalesce(sum(state IN ('pending', 'inflight') AND julianday(?)"
            "   > max(julianday(due_at), julianday(created_at)) + ?), 0)"
            f" FROM outbox WHERE kind IN ({marks})",
            (grace / 86400, ts(now), grace / 86400, *kinds),
        )
        return (int(row[0]), int(row[1])) if row else (0, 0)
