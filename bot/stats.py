"""/stats: the counts every organiser wants first, then one section per feature, in pages.

A feature adds its part by appending a ``StatsSection`` to ``Stats.sections`` (the composition
root does it for the feedback ratings and the audience questions). Sections are joined onto
the current page while they fit Telegram's limit and start a new page otherwise; a section
that fails is logged and left out, so one broken feature cannot take the whole /stats away.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot import texts
from bot.clock import Clock
from bot.outgoing import MAX_TEXT, fits
from bot.store.protocols import AuditStore, BookmarksStore, OutboxStore, UsersStore

log = logging.getLogger("confbot.stats")

#: One feature's part of /stats: HTML, one page or several.
StatsSection = Callable[[], Awaitable[str | Sequence[str]]]


@dataclass(frozen=True, slots=True)
class StatsPage:
    html: str
    number: int  # 0-based
    count: int

    @property
    def has_previous(self) -> bool:
        return self.number > 0

    @property
    def has_next(self) -> bool:
        return self.number + 1 < self.count


def page_of(pages: Sequence[str], number: int) -> StatsPage:
    """Page ``number`` of ``pages``, clamped: an old button past the end shows the last one."""
    number = min(max(number, 0), len(pages) - 1)
    return StatsPage(pages[number], number, len(pages))


class Stats:
    def __init__(
        self,
        users: UsersStore,
        bookmarks: BookmarksStore,
        outbox: OutboxStore,
        audit: AuditStore,
        clock: Clock,
    ) -> None:
        self.users = users
        self.bookmarks = bookmarks
        self.outbox = outbox
        self.audit = audit
        self.clock = clock
        self.sections: list[StatsSection] = []

    async def opened_by(self, organiser: int) -> list[str]:
        """The pages for ``/stats``; the organiser's look is audited like every organiser act."""
        await self.audit.log(organiser, "stats", self.clock.now())
        return await self.pages()

    async def pages(self) -> list[str]:
        """The counts first, then each section; every page stays under Telegram's limit."""
        users, active = await self.users.counts()
        bookmarks = await self.bookmarks.count()
        bookmarkers = await self.bookmarks.bookmarkers()
        outbox = await self.outbox.states()
        pages = [texts.stats(users, active, bookmarks, bookmarkers, outbox)]
        for section in list(self.sections):
            try:
                result = await section()
            except Exception:
                log.exception("a /stats section failed")
                continue
            more = [result] if isinstance(result, str) else list(result)
            for page in (p for p in more if p):
                if len(pages[-1]) + 2 + len(page) <= MAX_TEXT:
                    pages[-1] += "\n\n" + page
                else:
                    pages.append(fits(page))
        return pages
