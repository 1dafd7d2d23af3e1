"""The agenda an organiser uploaded, kept beside the database so a restart still serves it.

Without this, an agenda sent to the bot as a file lasts until the next restart, when
``AGENDA_PATH`` would silently bring the old programme back. ``/reload`` of ``AGENDA_PATH``
forgets the kept copy: the file on disk is the source again.
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.agenda.errors import AgendaError
from bot.agenda.loaders import LoadResult, load_bytes

log = logging.getLogger("confbot.agenda")

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def kept_dir(state_dir: Path) -> Path:
    return state_dir / "agenda-upload"


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def keep(state_dir: Path, name: str, data: bytes) -> Path:
    """Write the upload atomically (body first, then the manifest naming it)."""
    folder = kept_dir(state_dir)
    folder.mkdir(parents=True, exist_ok=True)
    safe = _SAFE.sub("_", Path(name).name)[:80] or "agenda"
    body = folder / f"current-{safe}"
    _write(body, data)
    _write(folder / "manifest.json", json.dumps({"name": name, "file": body.name}).encode())
    for old in folder.glob("current-*"):
        if old != body and not old.name.endswith(".tmp"):
            old.unlink(missing_ok=True)
    return body


def load_kept(state_dir: Path, default_tz: ZoneInfo | None) -> tuple[str, LoadResult] | None:
    """The kept upload and its original name; None when there is none or it no longer loads."""
    folder = kept_dir(state_dir)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        name, body = str(manifest["name"]), folder / str(manifest["file"])
        data = body.read_bytes()
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring the kept agenda upload in %s: %s", folder, exc)
        return None
    try:
        return name, load_bytes(data, name, default_tz)
    except AgendaError as exc:
        log.warning("the kept agenda upload no longer loads, ignoring it: %s", exc)
        return None


def forget(state_dir: Path) -> None:
    folder = kept_dir(state_dir)
    (folder / "manifest.json").unlink(missing_ok=True)
    for old in folder.glob("current-*"):
        old.unlink(missing_ok=True)
