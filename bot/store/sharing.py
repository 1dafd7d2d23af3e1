"""Shared-schedule links: one active link per user, kept as the SHA-256 of its token.

Making a new link revokes the previous one in the same transaction (the partial unique
index ``share_links_active`` holds the rule even against a racing second press). Revoked
links are kept, so opening one can be answered with "this link no longer works".
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.store.db import Database, parse_ts, ts
from bot.store.records import ShareLink


def _link(row: aiosqlite.Row) -> ShareLink:
    revoked = row["revoked_at"]
    return ShareLink(
        user_id=int(row["user_id"]),
        first_name=str(row["first_name"]),
        created_at=parse_ts(str(row["created_at"])),
        revoked_at=parse_ts(str(revoked)) if revoked is not None else None,
    )


class ShareLinksRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, user_id: int, token_hash: str, first_name: str, now: datetime) -> int:
        """Store a new active link for the user; returns how many older links it revoked."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE share_links SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                (ts(now), user_id),
            )
            revoked = cur.rowcount
            await conn.execute(
                "INSERT INTO share_links (token_hash, user_id, first_name, created_at)"
                " VALUES (?, ?, ?, ?)",
                (token_hash, user_id, first_name, ts(now)),
            )
            return revoked

    async def active(self, user_id: int) -> ShareLink | None:
        row = await self.db.fetchone(
            "SELECT user_id, first_name, created_at, revoked_at FROM share_links"
            " WHERE user_id = ? AND revoked_at IS NULL",
            (user_id,),
        )
        return _link(row) if row is not None else None

    async def find(self, token_hash: str) -> ShareLink | None:
        """The link with this hash, active or revoked."""
        row = await self.db.fetchone(
            "SELECT user_id, first_name, created_at, revoked_at FROM share_links"
            " WHERE token_hash = ?",
            (token_hash,),
        )
        return _link(row) if row is not None else None

    async def revoke(self, user_id: int, now: datetime) -> int:
        """Revoke the user's active link; 0 when there was none."""
        return await self.db.execute(
            "UPDATE share_links SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
            (ts(now), user_id),
        )
