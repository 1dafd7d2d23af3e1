"""The core's composition: every service by name and type, built once, in dependency order.

``build_runtime`` is the only place that knows how the core fits together: which repository
each service gets, who listens to agenda changes, which feature adds a /stats section. The
Telegram side (``bot.app``) hands in what only it can make (the transport that sends, the
display that edits progress messages) and gets back a ``Runtime`` that handlers, jobs, and
later a web server, all reach the same way: ``rt.delivery``, ``rt.broadcasts``, ...

Order of construction (each line uses only what is above it)::

    settings, clock, store, agenda   -> CurrentAgenda
    delivery (outbox repo, transport)
    reload (agenda, bookmarks, audit, delivery)
    reminders (planner on delivery) -> listens to reload
    bookmarks (reminders), sharing (bookmarks), feedback, speakers
    broadcasts (delivery, progress display) -> told when Telegram refuses paid alerts
    stats (+ the feedback section)
    qa (questions store, users, speaker links, delivery)
    live_agenda (reload, delivery; only with AGENDA_URL)
    calendar_feeds (feed tokens and what they serve), telemetry (counts reloads)

``Runtime.start`` then brings the state of the last run back before anything is sent
(a kept upload, interrupted broadcasts), starts the sender, fetches the live agenda and
plans what fell due while the bot was down. ``Runtime.stop`` undoes it in reverse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.agenda.remote import AgendaFetcher
from bot.agenda.state import AgendaState, CurrentAgenda
from bot.bookmarks import Bookmarks
from bot.broadcasts import PROGRESS_INTERVAL, BroadcastProgress, Broadcasts, ProgressDisplay
from bot.calendar import CalendarFeeds
from bot.clock import Clock
from bot.config import Settings
from bot.delivery import Delivery, Transport
from bot.feedback import FeedbackService
from bot.language import Languages
from bot.live_agenda import LiveAgenda, cache_dir
from bot.qa import QandA
from bot.questions.asked import AskedQuestions
from bot.reload import Reloads
from bot.reminders import TICK_SECONDS, ReminderPlanner, Reminders
from bot.sharing import Sharing
from bot.speakers import SpeakerLinks
from bot.stats import Stats
from bot.store.protocols import Repositories
from bot.telemetry import Telemetry

__all__ = ["AgendaState", "CurrentAgenda", "Runtime", "Tuning", "build_runtime"]


#: Builds the sender (tests and benchmarks tune its rate and concurrency).
DeliveryFactory = Callable[[Repositories, Clock, Transport, Settings], Delivery]


def default_delivery(
    store: Repositories, clock: Clock, transport: Transport, settings: Settings
) -> Delivery:
    return Delivery(
        store.outbox,
        clock,
        transport,
        rate=settings.BROADCAST_RATE,
        paid_rate=getattr(settings, "PAID_BROADCAST_RATE", None),
    )


@dataclass
class Tuning:
    """Knobs tests and benchmarks turn; production runs with the defaults."""

    delivery: DeliveryFactory = default_delivery
    #: Seconds between edits of a broadcast's progress message.
    progress_interval: float = PROGRESS_INTERVAL


@dataclass
class Runtime:
    """What handlers, jobs (and a web server) share. Built by ``build_runtime``."""

    settings: Settings
    clock: Clock
    store: Repositories
    current: CurrentAgenda
    delivery: Delivery
    reload: Reloads
    reminders: Reminders
    bookmarks: Bookmarks
    sharing: Sharing
    feedback: FeedbackService
    speakers: SpeakerLinks
    broadcasts: Broadcasts
    stats: Stats
    #: The language each person is spoken to in (/language).
    languages: Languages
    #: Live calendar feeds (``/calendar``, ``/cal/TOKEN.ics``).
    calendar_feeds: CalendarFeeds
    #: Audience questions to the stage.
    qa: QandA
    #: None without ``AGENDA_URL``.
    live_agenda: LiveAgenda | None = None
    #: Questions with more pages than one answer shows (their "N more" buttons).
    asked: AskedQuestions = field(default_factory=AskedQuestions)
    #: The bot's own counters for /metrics.
    telemetry: Telemetry = field(default_factory=Telemetry)

    @property
    def agenda(self) -> AgendaState:
        """The agenda served now; take it once per update for a consistent programme."""
        return self.current.state

    @property
    def tz(self) -> ZoneInfo:
        return self.current.tz

    def now(self) -> datetime:
        return self.current.now()

    async def start(self) -> None:
        """Bring back the last run's state, then start sending (see the module docstring)."""
        await self.reload.restore_kept()
        await self.broadcasts.resume_interrupted()
        await self.delivery.start()
        if self.live_agenda is not None:
            await self.live_agenda.start()
        await self.reminders.tick()  # whatever fell due while the bot was down
        self.broadcasts.progress.start()

    async def stop(self) -> None:
        await self.broadcasts.progress.stop()
        if self.live_agenda is not None:
            await self.live_agenda.close()
        await self.delivery.stop()
        await self.store.close()


def build_runtime(
    settings: Settings,
    clock: Clock,
    store: Repositories,
    agenda: AgendaState,
    *,
    transport: Transport,
    progress_display: ProgressDisplay,
    tuning: Tuning | None = None,
) -> Runtime:
    """Every core service, wired. Nothing starts here: ``Runtime.start`` does."""
    tuning = tuning or Tuning()
    current = CurrentAgenda(agenda, clock)
    delivery = tuning.delivery(store, clock, transport, settings)
    reload = Reloads(current, store.bookmarks, store.audit, delivery, settings)
    planner = ReminderPlanner(
        store.reminders,
        delivery,
        lambda: current.index,
        current.now,
        reminder_minutes=settings.REMINDER_MINUTES,
        speaker_minutes=settings.SPEAKER_REMINDER_MINUTES,
        feedback_delay_minutes=settings.FEEDBACK_DELAY_MINUTES,
        rate=settings.BROADCAST_RATE,
        interval=TICK_SECONDS,
    )
    reload.listeners.append(planner.on_agenda_change)
    reminders = Reminders(
        planner, store.users, store.bookmarks, current, default_lead=settings.REMINDER_MINUTES
    )
    bookmarks = Bookmarks(store.bookmarks, current, reminders)
    feedback = FeedbackService(store.feedback, store.users, current)
    progress = BroadcastProgress(
        store.outbox,
        progress_display,
        clock,
        lambda: delivery.rate,
        interval=tuning.progress_interval,
        language_of=store.users.language_of,
        paid_rate=settings.PAID_BROADCAST_RATE,
    )
    broadcasts = Broadcasts(
        store.outbox, store.audiences, store.users, store.audit, delivery, current, progress
    )
    delivery.on_paid_refused.append(broadcasts.on_paid_refused)
    stats = Stats(store.users, store.bookmarks, store.outbox, store.audit, clock)
    stats.sections.append(feedback.stats_section_pages)
    telemetry = Telemetry()
    reload.listeners.append(telemetry.on_agenda_change)
    qa = QandA(
        store.qa,
        store.users,
        store.speakers,
        current,
        delivery,
        organisers=settings.ORGANISER_IDS,
        secret=store.feedback.pseudonym_secret,
        audit=store.audit,
    )
    stats.sections.append(qa.stats_section)
    live_agenda = None
    if settings.AGENDA_URL:
        fetcher = AgendaFetcher(
            settings.AGENDA_URL, cache_dir(settings), settings.default_tz, clock
        )
        live_agenda = LiveAgenda(
            fetcher,
            reload,
            delivery,
            settings.ORGANISER_IDS,
            fallback=str(settings.AGENDA_PATH),
        )
    return Runtime(
        settings=settings,
        clock=clock,
        store=store,
        current=current,
        delivery=delivery,
        reload=reload,
        reminders=reminders,
        bookmarks=bookmarks,
        sharing=Sharing(store.sharing, bookmarks, current),
        feedback=feedback,
        speakers=SpeakerLinks(
            store.speakers,
            clock,
            lambda: current.conference,
            link_hours=settings.SPEAKER_LINK_HOURS,
        ),
        broadcasts=broadcasts,
        stats=stats,
        calendar_feeds=CalendarFeeds(store.calendar_feeds, store.kv, current),
        qa=qa,
        live_agenda=live_agenda,
        languages=Languages(store.users),
        telemetry=telemetry,
    )
