"""``confbot backup FILE`` while the bot runs and writes: the copy restores with every row."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.emulator.harness import BotHarness
from bot.store import Store
from bot.store.backup import BackupError, backup
from bot.store.records import ts
from tests.conftest import HarnessFactory

SESSIONS = ("keynote-sztaray", "keynote-mousnier", "crisis-management")


async def write_one(bot: BotHarness, uid: int) -> None:
    """A person's bookmark, rating and reminder row, all in one transaction."""
    store = bot.runtime.store
    now = ts(bot.runtime.clock.now())
    session = SESSIONS[uid % len(SESSIONS)]
    async with store.db.transaction() as conn:  # type: ignore[attr-defined]
        await conn.execute(
            "INSERT INTO users (id, first_name, first_seen, last_seen) VALUES (?, ?, ?, ?)",
            (uid, f"U{uid}", now, now),
        )
        await conn.execute(
            "INSERT INTO bookmarks (user_id, session_id, created_at) VALUES (?, ?, ?)",
            (uid, session, now),
        )
        await conn.execute(
            "INSERT INTO feedback (user_id, session_id, rating, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (uid, session, 1 + uid % 5, now, now),
        )
        await conn.execute(
            "INSERT INTO outbox (kind, chat_id, session_id, payload, dedup_key, due_at,"
            " created_at, updated_at) VALUES ('reminder', ?, ?, '{}', ?, ?, ?, ?)",
            (uid, session, f"reminder:{uid}:{session}:x", now, now, now),
        )


def restore(backup_file: Path, database: Path) -> Path:
    """The documented restore: the copy becomes the database (no stale -wal beside it)."""
    assert not Path(f"{backup_file}-wal").exists()  # the copy is one self-contained file
    database.parent.mkdir(parents=True, exist_ok=True)
    for stale in (Path(f"{database}-wal"), Path(f"{database}-shm")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(backup_file, database)
    return database


async def test_a_backup_taken_while_writes_happen_restores_every_row(
    make_bot: HarnessFactory, tmp_path: Path
) -> None:
    bot = await make_bot()
    for uid in range(1, 301):  # the state before the backup starts
        await write_one(bot, uid)
    written = 300
    stop = asyncio.Event()

    async def keep_writing() -> None:
        nonlocal written
        while not stop.is_set():
            written += 1
            await write_one(bot, written)
            await asyncio.sleep(0)

    writer = asyncio.create_task(keep_writing())
    target = tmp_path / "backups" / "confbot-backup.sqlite3"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "backup", str(target),
        env={**os.environ, "DATABASE_PATH": str(bot.settings.DATABASE_PATH)}, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    during = written
    stop.set()
    await writer
    assert proc.returncode == 0, err.decode()
    assert "backed up" in out.decode()
    assert during > 300, "the bot kept writing while the backup ran"

    # Restore, as docs/deployment.md says: the bot stopped, the copy put in place (no -wal).
    await bot.stop()
    store = await Store.open(str(restore(target, tmp_path / "restored" / "confbot.sqlite3")))
    try:
        users = [int(r[0]) for r in await store.db.fetchall("SELECT id FROM users ORDER BY id")]
        assert users[:300] == list(range(1, 301))  # everything committed before it started
        assert len(users) <= written
        for uid in users:  # and every transaction whole: no bookmark without its rating
            session = SESSIONS[uid % len(SESSIONS)]
            assert await store.bookmarks.of_user(uid) == [session]
            assert await store.feedback.get(uid, session) == (1 + uid % 5, None)
        rows = await store.db.fetchall("SELECT chat_id FROM outbox WHERE kind = 'reminder'")
        assert sorted(int(r[0]) for r in rows) == users
        assert (await store.db.fetchone("PRAGMA integrity_check"))[0] == "ok"
    finally:
        await store.close()


def test_backup_refuses_a_missing_database_and_the_database_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "var" / "confbot.sqlite3"
    monkeypatch.setenv("DATABASE_PATH", str(db))
    monkeypatch.chdir(tmp_path)  # no .env of a developer's
    assert main(["backup", str(tmp_path / "copy.sqlite3")]) == 1
    assert "no database at" in capsys.readouterr().err
    db.parent.mkdir()
    sqlite3.connect(db).close()
    with pytest.raises(BackupError, match="is the database itself"):
        backup(db, db)
    assert main(["backup", str(db)]) == 1


def test_an_existing_backup_is_replaced_whole(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE users (id INTEGER)")
        conn.execute("INSERT INTO users VALUES (1), (2)")
    target = tmp_path / "copy.sqlite3"
    target.write_bytes(b"an old, unrelated file")
    info = backup(db, target)
    assert info.counts == {"users": 2}
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (2,)
    assert not list(tmp_path.glob(".*partial"))
