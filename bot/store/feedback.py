"""Ratings and comments: one row per user and session, the last rating wins.

Every write is one transaction, so a crash never leaves half a rating, and a restart neither
loses nor duplicates one (the primary key is (user, session)). The statistics queries take an
optional set of session ids so the speakers feature can ask for its own sessions only.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from datetime import datetime

from bot.store.db import Database
from bot.store.records import Aggregate, FeedbackRow, StoredComment, parse_ts, ts

#: The kv key of the secret that pseudonymises users in exports.
PSEUDONYM_KEY = "feedback.pseudonym_key"


def _ids_filter(
    session_ids: Iterable[str] | None, column: str = "session_id"
) -> tuple[str, list[str]]:
    """A ``WHERE`` fragment for an optional id set (json_each: no bound-variable limit)."""
    if session_ids is None:
        return "", []
    return f" WHERE {column} IN (SELECT value FROM json_each(?))", [json.dumps(list(session_ids))]  # noqa: S608  column is a name from this module


class FeedbackRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def rate(self, user_id: int, session_id: str, rating: int, now: datetime) -> int | None:
        """Store (or replace) a rating in one transaction; returns the previous rating, if any.

        The comment is kept when the rating changes: it is about the session, not the number.
        """
        if not 1 <= rating <= 5:
            raise ValueError("rating must be between 1 and 5")
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT rating FROM feedback WHERE user_id = ? AND session_id = ?",
                (user_id, session_id),
            ) as cur:
                row = await cur.fetchone()
            await conn.execute(
                "INSERT INTO feedback (user_id, session_id, rating, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(user_id, session_id) DO UPDATE SET"
                " rating = excluded.rating, updated_at = excluded.updated_at",
                (user_id, session_id, rating, ts(now), ts(now)),
            )
            return int(row[0]) if row is not None else None

    async def set_comment(
        self, user_id: int, session_id: str, comment: str | None, now: datetime
    ) -> bool:
        """Attach (or replace, or clear) the comment of an existing rating; False if none."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE feedback SET comment = ?, updated_at = ?"
                " WHERE user_id = ? AND session_id = ?",
                (comment, ts(now), user_id, session_id),
            )
            return cur.rowcount > 0

    async def get(self, user_id: int, session_id: str) -> tuple[int, str | None] | None:
        """(rating, comment) of one user on one session."""
        row = await self.db.fetchone(
            "SELECT rating, comment FROM feedback WHERE user_id = ? AND session_id = ?",
            (user_id, session_id),
        )
        return (int(row[0]), row[1]) if row is not None else None

    async def rated_by(self, user_id: int) -> dict[str, int]:
        rows = await self.db.fetchall(
            "SELECT session_id, rating FROM feedback WHERE user_id = ?", (user_id,)
        )
        return {str(r[0]): int(r[1]) for r in rows}

    async def count(self) -> int:
        return int(await self.db.scalar("SELECT count(*) FROM feedback") or 0)

    async def aggregates(self, session_ids: Iterable[str] | None = None) -> list[Aggregate]:
        where, params = _ids_filter(session_ids)
        rows = await self.db.fetchall(
            "SELECT session_id, count(*), sum(rating),"  # noqa: S608  where is _ids_filter's fixed text
            " sum(rating = 1), sum(rating = 2), sum(rating = 3), sum(rating = 4), sum(rating = 5)"
            f" FROM feedback{where} GROUP BY session_id",
            params,
        )
        return [
            Aggregate(
                session_id=str(r[0]),
                count=int(r[1]),
                total=int(r[2]),
                distribution=(int(r[3]), int(r[4]), int(r[5]), int(r[6]), int(r[7])),
            )
            for r in rows
        ]

    async def latest_comments(
        self, per_session: int, session_ids: Iterable[str] | None = None
    ) -> list[StoredComment]:
        """The ``per_session`` most recent non-empty comments of each session, newest first."""
        where, params = _ids_filter(session_ids)
        extra = " AND " if where else " WHERE "
        rows = await self.db.fetchall(
            "SELECT session_id, rating, comment, updated_at FROM ("  # noqa: S608  where/extra are fixed text
            " SELECT session_id, rating, comment, updated_at, row_number() OVER ("
            "  PARTITION BY session_id ORDER BY updated_at DESC, user_id) AS n"
            f" FROM feedback{where}{extra}comment IS NOT NULL AND comment != ''"
            ") WHERE n <= ? ORDER BY session_id, updated_at DESC",
            [*params, per_session],
        )
        return [StoredComment(str(r[0]), int(r[1]), str(r[2]), parse_ts(str(r[3]))) for r in rows]

    async def rows(self, session_ids: Iterable[str] | None = None) -> list[FeedbackRow]:
        """Every rating, oldest first within a session (the export)."""
        where, params = _ids_filter(session_ids)
        rows = await self.db.fetchall(
            "SELECT user_id, session_id, rating, comment, created_at, updated_at"  # noqa: S608  where is _ids_filter's fixed text
            f" FROM feedback{where} ORDER BY session_id, updated_at, user_id",
            params,
        )
        return [
            FeedbackRow(
                user_id=int(r[0]),
                session_id=str(r[1]),
                rating=int(r[2]),
                comment=r[3],
                created_at=parse_ts(str(r[4])),
                updated_at=parse_ts(str(r[5])),
            )
            for r in rows
        ]

    async def pseudonym_secret(self) -> bytes:
        """The export's HMAC key, created on first use and kept: pseudonyms stay stable."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT OR IGNORE INTO kv (key, value) VALUES (?, ?)",
                (PSEUDONYM_KEY, secrets.token_hex(32)),
            )
            async with conn.execute("SELECT value FROM kv WHERE key = ?", (PSEUDONYM_KEY,)) as cur:
                row = await cur.fetchone()
        assert row is not None  # noqa: S101  inserted just above, in the same transaction
        return bytes.fromhex(str(row[0]))

    async def audit_export(self, user_id: int, ratings: int, now: datetime) -> None:
        """Organiser actions are audited; an export hands out every rating and comment."""
        await self.db.execute(
            "INSERT INTO audit_log (user_id, action, detail, audience_size, at)"
            " VALUES (?, 'export', 'feedback CSV and chart', ?, ?)",
            (user_id, ratings, ts(now)),
        )
