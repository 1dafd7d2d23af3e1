"""Telegram's flood control and paid broadcasts, over successful sends: sliding windows, and a
bucket per chat.

Telegram documents about 30 messages a second in total, one a second to one chat ("we may
allow short bursts that go over this limit") and 20 a minute to one group;
``allow_paid_broadcast=True`` lifts the total to 1,000 a second and bills 0.1 Star for each
message beyond the free 30 a second (Telegram reports them as a
``TransactionPartnerTelegramApi`` with the number of billed requests). Each limit is off (None)
unless set, so ordinary tests never meet a 429 they did not ask for.

The per-chat rule is a token bucket: ``per_chat_burst`` messages may go at once, then
``per_chat_per_second`` a second (the bucket refills at that rate). With a burst of 1 (the
default) it is strict: a second message within the second is refused, which is how tests
check the outbox's own pacing. ``telegram()`` allows bursts of 3: a bot's two replies in a
row, or a person's answer just after their copy of an alert, are not refused by Telegram.

Every check and record is O(1) amortised: each window is a deque pruned from the left.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from dataclasses import dataclass, field

#: 0.1 Telegram Star, in nanostars (Telegram's StarAmount has nanostar_amount).
PAID_MESSAGE_NANOSTARS = 100_000_000
NANOSTARS_PER_STAR = 1_000_000_000
#: Telegram's wording when the bot's Stars balance cannot pay for a send.
BALANCE_TOO_LOW = "Bad Request: BALANCE_TOO_LOW"

#: Telegram's documented figures, for ``FloodControl.telegram()``.
TELEGRAM_PER_SECOND = 30
TELEGRAM_PER_CHAT_PER_SECOND = 1
TELEGRAM_PER_CHAT_BURST = 3
TELEGRAM_PER_GROUP_PER_MINUTE = 20
TELEGRAM_PAID_PER_SECOND = 1000


class FloodError(Exception):
    """A send refused by flood control or billing: (status, description, retry_after)."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


def _prune(window: deque[float], now: float, span: float) -> None:
    while window and now - window[0] >= span:
        window.popleft()


def _retry_after(window: deque[float], now: float, span: float) -> int:
    return max(1, math.ceil(window[0] + span - now))


@dataclass
class FloodControl:
    """Limits (None = unlimited) and the windows that enforce them; all settable at runtime.

    ``star_balance`` is the bot's balance in Stars (None = unlimited). ``refuse_paid`` makes
    every paid send fail with that description (e.g. a bot that may not use paid broadcasts).
    """

    per_second: int | None = None
    per_chat_per_second: int | None = None
    per_chat_burst: int = 1
    per_group_per_minute: int | None = None
    paid_per_second: int | None = None
    free_allowance_per_second: int = TELEGRAM_PER_SECOND
    star_balance: float | None = None
    refuse_paid: str | None = None
    stars_spent_nanostars: int = 0
    billed_sends: int = 0
    _free: deque[float] = field(default_factory=deque, repr=False)
    _paid: deque[float] = field(default_factory=deque, repr=False)
    _all: deque[float] = field(default_factory=deque, repr=False)
    #: chat -> (tokens, monotonic time of that count): the per-chat bucket.
    _by_chat: dict[int, tuple[float, float]] = field(default_factory=dict, repr=False)
    _by_group: defaultdict[int, deque[float]] = field(
        default_factory=lambda: defaultdict(deque), repr=False
    )
    _balance_nanostars: int | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.set_star_balance(self.star_balance)

    def telegram(self) -> FloodControl:
        """Switch every limit to Telegram's documented figure; returns self."""
        self.per_second = TELEGRAM_PER_SECOND
        self.per_chat_per_second = TELEGRAM_PER_CHAT_PER_SECOND
        self.per_chat_burst = TELEGRAM_PER_CHAT_BURST
        self.per_group_per_minute = TELEGRAM_PER_GROUP_PER_MINUTE
        self.paid_per_second = TELEGRAM_PAID_PER_SECOND
        return self

    def set_star_balance(self, stars: float | None) -> None:
        self.star_balance = stars
        self._balance_nanostars = None if stars is None else round(stars * NANOSTARS_PER_STAR)

    @property
    def balance_nanostars(self) -> int | None:
        return self._balance_nanostars

    @property
    def stars_spent(self) -> float:
        return self.stars_spent_nanostars / NANOSTARS_PER_STAR

    def _chat_tokens(self, chat_id: int, now: float) -> float:
        """Messages the chat may get now: its bucket refilled since its last send."""
        rate = self.per_chat_per_second or 1
        capacity = float(max(self.per_chat_burst, rate))
        entry = self._by_chat.get(chat_id)
        if entry is None:
            return capacity
        tokens, at = entry
        return min(capacity, tokens + (now - at) * rate)

    def _would_bill(self, now: float) -> bool:
        _prune(self._all, now, 1.0)
        return len(self._all) >= self.free_allowance_per_second

    def check(self, chat_id: int | None, *, group: bool, paid: bool, now: float) -> None:
        """Raise FloodError if this send must be refused now."""
        if paid:
            if self.refuse_paid is not None:
                raise FloodError(400, self.refuse_paid)
            _prune(self._paid, now, 1.0)
            if self.paid_per_second is not None and len(self._paid) >= self.paid_per_second:
                retry = _retry_after(self._paid, now, 1.0)
                raise FloodError(429, f"Too Many Requests: retry after {retry}", retry)
            if (
                self._balance_nanostars is not None
                and self._would_bill(now)
                and self._balance_nanostars < PAID_MESSAGE_NANOSTARS
            ):
                raise FloodError(400, BALANCE_TOO_LOW)
        else:
            _prune(self._free, now, 1.0)
            if self.per_second is not None and len(self._free) >= self.per_second:
                retry = _retry_after(self._free, now, 1.0)
                raise FloodError(429, f"Too Many Requests: retry after {retry}", retry)
        if chat_id is None:
            return
        if self.per_chat_per_second is not None:
            tokens = self._chat_tokens(chat_id, now)
            if tokens < 1.0:
                retry = max(1, math.ceil((1.0 - tokens) / self.per_chat_per_second))
                raise FloodError(429, f"Too Many Requests: retry after {retry}", retry)
        if group and self.per_group_per_minute is not None:
            minute = self._by_group[chat_id]
            _prune(minute, now, 60.0)
            if len(minute) >= self.per_group_per_minute:
                retry = _retry_after(minute, now, 60.0)
                raise FloodError(429, f"Too Many Requests: retry after {retry}", retry)

    def record(self, chat_id: int | None, *, group: bool, paid: bool, now: float) -> bool:
        """Count a successful send; returns True when it was billed (paid, beyond the free)."""
        billed = paid and self._would_bill(now)
        self._all.append(now)
        if paid:
            self._paid.append(now)
            if billed:
                self.billed_sends += 1
                self.stars_spent_nanostars += PAID_MESSAGE_NANOSTARS
                if self._balance_nanostars is not None:
                    self._balance_nanostars -= PAID_MESSAGE_NANOSTARS
        else:
            self._free.append(now)
        if chat_id is not None:
            if self.per_chat_per_second is not None:
                self._by_chat[chat_id] = (self._chat_tokens(chat_id, now) - 1.0, now)
            if group and self.per_group_per_minute is not None:
                self._by_group[chat_id].append(now)
        return billed
