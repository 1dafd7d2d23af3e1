"""Bookmarks: which sessions each attendee follows (reminders, feedback prompts, change notices)."""

from __future__ import annotations

import json
from datetime import datetime

from bot.store.db import Database, ts


class BookmarksRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def toggle(self, user_id: int, session_id: str, now: datetime) -> bool:
        """Flip a bookmark in one transaction; True when it is now set."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "DELETE FROM bookmarks WHERE user_id = ? AND session_id = ?", (user_id, session_id)
            )
            if cur.rowcount:
                return False
            await conn.execute(
                "INSERT INTO bookmarks (user_id, session_id, created_at) VALUES (?, ?, ?)",
                (user_id, session_id, ts(now)),
            )
            return True

    async def add(self, user_id: int, session_id: str, now: datetime) -> None:
        await self.db.execute(
            "INSERT OR IGNORE INTO bookmarks (user_id, session_id, created_at) VALUES (?, ?, ?)",
            (user_id, session_id, ts(now)),
        )

    async def remove(self, user_id: int, session_id: str) -> None:
        await self.db.execute(
            "DELETE FROM bookmarks WHERE user_id = ? AND session_id = ?", (user_id, session_id)
        )

    async def has(self, user_id: int, session_id: str) -> bool:
        row = await self.db.fetchone(
            "SELECT 1 FROM bookmarks WHERE user_id = ? AND session_id = ?", (user_id, session_id)
        )
        return row is not None

    async def of_user(self, user_id: int) -> list[str]:
        rows = await self.db.fetchall(
            "SELECT session_id FROM bookmarks WHERE user_id = ?", (user_id,)
        )
        return [str(r[0]) for r in rows]

    async def users_of(self, session_id: str, *, active_only: bool = True) -> list[int]:
        sql = (
            "SELECT b.user_id FROM bookmarks b JOIN users u ON u.id = b.user_id"  # noqa: S608  only a fixed filter is added
            " WHERE b.session_id = ?"
            + (" AND u.active = 1" if active_only else "")
            + " ORDER BY b.user_id"
        )
        return [int(r[0]) for r in await self.db.fetchall(sql, (session_id,))]

    async def count_users_of(self, session_ids: tuple[str, ...] | list[str]) -> int:
        """Active people who bookmarked any of these sessions (a reload's audience)."""
        if not session_ids:
            return 0
        value = await self.db.scalar(
            "SELECT count(DISTINCT b.user_id) FROM bookmarks b JOIN users u ON u.id = b.user_id"
            " WHERE u.active = 1 AND b.session_id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(session_ids)),),
        )
        return int(value or 0)

    async def bookmarkers(self) -> int:
        """How many people have at least one bookmark."""
        return int(await self.db.scalar("SELECT count(DISTINCT user_id) FROM bookmarks") or 0)

    async def count(self) -> int:
        return int(await self.db.scalar("SELECT count(*) FROM bookmarks") or 0)
