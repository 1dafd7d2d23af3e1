"""The SQLite database: one aiosqlite connection per process, WAL, versioned migrations.

SQLite allows one writer; every read-then-write goes through ``transaction()`` which takes
the write lock up front (``BEGIN IMMEDIATE``) so two tasks cannot interleave a check and a write.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import aiosqlite

from bot.store.migrations import MIGRATIONS
from bot.store.records import parse_ts, ts

__all__ = ["Database", "parse_ts", "ts"]


class Database:
    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA busy_timeout=5000")
        db = cls(conn, path)
        await db.migrate()
        return db

    async def close(self) -> None:
        await self.conn.close()

    async def version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self) -> None:
        """Apply each numbered step once, each in its own transaction with its version bump."""
        current = await self.version()
        for number, statements in enumerate(MIGRATIONS, start=1):
            if number <= current:
                continue
            async with self.transaction() as conn:
                for statement in statements:
                    await conn.execute(statement)
                await conn.execute(f"PRAGMA user_version = {number}")

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            try:
                await self.conn.execute("BEGIN IMMEDIATE")
            except BaseException:
                # A task cancelled while its BEGIN was queued: the BEGIN still runs on the
                # connection's thread, and would leave every later transaction refused.
                with contextlib.suppress(sqlite3.OperationalError):
                    await self.conn.execute("ROLLBACK")
                raise
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            else:
                await self.conn.execute("COMMIT")

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One write statement; SQLite makes a single statement atomic, so no BEGIN is needed.

        The lock keeps it out of another task's open transaction on this shared connection.
        """
        async with self._lock:
            cur = await self.conn.execute(sql, params)
            return cur.rowcount

    async def execute_returning(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """One atomic write statement with ``RETURNING``; the rows it returned."""
        async with self._lock:
            return list(await self.conn.execute_fetchall(sql, params))

    # Reads use execute_fetchall: one trip to aiosqlite's thread instead of three (execute,
    # fetch, close), which is most of the cost of a small query.
    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        rows = await self.conn.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        return list(await self.conn.execute_fetchall(sql, params))

    async def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]
