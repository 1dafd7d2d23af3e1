"""What changed between two versions of an agenda, session by session.

Sessions are matched by id (every loader keeps the source's stable ids). The result drives the
organiser's preview before a reload and the one message each affected bookmarker receives.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from bot.agenda.model import Conference, Session


@dataclass(frozen=True, slots=True)
class SessionChange:
    """One session that exists in both versions and differs in time, room or title."""

    old: Session
    new: Session

    @property
    def moved(self) -> bool:
        return (self.old.start, self.old.end) != (self.new.start, self.new.end)

    @property
    def room_changed(self) -> bool:
        return self.old.room != self.new.room

    @property
    def renamed(self) -> bool:
        """The title changed, in any of the agenda's languages."""
        return (self.old.title, self.old.titles) != (self.new.title, self.new.titles)

    @property
    def fingerprint(self) -> str:
        """Identifies *this* change, so a notice about it is sent once (dedup key)."""
        return session_fingerprint(self.new)


def session_fingerprint(session: Session | None) -> str:
    if session is None:
        return "cancelled"
    data = f"{session.start.isoformat()}|{session.end.isoformat()}|{session.room}|{session.title}"
    if session.titles:  # (a title in one language keeps the fingerprint it always had)
        data += "|" + "|".join(f"{tag}={text}" for tag, text in session.titles)
    return hashlib.sha256(data.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Changes:
    changed: tuple[SessionChange, ...] = ()
    added: tuple[Session, ...] = ()
    cancelled: tuple[Session, ...] = ()
    renamed_conference: tuple[str, str] | None = None
    other: tuple[str, ...] = field(default_factory=tuple)  # speakers/abstracts etc. edited

    @property
    def empty(self) -> bool:
        return not (self.changed or self.added or self.cancelled or self.renamed_conference)

    @property
    def moved(self) -> tuple[SessionChange, ...]:
        return tuple(c for c in self.changed if c.moved)

    @property
    def room_changes(self) -> tuple[SessionChange, ...]:
        return tuple(c for c in self.changed if c.room_changed)

    @property
    def renamed(self) -> tuple[SessionChange, ...]:
        return tuple(c for c in self.changed if c.renamed)

    @property
    def affected_ids(self) -> tuple[str, ...]:
        """Sessions whose bookmarkers must be told: changed or cancelled."""
        return tuple(c.old.id for c in self.changed) + tuple(s.id for s in self.cancelled)


def diff(old: Conference, new: Conference) -> Changes:
    before = {s.id: s for s in old.sessions}
    after = {s.id: s for s in new.sessions}
    changed: list[SessionChange] = []
    other: list[str] = []
    for sid, new_s in after.items():
        old_s = before.get(sid)
        if old_s is None:
            continue
        change = SessionChange(old_s, new_s)
        if change.moved or change.room_changed or change.renamed:
            changed.append(change)
        elif old_s != new_s:
            other.append(sid)
    added = [s for sid, s in after.items() if sid not in before]
    cancelled = [s for sid, s in before.items() if sid not in after]
    by_start = lambda s: (s.start, s.id)  # noqa: E731
    return Changes(
        changed=tuple(sorted(changed, key=lambda c: (c.new.start, c.new.id))),
        added=tuple(sorted(added, key=by_start)),
        cancelled=tuple(sorted(cancelled, key=by_start)),
        renamed_conference=(old.name, new.name) if old.name != new.name else None,
        other=tuple(sorted(other)),
    )
