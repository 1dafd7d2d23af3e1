"""Feedback after sessions: who may rate what, comments, statistics, the CSV export and chart.

The rules live here, not in the Telegram handlers, so the handlers, the speakers feature
(``for_speaker``), the benchmark and the tests all go through the same checks:

- a rating is 1..5, for a session of the current agenda that has started and is not a break;
- a comment belongs to an existing rating, is stored verbatim (escaped only when shown), at
  most ``MAX_COMMENT`` characters; after a rating the user's next text is taken as its comment
  for ``COMMENT_WAIT``, and a further text within ``COMMENT_EDIT`` replaces it;
- exports never contain Telegram ids: users become a keyed hash (HMAC with a secret kept in the
  database), stable across exports so "the same person" stays visible.
"""

from __future__ import annotations

import asyncio
import enum
import io
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from bot import texts
from bot.agenda.model import Session
from bot.agenda.state import AgendaState, CurrentAgenda
from bot.csv_export import csv_bytes, in_programme_order, session_cells, stamp
from bot.store.protocols import FeedbackStore, UsersStore
from bot.store.records import FeedbackRow, StoredComment, parse_ts, ts

MAX_COMMENT = 1000
COMMENT_WAIT = timedelta(minutes=10)
COMMENT_EDIT = timedelta(minutes=5)
#: The ``users.pending`` kind this feature owns; other kinds belong to other features.
PENDING_KIND = "feedback"
COMMENTS_PER_SESSION = 3
#: Budget of one /stats page (Telegram allows 4096 characters; the organiser adds a header).
STATS_PAGE_CHARS = 3300
STATS_PAGE_SESSIONS = 10
CHART_MAX_SESSIONS = 40
CSV_HEADER = (
    "session_id",
    "session_title",
    "session_start",
    "rating",
    "comment",
    "submitted_at",
    "user",
)


class Refusal(enum.StrEnum):
    """Why a rating or comment was not stored (each has its own polite answer)."""

    UNKNOWN = "unknown"  # no such session (forged, or removed by a reload)
    BREAK = "break"
    NOT_STARTED = "not_started"
    BAD_RATING = "bad_rating"
    NO_RATING = "no_rating"  # a comment or "No comment" without a rating


class FeedbackRefused(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


def check_rateable(state: AgendaState, key: str, now: datetime) -> Session:
    """The session behind a button key, if it may be rated now; else ``FeedbackRefused``."""
    session = state.session_by_key(key)
    if session is None:
        raise FeedbackRefused(Refusal.UNKNOWN)
    if session.is_break:
        raise FeedbackRefused(Refusal.BREAK)
    if session.start > now:
        raise FeedbackRefused(Refusal.NOT_STARTED)
    return session


def rateable_sessions(state: AgendaState, now: datetime) -> list[Session]:
    """Sessions that have started and are not breaks, most recent first (the /feedback list)."""
    started = [s for s in state.index.sessions if not s.is_break and s.start <= now]
    return sorted(started, key=lambda s: (s.start, s.end, s.title), reverse=True)


def one_decimal(total: int, count: int) -> Decimal:
    """An average to one decimal, half up (4.25 -> 4.3), exact: no binary float rounding."""
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class SessionStats:
    session_id: str
    title: str
    start: datetime | None  # None: the session is no longer in the agenda
    count: int
    total: int
    distribution: tuple[int, int, int, int, int]  # ratings 1..5
    comments: tuple[StoredComment, ...] = ()

    @property
    def average(self) -> Decimal | None:
        return one_decimal(self.total, self.count) if self.count else None

    @property
    def average_text(self) -> str:
        """The average as people read it, in the current language ("4.3", "4,3")."""
        return texts.average(self.average)

    def sort_key(self) -> tuple[Any, ...]:
        """Best first: exact average, then more ratings, then programme order; unrated last."""
        average = -Fraction(self.total, self.count) if self.count else Fraction(0)
        return (
            not self.count,
            average,
            -self.count,
            self.start is None,
            self.start.timestamp() if self.start else 0.0,
            self.title,
        )


@dataclass(frozen=True, slots=True)
class CommentResult:
    session_id: str
    title: str
    saved: bool
    refusal: str | None = None  # "too_long" | "no_rating"
    length: int = 0


@dataclass(frozen=True, slots=True)
class Export:
    csv: bytes
    png: bytes | None
    ratings: int
    sessions: int


class FeedbackService:
    """The feedback feature's core (``Runtime.feedback``)."""

    def __init__(
        self,
        feedback: FeedbackStore,
        users: UsersStore,
        current: CurrentAgenda,
    ) -> None:
        self.repo = feedback
        self.users = users
        self.current = current

    # ------------------------------------------------------------------ rating and comments
    async def rate(self, user_id: int, key: str, rating: int) -> tuple[Session, int | None]:
        """Validate and store a rating, then wait for a comment; returns (session, previous).

        The rating is written first (its own transaction), the comment window second: a crash
        between them loses only the invitation, never the rating.
        """
        if not 1 <= rating <= 5:
            raise FeedbackRefused(Refusal.BAD_RATING)
        now = self.current.now()
        session = check_rateable(self.current.state, key, now)
        previous = await self.repo.rate(user_id, session.id, rating, now)
        await self.users.set_pending(
            user_id,
            {"kind": PENDING_KIND, "session_id": session.id, "until": ts(now + COMMENT_WAIT)},
        )
        return session, previous

    async def session_to_rate(self, key: str) -> Session:
        """The session behind a "Rate this session" or /feedback button, if rateable now."""
        return check_rateable(self.current.state, key, self.current.now())

    async def skip(self, user_id: int, key: str) -> Session:
        """Skip a prompt: nothing is stored; a comment window for this session closes."""
        session = check_rateable(self.current.state, key, self.current.now())
        await self._close_window(user_id, session.id)
        return session

    async def finish(self, user_id: int, key: str) -> tuple[Session, int, bool]:
        """ "No comment" / "Done": stop waiting for text; returns (session, rating, has comment)."""
        session = self.current.state.session_by_key(key)
        if session is None:
            raise FeedbackRefused(Refusal.UNKNOWN)
        current = await self.repo.get(user_id, session.id)
        if current is None:
            raise FeedbackRefused(Refusal.NO_RATING)
        await self._close_window(user_id, session.id)
        return session, current[0], bool(current[1])

    async def _close_window(self, user_id: int, session_id: str) -> None:
        state = await self.users.pending(user_id)
        if state and state.get("kind") == PENDING_KIND and state.get("session_id") == session_id:
            await self.users.set_pending(user_id, None)

    async def take_comment(self, user_id: int, text: str) -> CommentResult | None:
        """Store ``text`` as the comment of the rating awaiting one; None if none awaits."""
        state = await self.users.pending(user_id)
        if not state or state.get("kind") != PENDING_KIND:
            return None
        now = self.current.now()
        session_id = str(state.get("session_id") or "")
        try:
            until = parse_ts(str(state["until"]))
        except (KeyError, ValueError):
            until = now
        if not session_id or now >= until:
            await self.users.set_pending(user_id, None)
            return None
        session = self.current.index.session(session_id)
        title = texts.title_of(session) if session is not None else session_id
        if len(text) > MAX_COMMENT:
            return CommentResult(session_id, title, False, "too_long", len(text))
        if not await self.repo.set_comment(user_id, session_id, text, now):
            await self.users.set_pending(user_id, None)
            return CommentResult(session_id, title, False, "no_rating")
        await self.users.set_pending(
            user_id,
            {
                "kind": PENDING_KIND,
                "session_id": session_id,
                "until": ts(now + COMMENT_EDIT),
                "commented": True,
            },
        )
        return CommentResult(session_id, title, True, length=len(text))

    async def prompt_session(self, payload: dict[str, Any], chat_id: int) -> Session | None:
        """The session a queued prompt is about, or None to skip it (gone, a break, rated)."""
        session = self.current.index.session(str(payload.get("session_id", "")))
        if session is None or session.is_break:
            return None
        if await self.repo.get(chat_id, session.id) is not None:
            return None  # already rated through /feedback or the card: no need to ask
        return session

    # ------------------------------------------------------------------ statistics
    async def stats(
        self,
        session_ids: Sequence[str] | None = None,
        *,
        include_unrated: bool = True,
        comments_per_session: int = COMMENTS_PER_SESSION,
    ) -> list[SessionStats]:
        """Per-session counts, averages, distributions and latest comments, best first.

        Unrated sessions (started, not breaks; within ``session_ids`` when given) come last
        with a count of 0. Ratings of sessions a reload removed are kept and labelled.
        """
        repo = self.repo
        aggregates = await repo.aggregates(session_ids)
        comments: dict[str, list[StoredComment]] = {}
        if comments_per_session > 0:
            for c in await repo.latest_comments(comments_per_session, session_ids):
                comments.setdefault(c.session_id, []).append(c)
        index = self.current.index
        out: list[SessionStats] = []
        for agg in aggregates:
            session = index.session(agg.session_id)
            out.append(
                SessionStats(
                    session_id=agg.session_id,
                    title=texts.title_of(session)
                    if session
                    else texts.feedback_removed_session(agg.session_id),
                    start=session.start if session else None,
                    count=agg.count,
                    total=agg.total,
                    distribution=agg.distribution,
                    comments=tuple(comments.get(agg.session_id, ())),
                )
            )
        if include_unrated:
            rated = {a.session_id for a in aggregates}
            wanted = set(session_ids) if session_ids is not None else None
            for s in rateable_sessions(self.current.state, self.current.now()):
                if s.id not in rated and (wanted is None or s.id in wanted):
                    out.append(
                        SessionStats(s.id, texts.title_of(s), s.start, 0, 0, (0, 0, 0, 0, 0))
                    )
        out.sort(key=SessionStats.sort_key)
        return out

    async def for_speaker(
        self, speaker_id: str, *, comments_per_session: int = 10
    ) -> list[SessionStats]:
        """Feedback on one speaker's sessions only (for /myfeedback), best first."""
        ids = [s.id for s in self.current.index.of_speaker(speaker_id) if not s.is_break]
        if not ids:
            return []
        return await self.stats(ids, comments_per_session=comments_per_session)

    def stats_pages(self, stats: Sequence[SessionStats]) -> list[str]:
        """The /stats feedback section as HTML pages, each within Telegram's limit."""
        rated = [s for s in stats if s.count]
        if not rated:
            return [texts.feedback_stats_empty()]
        ratings = sum(s.count for s in rated)
        overall = texts.average(one_decimal(sum(s.total for s in rated), ratings))
        unrated = [s.title for s in stats if not s.count]
        blocks = [self._entry(i, s) for i, s in enumerate(rated, start=1)]
        chunks: list[list[str]] = [[]]
        size = 0
        for block in blocks:
            current = chunks[-1]
            if current and (
                size + len(block) > STATS_PAGE_CHARS or len(current) >= STATS_PAGE_SESSIONS
            ):
                chunks.append([])
                current, size = chunks[-1], 0
            current.append(block)
            size += len(block) + 2
        pages = []
        for i, chunk in enumerate(chunks):
            head = texts.feedback_stats_header(ratings, len(rated), overall, i, len(chunks))
            body = [head, *chunk]
            if unrated and i == len(chunks) - 1:
                body.append(texts.feedback_stats_unrated(unrated))
            pages.append("\n\n".join(body))
        return pages

    def _entry(self, rank: int, s: SessionStats) -> str:
        when = ""
        if s.start is not None:
            when = f"{texts.day_label(s.start.date())} {texts.hm(s.start)}"
        return texts.feedback_stats_entry(
            rank,
            s.title,
            when,
            s.average_text,
            s.count,
            s.distribution,
            [(c.rating, c.comment) for c in s.comments],
        )

    async def stats_section(self, page: int = 0) -> str:
        """One page of the feedback section of /stats."""
        pages = await self.stats_section_pages()
        return pages[min(max(page, 0), len(pages) - 1)]

    async def stats_section_pages(self) -> list[str]:
        """The feedback section of /stats (registered with ``bot.stats.Stats``)."""
        return self.stats_pages(await self.stats())

    # ------------------------------------------------------------------ export
    async def export_csv(self) -> tuple[bytes, int, int]:
        """(CSV bytes in UTF-8 with BOM, ratings, sessions): one row per rating.

        The rows are read on the loop; formatting and hashing run in a worker thread so a
        large export does not hold up other users' updates.
        """
        repo = self.repo
        rows = await repo.rows()
        secret = await repo.pseudonym_secret()
        index = self.current.index
        records = [(index.session(r.session_id), r) for r in rows]
        data = await asyncio.to_thread(_write_csv, records, secret, self.current.tz)
        return data, len(rows), len({r.session_id for r in rows})

    async def export(self, *, by: int | None = None) -> Export:
        """The CSV and the chart; ``by`` (an organiser) is audited: it hands out every rating."""
        data, ratings, sessions = await self.export_csv()
        if by is not None:
            await self.repo.audit_export(by, ratings, self.current.now())
        stats = await self.stats(include_unrated=False, comments_per_session=0)
        name = self.current.conference.name
        png = await asyncio.to_thread(chart_png, stats, name) if stats else None
        return Export(csv=data, png=png, ratings=ratings, sessions=sessions)


def _write_csv(
    records: list[tuple[Session | None, FeedbackRow]], secret: bytes, tz: tzinfo
) -> bytes:
    """Programme order, then submission order; ratings of removed sessions go last."""
    rows = [
        (
            *session_cells(r.session_id, session),
            r.rating,
            r.comment or "",
            stamp(r.updated_at, tz),
            name,
        )
        for session, r, name in in_programme_order(
            records, secret, lambda r: (r.updated_at, r.user_id)
        )
    ]
    return csv_bytes(CSV_HEADER, rows)


def chart_png(stats: Iterable[SessionStats], conference_name: str) -> bytes:
    """A horizontal bar chart of the average per session, best at the top, counts beside.

    Headless: the Agg backend and a bare ``Figure`` (no pyplot global state), so it runs in a
    worker thread on a server without a display.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    rated = [s for s in stats if s.count]
    shown = rated[:CHART_MAX_SESSIONS]
    hidden = len(rated) - len(shown)
    height = max(2.5, 0.42 * len(shown) + 1.6)
    fig = Figure(figsize=(9, height), dpi=100)
    ax = fig.add_subplot()
    labels = []
    for s in shown:
        title = s.title if len(s.title) <= 48 else s.title[:47] + "…"
        labels.append(f"{title} ({texts.hm(s.start)})" if s.start else title)
    averages = [float(s.average or 0) for s in shown]
    positions = list(range(len(shown)))[::-1]  # best at the top
    bars = ax.barh(positions, averages, color="#3b7dd8")
    for bar, s in zip(bars, shown, strict=True):
        ax.text(
            bar.get_width() + 0.05,
            bar.get_y() + bar.get_height() / 2,
            f"{s.average_text} ({s.count})",
            va="center",
            fontsize=9,
        )
    ax.set_yticks(positions, labels, fontsize=9)
    ax.set_xlim(0, 5.6)
    ax.set_xticks([0, 1, 2, 3, 4, 5])
    ax.set_xlabel(texts.chart_axis())
    ax.set_title(texts.chart_title(conference_name), fontsize=11)
    if hidden:
        ax.annotate(
            texts.chart_more(hidden),
            xy=(0, 0),
            xycoords="figure fraction",
            xytext=(6, 4),
            textcoords="offset points",
            fontsize=8,
        )
    ax.grid(axis="x", alpha=0.3)
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # glyphs missing from the font (emoji in a title)
        fig.tight_layout()
        fig.savefig(out, format="png")
    return out.getvalue()
