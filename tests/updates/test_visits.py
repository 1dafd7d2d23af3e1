"""The user write before every update, group-committed: a crowd's visits in few writes, each
caller told exactly what ``seen`` alone would have told them."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

import pytest

from bot.store.batch import GroupCommit
from bot.store.records import Visit
from bot.store.users import Sighting
from tests.core_env import Core


async def test_a_crowd_arriving_at_once_is_written_in_few_writes(core: Core) -> None:
    users = core.store.users
    now = core.now()
    visits = await asyncio.gather(
        *(users.seen(i, f"P{i}", None, "hu" if i % 2 else "en", now) for i in range(1, 201))
    )
    assert visits == [Visit(True, "hu" if i % 2 else "en") for i in range(1, 201)]
    batch = users._visits
    assert batch.items == 200
    assert batch.writes <= 2  # everything that arrived in one turn of the loop goes together
    assert await users.counts() == (200, 200)


async def test_each_visit_keeps_its_meaning_inside_a_batch(core: Core) -> None:
    """New or not, the chosen language over Telegram's, reactivation by /start only."""
    users = core.store.users
    t0 = core.now()
    await users.seen(1, "Ada", "ada", "en", t0)
    await users.seen(2, "Bob", None, "en", t0)
    await users.set_chosen_language(1, "hu")
    await users.set_active(1, False)
    await users.set_active(2, False)
    later = t0 + timedelta(minutes=5)
    visits = await asyncio.gather(
        users.seen(1, "Ada L.", None, "de", later, reactivate=True),
        users.seen(2, "Bob", None, "fr", later),
        users.seen(3, "Eve", "eve", None, later),
    )
    assert visits == [Visit(False, "hu"), Visit(False, "fr"), Visit(True, None)]
    ada, bob = await users.get(1), await users.get(2)
    assert ada is not None
    assert bob is not None
    assert (ada.active, ada.first_name, ada.username, ada.language) == (True, "Ada L.", None, "de")
    assert bob.active is False  # not a /start: still blocked


async def test_one_person_twice_in_a_batch_is_written_in_order(core: Core) -> None:
    users = core.store.users
    t0 = core.now()
    visits = await users.seen_many(
        [
            Sighting(1, "Ada", None, "en", t0),
            Sighting(1, "Ada", None, "hu", t0 + timedelta(seconds=1)),
            Sighting(2, "Bob", None, "en", t0),
        ]
    )
    assert visits == [Visit(True, "en"), Visit(False, "hu"), Visit(True, "en")]
    user = await users.get(1)
    assert user is not None
    assert user.language == "hu"


async def test_more_people_than_one_statement_holds(core: Core) -> None:
    users = core.store.users
    now = core.now()
    many = [Sighting(i, "P", None, None, now, reactivate=i % 7 == 0) for i in range(1, 2502)]
    visits = await users.seen_many(many)
    assert len(visits) == 2501
    assert all(v.new for v in visits)
    assert await users.counts() == (2501, 2501)


async def test_group_commit_writes_what_arrives_meanwhile_together() -> None:
    writes: list[list[int]] = []
    release, writing = asyncio.Event(), asyncio.Event()

    async def write(items: Sequence[int]) -> list[int]:
        writes.append(list(items))
        writing.set()
        if len(writes) == 1:
            await release.wait()  # the first write is under way while the others arrive
        return [i * 10 for i in items]

    batch: GroupCommit[int, int] = GroupCommit(write)
    first = asyncio.create_task(batch(1))
    await writing.wait()
    rest = [asyncio.create_task(batch(i)) for i in range(2, 6)]
    for _ in range(5):
        await asyncio.sleep(0)
    release.set()
    assert await first == 10
    assert await asyncio.gather(*rest) == [20, 30, 40, 50]
    assert writes == [[1], [2, 3, 4, 5]]


async def test_group_commit_gives_each_caller_the_error_of_its_write() -> None:
    async def write(items: Sequence[int]) -> list[int]:
        if 3 in items:
            raise RuntimeError("disk full")
        return list(items)

    batch: GroupCommit[int, int] = GroupCommit(write, max_batch=2)
    results = await asyncio.gather(*(batch(i) for i in (1, 2, 3, 4, 5)), return_exceptions=True)
    assert results[:2] == [1, 2]
    assert [type(r) for r in results[2:4]] == [RuntimeError, RuntimeError]
    assert results[4] == 5  # the next write goes on


async def test_a_cancelled_caller_does_not_stop_the_others() -> None:
    release = asyncio.Event()

    async def write(items: Sequence[int]) -> list[int]:
        await release.wait()
        return list(items)

    batch: GroupCommit[int, int] = GroupCommit(write)
    one, two = asyncio.create_task(batch(1)), asyncio.create_task(batch(2))
    await asyncio.sleep(0)
    one.cancel()
    release.set()
    assert await two == 2
    with pytest.raises(asyncio.CancelledError):
        await one
