"""Live calendar feeds: one token per user, stored only as its SHA-256.

A token is looked up by its hash (an index lookup on a hash reveals nothing about the token
by timing), then the stored hash is compared in constant time by the caller. Replacing the
hash is revoking: the old link finds no row and answers 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.store.db import Database
from bot.store.records import CalendarFeed, parse_ts, ts

_FEED_SQL = (
    "SELECT f.user_id, f.token_hash, f.created_at, f.etag, f.modified_at,"
    " coalesce(u.chosen_language, u.language) AS language"
    " FROM calendar_feeds f LEFT JOIN users u ON u.id = f.user_id"
)


#: Separates bookmarked session ids in one column (a unit separator: never in an id).
_SEP = "\x1f"


def _feed(r: Any, bookmarks: str | None = None) -> CalendarFeed:
    return CalendarFeed(
        user_id=int(r["user_id"]),
        created_at=parse_ts(str(r["created_at"])),
        etag=r["etag"],
        modified_at=parse_ts(str(r["modified_at"])) if r["modified_at"] else None,
        language=r["language"],
        token_hash=str(r["token_hash"]),
        bookmarks=tuple(bookmarks.split(_SEP)) if bookmarks else (),
    )


class CalendarFeedsRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def of_user(self, user_id: int) -> CalendarFeed | None:
        row = await self.db.fetchone(_FEED_SQL + " WHERE f.user_id = ?", (user_id,))
        return None if row is None else _feed(row)

    async def by_hash(self, token_hash: str) -> CalendarFeed | None:
        """The feed of a token's hash, with its owner's bookmarks (one query: feeds are
        polled), or None."""
        row = await self.db.fetchone(
            "SELECT f.user_id, f.token_hash, f.created_at, f.etag, f.modified_at,"
            " coalesce(u.chosen_language, u.language) AS language,"
            " (SELECT group_concat(b.session_id, char(31)) FROM bookmarks b"
            "  WHERE b.user_id = f.user_id) AS bookmarks"
            " FROM calendar_feeds f LEFT JOIN users u ON u.id = f.user_id"
            " WHERE f.token_hash = ?",
            (token_hash,),
        )
        return None if row is None else _feed(row, row["bookmarks"])

    async def replace(self, user_id: int, token_hash: str, now: datetime) -> None:
        """A new token for the user; the previous one (if any) stops working in this statement."""
        await self.db.execute(
            "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT(user_id) DO UPDATE SET token_hash = excluded.token_hash,"
            " created_at = excluded.created_at, etag = NULL, modified_at = NULL",
            (user_id, token_hash, ts(now)),
        )

    async def remove(self, user_id: int) -> bool:
        return await self.db.execute("DELETE FROM calendar_feeds WHERE user_id = ?", (user_id,)) > 0

    async def served(self, user_id: int, token_hash: str, etag: str, modified: datetime) -> None:
        """What the feed serves now; only for the token it was served for (a revoke meanwhile
        leaves the new token's row alone)."""
        await self.db.execute(
            "UPDATE calendar_feeds SET etag = ?, modified_at = ?"
            " WHERE user_id = ? AND token_hash = ?",
            (etag, ts(modified), user_id, token_hash),
        )

    async def count(self) -> int:
        return int(await self.db.scalar("SELECT count(*) FROM calendar_feeds") or 0)
