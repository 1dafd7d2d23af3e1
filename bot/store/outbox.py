"""The delivery outbox and its batches: every bulk or scheduled message is a row here first.

A row goes ``pending -> inflight -> sent`` (or ``failed``, ``blocked``, ``expired``,
``cancelled``, ``skipped``). ``inflight`` is committed before the API call, so after a crash
the sender knows which rows may or may not have reached Telegram and retries only those.
The states and records are in ``bot.store.records``; docs/architecture.md draws both life
cycles (rows and batches).

The sender works in batches, so its cost per message is a share of a transaction, not two
commits: ``due`` reads many due rows at once in sending order (lane, due time, id; the lane
is written at enqueue time from the kind, ``bot.store.keys.LANES``), ``claim_many`` moves a
batch to ``inflight`` in one statement, and ``finish_many`` writes the results of many calls
in one transaction (group commit).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.store.db import Database
from bot.store.keys import lane_of
from bot.store.records import (
    BATCH_RUNNING,
    BLOCKED,
    FAILED,
    INFLIGHT,
    PENDING,
    SENT,
    Batch,
    Envelope,
    OutboxRow,
    Progress,
    RowResult,
    parse_ts,
    ts,
)

_ROW_SQL = (
    "SELECT o.id, o.batch_id, o.kind, o.chat_id, o.session_id, o.payload, o.due_at,"
    " o.deadline, o.attempts, o.lane, coalesce(u.active, 1) AS active,"
    " coalesce(u.chosen_language, u.language) AS language"
    " FROM outbox o LEFT JOIN users u ON u.id = o.chat_id"
)


def _row(r: Any) -> OutboxRow:
    try:
        payload = json.loads(r["payload"])
    except ValueError:
        payload = {}
    return OutboxRow(
        id=int(r["id"]),
        batch_id=r["batch_id"],
        kind=str(r["kind"]),
        chat_id=int(r["chat_id"]),
        session_id=r["session_id"],
        payload=payload if isinstance(payload, dict) else {},
        due_at=parse_ts(r["due_at"]),
        deadline=parse_ts(r["deadline"]) if r["deadline"] else None,
        attempts=int(r["attempts"]),
        user_active=bool(r["active"]),
        language=r["language"],
        lane=int(r["lane"]),
    )


def _batch(r: Any) -> Batch:
    try:
        payload = json.loads(r["payload"] or "{}")
    except ValueError:
        payload = {}
    return Batch(
        id=int(r["id"]),
        kind=str(r["kind"]),
        created_by=r["created_by"],
        created_at=parse_ts(r["created_at"]),
        scheduled_for=parse_ts(r["scheduled_for"]) if r["scheduled_for"] else None,
        audience=str(r["audience"]),
        payload=payload if isinstance(payload, dict) else {},
        state=str(r["state"]),
        total=int(r["total"]),
        progress_chat_id=r["progress_chat_id"],
        progress_message_id=r["progress_message_id"],
    )


class OutboxRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------ rows
    async def enqueue(self, envelopes: Sequence[Envelope], now: datetime) -> int:
        """Write rows in one transaction; returns how many were new. Duplicates of a dedup key
        and rows for inactive users are skipped."""
        if not envelopes:
            return 0
        rows = [
            (
                e.batch_id,
                e.kind,
                e.chat_id,
                e.session_id,
                json.dumps(e.payload, separators=(",", ":")),
                e.dedup_key,
                ts(e.due_at),
                ts(e.deadline) if e.deadline else None,
                lane_of(e.kind),
            )
            for e in envelopes
        ]
        stamp = ts(now)
        async with self.db.transaction() as conn:
            before = await (await conn.execute("SELECT total_changes()")).fetchone()
            await conn.executemany(
                "INSERT OR IGNORE INTO outbox (batch_id, kind, chat_id, session_id, payload,"
                " dedup_key, due_at, deadline, lane, created_at, updated_at)"
                " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
                " WHERE NOT EXISTS (SELECT 1 FROM users WHERE id = ? AND active = 0)",
                [(*r, stamp, stamp, r[2]) for r in rows],
            )
            after = await (await conn.execute("SELECT total_changes()")).fetchone()
        assert before is not None  # noqa: S101  total_changes() always returns a row
        assert after is not None  # noqa: S101  total_changes() always returns a row
        return int(after[0]) - int(before[0])

    async def due(self, now: datetime, limit: int) -> list[OutboxRow]:
        """Pending rows due by ``now``, in sending order (lane, due time, then insertion)."""
        rows = await self.db.fetchall(
            _ROW_SQL + " WHERE o.state = 'pending' AND o.due_at <= ?"
            " ORDER BY o.lane, o.due_at, o.id LIMIT ?",
            (ts(now), limit),
        )
        return [_row(r) for r in rows]

    async def next_due_at(self) -> datetime | None:
        value = await self.db.scalar(
            "SELECT min(due_at) FROM outbox WHERE state = 'pending'",
        )
        return parse_ts(value) if value else None

    async def count_due(self, now: datetime) -> int:
        return int(
            await self.db.scalar(
                "SELECT count(*) FROM outbox WHERE state = 'pending' AND due_at <= ?", (ts(now),)
            )
            or 0
        )

    async def claim(self, row_id: int, now: datetime) -> bool:
        """pending -> inflight, committed before the API call; False if someone cancelled it."""
        changed = await self.db.execute(
            "UPDATE outbox SET state = 'inflight', attempts = attempts + 1, updated_at = ?"
            " WHERE id = ? AND state = 'pending'",
            (ts(now), row_id),
        )
        return changed == 1

    async def claim_many(self, row_ids: Sequence[int], now: datetime) -> set[int]:
        """pending -> inflight for many rows in one statement, committed before their API calls;
        returns the ids claimed (a row cancelled or blocked meanwhile is not)."""
        if not row_ids:
            return set()
        marks = ",".join("?" for _ in row_ids)
        rows = await self.db.execute_returning(
            "UPDATE outbox SET state = 'inflight', attempts = attempts + 1, updated_at = ?"  # noqa: S608  marks are placeholders
            f" WHERE id IN ({marks}) AND state = 'pending' RETURNING id",
            (ts(now), *row_ids),
        )
        return {int(r[0]) for r in rows}

    async def finish_many(self, results: Sequence[RowResult]) -> None:
        """Many rows' results in one transaction (the sender's group commit)."""
        if not results:
            return
        final = [
            (r.state, r.error, ts(r.at), ts(r.at) if r.state == SENT else None, r.row_id)
            for r in results
            if r.state != PENDING and r.blocked_chat is None
        ]
        again = [
            (r.error, ts(r.at), 1 if r.unclaim else 0, r.row_id)
            for r in results
            if r.state == PENDING
        ]
        blocked = [r for r in results if r.blocked_chat is not None]
        async with self.db.transaction() as conn:
            if final:
                await conn.executemany(
                    "UPDATE outbox SET state = ?, last_error = coalesce(?, last_error),"
                    " updated_at = ?, sent_at = coalesce(?, sent_at) WHERE id = ?",
                    final,
                )
            if again:
                await conn.executemany(
                    "UPDATE outbox SET state = 'pending', last_error = coalesce(?, last_error),"
                    " updated_at = ?, attempts = max(0, attempts - ?)"
                    " WHERE id = ? AND state = 'inflight'",
                    again,
                )
            if blocked:
                await conn.executemany(
                    "UPDATE users SET active = 0 WHERE id = ?",
                    [(r.blocked_chat,) for r in blocked],
                )
                await conn.executemany(
                    "UPDATE outbox SET state = 'blocked', last_error = ?, updated_at = ?"
                    " WHERE id = ?",
                    [((r.error or "")[:500], ts(r.at), r.row_id) for r in blocked],
                )
                await conn.executemany(
                    "UPDATE outbox SET state = 'blocked', last_error = ?, updated_at = ?"
                    " WHERE chat_id = ? AND state = 'pending'",
                    [((r.error or "")[:500], ts(r.at), r.blocked_chat) for r in blocked],
                )

    async def cancel_claimed(self, row_ids: Sequence[int], now: datetime) -> int:
        """Rows claimed but not started when a cancel came: cancelled like pending ones."""
        if not row_ids:
            return 0
        marks = ",".join("?" for _ in row_ids)
        return await self.db.execute(
            "UPDATE outbox SET state = 'cancelled', updated_at = ?,"  # noqa: S608  marks are placeholders
            " dedup_key = dedup_key || '#cancelled-' || id"
            f" WHERE id IN ({marks}) AND state = 'inflight'",
            (ts(now), *row_ids),
        )

    async def finish(
        self, row_id: int, state: str, now: datetime, error: str | None = None
    ) -> None:
        """A final state for one row (from pending or in flight)."""
        sent_at = ts(now) if state == SENT else None
        await self.db.execute(
            "UPDATE outbox SET state = ?, last_error = coalesce(?, last_error), updated_at = ?,"
            " sent_at = coalesce(?, sent_at) WHERE id = ?",
            (state, error, ts(now), sent_at, row_id),
        )

    async def release(self, row_id: int, now: datetime, error: str) -> None:
        """inflight -> pending after a temporary failure, to be tried again."""
        await self.db.execute(
            "UPDATE outbox SET state = 'pending', last_error = ?, updated_at = ?"
            " WHERE id = ? AND state = 'inflight'",
            (error, ts(now), row_id),
        )

    async def recover_inflight(self, now: datetime) -> int:
        """After a crash: rows whose call may or may not have happened are tried once more."""
        return await self.db.execute(
            "UPDATE outbox SET state = 'pending', last_error = 'interrupted', updated_at = ?"
            " WHERE state = 'inflight'",
            (ts(now),),
        )

    async def mark_blocked(self, row_id: int, chat_id: int, error: str, now: datetime) -> None:
        """The user blocked the bot (403): inactive until they /start again, and this row and
        their other pending rows will never go out. One transaction, so a crash leaves either
        all of it or none."""
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE users SET active = 0 WHERE id = ?", (chat_id,))
            sets = "UPDATE outbox SET state = 'blocked', last_error = ?, updated_at = ?"
            await conn.execute(sets + " WHERE id = ?", (error[:500], ts(now), row_id))
            await conn.execute(
                sets + " WHERE chat_id = ? AND state = 'pending'", (error[:500], ts(now), chat_id)
            )

    async def cancel(
        self,
        now: datetime,
        *,
        kind: str | None = None,
        session_id: str | None = None,
        batch_id: int | None = None,
        chat_id: int | None = None,
    ) -> int:
        where = ["state = 'pending'"]
        params: list[Any] = [ts(now)]
        for column, value in (
            ("kind", kind),
            ("session_id", session_id),
            ("batch_id", batch_id),
            ("chat_id", chat_id),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if len(where) == 1:
            raise ValueError("cancel needs at least one filter")
        # A cancelled row gives its dedup key back (suffixed with its id), so the same message
        # can be planned again later: a session moved away and back is reminded once more.
        return await self.db.execute(
            "UPDATE outbox SET state = 'cancelled', updated_at = ?,"  # noqa: S608  the filters are fixed column names
            " dedup_key = dedup_key || '#cancelled-' || id"
            f" WHERE {' AND '.join(where)}",
            params,
        )

    async def states(self, *, kind: str | None = None) -> dict[str, int]:
        sql = "SELECT state, count(*) FROM outbox"
        params: tuple[Any, ...] = ()
        if kind is not None:
            sql += " WHERE kind = ?"
            params = (kind,)
        rows = await self.db.fetchall(sql + " GROUP BY state", params)
        return {str(r[0]): int(r[1]) for r in rows}

    # ---------------------------------------------------------------- batches
    async def create_batch(
        self,
        kind: str,
        now: datetime,
        *,
        created_by: int | None,
        audience: str,
        payload: dict[str, Any],
        scheduled_for: datetime | None = None,
        state: str = BATCH_RUNNING,
    ) -> int:
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO batches (kind, created_by, created_at, scheduled_for, audience,"
                " payload, state) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    kind,
                    created_by,
                    ts(now),
                    ts(scheduled_for) if scheduled_for else None,
                    audience,
                    json.dumps(payload),
                    state,
                ),
            )
            assert cur.lastrowid is not None  # noqa: S101  an INSERT always sets it
            return int(cur.lastrowid)

    async def batch(self, batch_id: int) -> Batch | None:
        row = await self.db.fetchone("SELECT * FROM batches WHERE id = ?", (batch_id,))
        return _batch(row) if row else None

    async def batches(self, states: Sequence[str], kind: str | None = None) -> list[Batch]:
        marks = ",".join("?" for _ in states)
        sql = f"SELECT * FROM batches WHERE state IN ({marks})"  # noqa: S608  marks are placeholders
        params: list[Any] = list(states)
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        rows = await self.db.fetchall(sql + " ORDER BY id", params)
        return [_batch(r) for r in rows]

    async def update_batch(
        self,
        batch_id: int,
        *,
        state: str | None = None,
        total: int | None = None,
        progress_chat_id: int | None = None,
        progress_message_id: int | None = None,
    ) -> None:
        """Set the given fields (None: unchanged)."""
        given = {
            "state": state,
            "total": total,
            "progress_chat_id": progress_chat_id,
            "progress_message_id": progress_message_id,
        }
        fields = {k: v for k, v in given.items() if v is not None}
        if not fields:
            raise ValueError("update_batch needs a field to set")
        # The column names come from the fixed dict above, never from input.
        sets = ", ".join(f"{k} = ?" for k in fields)
        sql = f"UPDATE batches SET {sets} WHERE id = ?"  # noqa: S608  names from the dict above
        await self.db.execute(sql, [*fields.values(), batch_id])

    async def set_batch_state(
        self, batch_id: int, state: str, *, only_from: str | None = None
    ) -> bool:
        sql = "UPDATE batches SET state = ? WHERE id = ?"
        params: list[Any] = [state, batch_id]
        if only_from is not None:
            sql += " AND state = ?"
            params.append(only_from)
        return await self.db.execute(sql, params) == 1

    async def progress(self, batch_id: int) -> Progress:
        rows = await self.db.fetchall(
            "SELECT state, count(*) FROM outbox WHERE batch_id = ? GROUP BY state", (batch_id,)
        )
        counts = {str(r[0]): int(r[1]) for r in rows}
        sent, failed, blocked = counts.get(SENT, 0), counts.get(FAILED, 0), counts.get(BLOCKED, 0)
        left = counts.get(PENDING, 0) + counts.get(INFLIGHT, 0)
        total = sum(counts.values())
        return Progress(total, sent, failed, blocked, left, total - sent - failed - blocked - left)
