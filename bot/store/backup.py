"""``confbot backup FILE``: a consistent copy of the database while the bot runs.

SQLite's online backup API copies the database page by page inside one read transaction, so
the copy is the database as of one instant, with every committed transaction whole and none
half; in WAL mode the reader does not block the running bot's writer (nor the writer it). The
copy is written beside the target, checked (``PRAGMA integrity_check``), switched to a plain
rollback journal so it is one self-contained file, and only then renamed over the target: an
interrupted backup never leaves a broken file under the target's name.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

#: Tables whose row counts the summary reports (what people care to find in a backup).
COUNTED = ("users", "bookmarks", "feedback", "outbox", "calendar_feeds")


class BackupError(Exception):
    """The backup could not be made; the message says why, naming the file."""


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    size: int
    version: int
    counts: dict[str, int]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def backup(source: Path, target: Path, *, timeout: float = 30.0) -> BackupInfo:
    """Copy the database at ``source`` to ``target`` (replaced atomically if it exists)."""
    if not source.is_file():
        raise BackupError(f"there is no database at {source} (DATABASE_PATH)")
    if _same_file(source, target):
        raise BackupError(f"{target} is the database itself: name another file")
    if target.exists() and target.is_dir():
        raise BackupError(f"{target} is a folder: name a file")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(f"file:{source}?mode=rw", uri=True, timeout=timeout)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot open {source}: {exc}") from exc
    try:
        dst = sqlite3.connect(partial, timeout=timeout)
        try:
            # One step (pages=-1): the whole copy inside one read transaction. Copying in
            # smaller steps would restart whenever the running bot commits, possibly forever.
            src.backup(dst)
            check = dst.execute("PRAGMA integrity_check").fetchone()
            if not check or check[0] != "ok":
                raise BackupError(f"the copy failed its integrity check: {check}")
            dst.execute("PRAGMA journal_mode=DELETE")
            version = int(dst.execute("PRAGMA user_version").fetchone()[0])
            tables = {
                r[0] for r in dst.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            counts = {
                t: int(dst.execute(f"SELECT count(*) FROM {t}").fetchone()[0])  # noqa: S608  a fixed table name
                for t in COUNTED
                if t in tables
            }
        finally:
            dst.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"backing up {source} failed: {exc}") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    os.replace(partial, target)
    with contextlib.suppress(OSError):  # the journal of the copy, if one was left
        target.with_name(target.name + "-journal").unlink(missing_ok=True)
    return BackupInfo(target, target.stat().st_size, version, counts)
