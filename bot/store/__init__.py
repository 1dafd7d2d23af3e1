"""Persistence: every SQL statement of the bot lives in this package.

``Store`` is the SQLite implementation (aiosqlite, one connection, WAL): one repository per
concern, each implementing a protocol of ``bot.store.protocols``, which is all the core
depends on. Records are in ``bot.store.records``, outbox kinds and dedup keys in
``bot.store.keys``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.audiences import AudiencesRepo
from bot.store.audit import AuditRepo
from bot.store.bookmarks import BookmarksRepo
from bot.store.calendar_feeds import CalendarFeedsRepo
from bot.store.db import Database
from bot.store.feedback import FeedbackRepo
from bot.store.inbox import InboxRepo
from bot.store.kv import KvRepo
from bot.store.outbox import OutboxRepo
from bot.store.qa import QandARepo
from bot.store.reminders import RemindersRepo
from bot.store.sharing import ShareLinksRepo
from bot.store.speakers import SpeakerLinksRepo
from bot.store.telemetry import TelemetryRepo
from bot.store.users import UsersRepo


@dataclass
class Store:
    """The SQLite store (``bot.store.protocols.Repositories``); built once at start-up."""

    db: Database
    users: UsersRepo
    bookmarks: BookmarksRepo
    speakers: SpeakerLinksRepo
    feedback: FeedbackRepo
    outbox: OutboxRepo
    audit: AuditRepo
    reminders: RemindersRepo
    audiences: AudiencesRepo
    sharing: ShareLinksRepo
    kv: KvRepo
    calendar_feeds: CalendarFeedsRepo
    inbox: InboxRepo
    telemetry: TelemetryRepo
    qa: QandARepo

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
            reminders=RemindersRepo(db),
            audiences=AudiencesRepo(db),
            sharing=ShareLinksRepo(db),
            kv=KvRepo(db),
            calendar_feeds=CalendarFeedsRepo(db),
            inbox=InboxRepo(db),
            telemetry=TelemetryRepo(db),
            qa=QandARepo(db),
        )

    async def close(self) -> None:
        await self.db.close()
