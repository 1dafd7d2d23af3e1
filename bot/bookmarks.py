"""Bookmarks: the sessions each attendee follows, and their personal schedule with its clashes.

A bookmark is what reminders, feedback prompts and change notices follow, so setting one
plans its reminder at once (a session starting in five minutes must not wait for the next
planning tick).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.agenda.index import AgendaIndex
from bot.agenda.model import Session
from bot.agenda.state import CurrentAgenda
from bot.agenda.validate import overlapping_pairs
from bot.reminders import Reminders
from bot.store.protocols import BookmarksStore


@dataclass(frozen=True, slots=True)
class PersonalSchedule:
    """A user's bookmarked sessions in time order; ``clashes`` are the ids that overlap another."""

    sessions: tuple[Session, ...]
    clashes: frozenset[str]

    @property
    def several_days(self) -> bool:
        return len({s.listed_day for s in self.sessions}) > 1


def personal_schedule(index: AgendaIndex, session_ids: Iterable[str]) -> PersonalSchedule:
    """Bookmarks of sessions a reload removed are left out (they are kept in the store)."""
    sessions = sorted(
        (s for s in (index.session(i) for i in session_ids) if s is not None),
        key=lambda s: (s.start, s.end, s.title),
    )
    clashes = frozenset(s.id for pair in overlapping_pairs(sessions) for s in pair)
    return PersonalSchedule(tuple(sessions), clashes)


class Bookmarks:
    def __init__(self, repo: BookmarksStore, current: CurrentAgenda, reminders: Reminders) -> None:
        self.repo = repo
        self.current = current
        self.reminders = reminders

    async def schedule(self, user_id: int) -> PersonalSchedule:
        return personal_schedule(self.current.index, await self.repo.of_user(user_id))

    async def marked(self, user_id: int) -> set[str]:
        return set(await self.repo.of_user(user_id))

    async def has(self, user_id: int, session_id: str) -> bool:
        return await self.repo.has(user_id, session_id)

    async def toggle(self, user_id: int, session: Session) -> bool:
        """Flip a bookmark; True when it is now set (its reminder is then planned at once)."""
        on = await self.repo.toggle(user_id, session.id, self.current.now())
        if on:
            await self.reminders.plan_for(user_id)
        return on

    async def add_all(self, user_id: int, sessions: Iterable[Session]) -> int:
        """Bookmark several sessions at once (a shared schedule's "Bookmark all"); how many
        were new. Their reminders are planned at once, as for one bookmark."""
        have = set(await self.repo.of_user(user_id))
        now = self.current.now()
        added = 0
        for session in sessions:
            if session.id in have:
                continue
            await self.repo.add(user_id, session.id, now)
            have.add(session.id)
            added += 1
        if added:
            await self.reminders.plan_for(user_id)
        return added
