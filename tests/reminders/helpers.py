"""A tiny outbox and agenda builders for planner unit tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.agenda.index import AgendaIndex
from bot.agenda.model import Conference, Session, SessionSpeaker, SessionType, Speaker
from bot.reminders import Envelope, ReminderPlanner
from bot.store.db import Database, ts
from bot.store.outbox import OutboxRepo
from bot.store.reminders import RemindersRepo

BRU = ZoneInfo("Europe/Brussels")


class RecordingOutbox:
    """The real outbox table and queries (so the planner sees its dedup log), plus a record."""

    def __init__(self, db: Database) -> None:
        self.repo = OutboxRepo(db)
        self.added: list[Envelope] = []
        self.cancelled: list[tuple[str | None, str | None]] = []

    async def enqueue(self, envelopes: Sequence[Envelope]) -> int:
        added = 0
        for e in envelopes:  # one at a time, to record which ones were new
            if await self.repo.enqueue([e], e.due_at):
                added += 1
                self.added.append(e)
        return added

    async def cancel(
        self, *, kind: str | None = None, session_id: str | None = None, batch_id: int | None = None
    ) -> int:
        self.cancelled.append((kind, session_id))
        return await self.repo.cancel(
            datetime.now(UTC), kind=kind, session_id=session_id, batch_id=batch_id
        )

    def of(self, kind: str) -> list[Envelope]:
        return [e for e in self.added if e.kind == kind]


def at(y: int, mo: int, d: int, h: int, mi: int = 0, sec: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, sec, tzinfo=BRU)


def session(
    sid: str,
    start: datetime,
    minutes: int = 45,
    kind: SessionType = SessionType.TALK,
    speakers: tuple[str, ...] = (),
    day: Any = None,
) -> Session:
    return Session(
        id=sid,
        title=f"Title of {sid}",
        start=start,
        end=start + timedelta(minutes=minutes),
        room="Room A",
        type=kind,
        speakers=tuple(SessionSpeaker(s) for s in speakers),
        day=day,
    )


def conference(*sessions: Session, tz: ZoneInfo = BRU) -> Conference:
    ids = {sp for s in sessions for sp in s.speaker_ids}
    return Conference(
        name="Test Conf",
        timezone=tz,
        sessions=tuple(sessions),
        speakers={i: Speaker(i, i.title()) for i in ids},
    )


class AgendaBox:
    """A swappable agenda, like the runtime's."""

    def __init__(self, conf: Conference) -> None:
        self.index = AgendaIndex(conf)

    def set(self, conf: Conference) -> None:
        self.index = AgendaIndex(conf)

    def __call__(self) -> AgendaIndex:
        return self.index


async def add_user(
    db: Database, uid: int, *, minutes: int | None = None, headline: bool = False
) -> None:
    now = ts(datetime(2024, 1, 1, tzinfo=UTC))
    await db.execute(
        "INSERT INTO users (id, first_name, first_seen, last_seen, reminder_minutes,"
        " remind_headline) VALUES (?, 'U', ?, ?, ?, ?)",
        (uid, now, now, minutes, int(headline)),
    )


async def bookmark(db: Database, uid: int, sid: str) -> None:
    await db.execute(
        "INSERT INTO bookmarks (user_id, session_id, created_at) VALUES (?, ?, '2024')",
        (uid, sid),
    )


def planner(
    db: Database, outbox: RecordingOutbox, box: AgendaBox, clock: Any, **kw: Any
) -> ReminderPlanner:
    return ReminderPlanner(RemindersRepo(db), outbox, box, clock, **kw)
