"""Audience questions: questions, votes, a session's pause switch, who wants top-three notices.

Every write is one transaction that checks what it depends on first (``BEGIN IMMEDIATE``), so
two people pressing at once cannot both slip under a limit, and a crash never leaves half a
question or half a vote. A vote is a row keyed by (question, user): it cannot be counted twice,
and every count is a ``COUNT`` of those rows, so there is no counter that could drift.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.store.db import Database
from bot.store.records import (
    ASK_COOLDOWN,
    ASK_DUPLICATE,
    ASK_LIMIT,
    ASK_PAUSED,
    ASK_POSTED,
    QA_OPEN,
    VOTE_ADDED,
    VOTE_GONE,
    VOTE_NOT_OPEN,
    VOTE_OWN,
    VOTE_REMOVED,
    AskResult,
    NewQuestion,
    QaOverview,
    StoredQuestion,
    VoteResult,
    parse_ts,
    ts,
)

#: The columns ``_question`` reads, in its order; ``?`` is the viewer (for "voted").
_COLUMNS = """
    q.id, q.session_id, q.user_id, q.asker_name, q.anonymous, q.text, q.state, q.created_at,
    (SELECT count(*) FROM qa_votes v WHERE v.question_id = q.id) AS votes,
    EXISTS (SELECT 1 FROM qa_votes v WHERE v.question_id = q.id AND v.user_id = ?) AS voted,
    u.username, q.moderated_at
"""


def _question(r: Any) -> StoredQuestion:
    return StoredQuestion(
        id=int(r[0]),
        session_id=str(r[1]),
        user_id=int(r[2]),
        asker_name=str(r[3]),
        anonymous=bool(r[4]),
        text=str(r[5]),
        state=str(r[6]),
        created_at=parse_ts(str(r[7])),
        votes=int(r[8]),
        voted=bool(r[9]),
        username=r[10],
        moderated_at=parse_ts(str(r[11])) if r[11] else None,
    )


class QandARepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------ asking
    async def ask(
        self, question: NewQuestion, *, max_per_session: int, cooldown: timedelta
    ) -> AskResult:
        """Store a question unless the session is paused, the same question is there already,
        the asker reached the limit of the session or asked too recently; one transaction."""
        q = question
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT paused FROM qa_sessions WHERE session_id = ?", (q.session_id,)
            ) as cur:
                row = await cur.fetchone()
            if row is not None and row[0]:
                return AskResult(ASK_PAUSED)
            async with conn.execute(
                "SELECT id, state FROM qa_questions WHERE session_id = ? AND norm = ?",
                (q.session_id, q.norm),
            ) as cur:
                row = await cur.fetchone()
            if row is not None:
                return AskResult(ASK_DUPLICATE, int(row[0]), duplicate_state=str(row[1]))
            async with conn.execute(
                "SELECT count(*) FROM qa_questions WHERE session_id = ? AND user_id = ?",
                (q.session_id, q.user_id),
            ) as cur:
                row = await cur.fetchone()
            asked = int(row[0]) if row is not None else 0
            if asked >= max_per_session:
                return AskResult(ASK_LIMIT, asked=asked)
            async with conn.execute(
                "SELECT max(created_at) FROM qa_questions WHERE user_id = ?", (q.user_id,)
            ) as cur:
                row = await cur.fetchone()
            if row is not None and row[0]:
                last = parse_ts(str(row[0]))
                if last > q.at - cooldown:
                    return AskResult(ASK_COOLDOWN, last_at=last, asked=asked)
            async with conn.execute(
                "INSERT INTO qa_questions"
                " (session_id, user_id, asker_name, anonymous, text, norm, state, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    q.session_id,
                    q.user_id,
                    q.asker_name,
                    int(q.anonymous),
                    q.text,
                    q.norm,
                    QA_OPEN,
                    ts(q.at),
                ),
            ) as cur:
                row = await cur.fetchone()
            assert row is not None  # noqa: S101  INSERT ... RETURNING returns the row
            return AskResult(ASK_POSTED, int(row[0]), asked=asked + 1)

    async def asked_by(self, user_id: int, session_id: str) -> int:
        """How many questions this person has asked in this session (hidden ones count)."""
        value = await self.db.scalar(
            "SELECT count(*) FROM qa_questions WHERE session_id = ? AND user_id = ?",
            (session_id, user_id),
        )
        return int(value or 0)

    # ------------------------------------------------------------------ votes
    async def toggle_vote(self, question_id: int, user_id: int, now: datetime) -> VoteResult:
        """Add the person's vote, or take it back if they had voted; one transaction that
        refuses a question that is gone, not open, or their own."""
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT user_id, state FROM qa_questions WHERE id = ?", (question_id,)
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                return VoteResult(VOTE_GONE)
            if str(row[1]) != QA_OPEN:
                outcome = VOTE_NOT_OPEN
            elif int(row[0]) == user_id:
                outcome = VOTE_OWN
            else:
                cur = await conn.execute(
                    "DELETE FROM qa_votes WHERE question_id = ? AND user_id = ?",
                    (question_id, user_id),
                )
                if cur.rowcount:
                    outcome = VOTE_REMOVED
                else:
                    await conn.execute(
                        "INSERT INTO qa_votes (question_id, user_id, created_at) VALUES (?, ?, ?)",
                        (question_id, user_id, ts(now)),
                    )
                    outcome = VOTE_ADDED
            async with conn.execute(
                "SELECT count(*) FROM qa_votes WHERE question_id = ?", (question_id,)
            ) as cur:
                count = await cur.fetchone()
            return VoteResult(outcome, int(count[0]) if count is not None else 0)

    async def vote_count(self) -> int:
        return int(await self.db.scalar("SELECT count(*) FROM qa_votes") or 0)

    # ------------------------------------------------------------------ reading
    async def question(self, question_id: int, viewer: int = 0) -> StoredQuestion | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM qa_questions q LEFT JOIN users u ON u.id = q.user_id"  # noqa: S608  fixed column list
            " WHERE q.id = ?",
            (viewer, question_id),
        )
        return _question(row) if row is not None else None

    async def find(self, session_id: str, norm: str, viewer: int = 0) -> StoredQuestion | None:
        """The session's question with this normalised text, whatever its state."""
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM qa_questions q LEFT JOIN users u ON u.id = q.user_id"  # noqa: S608  fixed column list
            " WHERE q.session_id = ? AND q.norm = ?",
            (viewer, session_id, norm),
        )
        return _question(row) if row is not None else None

    async def ranked(
        self,
        session_id: str,
        states: Sequence[str],
        *,
        viewer: int = 0,
        limit: int | None = None,
    ) -> list[StoredQuestion]:
        """A session's questions in these states: most votes first, then oldest, then id."""
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM qa_questions q LEFT JOIN users u ON u.id = q.user_id"  # noqa: S608  fixed column list
            " WHERE q.session_id = ? AND q.state IN (SELECT value FROM json_each(?))"
            " ORDER BY votes DESC, q.created_at, q.id LIMIT ?",
            (viewer, session_id, json.dumps(list(states)), -1 if limit is None else limit),
        )
        return [_question(r) for r in rows]

    async def counts(self, session_id: str) -> dict[str, int]:
        """Questions of a session by state."""
        rows = await self.db.fetchall(
            "SELECT state, count(*) FROM qa_questions WHERE session_id = ? GROUP BY state",
            (session_id,),
        )
        return {str(r[0]): int(r[1]) for r in rows}

    async def count(self) -> int:
        return int(await self.db.scalar("SELECT count(*) FROM qa_questions") or 0)

    async def sessions_with_questions(self) -> list[tuple[str, int]]:
        """(session id, questions) of every session anyone asked about, the latest asked first."""
        rows = await self.db.fetchall(
            "SELECT session_id, count(*) FROM qa_questions"
            " GROUP BY session_id ORDER BY max(created_at) DESC"
        )
        return [(str(r[0]), int(r[1])) for r in rows]

    async def overview(self, top: int) -> QaOverview:
        """Questions by state, votes, how many sessions, and the ``top`` sessions with the
        most questions (ties: the latest asked first)."""
        states = await self.db.fetchall("SELECT state, count(*) FROM qa_questions GROUP BY state")
        most = await self.db.fetchall(
            "SELECT session_id, count(*) FROM qa_questions GROUP BY session_id"
            " ORDER BY count(*) DESC, max(created_at) DESC, session_id LIMIT ?",
            (top,),
        )
        sessions = await self.db.scalar("SELECT count(DISTINCT session_id) FROM qa_questions")
        return QaOverview(
            by_state={str(r[0]): int(r[1]) for r in states},
            votes=await self.vote_count(),
            sessions=int(sessions or 0),
            most_asked=tuple((str(r[0]), int(r[1])) for r in most),
        )

    async def with_open_questions(self, session_ids: Iterable[str]) -> set[str]:
        """Those of these sessions that have questions nobody answered (nor hid)."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT session_id FROM qa_questions WHERE state = ?"
            " AND session_id IN (SELECT value FROM json_each(?))",
            (QA_OPEN, json.dumps(list(session_ids))),
        )
        return {str(r[0]) for r in rows}

    async def export_rows(self) -> list[StoredQuestion]:
        """Every question with its votes, by session, then in the order they came."""
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM qa_questions q LEFT JOIN users u ON u.id = q.user_id"  # noqa: S608  fixed column list
            " ORDER BY q.session_id, q.created_at, q.id",
            (0,),
        )
        return [_question(r) for r in rows]

    # ------------------------------------------------------------------ moderating
    async def set_state(
        self, question_id: int, state: str, by: int, now: datetime, *, only_from: Sequence[str]
    ) -> bool:
        """Move a question to ``state`` if it is in one of ``only_from``; False otherwise (a
        second moderator pressing the same button changes nothing)."""
        cur_rows = await self.db.execute(
            "UPDATE qa_questions SET state = ?, moderated_by = ?, moderated_at = ?"
            " WHERE id = ? AND state IN (SELECT value FROM json_each(?))",
            (state, by, ts(now), question_id, json.dumps(list(only_from))),
        )
        return cur_rows > 0

    async def paused(self, session_id: str) -> bool:
        value = await self.db.scalar(
            "SELECT paused FROM qa_sessions WHERE session_id = ?", (session_id,)
        )
        return bool(value)

    async def set_paused(self, session_id: str, paused: bool, by: int, now: datetime) -> bool:
        """Pause or reopen a session's questions; False when it already was so."""
        rows = await self.db.execute_returning(
            "INSERT INTO qa_sessions (session_id, paused, changed_by, changed_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT(session_id) DO UPDATE SET"
            " paused = excluded.paused, changed_by = excluded.changed_by,"
            " changed_at = excluded.changed_at WHERE qa_sessions.paused != excluded.paused"
            " RETURNING session_id",
            (session_id, int(paused), by, ts(now)),
        )
        return bool(rows)

    # ------------------------------------------------------------------ top-three notices
    async def set_notices(self, user_id: int, on: bool, now: datetime) -> None:
        if on:
            await self.db.execute(
                "INSERT OR IGNORE INTO qa_notices (user_id, since) VALUES (?, ?)",
                (user_id, ts(now)),
            )
        else:
            await self.db.execute("DELETE FROM qa_notices WHERE user_id = ?", (user_id,))

    async def notices_for(self, user_ids: Iterable[int]) -> set[int]:
        """Those of these people who asked for top-three notices."""
        rows = await self.db.fetchall(
            "SELECT user_id FROM qa_notices WHERE user_id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(user_ids)),),
        )
        return {int(r[0]) for r in rows}
