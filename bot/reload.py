"""Apply a new agenda: swap it in, tell each affected bookmarker once, let features re-plan.

Used by ``/reload`` (a file on disk or uploaded by an organiser) and by the live AGENDA_URL
refresh. The swap is a single assignment of a whole ``AgendaState``, so handlers never see a
half-applied programme; notices go through the delivery outbox like every bulk message.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot import texts
from bot.agenda.diff import Changes, SessionChange, diff, session_fingerprint
from bot.agenda.index import session_key
from bot.agenda.model import Session
from bot.delivery import Envelope
from bot.outgoing import Button, OutgoingMessage
from bot.runtime import AgendaState, Runtime

log = logging.getLogger("confbot.reload")

KIND = "change"
#: ``(old_state, new_state, changes)``: reminders and others re-plan after a swap.
AgendaListener = Callable[[AgendaState, AgendaState, Changes], Awaitable[None]]


@dataclasses.dataclass(frozen=True)
class Applied:
    """What ``apply_agenda`` did, for the organiser's confirmation."""

    changes: Changes
    notified: int


def _notice_html(old: Session, new: Session | None) -> str:
    if new is None:
        return texts.change_cancelled(old)
    return texts.change_notice(SessionChange(old, new))


async def notices(rt: Runtime, changes: Changes, now: datetime) -> list[Envelope]:
    """One notice per (bookmarker, affected session, version of that session)."""
    out: list[Envelope] = []
    pairs: list[tuple[Session, Session | None]] = [(c.old, c.new) for c in changes.changed]
    pairs += [(s, None) for s in changes.cancelled]
    for old, new in pairs:
        users = await rt.store.bookmarks.users_of(old.id)
        if not users:
            continue
        html = _notice_html(old, new)
        fingerprint = session_fingerprint(new)
        ends = max(old.end, new.end) if new is not None else old.end
        payload = {"html": html, "session_id": old.id, "cancelled": new is None}
        out.extend(
            Envelope(
                chat_id=user,
                kind=KIND,
                payload=payload,
                due_at=now,
                deadline=ends if ends > now else None,
                dedup_key=f"change:{user}:{old.id}:{fingerprint}",
                session_id=old.id,
            )
            for user in users
        )
    return out


async def _tell_listeners(
    rt: Runtime, old_state: AgendaState, new_state: AgendaState, changes: Changes
) -> None:
    listeners: list[AgendaListener] = list(rt.services.get("agenda_listeners", []))
    for listener in listeners:
        try:
            await listener(old_state, new_state, changes)
        except Exception:  # one feature failing to re-plan must not undo the swap
            log.exception("agenda listener %r failed", listener)


async def swap_agenda(rt: Runtime, new_state: AgendaState) -> Changes:
    """Replace the agenda without notices (start-up, a kept copy); listeners still re-plan.

    The new agenda's indexes are built in a worker thread before the swap, so neither the
    event loop nor the first question after it pays for them.
    """
    await asyncio.to_thread(new_state.prepare)
    old_state = rt.agenda
    changes = diff(old_state.conference, new_state.conference)
    rt.agenda = new_state
    await _tell_listeners(rt, old_state, new_state, changes)
    return changes


async def apply_agenda(rt: Runtime, new_state: AgendaState, *, actor: int | None) -> Changes:
    """Swap the agenda, enqueue change notices, call the agenda listeners; returns the diff.

    ``actor`` is the organiser who applied it (audited), None for the live refresh.
    """
    await asyncio.to_thread(new_state.prepare)
    old_state = rt.agenda
    changes = diff(old_state.conference, new_state.conference)
    rt.agenda = new_state
    now = rt.clock.now()
    envelopes = await notices(rt, changes, now)
    # Past sessions changed in the file are history: nobody needs a notice about them.
    envelopes = [e for e in envelopes if e.deadline is not None]
    delivery = rt.services.get("delivery")
    notified = 0
    if envelopes and delivery is not None:
        notified = int(await delivery.enqueue(envelopes))
    elif envelopes:
        log.warning("no delivery service: %d change notices not sent", len(envelopes))
    await _tell_listeners(rt, old_state, new_state, changes)
    await rt.store.audit.log(
        actor if actor is not None else 0,
        "reload" if actor is not None else "reload_auto",
        now,
        detail=f"{new_state.source}: {summary(changes)}",
        audience_size=notified,
    )
    rt.services["last_reload"] = Applied(changes, notified)
    return changes


def summary(changes: Changes) -> str:
    return (
        f"{len(changes.moved)} moved, {len(changes.room_changes)} room changes,"
        f" {len(changes.renamed)} renamed, {len(changes.added)} new,"
        f" {len(changes.cancelled)} cancelled"
    )


def make_renderer(rt: Runtime) -> Callable[[dict[str, Any], int], Awaitable[OutgoingMessage]]:
    """Change notices carry their text; the button opens the session if it still exists."""

    async def render(payload: dict[str, Any], chat_id: int) -> OutgoingMessage:
        html = str(payload.get("html") or "")
        sid = payload.get("session_id")
        session = rt.agenda.index.session(str(sid)) if sid else None
        if session is None or payload.get("cancelled"):
            return OutgoingMessage(html)
        button = Button(texts.open_session(), f"s:{session_key(session.id)}")
        return OutgoingMessage(html, ((button,),))

    return render
