"""The one opening of every button handler: decode, check, and answer a bad press politely.

Buttons outlive agendas and deployments, and any client can forge their data. A handler
declared with ``@button("bm", "ics")`` gets a ``Press`` whose callback data already decoded
to one of its actions (``handlers.callbacks``); for ``organisers=True`` the presser is an
organiser. Anything else (malformed, unknown, forged, or ``BadCallback`` raised by the
handler itself when an argument does not resolve) is answered with the ``stale`` text as an
alert, once, and changes nothing. ``handler()`` makes the PTB route, its pattern derived from
the actions, so the route and the actions cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, Message, Update
from telegram.ext import CallbackQueryHandler

from bot import texts
from bot.runtime import Runtime
from handlers.callbacks import ACTIONS, BadCallback, Callback, decode
from handlers.common import answer_callback
from handlers.context import BotContext


class Press:
    """One decoded button press."""

    def __init__(
        self, update: Update, context: BotContext, query: CallbackQuery, callback: Callback
    ) -> None:
        self.update = update
        self.context = context
        self.query = query
        self.callback = callback
        self.user_id = query.from_user.id
        self.answered = False

    @property
    def rt(self) -> Runtime:
        return self.context.rt

    @property
    def action(self) -> str:
        return self.callback.action

    @property
    def args(self) -> tuple[str, ...]:
        return self.callback.args

    @property
    def message(self) -> Message | None:
        """The message the button sits on, if the bot can still edit it (None for a button on
        an inline-mode message: see ``inline_message_id``)."""
        msg = self.query.message
        return msg if isinstance(msg, Message) else None

    @property
    def inline_message_id(self) -> str | None:
        """Set when the button sits on a message sent through inline mode, in a chat the bot
        does not know; ``reply`` and ``edit_or_send`` handle both kinds."""
        return self.query.inline_message_id

    async def answer(self, text: str | None = None, *, alert: bool = False) -> None:
        """Answer the press (every press must be, or the person sees a spinner); once."""
        if self.answered:
            return
        self.answered = True
        await answer_callback(self.context, self.query, text, alert=alert)


ButtonCallback = Callable[[Press], Awaitable[None]]


class ButtonHandler:
    def __init__(
        self,
        callback: ButtonCallback,
        actions: tuple[str, ...],
        *,
        organisers: bool,
        stale: Callable[[], str],
    ) -> None:
        unknown = [a for a in actions if a not in ACTIONS]
        if unknown:
            raise ValueError(f"buttons {unknown} are not in handlers.callbacks.ACTIONS")
        self.callback = callback
        self.actions = actions
        self.organisers = organisers
        self.stale = stale
        self.__name__ = getattr(callback, "__name__", "button")
        self.__doc__ = callback.__doc__

    async def __call__(self, update: Update, context: BotContext) -> None:
        query = update.callback_query
        if query is None:
            return
        press: Press | None = None
        try:
            cb = decode(query.data)
            if cb.action not in self.actions:
                raise BadCallback(f"{cb.action!r} is not handled here")
            if self.organisers and not context.rt.settings.is_organiser(query.from_user.id):
                raise BadCallback("not an organiser")
            press = Press(update, context, query, cb)
            await self.callback(press)
        except BadCallback:
            await answer_callback(context, query, self.stale(), alert=True)

    def handler(self, *, block: bool = True) -> CallbackQueryHandler[BotContext, None]:
        """The PTB route. ``block=False`` runs presses as tasks beside the next updates: only
        for presses whose effect does not depend on their order (one transaction each)."""
        pattern = "^(" + "|".join(re.escape(a) for a in self.actions) + ")(:|$)"
        return CallbackQueryHandler(self, pattern=pattern, block=block)


async def stale_press(update: Update, context: BotContext) -> None:
    """Any press no button claimed (an action an older version of the bot had, junk, a game
    button): answered, so nobody watches a spinner. Registered after every feature's routes."""
    query = update.callback_query
    if query is not None:
        await answer_callback(context, query, texts.stale_button(), alert=True)


def catch_all() -> CallbackQueryHandler[BotContext, None]:
    return CallbackQueryHandler(stale_press)


def button(
    *actions: str, organisers: bool = False, stale: Callable[[], str] = texts.stale_button
) -> Callable[[ButtonCallback], ButtonHandler]:
    def wrap(callback: ButtonCallback) -> ButtonHandler:
        return ButtonHandler(callback, actions, organisers=organisers, stale=stale)

    return wrap
