"""Errors and warnings that name the file and the place, so organisers can fix their export."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class AgendaError(Exception):
    """An agenda that cannot be used. ``str()`` reads ``file: place: message``."""

    def __init__(self, source: str | Path, place: str, message: str) -> None:
        self.source = str(source)
        self.place = place
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.source}: {self.place}" if self.place else self.source
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class AgendaWarning:
    """Something odd but loadable: an overlap, a skipped row, a double-booked speaker."""

    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message
