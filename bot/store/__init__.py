"""Persistence: the database and one repository per concern."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.audit import AuditRepo
from bot.store.bookmarks import BookmarksRepo
from bot.store.db import Database
from bot.store.feedback import FeedbackRepo
from bot.store.outbox import OutboxRepo
from bot.store.speakers import SpeakerLinksRepo
from bot.store.users import UsersRepo


@dataclass
class Store:
    """What handlers and jobs reach for; built once at start-up."""

    db: Database
    users: UsersRepo
    bookmarks: BookmarksRepo
    speakers: SpeakerLinksRepo
    feedback: FeedbackRepo
    outbox: OutboxRepo
    audit: AuditRepo

    @classmethod
    async def open(cls, path: str) -> Store:
        db = await Database.open(path)
        return cls(
            db=db,
            users=UsersRepo(db),
            bookmarks=BookmarksRepo(db),
            speakers=SpeakerLinksRepo(db),
            feedback=FeedbackRepo(db),
            outbox=OutboxRepo(db),
            audit=AuditRepo(db),
        )

    async def close(self) -> None:
        await self.db.close()
