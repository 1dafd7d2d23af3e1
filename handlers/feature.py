"""What a feature's Telegram side declares: its routes, hooks, outbox renderers and jobs.

Each ``handlers/<feature>.py`` ends with one ``FEATURE = Feature(...)``, and ``bot/app.py``
lists it in ``FEATURES`` (imported statically: a missing module stops the bot at start, it is
never skipped). The composition root then

1. calls ``routes(app)`` for every feature, in the order of ``FEATURES``;
2. appends the feature's ``start_hooks`` / ``text_hooks`` to ``ChatHooks`` (same order);
3. once the runtime is built, registers each renderer with ``rt.delivery`` as
   ``renderer(rt, row)``, and refuses to start if an outbox kind the core enqueues has none;
4. after ``Runtime.start``, awaits each ``startup(app, rt)`` (jobs), and ``shutdown`` in
   reverse order when the bot stops.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.outgoing import OutgoingMessage
from bot.runtime import Runtime
from bot.store.records import OutboxRow
from handlers.context import ChatHook, ConfApp


class StartupError(RuntimeError):
    """A feature cannot start as configured; the message says why and names the setting."""


#: ``job_kwargs`` of a feature's ticking job: APScheduler's default 1 s grace silently drops a
#: tick when the loop is busy; a late tick still runs, missed ones collapse into one.
TICK_JOB_KWARGS: dict[str, Any] = {"misfire_grace_time": 60, "coalesce": True, "max_instances": 1}

#: Renders one outbox row at send time; None skips it ("no longer relevant").
FeatureRenderer = Callable[[Runtime, OutboxRow], Awaitable[OutgoingMessage | None]]
Lifecycle = Callable[[ConfApp, Runtime], Awaitable[None]]


def _no_routes(app: ConfApp) -> None:
    """A feature without commands or buttons (the outbox sender, the live agenda's job)."""


@dataclass(frozen=True)
class Feature:
    name: str
    routes: Callable[[ConfApp], None] = _no_routes
    renderers: Mapping[str, FeatureRenderer] = field(default_factory=dict)
    start_hooks: tuple[ChatHook, ...] = ()
    text_hooks: tuple[ChatHook, ...] = ()
    startup: Lifecycle | None = None
    shutdown: Lifecycle | None = None
