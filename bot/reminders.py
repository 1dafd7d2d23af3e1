"""What is due when: attendee reminders, feedback prompts and speaker reminders.

The store is the truth. Every tick computes, with one SQL query per kind over
bookmarks x users (x speaker links) joined to the upcoming sessions of the in-memory agenda
(passed as a ``VALUES`` list), which messages should exist, and hands the ones whose time has
come to the delivery outbox. The outbox's UNIQUE ``dedup_key`` is the "sent log": planning the
same reminder again is a no-op, so ticks can run as often as we like, after restarts, after a
bookmark or an agenda change, and nothing goes out twice.

On time at scale: delivery sends at most ``BROADCAST_RATE`` messages a second, so N reminders
that share a due time are spread *earlier* (the i-th of N at ``due - (N-1-i)/R'`` with R' a
bit under the rate) and the last one still leaves on time. The spreading runs backwards over
every reminder in the look-ahead window, so neighbouring crowds (two panels at 10:00 and 10:01)
do not pile on each other either.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bot.agenda.index import AgendaIndex
from bot.agenda.model import HEADLINE_TYPES, Session
from bot.agenda.state import CurrentAgenda
from bot.store.keys import (
    FEEDBACK,
    REMINDER,
    SPEAKER_REMINDER,
    feedback_key,
    reminder_key,
    speaker_key,
    start_key,
)
from bot.store.protocols import BookmarksStore, RemindersStore, UsersStore
from bot.store.records import Envelope, Upcoming

__all__ = [
    "FEEDBACK",
    "REMINDER",
    "SPEAKER_REMINDER",
    "Envelope",
    "ReminderPlanner",
    "Reminders",
    "feedback_key",
    "reminder_key",
    "speaker_key",
    "start_key",
]

log = logging.getLogger("confbot.reminders")

#: Fraction of BROADCAST_RATE the spreading plans for: the rest is headroom for replies,
#: broadcasts and retries sharing the same sender.
HEADROOM = 0.8
#: Reminders are handed to the sender this much before their due time, so the API round trip
#: still lands them on time (the last of a crowd would otherwise arrive just after).
SEND_AHEAD = timedelta(seconds=1)
#: How far before its due time a big crowd of reminders may start (covers 36,000 at 20/s).
SPREAD_HORIZON = timedelta(minutes=30)
#: Feedback prompts for sessions that ended longer ago than this are not sent any more.
FEEDBACK_LOOKBACK = timedelta(hours=6)
#: Seconds between planning ticks (the job); each looks ``2 * interval + 30`` s ahead.
TICK_SECONDS = 30.0


class Outbox(Protocol):
    """The part of ``bot.delivery.Delivery`` the planner needs (a fake in unit tests)."""

    async def enqueue(self, envelopes: Sequence[Envelope]) -> int: ...

    async def cancel(
        self, *, kind: str | None = None, session_id: str | None = None, batch_id: int | None = None
    ) -> int: ...


#: The lead times a user may choose with /remind, in minutes (0 turns reminders off).
REMIND_MIN, REMIND_MAX = 0, 24 * 60


def parse_lead_minutes(arg: str) -> int | None:
    """``15``, ``15m``, ``15 min``, ``15 minutes``; None when it is not that or out of range."""
    word = arg.strip().lower()
    for suffix in ("minutes", "minute", "mins", "min", "m"):
        if word.endswith(suffix):
            word = word[: -len(suffix)].strip()
            break
    if not word.isdigit() or len(word) > 5:
        return None
    value = int(word)
    return value if REMIND_MIN <= value <= REMIND_MAX else None


def effective_lead(user_minutes: int | None, default: int) -> int:
    """A user's lead time in minutes: their own, else the default; 0 means off."""
    return default if user_minutes is None else max(0, int(user_minutes))


def spread(dues: Sequence[datetime], rate: float) -> list[datetime]:
    """Send times so that a sender at ``rate``/s meets every due time.

    Works backwards from the latest due: each message leaves at its due time or ``1/rate``
    before the one after it, whichever is earlier. For N messages sharing one due time the
    i-th (0-based) leaves at ``due - (N-1-i)/rate``. The result keeps the input's order.
    """
    if rate <= 0:
        raise ValueError("rate must be positive")
    # Epoch seconds: fast, and same-zone datetime arithmetic is wall-clock (a DST trap).
    epochs = [d.timestamp() for d in dues]
    return [datetime.fromtimestamp(t, UTC) for t in spread_epochs(epochs, rate)]


def spread_epochs(dues: Sequence[float], rate: float) -> list[float]:
    """``spread`` on epoch seconds (what the planner uses on thousands of rows)."""
    gap = 1 / rate
    order = sorted(range(len(dues)), key=lambda i: (dues[i], i), reverse=True)
    slots = list(dues)
    anchor, steps = math.inf, 0  # anchor - steps * gap: no float error piling up over a crowd
    for i in order:
        candidate = anchor - (steps + 1) * gap
        if dues[i] <= candidate:
            anchor, steps = dues[i], 0
            slots[i] = dues[i]
        else:
            steps += 1
            slots[i] = candidate
    return slots


@dataclass(frozen=True, slots=True)
class Planned:
    """One message the agenda and the store say should exist."""

    kind: str
    user_id: int
    session: Session
    due: datetime
    lead: int
    key: str
    state: str | None  # the outbox row's state when it already exists
    extra: tuple[tuple[str, str], ...] = ()


def _epoch(when: datetime) -> float:
    return when.timestamp()


class ReminderPlanner:
    """Plans reminders, feedback prompts and speaker reminders into the delivery outbox."""

    def __init__(
        self,
        store: RemindersStore,
        outbox: Outbox,
        agenda: Callable[[], AgendaIndex],
        now: Callable[[], datetime],
        *,
        reminder_minutes: int = 10,
        speaker_minutes: int = 30,
        feedback_delay_minutes: int = 0,
        rate: float = 25.0,
        interval: float = 30.0,
        headroom: float = HEADROOM,
    ) -> None:
        self.store = store
        self.outbox = outbox
        self.agenda = agenda
        self.now = now
        self.reminder_minutes = reminder_minutes
        self.speaker_minutes = speaker_minutes
        self.feedback_delay = timedelta(minutes=feedback_delay_minutes)
        self.spread_rate = max(0.5, rate * headroom)
        self.interval = interval
        #: Messages are handed to delivery when their planned send time is this close.
        self.lookahead = timedelta(seconds=2 * interval + 30)
        self._lock = asyncio.Lock()

    # ------------------------------------------------------------------ public
    async def tick(self, now: datetime, *, user_id: int | None = None) -> int:
        """Enqueue everything whose time has come (or comes within the look-ahead).

        ``user_id`` limits reminders to one user (right after they bookmark: a reminder
        whose due time already passed goes out at once). Returns the rows newly enqueued.
        """
        now = now.astimezone(UTC)  # all arithmetic in UTC: wall-clock maths breaks at DST
        async with self._lock:
            index = self.agenda()
            envelopes = await self._timed(index, now, user_id)
            if user_id is None:
                envelopes += await self._feedback(index, now)
            if not envelopes:
                return 0
            added = await self.outbox.enqueue(envelopes)
            if added:
                log.info("planned %d of %d due messages", added, len(envelopes))
            return added

    async def on_agenda_change(self, *_: Any, **__: Any) -> None:
        """Cancel pending reminders of sessions that moved or vanished, then re-plan.

        Reads the new agenda through ``self.agenda()`` (the runtime swaps it before telling
        listeners), so it works whatever the listener is given.
        """
        index = self.agenda()
        stale: set[tuple[str, str]] = set()
        for kind, session_id, start in await self.store.pending_starts(
            (REMINDER, SPEAKER_REMINDER)
        ):
            session = index.session(session_id)
            if session is None or start != start_key(session.start):
                stale.add((kind, session_id))
        for kind, session_id in sorted(stale):
            await self.outbox.cancel(kind=kind, session_id=session_id)
        if stale:
            log.info("agenda change: cancelled reminders of %d sessions", len(stale))
        await self.tick(self.now())

    # ----------------------------------------------------------------- planning

    async def plan(self, now: datetime, *, user_id: int | None = None) -> list[Planned]:
        """Every reminder and speaker reminder in the window, enqueued or not (for tests)."""
        return await self._candidates(self.agenda(), now.astimezone(UTC), user_id)

    async def _max_lead(self) -> int:
        value = await self.store.max_reminder_minutes()
        return max(self.reminder_minutes, self.speaker_minutes, int(value or 0))

    async def _candidates(
        self, index: AgendaIndex, now: datetime, user_id: int | None
    ) -> list[Planned]:
        max_lead = timedelta(minutes=await self._max_lead())
        reach = SPREAD_HORIZON + self.lookahead
        upcoming = [
            s
            for s in index.starting_between(now + timedelta(microseconds=1), now + max_lead + reach)
            if not s.is_break and s.start > now
        ]
        if not upcoming:
            return []
        by_id = {s.id: s for s in upcoming}
        slots = [
            Upcoming(
                s.id,
                _epoch(s.start),
                start_key(s.start),
                s.type in HEADLINE_TYPES,
                tuple(s.speaker_ids),
            )
            for s in upcoming
        ]
        found = await self.store.candidates(
            slots,
            default_lead=self.reminder_minutes,
            speaker_lead=self.speaker_minutes,
            due_limit=_epoch(now + reach),
            user_id=user_id,
        )
        at = datetime.fromtimestamp
        return [  # positional: thousands a tick (kind, user, session, due, lead, key, state)
            Planned(
                c.kind,
                c.user_id,
                by_id[c.session_id],
                at(c.due_epoch, UTC),
                c.lead,
                c.key,
                c.state,
                (("speaker_id", c.speaker_id),) if c.speaker_id is not None else (),
            )
            for c in found
        ]

    async def _timed(
        self, index: AgendaIndex, now: datetime, user_id: int | None
    ) -> list[Envelope]:
        planned = await self._candidates(index, now, user_id)
        if not planned:
            return []
        ahead = SEND_AHEAD.total_seconds()
        slots = spread_epochs([p.due.timestamp() - ahead for p in planned], self.spread_rate)
        horizon = (now + self.lookahead).timestamp()
        starts: dict[str, str] = {}
        out: list[Envelope] = []
        for p, slot in zip(planned, slots, strict=True):
            if slot > horizon or p.state is not None:
                continue
            start = starts.get(p.session.id)
            if start is None:
                start = starts[p.session.id] = start_key(p.session.start)
            payload: dict[str, Any] = {
                "session_id": p.session.id,
                "lead": p.lead,
                "start": start,
                **dict(p.extra),
            }
            out.append(
                Envelope(
                    chat_id=p.user_id,
                    kind=p.kind,
                    payload=payload,
                    due_at=datetime.fromtimestamp(slot, UTC),
                    deadline=p.session.start,
                    dedup_key=p.key,
                    session_id=p.session.id,
                )
            )
        return out

    async def _feedback(self, index: AgendaIndex, now: datetime) -> list[Envelope]:
        """Prompts for sessions that ended (plus the delay) within the look-back."""
        delay = self.feedback_delay
        ended = [
            s
            for s in index.overlapping(now - FEEDBACK_LOOKBACK - delay, now)
            if not s.is_break and now - FEEDBACK_LOOKBACK <= s.end.astimezone(UTC) + delay <= now
        ]
        by_id = {s.id: s for s in ended}
        owed = await self.store.feedback_candidates(
            [(s.id, s.type in HEADLINE_TYPES) for s in ended]
        )
        out: list[Envelope] = []
        for user_id, session_id in owed:
            session = by_id[session_id]
            due = session.end.astimezone(UTC) + delay
            out.append(
                Envelope(
                    chat_id=user_id,
                    kind=FEEDBACK,
                    payload={"session_id": session.id},
                    due_at=due,
                    deadline=due + FEEDBACK_LOOKBACK,
                    dedup_key=feedback_key(user_id, session.id),
                    session_id=session.id,
                )
            )
        return out


def payload_start(payload: dict[str, Any]) -> str | None:
    """The session start a reminder was planned for (renderers skip it when it moved)."""
    value = payload.get("start")
    return str(value) if value is not None else None


@dataclass(frozen=True, slots=True)
class DueReminder:
    session: Session
    minutes_left: int


async def still_wanted(
    index: AgendaIndex,
    users: UsersStore,
    bookmarks: BookmarksStore,
    default_lead: int,
    payload: dict[str, Any],
    chat_id: int,
    now: datetime,
) -> DueReminder | None:
    """Checked at send time: None when the reminder no longer applies (the session moved,
    was cancelled or started, the user turned reminders off or dropped the bookmark)."""
    session = index.session(str(payload.get("session_id", "")))
    if session is None or payload_start(payload) not in (None, start_key(session.start)):
        return None  # cancelled or moved: the planner plans the new time
    if session.start <= now:
        return None
    user = await users.get(chat_id)
    if user is None or effective_lead(user.reminder_minutes, default_lead) <= 0:
        return None
    follows = await bookmarks.has(chat_id, session.id)
    if not follows and not (user.remind_headline and session.type in HEADLINE_TYPES):
        return None
    # Rounded: sent a second ahead (SEND_AHEAD), "in 10 minutes" must not read "in 11".
    left = max(1, round((session.start - now).total_seconds() / 60))
    return DueReminder(session, left)


@dataclass(frozen=True, slots=True)
class Lead:
    """A user's reminder setting: minutes before a session (0 = off), and "every panel"."""

    minutes: int
    is_default: bool
    headline: bool


class Reminders:
    """The reminders feature: each user's lead time and "every panel and keynote" switch, the
    planning right after a change, and the send-time check of a queued reminder."""

    def __init__(
        self,
        planner: ReminderPlanner,
        users: UsersStore,
        bookmarks: BookmarksStore,
        current: CurrentAgenda,
        *,
        default_lead: int,
    ) -> None:
        self.planner = planner
        self.users = users
        self.bookmarks = bookmarks
        self.current = current
        self.default_lead = default_lead

    async def lead(self, user_id: int) -> Lead:
        user = await self.users.get(user_id)
        own = user.reminder_minutes if user else None
        headline = bool(user and user.remind_headline)
        return Lead(effective_lead(own, self.default_lead), own is None, headline)

    async def set_lead(self, user_id: int, minutes: int) -> None:
        await self.users.set_reminder_minutes(user_id, minutes)
        await self.plan_for(user_id)

    async def set_headline(self, user_id: int, on: bool) -> None:
        await self.users.set_remind_headline(user_id, on)
        if on:
            await self.plan_for(user_id)

    async def plan_for(self, user_id: int) -> None:
        """Right after a change: a reminder whose due time already passed goes out at once."""
        try:
            await self.planner.tick(self.current.now(), user_id=user_id)
        except Exception:  # the periodic tick will catch up; the user's change is saved
            log.exception("planning reminders for user %s failed", user_id)

    async def tick(self) -> None:
        """The periodic planning (a job every ``TICK_SECONDS``, and once at start)."""
        try:
            await self.planner.tick(self.current.now())
        except Exception:
            log.exception("reminder planning failed; retrying at the next tick")

    async def still_wanted(self, payload: dict[str, Any], chat_id: int) -> DueReminder | None:
        """The send-time check of a queued reminder (see ``still_wanted``)."""
        return await still_wanted(
            self.current.index,
            self.users,
            self.bookmarks,
            self.default_lead,
            payload,
            chat_id,
            self.current.now(),
        )
