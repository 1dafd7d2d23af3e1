"""What the core needs of the store, as typed protocols: the contract of any implementation.

The core (``bot/``) types its dependencies with these, never with the SQLite classes, and
never reaches a connection. ``bot.store.Store`` (aiosqlite) implements them today; a
PostgreSQL store (asyncpg) would be one more implementation of the same protocols, returning
the same records (``bot.store.records``) and honouring the same semantics, which the
docstrings of the SQLite repositories spell out (docs/architecture.md lists what that
would take). Instants go in and come out timezone-aware.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.store.records import (
    Aggregate,
    AskResult,
    AuditEntry,
    Batch,
    CalendarFeed,
    Candidate,
    Envelope,
    FeedbackRow,
    InboxUpdate,
    NewQuestion,
    OutboxCount,
    OutboxRow,
    Progress,
    QaOverview,
    RowResult,
    ShareLink,
    SpeakerLink,
    StoredComment,
    StoredQuestion,
    Upcoming,
    User,
    Visit,
    VoteResult,
)


class UsersStore(Protocol):
    async def seen(
        self,
        user_id: int,
        first_name: str,
        username: str | None,
        language: str | None,
        now: datetime,
        *,
        reactivate: bool = False,
    ) -> Visit: ...

    async def get(self, user_id: int) -> User | None: ...

    async def language_of(self, user_id: int) -> str | None: ...

    async def set_chosen_language(self, user_id: int, code: str | None) -> None: ...

    async def set_active(self, user_id: int, active: bool) -> None: ...

    async def set_reminder_minutes(self, user_id: int, minutes: int | None) -> None: ...

    async def set_remind_headline(self, user_id: int, on: bool) -> None: ...

    async def counts(self) -> tuple[int, int]: ...

    async def set_pending(self, user_id: int, state: dict[str, Any] | None) -> None: ...

    async def pending(self, user_id: int) -> dict[str, Any] | None: ...


class BookmarksStore(Protocol):
    async def toggle(self, user_id: int, session_id: str, now: datetime) -> bool: ...

    async def add(self, user_id: int, session_id: str, now: datetime) -> None: ...

    async def remove(self, user_id: int, session_id: str) -> None: ...

    async def has(self, user_id: int, session_id: str) -> bool: ...

    async def of_user(self, user_id: int) -> list[str]: ...

    async def users_of(self, session_id: str, *, active_only: bool = True) -> list[int]: ...

    async def count_users_of(self, session_ids: tuple[str, ...] | list[str]) -> int: ...

    async def bookmarkers(self) -> int: ...

    async def count(self) -> int: ...


class SpeakerLinksStore(Protocol):
    async def speaker_of(self, user_id: int) -> str | None: ...

    async def user_of(self, speaker_id: str) -> int | None: ...

    async def all(self) -> list[SpeakerLink]: ...

    async def replace_codes(
        self,
        codes: Sequence[tuple[str, str]],
        now: datetime,
        expires_at: datetime,
        *,
        audit: tuple[int, str, str] | None = None,
    ) -> int: ...

    async def redeem(
        self, code_hash: str, user_id: int, now: datetime, known: Collection[str]
    ) -> tuple[str, str | None]: ...

    async def link_username(self, speaker_id: str, user_id: int, now: datetime) -> bool: ...

    async def unlink(
        self, speaker_id: str, now: datetime, *, audit: tuple[int, str, str] | None = None
    ) -> int | None: ...


class ShareLinksStore(Protocol):
    """Shared-schedule links by the hash of their token (``bot.sharing``)."""

    async def create(
        self, user_id: int, token_hash: str, first_name: str, now: datetime
    ) -> int: ...

    async def active(self, user_id: int) -> ShareLink | None: ...

    async def find(self, token_hash: str) -> ShareLink | None: ...

    async def revoke(self, user_id: int, now: datetime) -> int: ...


class FeedbackStore(Protocol):
    async def rate(
        self, user_id: int, session_id: str, rating: int, now: datetime
    ) -> int | None: ...

    async def set_comment(
        self, user_id: int, session_id: str, comment: str | None, now: datetime
    ) -> bool: ...

    async def get(self, user_id: int, session_id: str) -> tuple[int, str | None] | None: ...

    async def rated_by(self, user_id: int) -> dict[str, int]: ...

    async def count(self) -> int: ...

    async def aggregates(self, session_ids: Iterable[str] | None = None) -> list[Aggregate]: ...

    async def latest_comments(
        self, per_session: int, session_ids: Iterable[str] | None = None
    ) -> list[StoredComment]: ...

    async def rows(self, session_ids: Iterable[str] | None = None) -> list[FeedbackRow]: ...

    async def pseudonym_secret(self) -> bytes: ...

    async def audit_export(self, user_id: int, ratings: int, now: datetime) -> None: ...


class OutboxStore(Protocol):
    """Rows (``pending -> inflight -> sent | failed | blocked | expired | cancelled |
    skipped``) and batches (``draft -> sending -> scheduled | running -> done | cancelled``)."""

    async def enqueue(self, envelopes: Sequence[Envelope], now: datetime) -> int: ...

    async def due(self, now: datetime, limit: int) -> list[OutboxRow]: ...

    async def next_due_at(self) -> datetime | None: ...

    async def count_due(self, now: datetime) -> int: ...

    async def claim(self, row_id: int, now: datetime) -> bool: ...

    async def claim_many(self, row_ids: Sequence[int], now: datetime) -> set[int]: ...

    async def finish_many(self, results: Sequence[RowResult]) -> None: ...

    async def cancel_claimed(self, row_ids: Sequence[int], now: datetime) -> int: ...

    async def finish(
        self, row_id: int, state: str, now: datetime, error: str | None = None
    ) -> None: ...

    async def release(self, row_id: int, now: datetime, error: str) -> None: ...

    async def recover_inflight(self, now: datetime) -> int: ...

    async def mark_blocked(self, row_id: int, chat_id: int, error: str, now: datetime) -> None: ...

    async def cancel(
        self,
        now: datetime,
        *,
        kind: str | None = None,
        session_id: str | None = None,
        batch_id: int | None = None,
        chat_id: int | None = None,
    ) -> int: ...

    async def states(self, *, kind: str | None = None) -> dict[str, int]: ...

    async def create_batch(
        self,
        kind: str,
        now: datetime,
        *,
        created_by: int | None,
        audience: str,
        payload: dict[str, Any],
        scheduled_for: datetime | None = None,
        state: str = ...,
    ) -> int: ...

    async def batch(self, batch_id: int) -> Batch | None: ...

    async def batches(self, states: Sequence[str], kind: str | None = None) -> list[Batch]: ...

    async def update_batch(
        self,
        batch_id: int,
        *,
        state: str | None = None,
        total: int | None = None,
        progress_chat_id: int | None = None,
        progress_message_id: int | None = None,
    ) -> None: ...

    async def set_batch_state(
        self, batch_id: int, state: str, *, only_from: str | None = None
    ) -> bool: ...

    async def progress(self, batch_id: int) -> Progress: ...


class AuditStore(Protocol):
    async def log(
        self,
        user_id: int,
        action: str,
        now: datetime,
        *,
        detail: str = "",
        audience_size: int | None = None,
    ) -> None: ...

    async def recent(self, limit: int = 50, *, action: str | None = None) -> list[AuditEntry]: ...


class RemindersStore(Protocol):
    """The reminder planner's queries (see ``bot.store.reminders``)."""

    async def max_reminder_minutes(self) -> int | None: ...

    async def candidates(
        self,
        sessions: Sequence[Upcoming],
        *,
        default_lead: int,
        speaker_lead: int,
        due_limit: float,
        user_id: int | None = None,
    ) -> list[Candidate]: ...

    async def states(self, dedup_keys: Sequence[str]) -> dict[str, str]: ...

    async def feedback_candidates(
        self, sessions: Sequence[tuple[str, bool]]
    ) -> list[tuple[int, str]]: ...

    async def pending_starts(self, kinds: Sequence[str]) -> list[tuple[str, str, str | None]]: ...


class AudiencesStore(Protocol):
    """Broadcast audiences: active users only, in id order."""

    async def everyone(self) -> list[int]: ...

    async def speakers(self) -> list[int]: ...

    async def bookmarkers(self, session_ids: Sequence[str]) -> list[int]: ...


class KvStore(Protocol):
    """Named values (the generated webhook secret, a health probe's write)."""

    async def get(self, key: str) -> str | None: ...

    async def put(self, key: str, value: str) -> None: ...

    async def get_or_create(self, key: str, value: str) -> str: ...

    async def probe(self, key: str, value: str) -> None: ...


class CalendarFeedsStore(Protocol):
    """One live calendar token per user, stored as its hash (``bot.calendar.Feeds``)."""

    async def of_user(self, user_id: int) -> CalendarFeed | None: ...

    async def by_hash(self, token_hash: str) -> CalendarFeed | None: ...

    async def replace(self, user_id: int, token_hash: str, now: datetime) -> None: ...

    async def remove(self, user_id: int) -> bool: ...

    async def served(
        self, user_id: int, token_hash: str, etag: str, modified: datetime
    ) -> None: ...

    async def count(self) -> int: ...


class InboxStore(Protocol):
    """Webhook updates, recorded before Telegram is told they arrived."""

    async def record(self, update_id: int, payload: str, now: datetime) -> bool: ...

    async def done(self, update_id: int, now: datetime) -> None: ...

    async def pending(self, limit: int = ...) -> list[InboxUpdate]: ...

    async def prune(self, before: datetime) -> int: ...

    async def depth(self) -> int: ...


class TelemetryStore(Protocol):
    """Counts for /metrics and /healthz."""

    async def outbox_counts(self) -> list[OutboxCount]: ...

    async def outbox_depth(self, now: datetime) -> tuple[int, int]: ...

    async def late(self, kinds: Sequence[str], now: datetime, grace: float) -> tuple[int, int]: ...


class QandAStore(Protocol):
    """Audience questions and votes (see ``bot.store.qa``): every count is derived."""

    async def ask(
        self, question: NewQuestion, *, max_per_session: int, cooldown: timedelta
    ) -> AskResult: ...

    async def asked_by(self, user_id: int, session_id: str) -> int: ...

    async def toggle_vote(self, question_id: int, user_id: int, now: datetime) -> VoteResult: ...

    async def vote_count(self) -> int: ...

    async def question(self, question_id: int, viewer: int = 0) -> StoredQuestion | None: ...

    async def find(self, session_id: str, norm: str, viewer: int = 0) -> StoredQuestion | None: ...

    async def ranked(
        self,
        session_id: str,
        states: Sequence[str],
        *,
        viewer: int = 0,
        limit: int | None = None,
    ) -> list[StoredQuestion]: ...

    async def counts(self, session_id: str) -> dict[str, int]: ...

    async def count(self) -> int: ...

    async def sessions_with_questions(self) -> list[tuple[str, int]]: ...

    async def overview(self, top: int) -> QaOverview: ...

    async def with_open_questions(self, session_ids: Iterable[str]) -> set[str]: ...

    async def export_rows(self) -> list[StoredQuestion]: ...

    async def set_state(
        self, question_id: int, state: str, by: int, now: datetime, *, only_from: Sequence[str]
    ) -> bool: ...

    async def paused(self, session_id: str) -> bool: ...

    async def set_paused(self, session_id: str, paused: bool, by: int, now: datetime) -> bool: ...

    async def set_notices(self, user_id: int, on: bool, now: datetime) -> None: ...

    async def notices_for(self, user_ids: Iterable[int]) -> set[int]: ...


class Repositories(Protocol):
    """The whole store as the core sees it (``Runtime.store``)."""

    @property
    def users(self) -> UsersStore: ...

    @property
    def bookmarks(self) -> BookmarksStore: ...

    @property
    def speakers(self) -> SpeakerLinksStore: ...

    @property
    def feedback(self) -> FeedbackStore: ...

    @property
    def outbox(self) -> OutboxStore: ...

    @property
    def audit(self) -> AuditStore: ...

    @property
    def reminders(self) -> RemindersStore: ...

    @property
    def audiences(self) -> AudiencesStore: ...

    @property
    def sharing(self) -> ShareLinksStore: ...

    @property
    def kv(self) -> KvStore: ...

    @property
    def calendar_feeds(self) -> CalendarFeedsStore: ...

    @property
    def inbox(self) -> InboxStore: ...

    @property
    def telemetry(self) -> TelemetryStore: ...

    @property
    def qa(self) -> QandAStore: ...

    async def close(self) -> None: ...
