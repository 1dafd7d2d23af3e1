"""The typed ``context`` every handler and job gets: ``context.rt`` is the core's ``Runtime``.

Registered through PTB's ``ContextTypes(context=BotContext, bot_data=BotData)`` in the
composition root, so ``context.rt.delivery``, ``context.rt.broadcasts`` ... are checked by
mypy at every call, and a job's context is a ``BotContext`` too.

``ChatHooks`` are the Telegram-side extension points: a feature that wants the next text a
person sends (a feedback comment, a broadcast's text) adds a text hook, one that acts on
``/start`` (speaker links) a start hook. They are declared by features (``handlers.feature``)
and run in the order of ``bot.app.FEATURES``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.runtime import Runtime
from bot.web.server import WebServer

if TYPE_CHECKING:
    from handlers.web import WebhookInbox

#: A feature claiming an update before the default handling; True means "handled".
ChatHook = Callable[[Update, "BotContext"], Awaitable[bool]]


@dataclass
class ChatHooks:
    #: Run by /start before the welcome; True stops the welcome.
    start: list[ChatHook] = field(default_factory=list)
    #: Run on every plain text before it is taken as a question; the first True wins.
    text: list[ChatHook] = field(default_factory=list)


class AnsweredCallbacks:
    """Callback queries this bot has answered (the latest ``size``).

    Telegram accepts one answer per press and refuses a second; a failure after a button
    was answered must not answer it again (the error handler asks here first).
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, query_id: object) -> bool:
        return query_id in self._ids

    def add(self, query_id: str) -> bool:
        """Mark ``query_id`` answered; False if it already was."""
        if query_id in self._ids:
            return False
        self._ids[query_id] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True


class BotData:
    """``application.bot_data``: the runtime (set once the store is open), the hooks, and the
    callback queries already answered."""

    def __init__(self) -> None:
        self._runtime: Runtime | None = None
        self.hooks = ChatHooks()
        #: The web server, while it runs (``WEB_LISTEN``; started by ``handlers.web``).
        self.web: WebServer | None = None
        #: Webhook updates recorded and not yet handled (``handlers.web``).
        self.inbox: WebhookInbox | None = None
        self.answered = AnsweredCallbacks()

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            raise RuntimeError("the runtime is built in post_init; no update is handled before")
        return self._runtime

    @runtime.setter
    def runtime(self, value: Runtime) -> None:
        self._runtime = value

    @property
    def started(self) -> bool:
        return self._runtime is not None


UserData = dict[Any, Any]
ChatData = dict[Any, Any]


class BotContext(CallbackContext[ExtBot[None], UserData, ChatData, BotData]):
    """``CallbackContext`` with typed shortcuts to the core."""

    @property
    def rt(self) -> Runtime:
        return self.bot_data.runtime

    @property
    def hooks(self) -> ChatHooks:
        return self.bot_data.hooks


#: The Application type of this bot.
ConfApp = Application[ExtBot[None], BotContext, UserData, ChatData, BotData, JobQueue[BotContext]]
