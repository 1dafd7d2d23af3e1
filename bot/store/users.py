"""Everyone who has talked to the bot: who they are, whether we may write, their settings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from bot.store.batch import GroupCommit
from bot.store.db import Database
from bot.store.records import User, Visit, ts

#: People in one UPSERT statement (6 parameters each; SQLite allows 32,766).
SEEN_ROWS = 1000


class Sighting(NamedTuple):
    """One visit to record (``UsersRepo.seen``'s arguments)."""

    user_id: int
    first_name: str
    username: str | None
    language: str | None
    now: datetime
    reactivate: bool = False


def _upsert(sightings: Sequence[Sighting]) -> tuple[str, list[Any]]:
    """The UPSERT of these visits (distinct people), returning (id, new, language)."""
    values = ", ".join("(?, ?, ?, ?, ?, ?)" for _ in sightings)
    params: list[Any] = []
    for s in sightings:
        params += [s.user_id, s.first_name, s.username, s.language, ts(s.now), ts(s.now)]
    params.append(json.dumps([s.user_id for s in sightings if s.reactivate]))
    sql = (
        "INSERT INTO users (id, first_name, username, language, first_seen, last_seen)"  # noqa: S608  marks are placeholders
        f" VALUES {values} ON CONFLICT(id) DO UPDATE SET"
        " first_name = excluded.first_name, username = excluded.username,"
        " language = excluded.language, last_seen = excluded.last_seen,"
        " active = CASE WHEN excluded.id IN (SELECT value FROM json_each(?))"
        " THEN 1 ELSE active END"
        " RETURNING id, first_seen = last_seen, coalesce(chosen_language, language)"
    )
    return sql, params


class UsersRepo:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._visits: GroupCommit[Sighting, Visit] = GroupCommit(self.seen_many)

    async def seen(
        self,
        user_id: int,
        first_name: str,
        username: str | None,
        language: str | None,
        now: datetime,
        *,
        reactivate: bool = False,
    ) -> Visit:
        """Record a user's visit: are they new, which language to speak. ``/start``
        reactivates a blocked user.

        This runs before every update, concurrently for a crowd: calls that arrive while a
        write is under way are written together in the next one (``seen_many``), so its cost
        grows with the bursts, not with the number of people in them.
        """
        return await self._visits(
            Sighting(user_id, first_name, username, language, now, reactivate)
        )

    async def seen_many(self, sightings: Sequence[Sighting]) -> list[Visit]:
        """Record many visits, in order, atomically; one Visit each, as ``seen`` would say.

        One UPSERT statement for up to ``SEEN_ROWS`` people (its RETURNING matched by id); a
        person twice starts another statement, so each of their visits sees the one before.
        """
        chunks: list[list[Sighting]] = [[]]
        ids: set[int] = set()
        for sighting in sightings:
            if sighting.user_id in ids or len(chunks[-1]) >= SEEN_ROWS:
                chunks.append([])
                ids = set()
            chunks[-1].append(sighting)
            ids.add(sighting.user_id)
        if len(chunks) == 1:  # one statement is atomic by itself
            returned = [await self.db.execute_returning(*_upsert(chunks[0]))]
        else:
            async with self.db.transaction() as conn:
                returned = [list(await conn.execute_fetchall(*_upsert(c))) for c in chunks]
        visits: list[Visit] = []
        for chunk, rows in zip(chunks, returned, strict=True):
            by_id = {int(row[0]): Visit(new=bool(row[1]), language=row[2]) for row in rows}
            for s in chunk:
                visits.append(by_id.get(s.user_id) or Visit(new=False, language=s.language))
        return visits

    async def get(self, user_id: int) -> User | None:
        row = await self.db.fetchone(
            "SELECT id, first_name, username, language, active, reminder_minutes,"
            " remind_headline, chosen_language FROM users WHERE id = ?",
            (user_id,),
        )
        if row is None:
            return None
        return User(
            id=row["id"],
            first_name=row["first_name"],
            username=row["username"],
            language=row["language"],
            active=bool(row["active"]),
            reminder_minutes=row["reminder_minutes"],
            remind_headline=bool(row["remind_headline"]),
            chosen_language=row["chosen_language"],
        )

    async def language_of(self, user_id: int) -> str | None:
        """The language to speak to a user: their choice, else Telegram's (None: unknown)."""
        value = await self.db.scalar(
            "SELECT coalesce(chosen_language, language) FROM users WHERE id = ?", (user_id,)
        )
        return str(value) if value else None

    async def set_chosen_language(self, user_id: int, code: str | None) -> None:
        """Store a /language choice (None: follow Telegram's language again)."""
        await self.db.execute("UPDATE users SET chosen_language = ? WHERE id = ?", (code, user_id))

    async def set_active(self, user_id: int, active: bool) -> None:
        await self.db.execute("UPDATE users SET active = ? WHERE id = ?", (int(active), user_id))

    async def set_reminder_minutes(self, user_id: int, minutes: int | None) -> None:
        await self.db.execute(
            "UPDATE users SET reminder_minutes = ? WHERE id = ?", (minutes, user_id)
        )

    async def set_remind_headline(self, user_id: int, on: bool) -> None:
        await self.db.execute(
            "UPDATE users SET remind_headline = ? WHERE id = ?", (int(on), user_id)
        )

    async def counts(self) -> tuple[int, int]:
        """(all users, active users)."""
        row = await self.db.fetchone("SELECT count(*), coalesce(sum(active), 0) FROM users")
        return (int(row[0]), int(row[1])) if row else (0, 0)

    # A small per-user conversation state ("the next text is a comment on session X").
    async def set_pending(self, user_id: int, state: dict[str, Any] | None) -> None:
        value = json.dumps(state) if state is not None else None
        await self.db.execute("UPDATE users SET pending = ? WHERE id = ?", (value, user_id))

    async def pending(self, user_id: int) -> dict[str, Any] | None:
        value = await self.db.scalar("SELECT pending FROM users WHERE id = ?", (user_id,))
        if not value:
            return None
        try:
            state = json.loads(value)
        except ValueError:
            return None
        return state if isinstance(state, dict) else None
