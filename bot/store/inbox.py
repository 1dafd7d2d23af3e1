"""The webhook inbox: each update Telegram POSTs is written here before it is acknowledged.

Telegram keeps an update until the webhook answers 2xx, so answering only after this commit
means an update is never lost between Telegram and the store: a crash before the commit gets
it delivered again, a crash after it finds it here at the next start (``pending``). A row is
marked done once every handler has seen the update; done rows are kept a day (Telegram keeps
updates at most that long) so a redelivery of one already handled is recognised and dropped.
"""

from __future__ import annotations

from datetime import datetime

from bot.store.db import Database
from bot.store.records import InboxUpdate, parse_ts, ts


class InboxRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(self, update_id: int, payload: str, now: datetime) -> bool:
        """Committed on return; False if this update was recorded before (a redelivery)."""
        changed = await self.db.execute(
            "INSERT OR IGNORE INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?)",
            (update_id, payload, ts(now)),
        )
        return changed > 0

    async def done(self, update_id: int, now: datetime) -> None:
        await self.db.execute(
            "UPDATE inbox SET done_at = ? WHERE update_id = ? AND done_at IS NULL",
            (ts(now), update_id),
        )

    async def pending(self, limit: int = 10_000) -> list[InboxUpdate]:
        """Recorded but not yet handled (a crash or a stop came in between), oldest first."""
        rows = await self.db.fetchall(
            "SELECT update_id, payload, received_at FROM inbox WHERE done_at IS NULL"
            " ORDER BY update_id LIMIT ?",
            (limit,),
        )
        return [InboxUpdate(int(r[0]), str(r[1]), parse_ts(str(r[2]))) for r in rows]

    async def prune(self, before: datetime) -> int:
        """Forget handled updates received before ``before``."""
        return await self.db.execute(
            "DELETE FROM inbox WHERE done_at IS NOT NULL AND received_at < ?", (ts(before),)
        )

    async def depth(self) -> int:
        return int(await self.db.scalar("SELECT count(*) FROM inbox WHERE done_at IS NULL") or 0)
