"""Reloading the agenda: previews, applying, telling each affected bookmarker once, re-planning.

Used by ``/reload`` (``AGENDA_PATH`` re-read, or a file an organiser uploaded) and by the live
``AGENDA_URL`` refresh (``bot.live_agenda``). The swap is a single assignment of a whole
``AgendaState`` to ``CurrentAgenda.state``, so nobody ever sees a half-applied programme;
change notices go through the delivery outbox like every bulk message, and the agenda
listeners (the reminder planner) re-plan after every swap.

A preview is kept in memory under a random token until it is applied or discarded; only the
latest preview can be applied, and only onto the agenda it was computed against (an Apply
pressed after another reload is stale). An uploaded agenda is kept beside the database when
applied, so a restart serves it until the next ``/reload`` of ``AGENDA_PATH``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, tzinfo
from typing import Any, Protocol

from bot import texts
from bot.agenda import kept
from bot.agenda.diff import Changes, SessionChange, diff, session_fingerprint
from bot.agenda.loaders import load_agenda, load_bytes
from bot.agenda.model import Session
from bot.agenda.state import AgendaState, CurrentAgenda
from bot.config import Settings
from bot.store import keys
from bot.store.protocols import AuditStore, BookmarksStore
from bot.store.records import Envelope

log = logging.getLogger("confbot.reload")

KIND = keys.CHANGE
#: The largest agenda file an organiser may upload.
MAX_AGENDA_BYTES = 5 * 1024 * 1024
#: ``(old_state, new_state, changes)``: reminders and others re-plan after a swap.
AgendaListener = Callable[[AgendaState, AgendaState, Changes], Awaitable[None]]


class Enqueue(Protocol):
    """What reloading needs of the delivery outbox."""

    async def enqueue(self, envelopes: Sequence[Envelope]) -> int: ...


@dataclasses.dataclass(frozen=True)
class Applied:
    """What applying an agenda did, for the organiser's confirmation."""

    changes: Changes
    notified: int


@dataclasses.dataclass(frozen=True)
class Preview:
    """A reload waiting for Apply or Cancel (``token`` goes into the buttons)."""

    token: str
    source: str
    changes: Changes
    people: int
    warnings: int


@dataclasses.dataclass(frozen=True)
class _Pending:
    new: AgendaState
    base: AgendaState  # the agenda the diff was made against
    organiser: int
    #: (file name, bytes) of an uploaded agenda, kept on apply so a restart serves it
    upload: tuple[str, bytes] | None


class ReloadStale(Exception):
    """The preview was replaced, applied, discarded, or the agenda changed since."""


def _snapshot(session: Session) -> dict[str, Any]:
    """What a change notice shows of a session, kept in its outbox row: the notice is worded
    when it is sent, in its reader's language, about the session as it was and as it is."""
    return {
        "title": session.title,
        "titles": [list(pair) for pair in session.titles],
        "start": session.start.isoformat(),
        "end": session.end.isoformat(),
        "room": session.room,
    }


def notice_payload(old: Session, new: Session | None) -> dict[str, Any]:
    return {
        "session_id": old.id,
        "cancelled": new is None,
        "old": _snapshot(old),
        "new": _snapshot(new) if new is not None else None,
    }


def _restore(session_id: str, data: object, tz: tzinfo) -> Session:
    if not isinstance(data, dict):
        raise ValueError("not a session snapshot")
    titles = tuple((str(tag), str(text)) for tag, text in data.get("titles") or ())
    return Session(
        session_id,
        str(data["title"]),
        datetime.fromisoformat(str(data["start"])).astimezone(tz),
        datetime.fromisoformat(str(data["end"])).astimezone(tz),
        room=str(data.get("room") or ""),
        titles=titles,
    )


def notice_sessions(payload: dict[str, Any], tz: tzinfo) -> tuple[Session, Session | None] | None:
    """The (old, new) sessions of a change notice's payload (new is None: cancelled); None for
    a row written before notices were worded at send time (it carries its ``html``)."""
    if "old" not in payload:
        return None
    sid = str(payload.get("session_id") or "")
    old = _restore(sid, payload["old"], tz)
    new = payload.get("new")
    return old, (_restore(sid, new, tz) if new is not None else None)


def notice_text(old: Session, new: Session | None) -> str:
    """A change notice in the current language (rendered at send time, in the reader's)."""
    if new is None:
        return texts.change_cancelled(old)
    return texts.change_notice(SessionChange(old, new))


def summary(changes: Changes) -> str:
    return (
        f"{len(changes.moved)} moved, {len(changes.room_changes)} room changes,"
        f" {len(changes.renamed)} renamed, {len(changes.added)} new,"
        f" {len(changes.cancelled)} cancelled"
    )


class Reloads:
    """The one way a new agenda is put in place (quietly, or with notices), and /reload previews."""

    def __init__(
        self,
        current: CurrentAgenda,
        bookmarks: BookmarksStore,
        audit: AuditStore,
        outbox: Enqueue,
        settings: Settings,
    ) -> None:
        self.current = current
        self.bookmarks = bookmarks
        self.audit = audit
        self.outbox = outbox
        self.settings = settings
        self.clock = current.clock
        #: Called after every swap, in order; one failing does not undo the swap.
        self.listeners: list[AgendaListener] = []
        #: What the last ``apply`` did (the organiser's confirmation reads it).
        self.last: Applied | None = None
        #: Agendas refused since start (a broken file or upload): read by /metrics.
        self.failures = 0
        self._pending: dict[str, _Pending] = {}

    # ------------------------------------------------------------------ swapping
    async def swap(self, new_state: AgendaState) -> Changes:
        """Replace the agenda without notices (start-up, a kept copy); listeners still re-plan.

        The new agenda's indexes are built in a worker thread before the swap, so neither the
        event loop nor the first question after it pays for them.
        """
        await asyncio.to_thread(new_state.prepare)
        old_state = self.current.state
        changes = diff(old_state.conference, new_state.conference)
        self.current.state = new_state
        await self._tell_listeners(old_state, new_state, changes)
        return changes

    async def apply(self, new_state: AgendaState, *, actor: int | None) -> Applied:
        """Swap the agenda, enqueue change notices, call the listeners, audit.

        ``actor`` is the organiser who applied it, None for the live refresh.
        """
        await asyncio.to_thread(new_state.prepare)
        old_state = self.current.state
        changes = diff(old_state.conference, new_state.conference)
        self.current.state = new_state
        now = self.clock.now()
        envelopes = await self.notices(changes, now)
        # Past sessions changed in the file are history: nobody needs a notice about them.
        envelopes = [e for e in envelopes if e.deadline is not None]
        notified = int(await self.outbox.enqueue(envelopes)) if envelopes else 0
        await self._tell_listeners(old_state, new_state, changes)
        await self.audit.log(
            actor if actor is not None else 0,
            "reload" if actor is not None else "reload_auto",
            now,
            detail=f"{new_state.source}: {summary(changes)}",
            audience_size=notified,
        )
        self.last = Applied(changes, notified)
        return self.last

    async def notices(self, changes: Changes, now: datetime) -> list[Envelope]:
        """One notice per (bookmarker, affected session, version of that session)."""
        out: list[Envelope] = []
        pairs: list[tuple[Session, Session | None]] = [(c.old, c.new) for c in changes.changed]
        pairs += [(s, None) for s in changes.cancelled]
        for old, new in pairs:
            users = await self.bookmarks.users_of(old.id)
            if not users:
                continue
            fingerprint = session_fingerprint(new)
            ends = max(old.end, new.end) if new is not None else old.end
            payload = notice_payload(old, new)
            out.extend(
                Envelope(
                    chat_id=user,
                    kind=KIND,
                    payload=payload,
                    due_at=now,
                    deadline=ends if ends > now else None,
                    dedup_key=keys.change_key(user, old.id, fingerprint),
                    session_id=old.id,
                )
                for user in users
            )
        return out

    async def _tell_listeners(
        self, old_state: AgendaState, new_state: AgendaState, changes: Changes
    ) -> None:
        for listener in list(self.listeners):
            try:
                await listener(old_state, new_state, changes)
            except Exception:  # one feature failing to re-plan must not undo the swap
                log.exception("agenda listener %r failed", listener)

    async def restore_kept(self) -> None:
        """At start: an agenda uploaded before the restart still holds."""
        settings = self.settings
        found = await asyncio.to_thread(kept.load_kept, settings.state_dir, settings.default_tz)
        if found is not None:
            name, result = found
            log.info("serving the agenda uploaded as %s (kept beside the database)", name)
            await self.swap(AgendaState(result=result, source=name))

    # ------------------------------------------------------------------ reading a new agenda
    async def from_path(self) -> AgendaState:
        """``AGENDA_PATH`` read again (``AgendaError`` says where it is broken)."""
        path = self.settings.AGENDA_PATH
        result = await asyncio.to_thread(load_agenda, path, self.settings.default_tz)
        return AgendaState(result=result, source=str(path))

    async def from_upload(self, name: str, data: bytes) -> AgendaState:
        """An uploaded file (``AgendaError`` names the file and the place)."""
        result = await asyncio.to_thread(load_bytes, data, name, self.settings.default_tz)
        return AgendaState(result=result, source=name)

    async def refused(self, organiser: int, error: str) -> None:
        self.failures += 1
        await self.audit.log(organiser, "reload_refused", self.clock.now(), detail=error)

    # ------------------------------------------------------------------ previews
    async def preview(
        self,
        new: AgendaState,
        *,
        organiser: int,
        upload: tuple[str, bytes] | None = None,
    ) -> Preview | None:
        """What applying ``new`` would change, kept under a token; None when nothing would."""
        base = self.current.state
        changes = diff(base.conference, new.conference)
        if changes.empty and not changes.other:
            return None
        token = secrets.token_hex(4)
        self._pending.clear()  # only the latest preview can be applied
        self._pending[token] = _Pending(new=new, base=base, organiser=organiser, upload=upload)
        people = await self.bookmarks.count_users_of(changes.affected_ids)
        await self.audit.log(
            organiser, "reload_preview", self.clock.now(), detail=new.source, audience_size=people
        )
        return Preview(token, new.source, changes, people, len(new.result.warnings))

    def _take(self, token: str) -> _Pending:
        item = self._pending.pop(token, None)
        if item is None or item.base is not self.current.state:
            raise ReloadStale(token)
        return item

    async def apply_preview(self, token: str, organiser: int) -> Applied:
        """Apply a preview; an upload is kept for restarts, a re-read ``AGENDA_PATH`` forgets it."""
        item = self._take(token)
        applied = await self.apply(item.new, actor=organiser)
        state_dir = self.settings.state_dir
        if item.upload is not None:
            await asyncio.to_thread(kept.keep, state_dir, *item.upload)
        else:  # AGENDA_PATH re-read: the file on disk is the source again
            await asyncio.to_thread(kept.forget, state_dir)
        return applied

    async def discard_preview(self, token: str, organiser: int) -> None:
        item = self._take(token)
        await self.audit.log(organiser, "reload_discard", self.clock.now(), detail=item.new.source)
