"""Checks every format shares: hard errors for a broken programme, warnings for clashes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot.agenda.errors import AgendaError, AgendaWarning
from bot.agenda.model import Session

if TYPE_CHECKING:  # the loaders package imports this module
    from bot.agenda.loaders.base import LoadResult


def _where(s: Session) -> str:
    return f"session {s.id!r} ({s.title[:40]!r})"


def validate(result: LoadResult, path: Path) -> LoadResult:
    conf = result.conference
    if not conf.sessions:
        raise AgendaError(path, "", "the agenda has no sessions")
    seen: set[str] = set()
    for s in conf.sessions:
        if s.id in seen:
            raise AgendaError(path, _where(s), f"duplicate session id {s.id!r}")
        seen.add(s.id)
        if s.start.tzinfo is None or s.end.tzinfo is None:
            raise AgendaError(path, _where(s), "start and end must carry a time zone")
        if s.end < s.start:
            raise AgendaError(path, _where(s), "ends before it starts")
        for part in s.speakers:
            if part.speaker_id not in conf.speakers:
                raise AgendaError(path, _where(s), f"unknown speaker id {part.speaker_id!r}")
    warnings = list(result.warnings)
    warnings.extend(clashes(conf.sessions))
    return replace(result, warnings=tuple(warnings))


def overlapping_pairs(sessions: Iterable[Session]) -> list[tuple[Session, Session]]:
    """Every pair of sessions that run at the same time (a sweep over start times)."""
    pairs: list[tuple[Session, Session]] = []
    ordered = sorted(sessions, key=lambda s: (s.start, s.end))
    active: list[Session] = []
    for s in ordered:
        active = [a for a in active if a.end > s.start]
        pairs.extend((a, s) for a in active if s.end > s.start)
        active.append(s)
    return pairs


def clashes(sessions: tuple[Session, ...]) -> list[AgendaWarning]:
    """Two sessions in one room at once, and a speaker in two places at once."""
    by_room: dict[str, list[Session]] = defaultdict(list)
    by_speaker: dict[str, list[Session]] = defaultdict(list)
    for s in sessions:
        if s.room:
            by_room[s.room].append(s)
        for sid in set(s.speaker_ids):
            by_speaker[sid].append(s)
    out: list[AgendaWarning] = []
    for room, items in by_room.items():
        for a, b in overlapping_pairs(items):
            out.append(AgendaWarning(_where(b), f"overlaps {a.id!r} in room {room!r}"))
    for sid, items in by_speaker.items():
        for a, b in overlapping_pairs(items):
            out.append(
                AgendaWarning(_where(b), f"speaker {sid!r} is also in {a.id!r} at the same time")
            )
    return out
