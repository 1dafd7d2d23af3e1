"""Small named values the bot keeps in the database (the webhook secret, health probes)."""

from __future__ import annotations

from bot.store.db import Database


class KvRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, key: str) -> str | None:
        value = await self.db.scalar("SELECT value FROM kv WHERE key = ?", (key,))
        return None if value is None else str(value)

    async def put(self, key: str, value: str) -> None:
        await self.db.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, value))

    async def get_or_create(self, key: str, value: str) -> str:
        """The stored value, or ``value`` stored now: the first caller's value wins, forever."""
        async with self.db.transaction() as conn:
            await conn.execute("INSERT OR IGNORE INTO kv (key, value) VALUES (?, ?)", (key, value))
            async with conn.execute("SELECT value FROM kv WHERE key = ?", (key,)) as cur:
                row = await cur.fetchone()
        assert row is not None  # noqa: S101  inserted just above, in the same transaction
        return str(row[0])

    async def probe(self, key: str, value: str) -> None:
        """A real write, committed: what a health check needs to know the store takes writes."""
        async with self.db.transaction() as conn:
            await conn.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, value))
