"""Broadcasts: who receives one, when it goes out, its life as a batch, and its progress.

The organiser writes ``/broadcast [at WHEN] [to:AUDIENCE] TEXT``, or ``/alert [to:AUDIENCE]
TEXT`` for an urgent alert: the same batch of another kind (``ALERT``), sent now, ahead of
everything else, in the alert frame (``render_alert``) and, with ``PAID_BROADCAST_RATE``, as
Telegram paid broadcasts (``Pace``). Audiences are everyone who
started the bot (default), ``to:session:ID`` (its bookmarkers), ``to:speakers`` (linked
speakers) and ``to:track:NAME`` (bookmarkers of any session in that track). The text is kept as
the organiser's own HTML (converted from Telegram entities by the adapter) and sent as it is.

A broadcast is a batch of outbox rows with a state of its own::

    draft --Send--> sending --rows written--> scheduled --due--> running --all sent--> done
      |                                           |                  |
      +--Cancel--> cancelled <------Stop----------+------------------+

``draft`` is the preview (nothing queued); ``sending`` is committed before the rows are
written, so a crash between the two is finished at start-up (``resume_interrupted``); the
rows' dedup keys make that second enqueue a no-op for rows already written. Every change of
state is a conditional update (``only_from``), so a double tap or two organisers pressing at
once move a batch once. ``BroadcastProgress`` keeps each running broadcast's progress message
up to date through a ``ProgressDisplay``, which the Telegram side implements by editing it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import dateparser

from bot import texts
from bot.agenda.index import fold
from bot.agenda.state import AgendaState, CurrentAgenda
from bot.clock import Clock
from bot.i18n import use_locale
from bot.outgoing import MAX_TEXT, OutgoingMessage
from bot.store import keys
from bot.store.protocols import AudiencesStore, AuditStore, OutboxStore, UsersStore
from bot.store.records import (
    BATCH_CANCELLED,
    BATCH_DONE,
    BATCH_DRAFT,
    BATCH_RUNNING,
    BATCH_SCHEDULED,
    BATCH_SENDING,
    Batch,
    Envelope,
    OutboxRow,
    parse_ts,
    ts,
)

log = logging.getLogger("confbot.broadcasts")

KIND = keys.BROADCAST
#: An urgent /alert: the same life as a broadcast, sent first and perhaps paid.
ALERT = keys.ALERT
#: The batch kinds this module runs.
KINDS = (KIND, ALERT)
#: Characters of an alert's text kept free for the alert frame (its header, in any language).
ALERT_FRAME_ROOM = 100
#: Telegram charges 0.1 Star per paid message above the free 30 a second: tenths of a Star.
TENTHS_OF_A_STAR_PER_MESSAGE = 1
#: The ``users.pending`` kind: the organiser's next text is the broadcast.
PENDING_KIND = keys.BROADCAST
#: Scheduling further ahead than this is almost certainly a typo (a date in 2112).
MAX_AHEAD = timedelta(days=60)
#: Seconds between edits of a progress message.
PROGRESS_INTERVAL = 3.0
#: /broadcasts lists at most this many.
LISTED = 20

_TIME = r"\d{1,2}(?:[:.h]\d{2})(?:\s*[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?"
_DATE = r"\d{4}-\d{2}-\d{2}|\d{1,2}\s+[A-Za-z]{3,9}(?:\s+\d{4})?|tomorrow|today"
_WHEN = re.compile(rf"^at\s+(?P<when>(?:(?:{_DATE})\s+)?(?:{_TIME}))(?=\s|$)", re.IGNORECASE)
_AUDIENCE = re.compile(r"^to:(?P<kind>[a-z]+)(?::(?P<arg>\S+))?(?=\s|$)", re.IGNORECASE)


class BroadcastInputError(ValueError):
    """Input the organiser must fix; ``str()`` is plain text (the adapter escapes it)."""


class DraftRefused(Exception):
    """No draft was made; ``html`` is the whole answer for the organiser."""

    def __init__(self, html: str) -> None:
        super().__init__(html)
        self.html = html


class BroadcastGone(Exception):
    """The batch is not (any more) in a state that allows this press: a stale or double tap,
    a draft of another organiser, a broadcast that already ended."""


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
    if tz is None:
        raise ValueError("parse_when needs an aware now (the conference clock)")
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


async def recipients(
    audiences: AudiencesStore, state: AgendaState, audience: Audience
) -> list[int]:
    """Active users in the audience, in id order (reads the store as it is now)."""
    if audience.kind == "everyone":
        return await audiences.everyone()
    if audience.kind == "speakers":
        return await audiences.speakers()
    if audience.kind == "session":
        return await audiences.bookmarkers([audience.arg])
    if audience.kind == "track":
        ids = [s.id for s in state.conference.sessions if s.track == audience.arg]
        return await audiences.bookmarkers(ids)
    raise BroadcastInputError(f"unknown audience {audience.kind!r}")


def envelopes(
    batch_id: int, html: str, chat_ids: list[int], due_at: datetime, kind: str = KIND
) -> list[Envelope]:
    """One row per recipient; the key makes a second press of Send a no-op."""
    payload = {"html": html}
    return [
        Envelope(
            chat_id=chat,
            kind=kind,
            payload=payload,
            due_at=due_at,
            dedup_key=keys.broadcast_key(batch_id, chat),
            batch_id=batch_id,
        )
        for chat in chat_ids
    ]


async def render_alert(row: OutboxRow) -> OutgoingMessage | None:
    """An alert row: the organiser's text (their HTML, kept in the row) in the alert frame, in
    the recipient's language (the renderer runs in it)."""
    html = row.payload.get("html")
    return OutgoingMessage(texts.alert_message(html)) if isinstance(html, str) and html else None


def max_stars(recipients: int) -> int:
    """What a paid alert can cost at most, in whole Stars: 0.1 Star a message, as if every one
    were above the free limit, rounded up (Telegram bills only those above 30 a second)."""
    return -(-recipients * TENTHS_OF_A_STAR_PER_MESSAGE // 10)


class Pace:
    """How fast a batch goes out, for ETAs: an alert at ``paid`` (``PAID_BROADCAST_RATE``)
    unless Telegram refused paid sending for it, everything else at the free rate."""

    def __init__(self, free: Callable[[], float], paid: float | None = None) -> None:
        self.free = free
        self.paid = paid
        #: Alerts Telegram refused paid sending for: they go on at the free rate.
        self.refused: set[int] = set()

    def paid_for(self, kind: str, batch_id: int | None = None) -> bool:
        return kind == ALERT and self.paid is not None and batch_id not in self.refused

    def rate(self, kind: str, batch_id: int | None = None) -> float:
        if self.paid is not None and self.paid_for(kind, batch_id):
            return self.paid
        return self.free()

    def eta(self, kind: str, count: int, batch_id: int | None = None) -> float:
        return count / self.rate(kind, batch_id)


class Sender(Protocol):
    """What broadcasts need of the delivery outbox (``bot.delivery.Delivery``)."""

    rate: float

    async def enqueue(self, envelopes: Sequence[Envelope]) -> int: ...

    async def cancel(
        self, *, kind: str | None = None, session_id: str | None = None, batch_id: int | None = None
    ) -> int: ...


@dataclass(frozen=True, slots=True)
class Draft:
    """A previewed broadcast waiting for Send or Cancel."""

    batch_id: int
    size: int
    label: str
    when: datetime | None
    kind: str = KIND
    #: Seconds sending all of it takes (alerts: at the paid rate when it is on).
    eta_seconds: float = 0.0
    #: At most what it costs in Stars; None: free (not a paid alert).
    max_stars: int | None = None


@dataclass(frozen=True, slots=True)
class Launched:
    """Send was pressed: the rows are queued (``when`` set: scheduled for then)."""

    batch_id: int
    total: int
    when: datetime | None
    eta_seconds: float
    kind: str = KIND


@dataclass(frozen=True, slots=True)
class Listed:
    """One line of /broadcasts: a scheduled or running broadcast."""

    batch: Batch
    label: str
    when: datetime | None
    preview: str
    left: int


@dataclass(frozen=True, slots=True)
class ProgressNote:
    """What a progress message should say now; ``stoppable`` while it can still be stopped."""

    batch_id: int
    chat_id: int
    message_id: int
    html: str
    stoppable: bool


class ProgressDisplay(Protocol):
    """Shows a progress note (the Telegram side edits the organiser's message). Failures are
    the display's to log: progress is cosmetic, the outbox keeps the truth."""

    async def show(self, note: ProgressNote) -> None: ...

    async def tell(self, chat_id: int, html: str) -> None:
        """A new message to an organiser (a refused paid alert): at once, not queued behind
        the alert itself."""
        ...


class BroadcastProgress:
    """Moves due scheduled batches to running and running ones to done, and keeps each one's
    progress message current: every ``interval`` seconds, or at once after ``wake()``."""

    def __init__(
        self,
        outbox: OutboxStore,
        display: ProgressDisplay,
        clock: Clock,
        rate: Callable[[], float],
        *,
        interval: float = PROGRESS_INTERVAL,
        language_of: Callable[[int], Awaitable[str | None]] | None = None,
        paid_rate: float | None = None,
    ) -> None:
        self.outbox = outbox
        self.display = display
        self.clock = clock
        self.pace = Pace(rate, paid_rate)
        self.interval = interval
        #: The language of the chat a progress message is in (its organiser's): the ticks run
        #: in no update's context, so each note is worded in it explicitly.
        self.language_of = language_of
        self._wake = asyncio.Event()
        self._shown: dict[int, str] = {}
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="confbot-broadcast-progress")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("broadcast progress update failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()

    async def tick(self) -> None:
        """One pass over the scheduled and running broadcasts."""
        now = self.clock.now()
        for batch in await self.outbox.batches([BATCH_SCHEDULED, BATCH_RUNNING]):
            if batch.kind not in KINDS:
                continue
            if batch.state == BATCH_SCHEDULED:
                if batch.scheduled_for is None or batch.scheduled_for <= now:
                    await self.outbox.set_batch_state(
                        batch.id, BATCH_RUNNING, only_from=BATCH_SCHEDULED
                    )
                continue
            p = await self.outbox.progress(batch.id)
            if p.done:
                await self.outbox.set_batch_state(batch.id, BATCH_DONE, only_from=BATCH_RUNNING)
                await self.show_final(batch.id)
                self._shown.pop(batch.id, None)
                continue
            if batch.progress_chat_id is None or batch.progress_message_id is None:
                continue
            with use_locale(await self._language(batch.progress_chat_id)):
                eta = self.pace.eta(batch.kind, p.left, batch.id)
                text = texts.broadcast_progress(
                    batch.id, p.sent, p.failed, p.blocked, p.left, eta, alert=batch.kind == ALERT
                )
            if self._shown.get(batch.id) != text:
                self._shown[batch.id] = text
                note = ProgressNote(
                    batch.id, batch.progress_chat_id, batch.progress_message_id, text, True
                )
                await self.display.show(note)

    async def show_final(self, batch_id: int) -> None:
        """The last word on a broadcast that finished or was stopped."""
        batch = await self.outbox.batch(batch_id)
        if batch is None or batch.progress_chat_id is None or batch.progress_message_id is None:
            return
        p = await self.outbox.progress(batch_id)
        alert = batch.kind == ALERT
        with use_locale(await self._language(batch.progress_chat_id)):
            if batch.state == BATCH_CANCELLED:
                left = p.other + p.left
                text = texts.broadcast_stopped(
                    batch_id, p.sent, p.failed, p.blocked, left, alert=alert
                )
            else:
                text = texts.broadcast_done(
                    batch_id, p.sent, p.failed, p.blocked, p.left, alert=alert
                )
        note = ProgressNote(
            batch_id, batch.progress_chat_id, batch.progress_message_id, text, False
        )
        await self.display.show(note)

    async def _language(self, chat_id: int) -> str | None:
        return await self.language_of(chat_id) if self.language_of is not None else None


class Broadcasts:
    """The broadcasts feature's core: drafts, Send / Cancel / Stop, audiences, the audit trail.

    Every organiser action is audited before its effect is visible; the handler only parses,
    calls and renders.
    """

    def __init__(
        self,
        outbox: OutboxStore,
        audiences: AudiencesStore,
        users: UsersStore,
        audit: AuditStore,
        sender: Sender,
        current: CurrentAgenda,
        progress: BroadcastProgress,
    ) -> None:
        self.outbox = outbox
        self.audiences = audiences
        self.users = users
        self.audit = audit
        self.sender = sender
        self.current = current
        self.clock = current.clock
        self.progress = progress
        self.pace = progress.pace

    # ------------------------------------------------------------------ audiences
    def audience_label(self, audience: Audience) -> str:
        title = None
        if audience.kind == "session":
            session = self.current.index.session(audience.arg)
            title = texts.title_of(session) if session else None
        return texts.audience_label(audience.kind, audience.arg, title)

    async def recipients(self, audience: Audience) -> list[int]:
        return await recipients(self.audiences, self.current.state, audience)

    # ------------------------------------------------------------------ drafting
    def parse(self, args: str) -> Request:
        """The options of ``/broadcast ARGS``; ``BroadcastInputError`` says what to fix."""
        return parse_request(args, self.current.state, self.current.now())

    async def await_text(self, organiser: int, request: Request) -> None:
        """A bare ``/broadcast``: the organiser's next text is the message."""
        state = {
            "kind": PENDING_KIND,
            "audience": request.audience.encode(),
            "when": ts(request.when) if request.when else None,
        }
        await self.users.set_pending(organiser, state)

    async def awaited(self, organiser: int) -> Request | None:
        """The request a bare ``/broadcast`` left waiting for its text, taken (once)."""
        state = await self.users.pending(organiser)
        if not state or state.get("kind") != PENDING_KIND:
            return None
        await self.users.set_pending(organiser, None)
        when = parse_ts(state["when"]).astimezone(self.current.tz) if state.get("when") else None
        audience = Audience.decode(str(state.get("audience") or "everyone"))
        return Request(audience, when, 0)

    async def draft(
        self, organiser: int, html: str, plain: str, request: Request, kind: str = KIND
    ) -> Draft:
        """A draft batch (nothing queued yet) for the preview; ``DraftRefused`` if none.

        An alert is sent now (``at`` is refused: an alert that can wait is a broadcast) and
        keeps room in Telegram's limit for its frame."""
        alert = kind == ALERT
        if alert and request.when is not None:
            raise DraftRefused(texts.alert_not_scheduled())
        limit = MAX_TEXT - ALERT_FRAME_ROOM if alert else MAX_TEXT
        if len(plain) > limit:
            raise DraftRefused(texts.broadcast_too_long(limit))
        label = self.audience_label(request.audience)
        size = len(await self.recipients(request.audience))
        if size == 0:
            raise DraftRefused(texts.broadcast_empty(label))
        now = self.clock.now()
        batch_id = await self.outbox.create_batch(
            kind,
            now,
            created_by=organiser,
            audience=request.audience.encode(),
            payload={"html": html, "preview": plain[:60]},
            scheduled_for=request.when,
            state=BATCH_DRAFT,
        )
        await self.audit.log(
            organiser,
            f"{kind}_preview",
            now,
            detail=f"#{batch_id} {plain[:200]}",
            audience_size=size,
        )
        stars = max_stars(size) if self.pace.paid_for(kind) else None
        return Draft(batch_id, size, label, request.when, kind, self.pace.eta(kind, size), stars)

    # ------------------------------------------------------------------ the buttons
    async def _batch(self, batch_id: int) -> Batch:
        batch = await self.outbox.batch(batch_id)
        if batch is None or batch.kind not in KINDS:
            raise BroadcastGone(batch_id)
        return batch

    async def send(
        self,
        batch_id: int,
        organiser: int,
        *,
        progress_at: tuple[int, int] | None = None,
    ) -> Launched:
        """Send a draft (only its author can): draft -> sending -> scheduled or running.

        ``progress_at`` is the (chat, message) the progress is shown in, recorded before any
        row can finish. Call ``progress.wake()`` once that message shows the launch.
        """
        batch = await self._batch(batch_id)
        if batch.created_by != organiser or not await self.outbox.set_batch_state(
            batch_id, BATCH_SENDING, only_from=BATCH_DRAFT
        ):
            raise BroadcastGone(batch_id)
        now = self.clock.now()
        when = batch.scheduled_for if batch.scheduled_for and batch.scheduled_for > now else None
        if progress_at is not None:
            chat_id, message_id = progress_at
            await self.outbox.update_batch(
                batch_id, progress_chat_id=chat_id, progress_message_id=message_id
            )
        html = str(batch.payload.get("html") or "")
        added = await self.launch(batch_id, html, Audience.decode(batch.audience), when, batch.kind)
        await self.audit.log(
            organiser,
            f"{batch.kind}_schedule" if when else f"{batch.kind}_send",
            now,
            detail=f"#{batch_id} to {batch.audience}" + (f" at {when.isoformat()}" if when else ""),
            audience_size=added,
        )
        shown = when.astimezone(self.current.tz) if when else None
        eta = self.pace.eta(batch.kind, added, batch_id)
        return Launched(batch_id, added, shown, eta, batch.kind)

    async def discard(self, batch_id: int, organiser: int) -> None:
        """Cancel on the preview: the draft is dropped, nothing was queued."""
        batch = await self._batch(batch_id)
        if not await self.outbox.set_batch_state(batch_id, BATCH_CANCELLED, only_from=BATCH_DRAFT):
            raise BroadcastGone(batch_id)
        await self.audit.log(
            organiser, f"{batch.kind}_discard", self.clock.now(), detail=f"#{batch_id}"
        )

    async def stop(self, batch_id: int, organiser: int) -> int:
        """Stop a scheduled or running broadcast: its unsent rows are cancelled (returned)."""
        batch = await self._batch(batch_id)
        if batch.state not in {BATCH_SCHEDULED, BATCH_RUNNING}:
            raise BroadcastGone(batch_id)
        cancelled = await self.sender.cancel(batch_id=batch_id)
        await self.outbox.set_batch_state(batch_id, BATCH_CANCELLED)
        await self.audit.log(
            organiser,
            f"{batch.kind}_cancel",
            self.clock.now(),
            detail=f"#{batch_id}",
            audience_size=cancelled,
        )
        await self.progress.show_final(batch_id)
        return cancelled

    async def listing(self) -> list[Listed]:
        """Scheduled and running broadcasts and alerts, oldest first (for /broadcasts)."""
        out = []
        batches = await self.outbox.batches([BATCH_SCHEDULED, BATCH_RUNNING])
        for b in [b for b in batches if b.kind in KINDS][:LISTED]:
            p = await self.outbox.progress(b.id)
            when = b.scheduled_for.astimezone(self.current.tz) if b.scheduled_for else None
            label = self.audience_label(Audience.decode(b.audience))
            out.append(Listed(b, label, when, str(b.payload.get("preview") or ""), p.left))
        return out

    # ------------------------------------------------------------------ queueing
    async def launch(
        self,
        batch_id: int,
        html: str,
        audience: Audience,
        when: datetime | None,
        kind: str = KIND,
    ) -> int:
        """Enqueue a confirmed broadcast; returns how many rows it has.

        Idempotent (one dedup key per batch and recipient), so an enqueue a crash interrupted is
        simply run again at start-up by ``resume_interrupted``.
        """
        ids = await self.recipients(audience)
        due = when or self.clock.now()
        await self.sender.enqueue(envelopes(batch_id, html, ids, due, kind))
        total = (await self.outbox.progress(batch_id)).total
        late = when is not None and when > self.clock.now()
        await self.outbox.update_batch(
            batch_id, state=BATCH_SCHEDULED if late else BATCH_RUNNING, total=total
        )
        return total

    async def resume_interrupted(self) -> list[int]:
        """Broadcasts whose Send was pressed but whose rows a crash cut short: finish enqueueing."""
        resumed = []
        now = self.clock.now()
        for batch in await self.outbox.batches([BATCH_SENDING]):
            if batch.kind not in KINDS:
                continue
            when = (
                batch.scheduled_for if batch.scheduled_for and batch.scheduled_for > now else None
            )
            html = str(batch.payload.get("html") or "")
            await self.launch(batch.id, html, Audience.decode(batch.audience), when, batch.kind)
            resumed.append(batch.id)
            log.warning("broadcast #%d was interrupted while being queued: queued it now", batch.id)
        return resumed

    # ------------------------------------------------------------------ paid sending refused
    async def on_paid_refused(self, batch_id: int | None, description: str) -> None:
        """``Delivery.on_paid_refused``: Telegram refused paid sending (the balance is short,
        or the bot may not use it) and the rest goes at the free rate. The alert's organiser
        is told once, in their language, with Telegram's reason and the new ETA."""
        if batch_id is None or batch_id in self.pace.refused:
            return
        batch = await self.outbox.batch(batch_id)
        if batch is None or batch.kind != ALERT:
            return
        self.pace.refused.add(batch_id)
        log.warning("alert #%d: paid sending refused (%s): free rate now", batch_id, description)
        if batch.created_by is None:
            return
        left = (await self.outbox.progress(batch_id)).left
        eta = self.pace.eta(ALERT, left, batch_id)
        with use_locale(await self.users.language_of(batch.created_by)):
            html = texts.alert_paid_refused(batch_id, description, left, eta)
        await self.audit.log(
            batch.created_by,
            "alert_paid_refused",
            self.clock.now(),
            detail=f"#{batch_id} {description[:200]}",
            audience_size=left,
        )
        await self.progress.display.tell(batch.created_by, html)
        self.progress.wake()
