"""Group commit: many concurrent small writes of one kind, written together.

SQLite has one writer and this process one connection, so a crowd's writes queue behind each
other anyway, each paying its own trip to aiosqlite's thread. ``GroupCommit`` writes the
first call at once (alone: no waiting when the bot is quiet); calls that arrive while that
write is under way wait for it and then go together in the next one, so the number of writes
follows the bursts, not the people in them. Each caller gets its own result, or the error of
the write its item was in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Items in one write at most (the rest go in the next one).
MAX_BATCH = 1000


class GroupCommit(Generic[T, R]):
    """``await batch(item)`` -> ``write([..., item, ...])``'s result for that item."""

    def __init__(
        self, write: Callable[[Sequence[T]], Awaitable[list[R]]], max_batch: int = MAX_BATCH
    ) -> None:
        self.write = write
        self.max_batch = max_batch
        #: Writes done and items written (how well the batching does).
        self.writes = 0
        self.items = 0
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def __call__(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_all(), name="group-commit")
        return await future

    async def _write_all(self) -> None:
        """Write what is waiting, batch after batch, until nothing is."""
        batch: list[tuple[T, asyncio.Future[R]]] = []
        try:
            while self._waiting:
                batch = self._waiting[: self.max_batch]
                del self._waiting[: self.max_batch]
                try:
                    results = await self.write([item for item, _ in batch])
                except Exception as exc:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                self.writes += 1
                self.items += len(batch)
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
        finally:
            self._writer = None
            # Only when this task itself was cancelled: nobody is left waiting forever.
            for _, future in batch + self._waiting:
                if not future.done():
                    future.cancel()
            self._waiting.clear()
