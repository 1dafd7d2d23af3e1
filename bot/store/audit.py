"""The organisers' audit log: who did what, when, to how many people.

Broadcasts reach thousands and reloads change what everyone sees, so every organiser action is
recorded before its effect, to answer "who sent that?" after the fact.
"""

from __future__ import annotations

from datetime import datetime

from bot.store.db import Database
from bot.store.records import AuditEntry, parse_ts, ts


class AuditRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def log(
        self,
        user_id: int,
        action: str,
        now: datetime,
        *,
        detail: str = "",
        audience_size: int | None = None,
    ) -> None:
        await self.db.execute(
            "INSERT INTO audit_log (user_id, action, detail, audience_size, at)"
            " VALUES (?, ?, ?, ?, ?)",
            (user_id, action, detail[:2000], audience_size, ts(now)),
        )

    async def recent(self, limit: int = 50, *, action: str | None = None) -> list[AuditEntry]:
        sql = "SELECT id, user_id, action, detail, audience_size, at FROM audit_log"
        params: tuple[object, ...] = ()
        if action is not None:
            sql += " WHERE action = ?"
            params = (action,)
        rows = await self.db.fetchall(sql + " ORDER BY id DESC LIMIT ?", (*params, limit))
        return [
            AuditEntry(
                id=int(r[0]),
                user_id=int(r[1]),
                action=str(r[2]),
                detail=str(r[3]),
                audience_size=r[4],
                at=parse_ts(r[5]),
            )
            for r in rows
        ]
