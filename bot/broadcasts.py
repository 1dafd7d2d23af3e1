"""Broadcasts: who receives one, when it goes out, and turning it into outbox rows.

The organiser writes ``/broadcast [at WHEN] [to:AUDIENCE] TEXT``. Audiences are everyone who
started the bot (default), ``to:session:ID`` (its bookmarkers), ``to:speakers`` (linked
speakers) and ``to:track:NAME`` (bookmarkers of any session in that track). The text is kept as
the organiser's own HTML (converted from Telegram entities by the adapter) and sent as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import dateparser

from bot import texts
from bot.agenda.index import fold
from bot.delivery import Envelope
from bot.outgoing import OutgoingMessage
from bot.runtime import AgendaState, Runtime
from bot.store.db import Database
from bot.store.outbox import BATCH_RUNNING, BATCH_SCHEDULED, BATCH_SENDING

KIND = "broadcast"
#: Scheduling further ahead than this is almost certainly a typo (a date in 2112).
MAX_AHEAD = timedelta(days=60)

_TIME = r"\d{1,2}(?:[:.h]\d{2})(?:\s*[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?"
_DATE = r"\d{4}-\d{2}-\d{2}|\d{1,2}\s+[A-Za-z]{3,9}(?:\s+\d{4})?|tomorrow|today"
_WHEN = re.compile(rf"^at\s+(?P<when>(?:(?:{_DATE})\s+)?(?:{_TIME}))(?=\s|$)", re.IGNORECASE)
_AUDIENCE = re.compile(r"^to:(?P<kind>[a-z]+)(?::(?P<arg>\S+))?(?=\s|$)", re.IGNORECASE)


class BroadcastInputError(ValueError):
    """Input the organiser must fix; ``str()`` is plain text (the adapter escapes it)."""


@dataclass(frozen=True, slots=True)
class Audience:
    kind: str  # everyone | session | speakers | track
    arg: str = ""

    def encode(self) -> str:
        return f"{self.kind}:{self.arg}" if self.arg else self.kind

    @classmethod
    def decode(cls, text: str) -> Audience:
        kind, _, arg = text.partition(":")
        return cls(kind or "everyone", arg)


EVERYONE = Audience("everyone")


@dataclass(frozen=True, slots=True)
class Request:
    """A parsed ``/broadcast`` line: options, and where the message text starts."""

    audience: Audience
    when: datetime | None
    text_start: int  # offset of the message text in the argument string


def parse_when(text: str, now: datetime) -> datetime:
    """``17:30``, ``5:30 pm``, ``2024-11-28 09:00``, ``tomorrow 9:00`` in the conference zone.

    dateparser is restricted to English, the conference's zone and ``now`` as its base, and only
    called on text that already looks like a time (a bare ``10`` would become a month). A time
    that does not exist (a DST gap), in the past, or months ahead is refused.
    """
    tz = now.tzinfo
    assert tz is not None
    base = now.replace(tzinfo=None)
    parsed = dateparser.parse(
        text.replace("h", ":") if re.fullmatch(r"\d{1,2}h\d{2}", text) else text,
        languages=["en"],
        settings={
            "TIMEZONE": str(tz),
            "RETURN_AS_TIMEZONE_AWARE": False,
            "RELATIVE_BASE": base,
            "PREFER_DATES_FROM": "future",
            "DATE_ORDER": "DMY",
        },
    )
    if parsed is None:
        raise BroadcastInputError(texts.broadcast_time_unreadable(text))
    when = parsed.replace(tzinfo=tz)
    # A wall time in a DST gap does not survive a round trip through UTC.
    if when.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != parsed:
        raise BroadcastInputError(texts.broadcast_time_skipped(parsed))
    if when <= now:
        raise BroadcastInputError(texts.broadcast_time_passed(when))
    if when - now > MAX_AHEAD:
        raise BroadcastInputError(texts.broadcast_time_too_far(when))
    return when


def parse_request(args: str, state: AgendaState, now: datetime) -> Request:
    """Read the leading ``at WHEN`` and ``to:AUDIENCE`` options, in any order."""
    pos = 0
    when: datetime | None = None
    audience = EVERYONE
    while True:
        rest = args[pos:]
        stripped = rest.lstrip()
        pos += len(rest) - len(stripped)
        m = _WHEN.match(stripped)
        if m and when is None:
            when = parse_when(m.group("when"), now)
            pos += m.end()
            continue
        m = _AUDIENCE.match(stripped)
        if m and audience == EVERYONE:
            audience = resolve_audience(m.group("kind").lower(), m.group("arg") or "", state)
            pos += m.end()
            continue
        break
    return Request(audience, when, pos)


def resolve_audience(kind: str, arg: str, state: AgendaState) -> Audience:
    if kind in {"everyone", "all"}:
        return EVERYONE
    if kind == "speakers":
        return Audience("speakers")
    if kind == "session":
        session = state.session_by_key(arg) if arg else None
        if session is None:
            raise BroadcastInputError(texts.broadcast_no_such_session(arg))
        return Audience("session", session.id)
    if kind == "track":
        wanted = fold(arg.replace("_", " ").replace("-", " "))
        for track in sorted({s.track for s in state.conference.sessions if s.track}):
            if fold(track.replace("-", " ")) == wanted:
                return Audience("track", track)
        raise BroadcastInputError(texts.broadcast_no_such_track(arg))
    raise BroadcastInputError(texts.broadcast_unknown_audience(kind))


async def recipients(db: Database, state: AgendaState, audience: Audience) -> list[int]:
    """Active users in the audience, in id order (reads the store as it is now)."""
    active = "SELECT id FROM users WHERE active = 1"
    if audience.kind == "everyone":
        rows = await db.fetchall(active + " ORDER BY id")
    elif audience.kind == "speakers":
        rows = await db.fetchall(
            "SELECT l.user_id FROM speaker_links l JOIN users u ON u.id = l.user_id"
            " WHERE u.active = 1 ORDER BY l.user_id"
        )
    elif audience.kind == "session":
        rows = await db.fetchall(
            "SELECT b.user_id FROM bookmarks b JOIN users u ON u.id = b.user_id"
            " WHERE b.session_id = ? AND u.active = 1 ORDER BY b.user_id",
            (audience.arg,),
        )
    elif audience.kind == "track":
        ids = [s.id for s in state.conference.sessions if s.track == audience.arg]
        if not ids:
            return []
        marks = ",".join("?" for _ in ids)
        rows = await db.fetchall(
            "SELECT DISTINCT b.user_id FROM bookmarks b JOIN users u ON u.id = b.user_id"
            f" WHERE b.session_id IN ({marks}) AND u.active = 1 ORDER BY b.user_id",
            ids,
        )
    else:
        raise BroadcastInputError(f"unknown audience {audience.kind!r}")
    return [int(r[0]) for r in rows]


def envelopes(batch_id: int, html: str, chat_ids: list[int], due_at: datetime) -> list[Envelope]:
    """One row per recipient; the key makes a second press of Send a no-op."""
    payload = {"html": html}
    return [
        Envelope(
            chat_id=chat,
            kind=KIND,
            payload=payload,
            due_at=due_at,
            dedup_key=f"bc:{batch_id}:{chat}",
            batch_id=batch_id,
        )
        for chat in chat_ids
    ]


async def render(payload: dict[str, Any], chat_id: int) -> OutgoingMessage | None:
    html = payload.get("html")
    return OutgoingMessage(html) if isinstance(html, str) and html else None


async def launch(
    rt: Runtime, batch_id: int, html: str, audience: Audience, when: datetime | None
) -> int:
    """Enqueue a confirmed broadcast; returns how many rows it has.

    Idempotent (one dedup key per batch and recipient), so an enqueue a crash interrupted is
    simply run again at start-up by ``resume_interrupted``.
    """
    ids = await recipients(rt.store.db, rt.agenda, audience)
    due = when or rt.clock.now()
    delivery = rt.services["delivery"]
    await delivery.enqueue(envelopes(batch_id, html, ids, due))
    total = (await rt.store.outbox.progress(batch_id)).total
    state = BATCH_SCHEDULED if when is not None and when > rt.clock.now() else BATCH_RUNNING
    await rt.store.outbox.update_batch(batch_id, state=state, total=total)
    return total


async def resume_interrupted(rt: Runtime) -> list[int]:
    """Broadcasts whose Send was pressed but whose rows a crash cut short: finish enqueueing."""
    resumed = []
    now = rt.clock.now()
    for batch in await rt.store.outbox.batches([BATCH_SENDING], kind=KIND):
        when = batch.scheduled_for if batch.scheduled_for and batch.scheduled_for > now else None
        html = str(batch.payload.get("html") or "")
        await launch(rt, batch.id, html, Audience.decode(batch.audience), when)
        resumed.append(batch.id)
    return resumed
