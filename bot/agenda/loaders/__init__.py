"""Agenda loaders, one module a format, chosen by sniffing the file's content."""

from __future__ import annotations

import importlib
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.agenda.errors import AgendaError
from bot.agenda.loaders._common import file_text
from bot.agenda.loaders.base import Loader, LoadResult
from bot.agenda.validate import validate

#: Sniffed in this order: the most specific formats first.
_MODULES = ("frab_json", "sessionize", "indico", "frab_xml", "ical", "yaml_native", "csv_table")


def loaders() -> list[Loader]:
    """Every format's loader; a module listed here but missing is an error, never skipped."""
    return [importlib.import_module(f"bot.agenda.loaders.{name}").LOADER for name in _MODULES]


def detect(data: bytes, path: Path) -> Loader:
    for loader in loaders():
        if loader.sniff(data, path):
            return loader
    from bot.agenda.loaders.diagnose import best

    names = ", ".join(loader.name for loader in loaders())
    guess = best(data, path)
    if guess is None:
        raise AgendaError(path, "", f"not an agenda format confbot knows (tried {names})")
    raise AgendaError(path, guess.place, f"{guess.message} (formats tried: {names})")


def load_bytes(data: bytes, path: str | Path, default_tz: ZoneInfo | None = None) -> LoadResult:
    """Load an agenda from bytes (an upload, a URL); ``path`` names it in errors."""
    path = Path(path)
    if not data.strip():
        raise AgendaError(path, "", "the file is empty")
    data = _as_utf8(data, path)
    loader = detect(data, path)
    result = loader.load(data, path, default_tz)
    return validate(result, path)


def _as_utf8(data: bytes, path: Path) -> bytes:
    """UTF-16 with a BOM (what Windows tools save) re-encoded, so every loader reads UTF-8.

    Lines stay lines, so the places in later errors are unchanged.
    """
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data
    text, _ = file_text(data, path)
    return text.encode("utf-8")


def load_agenda(path: str | Path, default_tz: ZoneInfo | None = None) -> LoadResult:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AgendaError(path, "", f"cannot read the file: {exc.strerror or exc}") from exc
    return load_bytes(data, path, default_tz)


__all__ = ["AgendaError", "LoadResult", "Loader", "detect", "load_agenda", "load_bytes", "loaders"]
