"""``OrderedUpdates`` with plain asyncio: the order within a key, overlap across keys, bounds.

Updates here are small objects whose keys the test names (``Up("a", "g")``: keys a and g);
each "handler" is a coroutine that notes when it starts and ends and, where a test needs it
to be in progress, waits on an event the test sets. Nothing waits for time.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Hashable
from dataclasses import dataclass

import pytest
from telegram import Update

from handlers.updates import NOBODY, OrderedUpdates, RecentIds, keys_of


@dataclass(frozen=True)
class Up:
    keys: tuple[str, ...]
    update_id: int | None = None

    @classmethod
    def of(cls, *keys: str, update_id: int | None = None) -> Up:
        return cls(keys, update_id)


def by_keys(update: object) -> tuple[Hashable, ...]:
    assert isinstance(update, Up)
    return update.keys


class Journal:
    """What ran, in which order; gates hold a handler in progress until the test opens them."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.gates: dict[str, asyncio.Event] = {}
        self._noted: dict[str, asyncio.Event] = {}

    def note(self, event: str) -> None:
        self.events.append(event)
        self._noted.setdefault(event, asyncio.Event()).set()

    def gate(self, name: str) -> asyncio.Event:
        return self.gates.setdefault(name, asyncio.Event())

    async def handler(self, name: str, *, fail: bool = False) -> None:
        self.note(f"start {name}")
        if name in self.gates:
            await self.gates[name].wait()
        await asyncio.sleep(0)  # a round trip's yield: others may run meanwhile
        self.note(f"end {name}")
        if fail:
            raise RuntimeError(name)

    async def until(self, event: str) -> None:
        await self._noted.setdefault(event, asyncio.Event()).wait()


def processor(**kwargs: object) -> OrderedUpdates:
    return OrderedUpdates(keys=by_keys, **kwargs)  # type: ignore[arg-type]


def submit(
    proc: OrderedUpdates, journal: Journal, name: str, update: Up, *, fail: bool = False
) -> asyncio.Task[None]:
    """What PTB's update fetcher does: one task per update, created in arrival order, through
    the processor's (final) ``process_update``."""
    return asyncio.create_task(proc.process_update(update, journal.handler(name, fail=fail)))


async def test_one_key_runs_in_arrival_order_even_when_the_first_is_slow() -> None:
    proc, journal = processor(), Journal()
    first = journal.gate("1")
    tasks = [submit(proc, journal, str(i), Up.of("ada")) for i in range(1, 4)]
    await journal.until("start 1")
    for _ in range(10):
        await asyncio.sleep(0)
    assert journal.events == ["start 1"]  # 2 and 3 wait for 1
    first.set()
    await asyncio.gather(*tasks)
    assert journal.events == ["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]
    assert proc.chains == 0
    assert proc.in_progress == 0


async def test_different_keys_overlap() -> None:
    proc, journal = processor(), Journal()
    gates = [journal.gate(name) for name in ("ada", "bob", "eve")]
    tasks = [submit(proc, journal, name, Up.of(name)) for name in ("ada", "bob", "eve")]
    for name in ("ada", "bob", "eve"):
        await journal.until(f"start {name}")
    assert not any(e.startswith("end") for e in journal.events)  # all three at once
    assert proc.peak_running == 3
    for gate in gates:
        gate.set()
    await asyncio.gather(*tasks)


async def test_an_update_with_two_keys_waits_for_both_chains_and_holds_both() -> None:
    """Ada in a group (keys ada + group) after Ada in private and Bob in the group; Ada's
    next private message waits for the group one; Eve is held by nobody."""
    proc, journal = processor(), Journal()
    journal.gate("ada private")
    journal.gate("bob group")
    tasks = [
        submit(proc, journal, "ada private", Up.of("ada")),
        submit(proc, journal, "bob group", Up.of("group", "bob")),
        submit(proc, journal, "ada group", Up.of("group", "ada")),
        submit(proc, journal, "ada private again", Up.of("ada")),
        submit(proc, journal, "eve", Up.of("eve")),
    ]
    await journal.until("end eve")
    assert "start ada group" not in journal.events
    journal.gates["ada private"].set()
    await journal.until("end ada private")
    for _ in range(10):
        await asyncio.sleep(0)
    assert "start ada group" not in journal.events  # still behind Bob's group message
    journal.gates["bob group"].set()
    await asyncio.gather(*tasks)
    order = [e for e in journal.events if e.startswith("start")]
    assert order.index("start ada group") > order.index("start bob group")
    assert order.index("start ada private again") > order.index("start ada group")
    assert journal.events.index("start ada private again") > journal.events.index("end ada group")
    assert proc.chains == 0


async def test_the_bound_counts_running_updates_not_waiting_ones() -> None:
    """Two slots: Ada's first holds one, her second waits for her first without a slot, so
    Bob's still runs; Eve waits for a slot."""
    proc, journal = processor(max_running=2), Journal()
    journal.gate("ada 1")
    journal.gate("bob")
    tasks = [
        submit(proc, journal, "ada 1", Up.of("ada")),
        submit(proc, journal, "ada 2", Up.of("ada")),
        submit(proc, journal, "bob", Up.of("bob")),
        submit(proc, journal, "eve", Up.of("eve")),
    ]
    await journal.until("start bob")
    for _ in range(10):
        await asyncio.sleep(0)
    assert "start eve" not in journal.events
    journal.gates["bob"].set()
    await journal.until("end eve")
    journal.gates["ada 1"].set()
    await asyncio.gather(*tasks)
    assert proc.peak_running == 2


async def test_a_failing_update_does_not_break_its_chain() -> None:
    proc, journal = processor(), Journal()
    failing = submit(proc, journal, "1", Up.of("ada"), fail=True)
    after = submit(proc, journal, "2", Up.of("ada"))
    results = await asyncio.gather(failing, after, return_exceptions=True)
    assert isinstance(results[0], RuntimeError)
    assert results[1] is None
    assert journal.events == ["start 1", "end 1", "start 2", "end 2"]
    assert proc.chains == 0


async def test_a_repeated_update_id_is_skipped_and_its_coroutine_closed() -> None:
    proc, journal = processor(), Journal()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "coroutine ... was never awaited" would fail here
        await submit(proc, journal, "first", Up.of("ada", update_id=7))
        await submit(proc, journal, "again", Up.of("ada", update_id=7))
        await submit(proc, journal, "next", Up.of("ada", update_id=8))
    assert journal.events == ["start first", "end first", "start next", "end next"]
    assert proc.repeats == 1


async def test_a_repeat_arriving_while_the_first_runs_is_skipped_too() -> None:
    proc, journal = processor(), Journal()
    journal.gate("first")
    first = submit(proc, journal, "first", Up.of("ada", update_id=7))
    await journal.until("start first")
    await submit(proc, journal, "again", Up.of("ada", update_id=7))
    journal.gates["first"].set()
    await first
    assert "start again" not in journal.events


def test_recent_ids_forget_the_oldest() -> None:
    recent = RecentIds(size=3)
    assert all(recent.add(i) for i in (1, 2, 3, 4))
    assert len(recent) == 3
    assert recent.add(1)  # forgotten: taken as new
    assert not recent.add(4)


async def test_drain_waits_for_what_is_in_progress() -> None:
    proc, journal = processor(), Journal()
    gate = journal.gate("ada")
    task = submit(proc, journal, "ada", Up.of("ada"))
    follower = submit(proc, journal, "ada 2", Up.of("ada"))
    await journal.until("start ada")
    draining = asyncio.create_task(proc.drain(timeout=60))
    for _ in range(10):
        await asyncio.sleep(0)
    assert not draining.done()
    gate.set()
    assert await draining == 0
    assert journal.events[-1] == "end ada 2"  # the one waiting for its turn ran too
    await asyncio.gather(task, follower)


async def test_drain_cancels_what_outlives_the_grace_period() -> None:
    proc, journal = processor(), Journal()
    journal.gate("stuck")
    stuck = submit(proc, journal, "stuck", Up.of("ada"))
    behind = submit(proc, journal, "behind", Up.of("ada"))
    await journal.until("start stuck")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert await proc.drain(timeout=0) == 2
    assert stuck.cancelled()
    assert behind.cancelled()
    assert proc.chains == 0
    assert proc.in_progress == 0
    assert "start behind" not in journal.events


async def test_tasks_created_in_order_take_their_place_in_order_under_load() -> None:
    """Many chats, many messages each, interleaved, through PTB's bounded ``process_update``:
    each chat's messages start in the order they were submitted."""
    proc, journal = processor(max_running=4), Journal()
    tasks = [
        submit(proc, journal, f"{chat}:{n}", Up.of(f"chat{chat}"))
        for n in range(20)
        for chat in range(10)
    ]
    await asyncio.gather(*tasks)
    for chat in range(10):
        mine = [e for e in journal.events if e.startswith(f"start {chat}:")]
        assert mine == [f"start {chat}:{n}" for n in range(20)]
    assert proc.peak_running == 4


def test_max_running_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_running"):
        OrderedUpdates(0)


# --------------------------------------------------------------------------- keys of updates
USER = {"id": 1001, "is_bot": False, "first_name": "Ada"}
PRIVATE = {"id": 1001, "type": "private", "first_name": "Ada"}
GROUP = {"id": -100, "type": "supergroup", "title": "Hall"}


def update(**fields: object) -> Update:
    parsed = Update.de_json({"update_id": 1, **fields}, None)  # type: ignore[arg-type]
    assert parsed is not None
    return parsed


def message(chat: dict[str, object]) -> dict[str, object]:
    return {"message_id": 5, "date": 0, "chat": chat, "from": USER, "text": "hi"}


@pytest.mark.parametrize(
    ("fields", "keys"),
    [
        ({"message": message(PRIVATE)}, (("chat", 1001), ("user", 1001))),
        ({"message": message(GROUP)}, (("chat", -100), ("user", 1001))),
        (
            {
                "callback_query": {
                    "id": "q",
                    "from": USER,
                    "chat_instance": "c",
                    "data": "x",
                    "inline_message_id": "im",
                }
            },
            (("user", 1001),),
        ),
        (
            {"inline_query": {"id": "q", "from": USER, "query": "k", "offset": ""}},
            (("user", 1001),),
        ),
        (
            {
                "channel_post": {
                    "message_id": 5,
                    "date": 0,
                    "text": "news",
                    "chat": {"id": -200, "type": "channel", "title": "News"},
                }
            },
            (("chat", -200),),
        ),
        ({}, (NOBODY,)),  # e.g. a poll's state: no chat, no user
    ],
    ids=["private", "group", "inline-press", "inline-query", "channel", "neither"],
)
def test_keys_are_the_chat_and_the_user(fields: dict[str, object], keys: tuple[object]) -> None:
    assert keys_of(update(**fields)) == keys


def test_anything_but_an_update_has_the_common_key() -> None:
    assert keys_of(object()) == (NOBODY,)
