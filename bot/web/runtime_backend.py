"""The Mini App's backend on the bot's typed ``Runtime``: the one module of the app that knows
how the core is composed."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from bot.feedback import FeedbackRefused, Refusal, check_rateable
from bot.reminders import effective_lead
from bot.runtime import AgendaState, Runtime
from bot.web.initdata import WebAppUser


class RuntimeBackend:
    """``MiniAppBackend`` over the bot's store, clock, agenda and reminder planner."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def agenda(self) -> AgendaState:
        return self.rt.agenda

    def now(self) -> datetime:
        return self.rt.now()

    async def seen(self, user: WebAppUser) -> None:
        await self.rt.store.users.seen(
            user.id, user.first_name, user.username, user.language_code, self.rt.now()
        )

    async def language(self, user: WebAppUser) -> str | None:
        return await self.rt.languages.chosen(user.id) or user.language_code

    async def bookmarks(self, user_id: int) -> Collection[str]:
        return await self.rt.store.bookmarks.of_user(user_id)

    async def set_bookmark(self, user_id: int, session_id: str, on: bool) -> None:
        if on:
            await self.rt.store.bookmarks.add(user_id, session_id, self.rt.now())
        else:
            await self.rt.store.bookmarks.remove(user_id, session_id)

    async def on_bookmark(self, user_id: int, session_id: str, on: bool) -> None:
        """As the chat's bookmark button does: plan at once (a reminder already due goes now);
        a removed bookmark needs nothing, its reminder is dropped when it comes due."""
        if on:
            await self.rt.reminders.plan_for(user_id)

    async def reminder_minutes(self, user_id: int) -> int:
        user = await self.rt.store.users.get(user_id)
        own = user.reminder_minutes if user else None
        return effective_lead(own, self.rt.settings.REMINDER_MINUTES)

    async def ratings(self, user_id: int) -> Mapping[str, int]:
        return await self.rt.store.feedback.rated_by(user_id)

    async def rate(self, user_id: int, session_id: str, rating: int) -> int | None:
        """The chat's rules (``bot.feedback``), without its "your next message is a comment"
        window: in the app nobody was asked for a comment, so the next chat text is not one."""
        if not 1 <= rating <= 5:
            raise FeedbackRefused(Refusal.BAD_RATING)
        now = self.rt.now()
        session = check_rateable(self.rt.agenda, session_id, now)
        return await self.rt.store.feedback.rate(user_id, session.id, rating, now)
