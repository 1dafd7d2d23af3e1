"""Everyone who has talked to the bot: who they are, whether we may write, their settings."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.store.db import Database
from bot.store.records import User, Visit, ts


class UsersRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

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

        One UPSERT statement: this runs before every update, so it is kept to one round trip.
        """
        rows = await self.db.execute_returning(
            "INSERT INTO users (id, first_name, username, language, first_seen, last_seen)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
            " first_name = excluded.first_name, username = excluded.username,"
            " language = excluded.language, last_seen = excluded.last_seen,"
            " active = CASE WHEN ? THEN 1 ELSE active END"
            " RETURNING first_seen = last_seen, coalesce(chosen_language, language)",
            (user_id, first_name, username, language, ts(now), ts(now), int(reactivate)),
        )
        if not rows:
            return Visit(new=False, language=language)
        return Visit(new=bool(rows[0][0]), language=rows[0][1])

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
