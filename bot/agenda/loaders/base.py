"""What every loader module provides, and the result it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.agenda.errors import AgendaWarning
from bot.agenda.model import Conference


@dataclass(frozen=True, slots=True)
class LoadResult:
    conference: Conference
    format: str
    warnings: tuple[AgendaWarning, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """For a file no loader takes: what it looks closest to and what it lacks.

    ``score`` ranks competing guesses (the best one is reported); ``place`` is where the
    problem is ("row 1" for a CSV header), ``message`` a sentence such as "a CSV with no title
    column: expected one of Title, Proposal title, ...".
    """

    score: int
    place: str
    message: str


class Loader(Protocol):
    """One agenda format. ``sniff`` looks at content (not only the name); ``load`` parses it."""

    name: str

    def sniff(self, data: bytes, path: Path) -> bool: ...

    def load(self, data: bytes, path: Path, default_tz: ZoneInfo | None) -> LoadResult: ...
