"""Shared-schedule links without Telegram: tokens, the share-link repository, the friend's view."""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta

import pytest

from bot.app import RedactingFilter
from bot.bookmarks import Bookmarks
from bot.deeplinks import is_start_parameter
from bot.sharing import SHARE_PREFIX, SharedView, Sharing, hash_token, token_of
from bot.store.sharing import ShareLinksRepo
from tests.conftest import brussels
from tests.core.test_logging import _emit
from tests.core_env import Core


class PlanRecorder:
    """Stands in for ``Reminders``: records whose reminders were planned."""

    def __init__(self) -> None:
        self.planned: list[int] = []

    async def plan_for(self, user_id: int) -> None:
        self.planned.append(user_id)


def sharing_of(core: Core) -> tuple[Sharing, PlanRecorder]:
    plans = PlanRecorder()
    bookmarks = Bookmarks(core.store.bookmarks, core.current, plans)  # type: ignore[arg-type]
    return Sharing(core.store.sharing, bookmarks, core.current), plans


async def bookmark(core: Core, user_id: int, *session_ids: str) -> None:
    for sid in session_ids:
        await core.store.bookmarks.add(user_id, sid, core.now())


# ------------------------------------------------------------------ the repository


async def test_one_active_link_per_user_and_old_ones_are_kept_revoked(core: Core) -> None:
    repo: ShareLinksRepo = core.store.sharing
    await core.users(1001)
    assert await repo.active(1001) is None
    assert await repo.create(1001, "h1", "Anna", core.now()) == 0
    first = await repo.active(1001)
    assert first is not None
    assert first.first_name == "Anna"
    assert first.active
    assert first.created_at == core.now()
    core.clock.advance(timedelta(minutes=5))
    assert await repo.create(1001, "h2", "Anna", core.now()) == 1  # the first is revoked
    old = await repo.find("h1")
    assert old is not None
    assert not old.active
    assert old.revoked_at == core.now()
    new = await repo.find("h2")
    assert new is not None
    assert new.active
    assert await repo.revoke(1001, core.now()) == 1
    assert await repo.revoke(1001, core.now()) == 0
    assert await repo.active(1001) is None
    assert await repo.find("nope") is None


async def test_the_database_itself_refuses_a_second_active_link(core: Core) -> None:
    await core.store.sharing.create(1001, "h1", "Anna", core.now())
    with pytest.raises(sqlite3.IntegrityError):
        await core.store.db.execute(
            "INSERT INTO share_links (token_hash, user_id, first_name, created_at)"
            " VALUES ('h2', 1001, 'Anna', 'x')"
        )


# ------------------------------------------------------------------ tokens


async def test_a_link_is_random_start_safe_and_stored_only_as_a_hash(core: Core) -> None:
    sharing, _ = sharing_of(core)
    made = [await sharing.create(987_654_321, "Anna") for _ in range(20)]
    payloads = [m.payload for m in made]
    assert len(set(payloads)) == 20
    for m in made:
        assert m.payload == SHARE_PREFIX + m.token
        assert is_start_parameter(m.payload)
        assert len(m.payload) <= 64
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", m.token)  # 16 random bytes: 128 bits
        assert "987654321" not in m.payload
        assert token_of(m.payload) == m.token
    rows = await core.store.db.fetchall("SELECT * FROM share_links")
    dump = repr([tuple(r) for r in rows])
    assert all(m.token not in dump for m in made)
    assert hash_token(made[-1].token) in dump
    assert len([r for r in rows if r["revoked_at"] is None]) == 1


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "sh_",
        "sh_short",
        "sh_" + "A" * 21,
        "sh_" + "A" * 23,
        "sh_" + "A" * 21 + "!",
        "s_x",
        "sp_" + "A" * 22,
    ],
)
def test_what_is_not_a_share_payload(payload: str) -> None:
    assert token_of(payload) is None


# ------------------------------------------------------------------ the friend's view


async def test_the_link_shows_the_current_bookmarks_and_stops_when_revoked(core: Core) -> None:
    sharing, _ = sharing_of(core)
    await core.users(1001, 1002)
    await bookmark(core, 1001, "closing", "welcome")
    made = await sharing.create(1001, "  Anna \n Maria  ")
    view = await sharing.open(made.token)
    assert isinstance(view, SharedView)
    assert view.name == "Anna Maria"
    assert [s.id for s in view.schedule.sessions] == ["welcome", "closing"]  # time order
    await bookmark(core, 1001, "panel-october-7")
    view = await sharing.open(made.token)
    assert isinstance(view, SharedView)
    assert len(view.schedule.sessions) == 3
    assert await sharing.open("A" * 22) is None  # well-formed, never made
    assert await sharing.open("not a token") is None
    assert await sharing.revoke(1001)
    assert await sharing.open(made.token) == "revoked"
    assert await sharing.bookmark_all(made.token, 1002) is None
    assert await core.store.bookmarks.of_user(1002) == []


async def test_bookmark_all_takes_what_is_still_to_come_and_plans_reminders(core: Core) -> None:
    sharing, plans = sharing_of(core)
    await core.users(1001, 1002)
    # welcome (09:00) is over at 10:00; lunch is a break; the others are still to come
    await bookmark(core, 1001, "welcome", "lunch", "panel-october-7", "closing")
    await bookmark(core, 1002, "closing")
    core.clock.set(brussels(10, 0))
    made = await sharing.create(1001, "Anna")
    assert await sharing.bookmark_all(made.token, 1002) == 1
    assert sorted(await core.store.bookmarks.of_user(1002)) == ["closing", "panel-october-7"]
    assert plans.planned == [1002]
    assert await sharing.bookmark_all(made.token, 1002) == 0
    assert plans.planned == [1002]  # nothing new, nothing to plan


async def test_the_name_shown_is_the_one_given_when_the_link_was_made(core: Core) -> None:
    sharing, _ = sharing_of(core)
    made = await sharing.create(1001, "A" * 200)
    view = await sharing.open(made.token)
    assert isinstance(view, SharedView)
    assert len(view.name) == 64
    assert view.name.endswith("…")


def test_share_tokens_never_reach_a_log_line() -> None:
    """PTB logs updates and calls at DEBUG: the link's token and the friend's button data."""
    token = "Qz3-_k" * 3 + "abcd"
    out = _emit(RedactingFilter(), "Update text='/start sh_%s' data='sha:%s'", token, token)
    assert token not in out
    assert "sh_[token]" in out
    assert "sha:[token]" in out
