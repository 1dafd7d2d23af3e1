"""What the Mini App needs from the bot, as a small interface.

The routes in ``bot.web.miniapp`` talk only to a ``MiniAppBackend``; ``bot.web.runtime_backend``
builds one on today's ``Runtime``. Keeping the seam this narrow lets the Runtime be reshaped
without touching the web side, and lets tests drive the app with a fake.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from bot.agenda.index import AgendaIndex
from bot.agenda.model import Conference

if TYPE_CHECKING:
    from bot.questions import QuestionEngine
    from bot.web.initdata import WebAppUser


class AgendaView(Protocol):
    """One loaded agenda (``bot.runtime.AgendaState`` is one); replaced whole on reload."""

    @property
    def conference(self) -> Conference: ...

    @property
    def index(self) -> AgendaIndex: ...

    @property
    def questions(self) -> QuestionEngine: ...


class MiniAppBackend(Protocol):
    def agenda(self) -> AgendaView:
        """The current agenda; a new object after every reload (the API cache keys on it)."""
        ...

    def now(self) -> datetime:
        """The bot's clock, in the conference's zone."""
        ...

    async def seen(self, user: WebAppUser) -> None:
        """Record the person behind a validated initData, as the chat records a sender."""
        ...

    async def language(self, user: WebAppUser) -> str | None:
        """The language the bot speaks to this person: their /language choice, else the one
        their Telegram app sends now (None: it sends none)."""
        ...

    async def bookmarks(self, user_id: int) -> Collection[str]:
        """Session ids the user bookmarked (the rows ``/my`` reads)."""
        ...

    async def set_bookmark(self, user_id: int, session_id: str, on: bool) -> None: ...

    async def on_bookmark(self, user_id: int, session_id: str, on: bool) -> None:
        """After a bookmark changed: plan its reminder, as a bookmark made in the chat does."""
        ...

    async def reminder_minutes(self, user_id: int) -> int:
        """Minutes before a bookmarked session that the user's reminder comes (0: none)."""
        ...

    async def ratings(self, user_id: int) -> Mapping[str, int]:
        """Session id -> the user's rating."""
        ...

    async def rate(self, user_id: int, session_id: str, rating: int) -> int | None:
        """Store a rating under the feedback rules; the previous one, if any.

        Raises ``bot.feedback.FeedbackRefused`` when the rules say no.
        """
        ...
