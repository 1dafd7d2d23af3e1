"""Who a broadcast reaches: active users, linked speakers, bookmarkers of some sessions.

Only *active* users count: someone who blocked the bot (a 403 marked them inactive) is left
out until they ``/start`` again. Every answer is in user-id order, so a broadcast goes out in
a stable order and a resumed enqueue writes the same rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from bot.store.db import Database


class AudiencesRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def everyone(self) -> list[int]:
        rows = await self.db.fetchall("SELECT id FROM users WHERE active = 1 ORDER BY id")
        return [int(r[0]) for r in rows]

    async def speakers(self) -> list[int]:
        """Accounts linked to an agenda speaker."""
        rows = await self.db.fetchall(
            "SELECT l.user_id FROM speaker_links l JOIN users u ON u.id = l.user_id"
            " WHERE u.active = 1 ORDER BY l.user_id"
        )
        return [int(r[0]) for r in rows]

    async def bookmarkers(self, session_ids: Sequence[str]) -> list[int]:
        """People who bookmarked any of these sessions, each once (json_each: no limit)."""
        if not session_ids:
            return []
        rows = await self.db.fetchall(
            "SELECT DISTINCT b.user_id FROM bookmarks b JOIN users u ON u.id = b.user_id"
            " WHERE b.session_id IN (SELECT value FROM json_each(?)) AND u.active = 1"
            " ORDER BY b.user_id",
            (json.dumps(list(session_ids)),),
        )
        return [int(r[0]) for r in rows]
