"""A core without Telegram for unit tests: a real SQLite store, the Brussels agenda, a clock."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.agenda.loaders import load_agenda
from bot.agenda.state import AgendaState, CurrentAgenda
from bot.clock import ManualClock
from bot.config import DEFAULT_AGENDA, Settings
from bot.store import Store
from bot.store.records import Envelope

BRUSSELS = DEFAULT_AGENDA  # the Brussels sample conference


@dataclass
class RecordingOutbox:
    """Writes rows like the delivery outbox (so dedup keys and progress are real), keeps a list."""

    store: Store
    clock: ManualClock
    rate: float = 25.0
    added: list[Envelope] = field(default_factory=list)
    cancelled: list[int | None] = field(default_factory=list)

    async def enqueue(self, envelopes: Sequence[Envelope]) -> int:
        added = await self.store.outbox.enqueue(envelopes, self.clock.now())
        self.added.extend(envelopes)
        return added

    async def cancel(
        self, *, kind: str | None = None, session_id: str | None = None, batch_id: int | None = None
    ) -> int:
        self.cancelled.append(batch_id)
        return await self.store.outbox.cancel(
            self.clock.now(), kind=kind, session_id=session_id, batch_id=batch_id
        )

    async def deliver_all(self) -> int:
        """Mark every due row sent, as a sender that never fails would."""
        rows = await self.store.outbox.due(self.clock.now(), 100_000)
        for row in rows:
            await self.store.outbox.finish(row.id, "sent", self.clock.now())
        return len(rows)


@dataclass
class Core:
    store: Store
    clock: ManualClock
    current: CurrentAgenda
    outbox: RecordingOutbox
    settings: Settings

    def now(self) -> datetime:
        return self.current.now()

    async def users(self, *ids: int) -> None:
        for uid in ids:
            await self.store.users.seen(uid, f"U{uid}", None, "en", self.clock.now())


def brussels_state() -> AgendaState:
    return AgendaState(result=load_agenda(BRUSSELS), source=str(BRUSSELS))


@contextlib.asynccontextmanager
async def open_core(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Core]:
    """The ``core`` fixture of tests/conftest.py."""
    store = await Store.open(str(tmp_path / "core.sqlite3"))
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, DATABASE_PATH=tmp_path / "core.sqlite3", AGENDA_PATH=BRUSSELS
    )
    try:
        yield Core(
            store,
            clock,
            CurrentAgenda(brussels_state(), clock),
            RecordingOutbox(store, clock),
            settings,
        )
    finally:
        await store.close()
