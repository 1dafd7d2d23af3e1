"""The agenda as the Mini App reads it (JSON), track colours, and search over the chat's engine."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from bot.agenda.index import session_key
from bot.agenda.model import Conference, Session, SessionType
from bot.web.backend import AgendaView

#: Distinct hues that read on light and dark backgrounds alike (the app tints blocks with them).
PALETTE = (
    "#3b82f6",  # blue
    "#e8590c",  # orange
    "#2f9e44",  # green
    "#ae3ec9",  # purple
    "#d6336c",  # pink
    "#0c8599",  # teal
    "#f59f00",  # amber
    "#5c7cfa",  # indigo
    "#c92a2a",  # red
    "#66a80f",  # lime
    "#9c36b5",  # grape
    "#1098ad",  # cyan
)
#: Without tracks, blocks are coloured by kind of session.
TYPE_COLOURS: dict[SessionType, str] = {
    SessionType.TALK: "#3b82f6",
    SessionType.PANEL: "#ae3ec9",
    SessionType.KEYNOTE: "#e8590c",
    SessionType.WORKSHOP: "#2f9e44",
    SessionType.OPENING: "#0c8599",
    SessionType.CLOSING: "#0c8599",
    SessionType.BREAK: "#868e96",
    SessionType.SOCIAL: "#d6336c",
    SessionType.OTHER: "#5c7cfa",
}
#: Longest search the API accepts (the chat's engine reads 500 characters at most).
MAX_QUERY = 200


def track_colours(tracks: tuple[str, ...]) -> dict[str, str]:
    """Each track's colour, stable across reloads: from a hash of its name, so adding a track
    does not repaint the others (a collision takes the next free colour, in name order)."""
    out: dict[str, str] = {}
    taken: set[int] = set()
    for name in sorted(tracks, key=str.casefold):
        slot = int.from_bytes(hashlib.blake2b(name.casefold().encode(), digest_size=2).digest())
        slot %= len(PALETTE)
        if len(taken) < len(PALETTE):
            while slot in taken:
                slot = (slot + 1) % len(PALETTE)
        taken.add(slot)
        out[name] = PALETTE[slot]
    return out


def _iso(when: datetime, conf: Conference) -> str:
    return when.astimezone(conf.timezone).isoformat(timespec="minutes")


def _session(conf: Conference, s: Session) -> dict[str, Any]:
    """One session; ``title``/``abstract`` in the event's own language, and ``titles``/
    ``abstracts`` (language -> text) when the agenda gives them in several."""
    speakers = []
    for part in s.speakers:
        sp = conf.speakers.get(part.speaker_id)
        if sp is not None:
            speakers.append({"id": sp.id, "name": sp.name, "role": part.role})
    out: dict[str, Any] = {
        "id": s.id,
        "key": session_key(s.id),
        "title": s.title,
        "subtitle": str(getattr(s, "subtitle", "") or ""),
        "abstract": s.abstract,
        "type": s.type.value,
        "track": s.track,
        "room": s.room,
        "start": _iso(s.start, conf),
        "end": _iso(s.end, conf),
        "day": s.listed_day.isoformat(),
        "speakers": speakers,
        "url": s.url,
        "language": s.language,
        "bookmarkable": not s.is_break,
    }
    # A title or abstract in several languages: every one, the app shows the reader's.
    if s.titles:
        out["titles"] = dict(s.titles)
    if s.abstracts:
        out["abstracts"] = dict(s.abstracts)
    return out


def agenda_payload(state: AgendaView) -> dict[str, Any]:
    """Everything the timetable draws, in programme order."""
    conf = state.conference
    index = state.index
    colours = track_colours(conf.tracks)
    types = sorted({s.type for s in index.sessions}, key=list(SessionType).index)
    return {
        "conference": {
            "name": conf.name,
            "timezone": conf.timezone.key,
            "venue": conf.venue,
            "city": conf.city,
            "url": conf.url,
            "days": [d.isoformat() for d in index.days],
            **({"names": dict(conf.names)} if conf.names else {}),
        },
        "rooms": list(conf.rooms),
        "tracks": [{"name": t, "colour": colours[t]} for t in conf.tracks],
        "types": [{"id": t.value, "colour": TYPE_COLOURS[t]} for t in types],
        "sessions": [_session(conf, s) for s in index.sessions],
        "speakers": {
            sp.id: {"name": sp.name, "affiliation": sp.affiliation, "bio": sp.bio}
            for sp in sorted(conf.speakers.values(), key=lambda sp: sp.name.casefold())
        },
    }


def conference_day(state: AgendaView, now: datetime) -> str | None:
    """The conference day ``now`` falls on (the day the app opens on), if any."""
    day = state.index.day_of(now)
    return day.isoformat() if day is not None else None


def search(state: AgendaView, query: str, now: datetime) -> list[str]:
    """Ids of the sessions a question finds, best first, with the chat's engine.

    The chat shows a page of answers and offers the rest; the grid shows every match.
    """
    answer = state.questions.ask(query, now)
    if answer.card is not None and not answer.matches:
        return [answer.card.id]
    return [s.id for s in (answer.matches or answer.sessions)]
