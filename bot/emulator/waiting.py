"""Wake-ups for code that waits on the emulator (fake users, tests, long polls).

A single condition variable woke every waiter on every API call, so a thousand users each
waiting for their reply cost a thousand predicate checks per message: O(n²) in a crowd.
Waiters here register under a key (a chat id, "updates", ...) and only the waiters of the key
that changed, plus the few global ones, are checked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from dataclasses import dataclass

#: Key of waiters interested in every change (wait_idle, wait_call, ...).
ANY: Hashable = "*"


@dataclass
class _Waiter:
    predicate: Callable[[], bool]
    future: asyncio.Future[None]


class Signal:
    """Synchronous ``notify(key)``; ``await wait_for(predicate, timeout, key)``."""

    def __init__(self) -> None:
        self._waiters: dict[Hashable, list[_Waiter]] = {}

    def notify(self, key: Hashable | None = None) -> None:
        """Re-check the waiters of ``key`` and the global ones; callable from sync code."""
        self._check(ANY)
        if key is not None and key != ANY:
            self._check(key)

    def _check(self, key: Hashable) -> None:
        waiters = self._waiters.get(key)
        if not waiters:
            return
        keep: list[_Waiter] = []
        for waiter in waiters:
            if waiter.future.done():
                continue
            try:
                ready = waiter.predicate()
            except Exception as exc:  # surface a broken predicate in the waiting task
                waiter.future.set_exception(exc)
                continue
            if ready:
                waiter.future.set_result(None)
            else:
                keep.append(waiter)
        if keep:
            self._waiters[key] = keep
        else:
            self._waiters.pop(key, None)

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float | None,
        key: Hashable = ANY,
        *,
        check_first: bool = True,
    ) -> None:
        """Return once ``predicate()`` holds; raise TimeoutError after ``timeout`` seconds.

        ``check_first=False`` waits for the next notification even if the predicate holds now.
        """
        if check_first and predicate():
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiter = _Waiter(predicate, future)
        self._waiters.setdefault(key, []).append(waiter)
        try:
            await asyncio.wait_for(future, timeout)
        finally:
            if not future.done():
                future.cancel()
            waiters = self._waiters.get(key)
            if waiters is not None and waiter in waiters:
                waiters.remove(waiter)
                if not waiters:
                    self._waiters.pop(key, None)

    async def changed(self, timeout: float | None, key: Hashable = ANY) -> bool:
        """Wait for the next notification of ``key``; False on timeout."""
        try:
            await self.wait_for(lambda: True, timeout, key, check_first=False)
        except TimeoutError:
            return False
        return True
