"""Speaker links and one-time link codes: who, by numeric Telegram id, is which agenda speaker.

Codes are stored only as hashes. Every check-then-write (redeeming a code, linking by username,
issuing codes) runs in one ``BEGIN IMMEDIATE`` transaction, so two accounts racing for the same
code cannot both win. The link's numeric user id is what counts afterwards.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from bot.store.db import Database
from bot.store.records import SpeakerLink, ts


def _unlinked_key(speaker_id: str, user_id: int) -> str:
    """kv key remembering that an organiser unlinked this account from this speaker."""
    return f"speaker_unlinked:{user_id}:{speaker_id}"


class SpeakerLinksRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------ reading
    async def speaker_of(self, user_id: int) -> str | None:
        value = await self.db.scalar(
            "SELECT speaker_id FROM speaker_links WHERE user_id = ?", (user_id,)
        )
        return None if value is None else str(value)

    async def user_of(self, speaker_id: str) -> int | None:
        value = await self.db.scalar(
            "SELECT user_id FROM speaker_links WHERE speaker_id = ?", (speaker_id,)
        )
        return None if value is None else int(value)

    async def all(self) -> list[SpeakerLink]:
        rows = await self.db.fetchall(
            "SELECT speaker_id, user_id, via, linked_at FROM speaker_links ORDER BY speaker_id"
        )
        return [
            SpeakerLink(str(r["speaker_id"]), int(r["user_id"]), str(r["via"]), str(r["linked_at"]))
            for r in rows
        ]

    # ------------------------------------------------------------------ codes
    async def replace_codes(
        self,
        codes: Sequence[tuple[str, str]],
        now: datetime,
        expires_at: datetime,
        *,
        audit: tuple[int, str, str] | None = None,
    ) -> int:
        """Store (speaker_id, code_hash) pairs, revoking those speakers' unused codes first.

        ``audit`` = (user_id, action, detail) is written in the same transaction, with the
        number of codes as its audience size. Returns how many old codes were revoked.
        """
        speakers = sorted({sid for sid, _ in codes})
        async with self.db.transaction() as conn:
            cur = await conn.executemany(
                "UPDATE speaker_codes SET revoked = 1"
                " WHERE speaker_id = ? AND used_at IS NULL AND revoked = 0",
                [(sid,) for sid in speakers],
            )
            revoked = max(cur.rowcount, 0)
            await conn.executemany(
                "INSERT INTO speaker_codes (code_hash, speaker_id, created_at, expires_at)"
                " VALUES (?, ?, ?, ?)",
                [(code_hash, sid, ts(now), ts(expires_at)) for sid, code_hash in codes],
            )
            if audit is not None:
                await conn.execute(
                    "INSERT INTO audit_log (user_id, action, detail, audience_size, at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (audit[0], audit[1], audit[2], len(codes), ts(now)),
                )
        return revoked

    async def redeem(
        self, code_hash: str, user_id: int, now: datetime, known: Collection[str]
    ) -> tuple[str, str | None]:
        """Use a code once: ("linked", speaker), ("already", speaker) or ("invalid", None).

        "already" is only for the account that used this very code and is still linked by it
        (a speaker tapping their link twice); everyone else learns nothing about the code.
        A valid code moves the speaker's link to this account (a speaker's new phone), and
        this account's link to any other speaker ends: one account, one speaker.
        """
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "SELECT speaker_id, expires_at, used_at, used_by, revoked"
                " FROM speaker_codes WHERE code_hash = ?",
                (code_hash,),
            )
            row = await cur.fetchone()
            if row is None:
                return ("invalid", None)
            speaker_id = str(row["speaker_id"])
            if row["used_at"] is not None:
                if row["used_by"] == user_id:
                    cur = await conn.execute(
                        "SELECT 1 FROM speaker_links WHERE speaker_id = ? AND user_id = ?",
                        (speaker_id, user_id),
                    )
                    if await cur.fetchone() is not None:
                        return ("already", speaker_id)
                return ("invalid", None)
            if row["revoked"] or str(row["expires_at"]) <= ts(now) or speaker_id not in known:
                return ("invalid", None)
            await conn.execute(
                "UPDATE speaker_codes SET used_at = ?, used_by = ? WHERE code_hash = ?",
                (ts(now), user_id, code_hash),
            )
            await conn.execute(
                "DELETE FROM speaker_links WHERE speaker_id = ? OR user_id = ?",
                (speaker_id, user_id),
            )
            await conn.execute(
                "INSERT INTO speaker_links (speaker_id, user_id, via, linked_at)"
                " VALUES (?, ?, 'code', ?)",
                (speaker_id, user_id, ts(now)),
            )
            await conn.execute(
                "DELETE FROM kv WHERE key = ?", (_unlinked_key(speaker_id, user_id),)
            )
            return ("linked", speaker_id)

    # ------------------------------------------------------------------ usernames
    async def link_username(self, speaker_id: str, user_id: int, now: datetime) -> bool:
        """Link by the agenda's username, only if neither side is linked yet.

        Once a speaker is linked, the stored numeric id wins: a later account that takes the
        username over links nothing. An account an organiser unlinked is not relinked this way.
        """
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "SELECT 1 FROM speaker_links WHERE speaker_id = ? OR user_id = ?"
                " UNION ALL SELECT 1 FROM kv WHERE key = ?",
                (speaker_id, user_id, _unlinked_key(speaker_id, user_id)),
            )
            if await cur.fetchone() is not None:
                return False
            await conn.execute(
                "INSERT INTO speaker_links (speaker_id, user_id, via, linked_at)"
                " VALUES (?, ?, 'username', ?)",
                (speaker_id, user_id, ts(now)),
            )
            return True

    # ------------------------------------------------------------------ unlinking
    async def unlink(
        self, speaker_id: str, now: datetime, *, audit: tuple[int, str, str] | None = None
    ) -> int | None:
        """End a speaker's link and revoke their unused codes; returns the account unlinked."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "SELECT user_id FROM speaker_links WHERE speaker_id = ?", (speaker_id,)
            )
            row = await cur.fetchone()
            if row is None:
                return None
            user_id = int(row[0])
            await conn.execute("DELETE FROM speaker_links WHERE speaker_id = ?", (speaker_id,))
            await conn.execute(
                "UPDATE speaker_codes SET revoked = 1"
                " WHERE speaker_id = ? AND used_at IS NULL AND revoked = 0",
                (speaker_id,),
            )
            await conn.execute(
                "INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)",
                (_unlinked_key(speaker_id, user_id), ts(now)),
            )
            if audit is not None:
                await conn.execute(
                    "INSERT INTO audit_log (user_id, action, detail, audience_size, at)"
                    " VALUES (?, ?, ?, 1, ?)",
                    (audit[0], audit[1], audit[2], ts(now)),
                )
            return user_id
