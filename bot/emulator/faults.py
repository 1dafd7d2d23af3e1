"""Fault injection rules: make the emulator answer like a struggling Telegram.

Delivery and broadcast code must cope with 429 flood waits, 5xx hiccups and latency; these
rules let tests provoke each of them deterministically (counted or seeded-random).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

#: Telegram's wording for the statuses tests usually inject.
DEFAULT_DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


@dataclass
class FaultRule:
    """One rule. ``method=None`` matches every method except getUpdates (so polling survives).

    ``status=None`` with ``delay>0`` is a pure latency rule. ``times=None`` fires forever;
    ``probability<1`` fires at random from a ``random.Random(seed)`` private to the rule.
    ``paid=True`` matches only sends with ``allow_paid_broadcast`` (``False``: only free ones).
    """

    method: str | None = None
    status: int | None = None
    retry_after: int | None = None
    times: int | None = None
    chat_id: int | str | None = None
    probability: float = 1.0
    seed: int | None = None
    delay: float = 0.0
    description: str | None = None
    paid: bool | None = None
    fired: int = 0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def applies_to(self, method: str, chat_id: int | str | None, paid: bool | None = None) -> bool:
        """Static match (method, chat, paid), without consuming the rule."""
        if self.method is None:
            if method.lower() == "getupdates":
                return False
        elif self.method.lower() != method.lower():
            return False
        if self.paid is not None and bool(paid) != self.paid:
            return False
        return self.chat_id is None or str(self.chat_id) == str(chat_id)

    def error_description(self) -> str:
        if self.description:
            return self.description
        if self.status == 429:
            return f"Too Many Requests: retry after {self.retry_after or 1}"
        assert self.status is not None
        return DEFAULT_DESCRIPTIONS.get(self.status, "Error")


@dataclass
class FaultDecision:
    """What the server must do for one call: wait ``delay`` then maybe fail with ``rule``."""

    delay: float = 0.0
    rule: FaultRule | None = None


class FaultInjector:
    """Ordered list of rules; the first firing rule with a status decides the error."""

    def __init__(self) -> None:
        self.rules: list[FaultRule] = []

    def add(
        self,
        method: str | None = None,
        status: int | None = None,
        *,
        retry_after: int | None = None,
        times: int | None = None,
        chat_id: int | str | None = None,
        probability: float = 1.0,
        seed: int | None = None,
        delay: float = 0.0,
        description: str | None = None,
        paid: bool | None = None,
    ) -> FaultRule:
        """Add a rule and return it (``rule.fired`` tells how often it hit)."""
        if status is None and delay <= 0:
            raise ValueError("a fault rule needs a status or a delay")
        if status == 429 and retry_after is None:
            retry_after = 1
        rule = FaultRule(
            method=method,
            status=status,
            retry_after=retry_after,
            times=times,
            chat_id=chat_id,
            probability=probability,
            seed=seed,
            delay=delay,
            description=description,
            paid=paid,
        )
        self.rules.append(rule)
        return rule

    def remove(self, rule: FaultRule) -> None:
        self.rules.remove(rule)

    def clear(self) -> None:
        self.rules.clear()

    def decide(
        self, method: str, chat_id: int | str | None, paid: bool | None = None
    ) -> FaultDecision:
        """Consume the rules that fire for this call and combine them."""
        decision = FaultDecision()
        for rule in self.rules:
            if rule.exhausted or not rule.applies_to(method, chat_id, paid):
                continue
            if decision.rule is not None and rule.status is not None:
                continue  # an error is already chosen; only pure latency rules still apply
            if rule.probability < 1.0 and rule.rng.random() >= rule.probability:
                continue
            rule.fired += 1
            decision.delay = max(decision.delay, rule.delay)
            if rule.status is not None and decision.rule is None:
                decision.rule = rule
        return decision
