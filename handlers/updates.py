"""The update processor: different chats and people at once, each chat and each person in order.

PTB handles one update at a time by default, so at a 100 ms round trip to Telegram each reply
waits for every reply before it. ``OrderedUpdates`` (PTB's ``BaseUpdateProcessor``, plugged in
with ``ApplicationBuilder.concurrent_updates``) runs updates concurrently, but an update starts
only once every earlier update that shares a key with it is finished. Its keys are its chat
and its user, so:

- two messages of one person, a rating and the comment after it, ``/broadcast`` and its text,
  a button pressed twice: one after the other, in the order they arrived, as before;
- a person's message in a group waits for their earlier private message and for the group's
  earlier messages (both keys);
- presses on inline messages (no chat) and inline queries follow their user; updates with
  neither a chat nor a user (and anything that is not an ``Update``) follow each other.

Each key holds only the future of the last update that has it (the chain's tail); an update
waits for the tails it found and becomes the new tail; a tail that finishes while still the
tail is removed, so memory follows the updates in progress, not the number of people.

At most ``max_running`` updates run at once (256; ``bot.app.POOL_SIZE`` has a connection for
each, and the outbox's beside them). Updates waiting for their chain's turn do not count: a
chat that sends a thousand messages queues them behind each other without holding up anyone
else. PTB's own bound (``max_concurrent_updates``, taken
before ``do_process_update``) is set far above that; only updates waiting there past it could
be admitted out of order, and asyncio's semaphore admits its waiters in order anyway.

An update whose ``update_id`` this process saw recently (the latest ``recent`` ids) is
skipped: Telegram sends one again when a getUpdates offset was not confirmed before a crash or
a webhook answer was lost. Webhook updates are deduplicated durably before this, by the inbox
(``bot.store.inbox``: a repeat of a recorded update is never queued); this cheap set covers
what reaches the queue in either mode, and writes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger("confbot.updates")

#: Updates running at once (each may be in a round trip to Telegram).
MAX_RUNNING = 256
#: Updates admitted at once, running or waiting for their chain (PTB's own bound).
MAX_ADMITTED = 1 << 20
#: Update ids remembered to recognise a repeat.
RECENT_IDS = 10_000
#: Seconds ``shutdown`` lets the updates in progress finish before cancelling them.
GRACE = 20.0

#: The key of everything with neither a chat nor a user: they keep their order among themselves.
NOBODY: tuple[str, int] = ("none", 0)


def keys_of(update: object) -> tuple[Hashable, ...]:
    """The chains an update belongs to: its chat's and its user's (or ``NOBODY``)."""
    if not isinstance(update, Update):
        return (NOBODY,)
    keys: list[Hashable] = []
    chat = update.effective_chat
    if chat is not None:
        keys.append(("chat", chat.id))
    user = update.effective_user
    if user is not None:
        keys.append(("user", user.id))
    return tuple(keys) or (NOBODY,)


class RecentIds:
    """The last ``size`` update ids seen, oldest forgotten first."""

    def __init__(self, size: int = RECENT_IDS) -> None:
        self.size = size
        self._ids: OrderedDict[int, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, update_id: int) -> bool:
        """Remember ``update_id``; False if it was already remembered (a repeat)."""
        if update_id in self._ids:
            return False
        self._ids[update_id] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True


class OrderedUpdates(BaseUpdateProcessor):
    """Concurrent across chats and people, in arrival order within each (see the module)."""

    def __init__(
        self,
        max_running: int = MAX_RUNNING,
        *,
        recent: int = RECENT_IDS,
        grace: float = GRACE,
        keys: Callable[[object], tuple[Hashable, ...]] = keys_of,
    ) -> None:
        super().__init__(MAX_ADMITTED)
        if max_running < 1:
            raise ValueError("max_running must be a positive integer")
        self.max_running = max_running
        self.grace = grace
        self.keys = keys
        self.recent = RecentIds(recent)
        #: Repeats skipped since the start.
        self.repeats = 0
        #: The most updates seen running at once (a gauge for tests and benchmarks).
        self.peak_running = 0
        self._running = 0
        self._slots = asyncio.Semaphore(max_running)
        self._tails: dict[Hashable, asyncio.Future[None]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def chains(self) -> int:
        """Keys with an update in progress (what the bookkeeping holds)."""
        return len(self._tails)

    @property
    def in_progress(self) -> int:
        """Updates admitted and not finished: running or waiting for their turn."""
        return len(self._tasks)

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        update_id = getattr(update, "update_id", None)
        if isinstance(update_id, int) and not self.recent.add(update_id):
            self.repeats += 1
            log.info("update %s arrived again; handled once already, skipped", update_id)
            _close(coroutine)
            return
        # Everything up to the first await runs in arrival order (PTB starts the tasks so):
        # take the place at the end of each chain before anything can overtake.
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        keys = self.keys(update)
        before = {self._tails[key] for key in keys if key in self._tails}
        for key in keys:
            self._tails[key] = done
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        started = False
        try:
            if before:
                await asyncio.wait(before)  # never cancels them; each is always resolved
            async with self._slots:
                self._running += 1
                self.peak_running = max(self.peak_running, self._running)
                try:
                    started = True
                    await coroutine
                finally:
                    self._running -= 1
        finally:
            if not started:
                _close(coroutine)
            done.set_result(None)
            for key in keys:
                if self._tails.get(key) is done:
                    del self._tails[key]
            if task is not None:
                self._tasks.discard(task)

    async def drain(self, timeout: float) -> int:
        """Wait up to ``timeout`` seconds for the updates in progress, then cancel the rest;
        how many were cancelled. What arrives meanwhile is waited for too."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._tasks:
            left = deadline - loop.time()
            if left <= 0:
                break
            await asyncio.wait(set(self._tasks), timeout=left)
        stragglers = [task for task in self._tasks if not task.done()]
        for task in stragglers:
            task.cancel()
        if stragglers:
            await asyncio.wait(stragglers)
            log.warning(
                "%d update(s) still running after %.0f s at shutdown were cancelled",
                len(stragglers),
                timeout,
            )
        return len(stragglers)

    async def shutdown(self) -> None:
        """PTB calls this after ``Application.stop``, which waited for every update already:
        normally nothing is left; whatever is, gets ``grace`` seconds."""
        await self.drain(self.grace)


def _close(coroutine: Awaitable[Any]) -> None:
    """A coroutine that will never run is closed, so it is not reported as never awaited."""
    close = getattr(coroutine, "close", None)
    if close is not None:
        close()
