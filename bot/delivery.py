"""The delivery outbox's sender: rate-limited, retried, resumable sending of bulk messages.

Every alert, broadcast, reminder, feedback prompt and change notice is first a row in the
SQLite outbox (``Delivery.enqueue``), then one sender works through the due rows. Why it is
built this way:

- Order: rows go by lane first (``bot.store.keys.LANES``: urgent alerts, interactive
  follow-ups, reminders, feedback prompts, change notices, broadcasts last), then due time,
  then id, so a 20,000-user broadcast never holds up a reminder due now by more than the
  half second of rows already claimed.
- Batches, not a query per message: the sender prefetches a batch of due rows into memory
  (``due``, in sending order) and chooses from there; per-chat pacing (one message a second
  per chat) is kept in memory too. It claims many rows ``pending -> inflight`` in one
  statement, *committed before their API calls*, but only as many as start within about half
  a second, so after a SIGKILL only those few (plus the calls in flight) are in doubt.
  Results (sent, failed, retried, blocked...) are group-committed: collected and written in
  one transaction every ``flush_interval`` (and before each claim, and at stop).
- Pace: Telegram allows about 30 messages a second and one a second per chat. A ``Pacer``
  spaces the *start* of calls evenly (``1/rate`` apart, with a small margin for jitter) and
  keeps a sliding one-second window, so no second holds more than ``rate`` sends. Messages
  sent outside the outbox count for their chat's second too (``note_send``: the composition
  root reports every reply), so an organiser's copy of a broadcast never follows their
  preview within the second and earns a 429 that would pause everyone's sending.
- Calls in flight follow from the rate and the measured round trip (Little's law: an EWMA of
  recent call durations; ``ceil(rate x rtt x 1.5) + 4``, bounded 4..1200): at 1,000/s and
  100 ms that is about 150 calls at once, at 25/s a handful. A fixed ``concurrency`` overrides.
- Paid sending: with ``paid_rate`` set, alert rows (and only they) are sent with
  ``allow_paid_broadcast`` through a pacer of their own at that rate (the total lifts while
  alerts go out; the per-chat second still holds). Its margin is wider (8 %): at 1,000 a
  second a 40 ms stall of the event loop is 40 calls reaching Telegram together, and the
  429 that follows pauses a whole second, 1,000 messages (measured: 33 refused in one
  burst at 4 %, none at 8 %, and the same 880 a second sustained). If Telegram refuses
  paid sending (``PaidRefused``), paid sending is off for the rest of the run, the row is
  queued again (nothing is lost) and every hook in ``on_paid_refused`` is called once per batch.
- Errors: the transport raises ``RetryAfter`` (429: all sending pauses, the row is retried),
  ``Blocked`` (403: the user is marked inactive, the row and their other pending rows are
  ``blocked``, never retried), ``Rejected`` (400: recorded, the batch goes on),
  ``PaidRefused`` (above) and ``TransientError`` (5xx, timeouts: retried with exponential
  backoff, then ``failed``).
- Cancel: a cancelled row never goes out unless its call has started: pending rows are
  cancelled in the database (a prefetched row fails its claim), and rows claimed but not yet
  started are taken out of the queue under the same lock the claim holds.
- Crashes: after a crash only rows left ``inflight`` are in doubt (claimed, in flight, or
  sent in the last ``flush_interval``); ``start()`` sends those once more (at most one
  duplicate each) and resumes with the rest.
- Time: due times follow the injectable clock (tests move a ManualClock and call ``wake()``);
  pacing and backoff use the monotonic clock, since Telegram's limits are in real seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import heapq
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Protocol

from bot.clock import Clock
from bot.outgoing import OutgoingMessage
from bot.store.keys import ALERT
from bot.store.protocols import OutboxStore
from bot.store.records import (
    BLOCKED,
    EXPIRED,
    FAILED,
    PENDING,
    SENT,
    SKIPPED,
    Envelope,
    OutboxRow,
    RowResult,
)

__all__ = [
    "Blocked",
    "Delivery",
    "Envelope",
    "OutboxRow",
    "Pacer",
    "PaidRefused",
    "PaidRefusedHook",
    "Rejected",
    "Renderer",
    "RetryAfter",
    "RoundTrip",
    "TransientError",
    "Transport",
    "concurrency_for",
]

log = logging.getLogger("confbot.delivery")


class RetryAfter(Exception):
    """429: Telegram asks every call to wait ``seconds``."""

    def __init__(self, seconds: float, description: str = "") -> None:
        super().__init__(description or f"retry after {seconds}")
        self.seconds = float(seconds)


class Blocked(Exception):
    """403: the user blocked the bot or deleted their account."""


class Rejected(Exception):
    """400: this message cannot be sent as it is (bad chat, bad markup); not retried."""


class PaidRefused(Exception):
    """Telegram refused a paid send (the Stars balance is short, the bot may not use it)."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class TransientError(Exception):
    """5xx, timeouts, network trouble: worth trying again later."""


class Transport(Protocol):
    async def send(self, chat_id: int, message: OutgoingMessage, *, paid: bool = False) -> None:
        """One message; ``paid`` sends it with ``allow_paid_broadcast``."""


#: Turns a row into a message at send time, from current data; None means "no longer
#: relevant" (the row is closed as ``skipped``). It gets the whole row: the payload, the
#: recipient's chat id (their user id in a private chat), the kind, batch and session.
Renderer = Callable[[OutboxRow], Awaitable[OutgoingMessage | None]]

#: Told once per batch that paid sending was refused: (batch id, Telegram's description).
PaidRefusedHook = Callable[[int | None, str], Awaitable[None]]

#: Bounds of the calls in flight when they follow the round trip.
MIN_CONCURRENCY = 4
MAX_CONCURRENCY = 1200


def concurrency_for(rate: float, rtt: float, headroom: float = 1.5) -> int:
    """Calls in flight that keep ``rate`` a second going at round trip ``rtt`` (Little's law,
    with headroom for jitter), bounded to 4..1200."""
    wanted = math.ceil(rate * max(rtt, 0.0) * headroom) + MIN_CONCURRENCY
    return max(MIN_CONCURRENCY, min(MAX_CONCURRENCY, wanted))


class RoundTrip:
    """The measured duration of a Bot API call: an exponentially weighted moving average.

    ``initial`` is what it assumes before the first call (a typical far-away Telegram), so
    the first seconds of a large send are not throttled to a loopback's concurrency.
    """

    def __init__(self, initial: float = 0.15, alpha: float = 0.1) -> None:
        self.value = initial
        self.alpha = alpha
        self.samples = 0

    def add(self, seconds: float) -> None:
        self.samples += 1
        self.value += self.alpha * (max(seconds, 0.0) - self.value)


class Pacer:
    """Start times of calls: evenly spaced, and never more than ``rate`` in one second.

    Works on the monotonic clock; ``margin`` widens the window so network and event-loop
    jitter between our start and Telegram's arrival cannot squeeze an extra call into a
    second: at 2% a 10,000-user broadcast once showed 31 arrivals in a second at rate 30;
    4% absorbs 40 ms of jitter for about 2% of throughput. ``catch_up`` is how late a start
    may be and still keep the cadence (later calls follow sooner to make up for it): at
    1,000 a second a busy event loop is often a few ms late, and restarting the cadence
    every time would lose a tenth of the rate; the window still caps every second.
    """

    def __init__(self, rate: float, margin: float = 0.04, catch_up: float = 0.02) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.window = 1.0 + margin
        self.interval = self.window / rate
        self.catch_up = max(self.interval, catch_up)
        self.capacity = max(1, int(rate))
        self._starts: deque[float] = deque()
        self._next = 0.0

    def delay(self, now: float) -> float:
        """Seconds to wait before the next call may start (0 = now)."""
        while self._starts and now - self._starts[0] >= self.window:
            self._starts.popleft()
        wait = max(0.0, self._next - now)
        if len(self._starts) >= self.capacity:
            wait = max(wait, self._starts[0] + self.window - now)
        return wait

    def take(self, now: float) -> None:
        self._starts.append(now)
        # Keep the cadence (sleep overshoot must not add up to a slower rate), but never
        # catch up on lost time with a burst: after a gap, start again from now.
        base = self._next if 0 <= now - self._next < self.catch_up else now
        self._next = base + self.interval

    def hold(self, until: float) -> None:
        """Nothing starts before ``until`` (a 429 pause)."""
        self._next = max(self._next, until)


Entry = tuple[int, datetime, int]  # (lane, due_at, row id): the sending order


def _entry(row: OutboxRow) -> Entry:
    return (row.lane, row.due_at, row.id)


class Delivery:
    """The single sender of the outbox. One per process; see the module docstring."""

    def __init__(
        self,
        outbox: OutboxStore,
        clock: Clock,
        transport: Transport,
        *,
        rate: float,
        paid_rate: float | None = None,
        per_chat_interval: float = 1.0,
        concurrency: int | None = None,
        max_attempts: int = 5,
        max_rate_limited: int = 20,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        poll_interval: float = 0.5,
        margin: float = 0.04,
        paid_margin: float = 0.08,
        flush_interval: float = 0.05,
        claim_horizon: float = 0.5,
        rtt: RoundTrip | None = None,
    ) -> None:
        self.repo = outbox
        self.clock = clock
        self.transport = transport
        self.rate = rate
        self.paid_rate = paid_rate if paid_rate and paid_rate > 0 else None
        self.per_chat_interval = per_chat_interval
        self.fixed_concurrency = concurrency
        self.max_attempts = max_attempts
        self.max_rate_limited = max_rate_limited
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.poll_interval = poll_interval
        self.flush_interval = flush_interval
        self.claim_horizon = claim_horizon
        self.rtt = rtt or RoundTrip()
        self.pacer = Pacer(rate, margin)
        self.paid_pacer = Pacer(self.paid_rate, paid_margin) if self.paid_rate else None
        #: Called once per alert batch when Telegram refuses paid sending.
        self.on_paid_refused: list[PaidRefusedHook] = []
        #: Telegram's refusal, once paid sending was refused in this run (then it is off).
        self.paid_refused: str | None = None
        self._renderers: dict[str, Renderer] = {}
        self._wake = asyncio.Event()
        self._progress = asyncio.Event()
        self._startable = asyncio.Event()
        self._slot = asyncio.Event()
        self._claim_lock = asyncio.Lock()
        self._flush_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._group: asyncio.TaskGroup | None = None
        self._stopping = False
        self._dirty = True  # read the outbox again before choosing
        self._flushing = False
        self._writing = 0  # claims and flushes under way (their rows are neither here nor there)
        #: Due rows are read again at least this often: rows fall due as time passes.
        self.read_interval = 1.0
        self._last_read = -math.inf
        self._last_read_full = False
        self._paused_until = 0.0  # monotonic; a 429 pauses every call
        # Rows held in memory (prefetched, waiting, backing off, claimed or in flight) by id.
        self._rows: dict[int, OutboxRow] = {}
        self._ready: list[Entry] = []  # heap: rows free to be chosen
        self._waiting: dict[int, list[Entry]] = {}  # chat -> its rows waiting for its pace
        self._timers: list[tuple[float, int]] = []  # heap: (monotonic, chat) a chat frees
        self._timed: set[int] = set()
        self._backoff: list[tuple[float, int]] = []  # heap: (monotonic, row id) after a 5xx
        self._rate_limited: dict[int, int] = {}  # row id -> 429s seen for it
        self._chat_last: dict[int, float] = {}  # chat id -> monotonic start of its last call
        self._busy_chats: set[int] = set()  # a row chosen, claimed or in flight
        self._claimed: dict[bool, deque[tuple[OutboxRow, OutgoingMessage]]] = {
            False: deque(),
            True: deque(),
        }
        self._inflight: set[int] = set()
        self._results: list[RowResult] = []
        self._settling: set[int] = set()  # rows whose result is not written yet
        self._blocked_chats: set[int] = set()  # a 403 not written yet
        self._told: set[int | None] = set()  # batches told paid sending was refused
        #: Counters for logs, tests and the benchmark.
        self.stats: dict[str, int] = {
            "sent": 0,
            "paid": 0,
            "failed": 0,
            "blocked": 0,
            "retry_after": 0,
            "transient": 0,
            "expired": 0,
            "skipped": 0,
            "paid_refused": 0,
            "claims": 0,
            "flushes": 0,
            "reads": 0,
        }
        self.paused_seconds = 0.0

    # ------------------------------------------------------------------ API
    def register_renderer(self, kind: str, renderer: Renderer) -> None:
        if kind in self._renderers:
            raise ValueError(f"outbox kind {kind!r} has a renderer already")
        self._renderers[kind] = renderer

    @property
    def renderers(self) -> dict[str, Renderer]:
        """Kind -> renderer (a copy): the composition root checks every kind has one."""
        return dict(self._renderers)

    @property
    def paid_active(self) -> bool:
        """Alert rows go with ``allow_paid_broadcast`` (configured and not refused)."""
        return self.paid_rate is not None and self.paid_refused is None

    @property
    def concurrency(self) -> int:
        """Calls allowed in flight now: fixed, or from the fastest rate and the round trip."""
        if self.fixed_concurrency is not None:
            return max(1, self.fixed_concurrency)
        fastest = max(self.rate, self.paid_rate or 0.0) if self.paid_active else self.rate
        return concurrency_for(fastest, self.rtt.value)

    async def enqueue(self, envelopes: Sequence[Envelope]) -> int:
        """Write all rows in one transaction; returns how many were new. Wakes the sender."""
        added = await self.repo.enqueue(envelopes, self.clock.now())
        self.wake()
        return added

    async def cancel(
        self,
        *,
        kind: str | None = None,
        session_id: str | None = None,
        batch_id: int | None = None,
    ) -> int:
        """Rows matching every given filter that have not started become 'cancelled'."""
        if kind is None and session_id is None and batch_id is None:
            raise ValueError("cancel needs at least one filter")

        def matches(row: OutboxRow) -> bool:
            return (
                (kind is None or row.kind == kind)
                and (session_id is None or row.session_id == session_id)
                and (batch_id is None or row.batch_id == batch_id)
            )

        # Retried rows must be pending again in the database to be cancelled there.
        await self.flush()
        # Under the claim lock: a claim in progress finishes first, and what it claimed is
        # taken back out of the queue before it can start.
        async with self._claim_lock:
            taken: list[OutboxRow] = []
            for paid in (False, True):
                queue = self._claimed[paid]
                keep = [(r, m) for r, m in queue if not matches(r)]
                taken.extend(r for r, _ in queue if matches(r))
                queue.clear()
                queue.extend(keep)
            now = self.clock.now()
            count = await self.repo.cancel(now, kind=kind, session_id=session_id, batch_id=batch_id)
            if taken:
                count += await self.repo.cancel_claimed([r.id for r in taken], now)
            for row in taken:
                self._drop(row)
                self._chat_free(row.chat_id)
            # Held in memory and not started (prefetched, waiting, backing off): forgotten.
            for row in [r for r in self._rows.values() if matches(r)]:
                if row.id not in self._inflight:
                    self._drop(row)
                    self._schedule_chat(row.chat_id)  # its chat's other rows go on
        return count

    def note_send(self, chat_id: int) -> None:
        """A message just went to ``chat_id`` outside the outbox (a reply, a preview): that
        chat's second starts now. Telegram counts every message to a chat, and a 429 for one
        busy chat pauses *all* sending, so an organiser's own copy of a broadcast must not
        follow their preview within the second."""
        self._chat_last[chat_id] = time.monotonic()

    def wake(self) -> None:
        """Something changed in the outbox (rows added, the clock moved): read it again."""
        self._dirty = True
        self._wake.set()

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The sender task (tests cancel it to simulate a crash)."""
        return self._task

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        if self.running:
            return
        self._stopping = False
        recovered = await self.repo.recover_inflight(self.clock.now())
        if recovered:
            log.warning(
                "delivery: %d message(s) were in flight at a crash; sending again", recovered
            )
        self._reset()
        self._task = asyncio.create_task(self._run(), name="confbot-delivery")

    async def stop(self) -> None:
        """Stop taking new rows, let the calls in flight finish and be recorded."""
        task = self._task
        if task is None:
            return
        self._stopping = True
        self.wake()
        self._startable.set()
        self._slot.set()
        try:
            await task
        except asyncio.CancelledError:
            pass
        finally:
            self._task = None

    async def flush(self) -> None:
        """Write every result collected so far (the sender does this on its own, often)."""
        async with self._flush_lock:
            results, self._results = self._results, []
            if not results:
                return
            self._writing += 1
            try:
                await self.repo.finish_many(results)
            except BaseException:
                self._results[:0] = results  # written with the next flush
                raise
            finally:
                self._writing -= 1
            self.stats["flushes"] += 1
            for r in results:
                self._settling.discard(r.row_id)
                if r.blocked_chat is not None:
                    self._blocked_chats.discard(r.blocked_chat)
            self._progress.set()

    async def drain(self, timeout: float = 30) -> None:
        """Wait until no row is due and nothing is in flight (tests and benchmarks)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        woken = -math.inf
        while True:
            if self._task is None or self._task.done():
                raise RuntimeError("delivery is not running")
            quiet = not (self._inflight or any(self._claimed.values()) or self._writing)
            if quiet and not self._results:
                if await self.repo.count_due(self.clock.now()) == 0:
                    return
            elif quiet:
                await self.flush()
                continue
            left = end - loop.time()
            if left <= 0:
                raise TimeoutError(f"outbox not drained within {timeout}s")
            self._progress.clear()
            if loop.time() - woken >= 1.0:  # the clock may have moved: read the outbox again
                woken = loop.time()
                self.wake()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(left, 0.1)):
                    await self._progress.wait()

    # ------------------------------------------------------------- the sender
    def _reset(self) -> None:
        """Forget what memory held of the outbox: after a (re)start the database is the truth."""
        self._rows.clear()
        self._ready.clear()
        self._waiting.clear()
        self._timers.clear()
        self._timed.clear()
        self._backoff.clear()
        self._busy_chats.clear()
        for queue in self._claimed.values():
            queue.clear()
        self._inflight.clear()
        self._results.clear()
        self._settling.clear()
        self._blocked_chats.clear()
        self._dirty = True

    async def _run(self) -> None:
        # The TaskGroup ties the calls in flight to this task: cancelling it (a crash) stops
        # them mid-call, leaving their rows 'inflight' exactly as a SIGKILL would.
        async with asyncio.TaskGroup() as group:
            self._group = group
            self._flushing = True
            chooser = group.create_task(self._choose_loop(), name="confbot-delivery-choose")
            flusher = group.create_task(self._flush_loop(), name="confbot-delivery-flush")
            await self._start_loop(group)
            await chooser
            # Claimed but never started: back to pending, their attempt given back.
            async with self._claim_lock:
                for paid in (False, True):
                    queue = self._claimed[paid]
                    while queue:
                        row, _ = queue.popleft()
                        self._requeue(row, "stopped before sending", unclaim=True)
            while self._inflight:
                self._slot.clear()
                await self._slot.wait()
            self._flushing = False
            await flusher
        self._group = None
        await self.flush()

    # ---- choosing and claiming
    async def _choose_loop(self) -> None:
        while not self._stopping:
            try:
                chosen = await self._choose()
                if chosen:
                    await self._prepare(chosen)
                    continue
            except Exception:  # a database hiccup must not kill the sender
                log.exception("delivery: reading the outbox failed")
                await self._idle(self.poll_interval)
                continue
            await self._idle(await self._idle_time())

    def _claim_target(self, paid: bool) -> int:
        rate = (self.paid_rate or self.rate) if paid else self.rate
        return max(1, math.ceil(rate * self.claim_horizon))

    def _wants_claim(self, paid: bool) -> bool:
        """Claim again once the queue is down to half: claims stay batches, not single rows."""
        return len(self._claimed[paid]) * 2 <= self._claim_target(paid)

    def _is_paid(self, row: OutboxRow) -> bool:
        return row.kind == ALERT and self.paid_active

    async def _choose(self) -> list[OutboxRow]:
        """Due rows to claim now, in sending order, at most one per chat and within pace."""
        now = time.monotonic()
        self._release_timers(now)
        since = now - self._last_read
        if (
            self._dirty
            or since >= self.read_interval
            or (
                len(self._ready) < self._prefetch_size() // 2
                and (self._last_read_full or since >= self.poll_interval)
            )
        ):
            await self._read()
            now = time.monotonic()
        budget = {
            p: self._claim_target(p) - len(self._claimed[p]) if self._wants_claim(p) else 0
            for p in (False, True)
        }
        if not any(budget.values()):
            return []
        chosen: list[OutboxRow] = []
        while self._ready:
            row = self._rows.get(self._ready[0][2])
            if row is None:  # dropped meanwhile
                heapq.heappop(self._ready)
                continue
            chat = row.chat_id
            if chat in self._blocked_chats:  # a 403 moments ago: the flush blocks the rest
                heapq.heappop(self._ready)
                self._drop(row)
                for entry in self._waiting.pop(chat, []):
                    self._rows.pop(entry[2], None)
                continue
            paid = self._is_paid(row)
            if budget[paid] <= 0:
                break  # strict order: nothing jumps the queue past a full lane
            heapq.heappop(self._ready)
            last = self._chat_last.get(chat)
            if chat in self._busy_chats or (
                last is not None and now - last < self.per_chat_interval
            ):
                heapq.heappush(self._waiting.setdefault(chat, []), _entry(row))
                self._schedule_chat(chat)
                continue
            self._busy_chats.add(chat)
            chosen.append(row)
            budget[paid] -= 1
            if row.kind == ALERT and self.paid_rate is not None and self.paid_refused:
                self._tell_refused(row.batch_id, self.paid_refused)
        return chosen

    def _prefetch_size(self) -> int:
        fastest = max(self.rate, self.paid_rate or 0.0)
        return max(64, min(5000, math.ceil(fastest * 2)))

    async def _read(self) -> None:
        """Prefetch due rows not held yet (the rows held are read past, not again)."""
        self._dirty = False
        size = self._prefetch_size()
        limit = size + len(self._rows) + len(self._settling)
        rows = await self.repo.due(self.clock.now(), limit)
        self.stats["reads"] += 1
        self._last_read = time.monotonic()
        fresh = 0
        for row in rows:
            if row.id in self._rows or row.id in self._settling:
                continue
            self._rows[row.id] = row
            heapq.heappush(self._ready, _entry(row))
            fresh += 1
        self._last_read_full = len(rows) >= limit and fresh > 0

    def _release_timers(self, now: float) -> None:
        while self._timers and self._timers[0][0] <= now:
            _, chat = heapq.heappop(self._timers)
            self._timed.discard(chat)
            if chat in self._busy_chats:
                continue  # its call finishes first; that schedules it again
            waiting = self._waiting.get(chat)
            while waiting:  # its best row still held (a cancel may have dropped some)
                entry = heapq.heappop(waiting)
                if entry[2] in self._rows:
                    heapq.heappush(self._ready, entry)
                    break
            if not waiting:
                self._waiting.pop(chat, None)
        while self._backoff and self._backoff[0][0] <= now:
            _, rid = heapq.heappop(self._backoff)
            row = self._rows.get(rid)
            if row is not None:
                heapq.heappush(self._ready, _entry(row))
        if len(self._chat_last) > 4096:
            self._chat_last = {
                c: t for c, t in self._chat_last.items() if now - t < self.per_chat_interval
            }

    def _schedule_chat(self, chat: int) -> None:
        """A timer for when the chat's next waiting row may be chosen."""
        if chat in self._timed or chat in self._busy_chats or chat not in self._waiting:
            return
        last = self._chat_last.get(chat)
        at = time.monotonic() if last is None else last + self.per_chat_interval
        heapq.heappush(self._timers, (at, chat))
        self._timed.add(chat)

    def _chat_free(self, chat: int) -> None:
        self._busy_chats.discard(chat)
        self._schedule_chat(chat)
        self._wake.set()

    def _drop(self, row: OutboxRow) -> None:
        """The row leaves memory (its result, if any, is in ``_results``)."""
        self._rows.pop(row.id, None)
        self._rate_limited.pop(row.id, None)

    def _result(
        self,
        row: OutboxRow,
        state: str,
        error: str | None = None,
        *,
        blocked_chat: int | None = None,
        unclaim: bool = False,
    ) -> None:
        self._results.append(
            RowResult(row.id, state, self.clock.now(), error, blocked_chat, unclaim)
        )
        self._settling.add(row.id)

    def _close(self, row: OutboxRow, state: str, error: str, stat: str) -> None:
        """A final state for a row that will not be sent."""
        self._result(row, state, error[:500])
        self.stats[stat] += 1
        self._drop(row)

    async def _prepare(self, chosen: list[OutboxRow]) -> None:
        """Checks and rendering (no share of the rate), then one claim for the batch."""
        ready: list[tuple[OutboxRow, OutgoingMessage]] = []
        for row in chosen:
            message = await self._check_and_render(row)
            if message is None:
                self._chat_free(row.chat_id)
                self._progress.set()
            else:
                ready.append((row, message))
        if not ready:
            return
        await self.flush()  # a retried row must be pending again before it is claimed
        async with self._claim_lock:
            self._writing += 1
            try:
                claimed = await self.repo.claim_many([r.id for r, _ in ready], self.clock.now())
            finally:
                self._writing -= 1
            self.stats["claims"] += 1
            for row, message in ready:
                if row.id not in claimed:  # cancelled or blocked meanwhile
                    self._drop(row)
                    self._chat_free(row.chat_id)
                    continue
                row = dataclasses.replace(row, attempts=row.attempts + 1)
                self._rows[row.id] = row
                self._claimed[self._is_paid(row)].append((row, message))
        self._startable.set()

    async def _check_and_render(self, row: OutboxRow) -> OutgoingMessage | None:
        """The message for a row, rendered now from current data (in the recipient's language:
        ``bot.app`` wraps every renderer); None (and the row closed) when its deadline passed,
        the user is inactive, there is no renderer, it fails, or says "no longer relevant"."""
        if row.deadline is not None and self.clock.now() > row.deadline:
            self._close(row, EXPIRED, "deadline passed", "expired")
            return None
        if not row.user_active:
            self._close(row, BLOCKED, "user inactive", "blocked")
            return None
        renderer = self._renderers.get(row.kind)
        if renderer is None:
            self._close(row, FAILED, f"no renderer for {row.kind}", "failed")
            return None
        try:
            message = await renderer(row)
        except Exception:
            log.exception("delivery: rendering row %s (%s) failed", row.id, row.kind)
            self._close(row, FAILED, "rendering failed", "failed")
            return None
        if message is None:
            self._close(row, SKIPPED, "no longer relevant", "skipped")
        return message

    async def _idle_time(self) -> float:
        """Until the next due row, chat or retry, but never longer than the poll interval."""
        wait = self.poll_interval
        now = time.monotonic()
        if self._timers:
            wait = min(wait, self._timers[0][0] - now)
        if self._backoff:
            wait = min(wait, self._backoff[0][0] - now)
        if not self._ready and not self._rows:
            nxt = await self.repo.next_due_at()
            if nxt is not None:
                wait = min(wait, (nxt - self.clock.now()).total_seconds())
                if wait <= 0:
                    self._dirty = True
        return max(wait, 0.002)

    async def _idle(self, seconds: float) -> None:
        self._progress.set()
        with contextlib.suppress(TimeoutError):
            # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancellation
            # that arrives as the event is set, leaving a crashed sender hanging.
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        self._wake.clear()

    async def _flush_loop(self) -> None:
        while self._flushing:
            await asyncio.sleep(self.flush_interval)
            if self._results:
                try:
                    await self.flush()
                except Exception:
                    log.exception("delivery: writing results failed; trying again")

    # ---- starting calls
    async def _start_loop(self, group: asyncio.TaskGroup) -> None:
        """Start claimed rows as the pacers allow: paid alerts on their own pacer."""
        while not self._stopping:
            now = time.monotonic()
            best: bool | None = None
            best_wait = math.inf
            for paid in (True, False):
                if not self._claimed[paid]:
                    continue
                pacer = self.paid_pacer if paid and self.paid_pacer else self.pacer
                wait = max(self._paused_until - now, pacer.delay(now))
                if wait < best_wait:
                    best, best_wait = paid, wait
            if best is None:
                self._startable.clear()
                await self._startable.wait()
                continue
            if best_wait > 0:
                await asyncio.sleep(min(best_wait, 0.05))
                continue
            if len(self._inflight) >= self.concurrency:
                self._slot.clear()
                await self._slot.wait()
                continue
            row, message = self._claimed[best].popleft()
            last = self._chat_last.get(row.chat_id)
            if last is not None and now - last < self.per_chat_interval:
                # A reply went to this chat after the row was claimed: it waits its turn
                # (pending again, chosen when the chat's second is over), not a 429 for all.
                self._requeue(row, "a reply went to this chat just before", unclaim=True)
                self._chat_free(row.chat_id)
                continue
            pacer = self.paid_pacer if best and self.paid_pacer else self.pacer
            pacer.take(now)
            self._chat_last[row.chat_id] = now
            self._inflight.add(row.id)
            group.create_task(self._deliver(row, message, paid=best))
            if self._wants_claim(best):
                self._wake.set()

    async def _deliver(self, row: OutboxRow, message: OutgoingMessage, *, paid: bool) -> None:
        started = time.monotonic()
        try:
            await self._attempt(row, message, paid)
        except Exception:  # never let one row take the sender down
            log.exception("delivery: row %s failed unexpectedly", row.id)
            self._close(row, FAILED, "internal error", "failed")
        finally:
            self.rtt.add(time.monotonic() - started)
            self._inflight.discard(row.id)
            self._chat_free(row.chat_id)
            self._slot.set()
            self._progress.set()

    def _requeue(self, row: OutboxRow, error: str, *, unclaim: bool = False) -> None:
        """Back to pending (written with the next flush) and to the rows to choose from."""
        self._result(row, PENDING, error[:500], unclaim=unclaim)
        if unclaim:
            row = dataclasses.replace(row, attempts=max(0, row.attempts - 1))
        self._rows[row.id] = row
        self._settling.discard(row.id)  # still held: a read skips it anyway
        heapq.heappush(self._ready, _entry(row))

    async def _attempt(self, row: OutboxRow, message: OutgoingMessage, paid: bool) -> None:
        try:
            if paid:
                await self.transport.send(row.chat_id, message, paid=True)
            else:
                await self.transport.send(row.chat_id, message)
        except RetryAfter as exc:
            self.stats["retry_after"] += 1
            until = time.monotonic() + max(exc.seconds, 0.0)
            if until > self._paused_until:
                self.paused_seconds += until - max(self._paused_until, time.monotonic())
                self._paused_until = until
            self.pacer.hold(until)
            if self.paid_pacer is not None:
                self.paid_pacer.hold(until)
            count = self._rate_limited.get(row.id, 0) + 1
            self._rate_limited[row.id] = count
            log.info("delivery: 429, pausing all sends for %.1fs", exc.seconds)
            if count >= self.max_rate_limited:
                self._close(row, FAILED, f"429 x{count}: {exc}", "failed")
            else:
                self._requeue(row, f"429: {exc}")
            return
        except PaidRefused as exc:
            self._paid_refused(row, exc.description)
            return
        except Blocked as exc:
            self._result(row, BLOCKED, str(exc)[:500], blocked_chat=row.chat_id)
            self._blocked_chats.add(row.chat_id)
            self.stats["blocked"] += 1
            self._drop(row)
            return
        except Rejected as exc:
            self._close(row, FAILED, f"400: {exc}", "failed")
            return
        except (TransientError, TimeoutError, OSError) as exc:
            self.stats["transient"] += 1
            if row.attempts >= self.max_attempts:
                self._close(row, FAILED, f"gave up after {row.attempts} attempts: {exc}", "failed")
            else:
                backoff = min(self.backoff_cap, self.backoff_base * 2 ** (row.attempts - 1))
                self._result(row, PENDING, str(exc)[:500])
                self._settling.discard(row.id)
                heapq.heappush(self._backoff, (time.monotonic() + backoff, row.id))
            return
        self._result(row, SENT)
        self.stats["sent"] += 1
        if paid:
            self.stats["paid"] += 1
        self._drop(row)

    def _paid_refused(self, row: OutboxRow, description: str) -> None:
        """Telegram will not take paid sends: free rate from now on, nothing lost."""
        self.stats["paid_refused"] += 1
        if self.paid_refused is None:
            self.paid_refused = description
            log.warning(
                "delivery: paid sending refused (%s); alerts go at the free rate", description
            )
            queue = self._claimed[True]
            while queue:  # claimed for paid sending, not started: chosen again, free
                waiting, _ = queue.popleft()
                self._requeue(waiting, "paid sending refused", unclaim=True)
                self._chat_free(waiting.chat_id)
        self._requeue(row, f"paid sending refused: {description}", unclaim=True)
        self._tell_refused(row.batch_id, description)

    def _tell_refused(self, batch_id: int | None, description: str) -> None:
        if batch_id in self._told:
            return
        self._told.add(batch_id)
        for hook in self.on_paid_refused:
            coro = self._call_hook(hook, batch_id, description)
            if self._group is not None:
                self._group.create_task(coro)
            else:  # pragma: no cover  only while running
                coro.close()

    @staticmethod
    async def _call_hook(hook: PaidRefusedHook, batch_id: int | None, description: str) -> None:
        try:
            await hook(batch_id, description)
        except Exception:
            log.exception("delivery: a paid-refused hook failed (batch %s)", batch_id)
