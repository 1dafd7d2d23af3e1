from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.store import Store
from bot.store.db import Database
from bot.store.migrations import MIGRATIONS
from bot.store.records import Visit

NOW = datetime(2024, 11, 27, 8, 0, tzinfo=UTC)


async def test_first_start_creates_folders_and_applies_every_migration(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "confbot.sqlite3"
    db = await Database.open(path)
    try:
        assert path.exists()
        assert await db.version() == len(MIGRATIONS)
        assert await db.scalar("PRAGMA journal_mode") == "wal"
        assert await db.scalar("PRAGMA foreign_keys") == 1
    finally:
        await db.close()


async def test_migrations_run_once(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    db = await Database.open(path)
    await db.execute("INSERT INTO kv (key, value) VALUES ('k', 'v')")
    await db.close()
    db = await Database.open(path)  # a second start must not re-create tables
    try:
        assert await db.scalar("SELECT value FROM kv WHERE key = 'k'") == "v"
    finally:
        await db.close()


async def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "c.sqlite3")
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO kv (key, value) VALUES ('a', '1')")
                raise RuntimeError("boom")
        assert await db.scalar("SELECT count(*) FROM kv") == 0
    finally:
        await db.close()


async def test_users_seen_reports_new_and_reactivates_on_start(tmp_path: Path) -> None:
    store = await Store.open(str(tmp_path / "c.sqlite3"))
    try:
        assert await store.users.seen(1, "Ada", "ada", "en", NOW) == Visit(True, "en")
        assert await store.users.seen(1, "Ada L.", None, "hu", NOW.replace(hour=9)) == Visit(
            False, "hu"
        )
        user = await store.users.get(1)
        assert user is not None
        assert (user.first_name, user.username, user.language) == ("Ada L.", None, "hu")
        await store.users.set_active(1, False)
        await store.users.seen(1, "Ada", None, "en", NOW.replace(hour=10))
        assert (await store.users.get(1)).active is False  # type: ignore[union-attr]
        await store.users.seen(1, "Ada", None, "en", NOW.replace(hour=11), reactivate=True)
        assert (await store.users.get(1)).active is True  # type: ignore[union-attr]
        assert await store.users.counts() == (1, 1)
    finally:
        await store.close()


async def test_a_chosen_language_wins_over_telegrams_until_cleared(tmp_path: Path) -> None:
    store = await Store.open(str(tmp_path / "c.sqlite3"))
    try:
        assert await store.users.language_of(1) is None
        await store.users.seen(1, "Ada", None, "hu-HU", NOW)
        assert await store.users.language_of(1) == "hu-HU"
        await store.users.set_chosen_language(1, "en")
        # Telegram keeps saying Hungarian; the bot speaks what was chosen, in one query.
        later = NOW.replace(hour=9)
        assert await store.users.seen(1, "Ada", None, "hu-HU", later) == Visit(False, "en")
        assert await store.users.language_of(1) == "en"
        user = await store.users.get(1)
        assert user is not None
        assert (user.language, user.chosen_language, user.speaks) == ("hu-HU", "en", "en")
        await store.users.set_chosen_language(1, None)
        assert (await store.users.seen(1, "Ada", None, "hu", later)).language == "hu"
    finally:
        await store.close()


async def test_hostile_text_is_stored_verbatim(tmp_path: Path) -> None:
    store = await Store.open(str(tmp_path / "c.sqlite3"))
    name = "Robert'); DROP TABLE users;-- <b>&amp;</b> 🎤"
    try:
        await store.users.seen(2, name, None, None, NOW)
        assert (await store.users.get(2)).first_name == name  # type: ignore[union-attr]
        await store.users.set_pending(2, {"comment_on": name})
        assert await store.users.pending(2) == {"comment_on": name}
    finally:
        await store.close()


async def test_bookmark_toggle(tmp_path: Path) -> None:
    store = await Store.open(str(tmp_path / "c.sqlite3"))
    try:
        await store.users.seen(1, "Ada", None, None, NOW)
        assert await store.bookmarks.toggle(1, "s1", NOW) is True
        assert await store.bookmarks.has(1, "s1")
        assert await store.bookmarks.users_of("s1") == [1]
        assert await store.bookmarks.toggle(1, "s1", NOW) is False
        assert await store.bookmarks.of_user(1) == []
    finally:
        await store.close()
