"""The reminder planner's questions to the database: who should get what, and is it queued yet.

Each query joins bookmarks x users (x speaker links) to the upcoming sessions of the in-memory
agenda, passed in as a ``VALUES`` list, and looks up the outbox's dedup log by the same key
the planner enqueues with (``bot.store.keys``, rendered into SQL). Large programmes are asked
in chunks of ``CHUNK`` sessions, so no statement comes near SQLite's parameter limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from bot.store import keys
from bot.store.db import Database
from bot.store.records import Candidate, Upcoming

#: Sessions per statement (four parameters each).
CHUNK = 200
#: Dedup keys per ``IN (...)`` lookup.
KEYS_CHUNK = 500

T = TypeVar("T")


def _chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _marks(count: int, width: int) -> str:
    """``(?, ?), (?, ?)``: placeholders only, never values."""
    one = "(" + ", ".join("?" for _ in range(width)) + ")"
    return ", ".join(one for _ in range(count))


class RemindersRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def max_reminder_minutes(self) -> int | None:
        """The longest lead time an active user chose (how far ahead the planner must look)."""
        value = await self.db.scalar(
            "SELECT max(reminder_minutes) FROM users WHERE active = 1"
            " AND reminder_minutes IS NOT NULL"
        )
        return None if value is None else int(value)

    async def candidates(
        self,
        sessions: Sequence[Upcoming],
        *,
        default_lead: int,
        speaker_lead: int,
        due_limit: float,
        user_id: int | None = None,
    ) -> list[Candidate]:
        """Reminders (bookmarkers, and "every panel" users for headline sessions) and speaker
        reminders due by ``due_limit`` (epoch seconds), with their outbox state if queued.

        ``speaker_lead`` 0 plans no speaker reminders; ``user_id`` limits both to one user.
        """
        out: list[Candidate] = []
        for chunk in _chunks(sessions, CHUNK):
            out += await self._attendees(chunk, default_lead, due_limit, user_id)
            if speaker_lead > 0:
                out += await self._speakers(chunk, speaker_lead, due_limit, user_id)
        return out

    async def _attendees(
        self,
        sessions: Sequence[Upcoming],
        default_lead: int,
        due_limit: float,
        user_id: int | None,
    ) -> list[Candidate]:
        params: list[Any] = []
        for s in sessions:
            params += [s.session_id, s.start_epoch, s.start_key, int(s.headline)]
        who = " AND u.id = ?" if user_id is not None else ""
        key = keys.REMINDER_KEY.sql("r.user_id", "r.session_id", "r.start_key")
        values = _marks(len(sessions), 4)
        # Bookmarkers, plus everyone who opted into every panel and keynote (UNION dedups).
        # Interpolated are placeholders, the fixed user filter and the key expression only.
        sql = f"""
            WITH s(session_id, start_epoch, start_key, headline) AS (VALUES {values}),
            r AS (
                SELECT u.id AS user_id, s.session_id, s.start_epoch, s.start_key,
                       coalesce(u.reminder_minutes, ?) AS lead
                FROM s JOIN bookmarks b ON b.session_id = s.session_id
                JOIN users u ON u.id = b.user_id
                WHERE u.active = 1{who}
                UNION
                SELECT u.id, s.session_id, s.start_epoch, s.start_key,
                       coalesce(u.reminder_minutes, ?)
                FROM s JOIN users u ON u.remind_headline = 1
                WHERE s.headline = 1 AND u.active = 1{who}
            )
            SELECT r.user_id, r.session_id, r.lead, r.start_epoch - r.lead * 60 AS due_epoch,
                   {key} AS k,
                   (SELECT o.state FROM outbox o WHERE o.dedup_key = {key}) AS state
            FROM r
            WHERE r.lead > 0 AND r.start_epoch - r.lead * 60 <= ?
            ORDER BY due_epoch, r.user_id
        """  # noqa: S608  values are placeholders; who and key are fixed SQL
        extra: list[Any] = [default_lead]
        if user_id is not None:
            extra.append(user_id)
        extra.append(default_lead)
        if user_id is not None:
            extra.append(user_id)
        rows = await self.db.fetchall(sql, [*params, *extra, due_limit])
        # Positional and unconverted (SQLite returns these types): thousands a tick.
        kind = keys.REMINDER
        return [Candidate(kind, r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]

    async def _speakers(
        self,
        sessions: Sequence[Upcoming],
        lead: int,
        due_limit: float,
        user_id: int | None,
    ) -> list[Candidate]:
        pairs = [(s, sid) for s in sessions for sid in dict.fromkeys(s.speaker_ids)]
        if not pairs:
            return []
        params: list[Any] = []
        for s, sid in pairs:
            params += [s.session_id, sid, s.start_epoch, s.start_key]
        who = " AND u.id = ?" if user_id is not None else ""
        key = keys.SPEAKER_KEY.sql("u.id", "v.session_id", "v.start_key")
        values = _marks(len(pairs), 4)
        sql = f"""
            WITH v(session_id, speaker_id, start_epoch, start_key) AS (VALUES {values})
            SELECT DISTINCT u.id, v.session_id, v.speaker_id, v.start_epoch - ? AS due_epoch,
                   {key} AS k
            FROM v JOIN speaker_links l ON l.speaker_id = v.speaker_id
            JOIN users u ON u.id = l.user_id
            WHERE u.active = 1{who} AND v.start_epoch - ? <= ?
        """  # noqa: S608  values are placeholders; who and key are fixed SQL
        args: list[Any] = [*params, lead * 60]
        if user_id is not None:
            args.append(user_id)
        args += [lead * 60, due_limit]
        rows = await self.db.fetchall(sql, args)
        states = await self.states([str(r[4]) for r in rows])
        kind = keys.SPEAKER_REMINDER
        return [Candidate(kind, r[0], r[1], lead, r[3], r[4], states.get(r[4]), r[2]) for r in rows]

    async def states(self, dedup_keys: Sequence[str]) -> dict[str, str]:
        """The outbox state of each key that has a row."""
        out: dict[str, str] = {}
        for part in _chunks(dedup_keys, KEYS_CHUNK):
            marks = ", ".join("?" for _ in part)
            rows = await self.db.fetchall(
                f"SELECT dedup_key, state FROM outbox WHERE dedup_key IN ({marks})",  # noqa: S608  marks are placeholders
                part,
            )
            out.update({str(r[0]): str(r[1]) for r in rows})
        return out

    async def feedback_candidates(
        self, sessions: Sequence[tuple[str, bool]]
    ) -> list[tuple[int, str]]:
        """(user, session) pairs owed a feedback prompt: active bookmarkers (and "every panel"
        users for headline sessions) who neither rated it nor were prompted for it yet.

        ``sessions`` are (session id, headline) of sessions that just ended.
        """
        out: list[tuple[int, str]] = []
        key = keys.FEEDBACK_KEY.sql("r.user_id", "r.session_id")
        for chunk in _chunks(sessions, CHUNK):
            params: list[Any] = []
            for session_id, headline in chunk:
                params += [session_id, int(headline)]
            sql = f"""
                WITH s(session_id, headline) AS (VALUES {_marks(len(chunk), 2)}),
                r AS (
                    SELECT b.user_id, s.session_id FROM s
                    JOIN bookmarks b ON b.session_id = s.session_id
                    UNION
                    SELECT u.id, s.session_id FROM s JOIN users u ON u.remind_headline = 1
                    WHERE s.headline = 1
                )
                SELECT r.user_id, r.session_id FROM r JOIN users u ON u.id = r.user_id
                WHERE u.active = 1
                  AND NOT EXISTS (SELECT 1 FROM feedback f
                                  WHERE f.user_id = r.user_id AND f.session_id = r.session_id)
                  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.dedup_key = {key})
                ORDER BY r.session_id, r.user_id
            """  # noqa: S608  only placeholders and the key expression
            out += [(int(r[0]), str(r[1])) for r in await self.db.fetchall(sql, params)]
        return out

    async def pending_starts(self, kinds: Sequence[str]) -> list[tuple[str, str, str | None]]:
        """(kind, session id, planned start) of every pending row of these kinds: what an agenda
        change may have made stale."""
        marks = ", ".join("?" for _ in kinds)
        sql = (
            "SELECT DISTINCT kind, session_id, json_extract(payload, '$.start') AS start"  # noqa: S608  marks are placeholders
            f" FROM outbox WHERE state = 'pending' AND kind IN ({marks})"
            " AND session_id IS NOT NULL"
        )
        rows = await self.db.fetchall(sql, list(kinds))
        return [(str(r[0]), str(r[1]), r[2]) for r in rows]
