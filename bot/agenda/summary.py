"""The report ``confbot check`` prints: enough to see at a glance that the right file loaded.

An organiser runs ``check`` before a conference to catch a wrong zone, a missing day or a
room typo, so the summary lists what those mistakes would change: days with their dates and
hours, sessions and breaks, rooms, tracks, speakers, and every warning (capped so that a
merged export with hundreds of clashes stays readable).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.agenda.loaders.base import LoadResult
from bot.agenda.model import Session

__all__ = ["MAX_LISTED", "summarize"]

#: Longest list of warnings, rooms or tracks printed in full; the rest are counted.
MAX_LISTED = 20


def _capped(items: Sequence[str], limit: int = MAX_LISTED) -> list[str]:
    shown = list(items[:limit])
    if len(items) > limit:
        shown.append(f"... and {len(items) - limit} more")
    return shown


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _counts(sessions: Sequence[Session]) -> str:
    breaks = sum(1 for s in sessions if s.is_break)
    text = _plural(len(sessions), "session")
    return f"{text} ({_plural(breaks, 'break')})" if breaks else text


def _zone(zone: ZoneInfo) -> str:
    """The zone's name; a fixed ``Etc/GMT-1`` also as "UTC+01:00" (its sign reads backwards)."""
    if not zone.key.startswith("Etc/GMT") or zone.key in ("Etc/GMT", "Etc/GMT0"):
        return zone.key
    offset = datetime(2000, 1, 1, tzinfo=zone).utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    return f"{zone.key} (fixed UTC{sign}{abs(offset) // timedelta(hours=1):02d}:00)"


def summarize(result: LoadResult, path: str | Path) -> str:
    """A few lines describing a loaded, validated agenda and its warnings."""
    conf = result.conference
    lines = [f"{path}: OK, format {result.format}", f"  {conf.name}"]
    where = ", ".join(x for x in (conf.venue, conf.city) if x)
    lines.append(f"  time zone {_zone(conf.timezone)}" + (f"; {where}" if where else ""))
    if conf.organisers:
        lines.append(f"  organisers: {', '.join(conf.organisers)}")

    by_day: dict[object, list[Session]] = {}
    for s in sorted(conf.sessions, key=lambda s: s.start):
        by_day.setdefault(s.listed_day, []).append(s)
    lines.append(f"{_plural(len(by_day), 'day')}:")
    for day, items in sorted(by_day.items(), key=lambda kv: str(kv[0])):
        first, last = items[0].start, max(s.end for s in items)
        late = "+1" if last.date() > first.date() else ""
        lines.append(f"  {first:%a} {day}  {first:%H:%M}-{last:%H:%M}{late}  {_counts(items)}")
    breaks = sum(1 for s in conf.sessions if s.is_break)
    lines.append(
        f"Sessions: {len(conf.sessions)}" + (f", of which {breaks} breaks" if breaks else "")
    )
    rooms, tracks = conf.rooms, conf.tracks
    lines.append(f"Rooms ({len(rooms)}): " + (", ".join(_capped(rooms)) or "none"))
    lines.append(f"Tracks ({len(tracks)}): " + (", ".join(_capped(tracks)) or "none"))
    speaking = {sid for s in conf.sessions for sid in s.speaker_ids}
    idle = len(set(conf.speakers) - speaking)
    lines.append(f"Speakers: {len(conf.speakers)}" + (f" ({idle} with no session)" if idle else ""))
    translated = [s for s in conf.sessions if s.titles or s.abstracts]
    if translated or conf.names:
        tags = dict.fromkeys(
            tag
            for variants in (conf.names, *(v for s in translated for v in (s.titles, s.abstracts)))
            for tag, _ in variants
        )
        lines.append(
            f"Languages: {', '.join(tags)} ({_plural(len(translated), 'session')} translated)"
        )
    warnings = [str(w) for w in result.warnings]
    if warnings:
        lines.append(f"Warnings ({len(warnings)}):")
        lines.extend(f"  - {w}" for w in _capped(warnings))
    else:
        lines.append("Warnings: none")
    return "\n".join(lines)
