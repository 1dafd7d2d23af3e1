"""The store's records: what repositories take and return, free of any database.

These plain, frozen dataclasses and the state names are the vocabulary the core and the
repository protocols (``bot.store.protocols``) share, so a second implementation of the
store (PostgreSQL) reuses them as they are. Instants are timezone-aware; ``ts`` is how they
are written as text (UTC ISO, sortable).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


def ts(when: datetime) -> str:
    """Store instants as UTC ISO text: sortable, comparable and zone-free."""
    if when.tzinfo is None:
        raise ValueError("naive datetime reached the store")
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def parse_ts(value: str) -> datetime:
    return datetime.fromisoformat(value)


# ------------------------------------------------------------------ outbox
PENDING = "pending"
INFLIGHT = "inflight"
SENT = "sent"
FAILED = "failed"
BLOCKED = "blocked"
EXPIRED = "expired"
CANCELLED = "cancelled"
SKIPPED = "skipped"
#: Batch states: scheduled (due later), running, done, cancelled.
#: A broadcast's life: draft (previewed) -> sending (Send pressed, rows being written) ->
#: scheduled or running -> done; or cancelled.
BATCH_DRAFT = "draft"
BATCH_SENDING = "sending"
BATCH_SCHEDULED = "scheduled"
BATCH_RUNNING = "running"
BATCH_DONE = "done"
BATCH_CANCELLED = "cancelled"


@dataclass(frozen=True)
class Envelope:
    """One outbox row to enqueue; the payload is rendered into a message at send time."""

    chat_id: int
    kind: str  # one of bot.store.keys.KINDS
    payload: dict[str, Any]
    due_at: datetime
    deadline: datetime | None = None  # not sent after this -> 'expired'
    dedup_key: str | None = None  # unique: enqueueing the same key again is a no-op
    session_id: str | None = None
    batch_id: int | None = None


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    batch_id: int | None
    kind: str
    chat_id: int
    session_id: str | None
    payload: dict[str, Any]
    due_at: datetime
    deadline: datetime | None
    attempts: int
    user_active: bool
    #: The recipient's language: their /language choice, else Telegram's language code as
    #: last seen (None: not a known user).
    language: str | None = None
    #: The sending lane (``bot.store.keys.LANES``): lower goes first.
    lane: int = 9


@dataclass(frozen=True, slots=True)
class RowResult:
    """What became of one outbox row, written with others in one transaction (group commit).

    ``state`` is a final state (``sent``, ``failed``, ``expired``, ``skipped``, ``blocked``) or
    ``pending``: the row goes back to be tried again (a 429, a 5xx). ``blocked_chat`` (a 403)
    also marks that user inactive and blocks their other pending rows; ``unclaim`` gives back
    the attempt a claimed row never made (claimed, then not started: stop, paid refused).
    """

    row_id: int
    state: str
    at: datetime
    error: str | None = None
    blocked_chat: int | None = None
    unclaim: bool = False


@dataclass(frozen=True, slots=True)
class Progress:
    """Where one batch stands; ``left`` is pending plus in flight."""

    total: int
    sent: int
    failed: int
    blocked: int
    left: int
    other: int  # cancelled, expired, skipped

    @property
    def done(self) -> bool:
        return self.left == 0


@dataclass(frozen=True, slots=True)
class Batch:
    id: int
    kind: str
    created_by: int | None
    created_at: datetime
    scheduled_for: datetime | None
    audience: str
    payload: dict[str, Any]
    state: str
    total: int
    progress_chat_id: int | None
    progress_message_id: int | None


# ------------------------------------------------------------------ people
@dataclass(frozen=True, slots=True)
class User:
    id: int
    first_name: str
    username: str | None
    #: Telegram's ``language_code`` as last seen.
    language: str | None
    active: bool
    reminder_minutes: int | None
    remind_headline: bool
    #: The language chosen with /language; None follows Telegram's.
    chosen_language: str | None = None

    @property
    def speaks(self) -> str | None:
        """The language to speak to this user in (a code to negotiate with the catalogues)."""
        return self.chosen_language or self.language


@dataclass(frozen=True, slots=True)
class Visit:
    """What recording a visit tells the update's handlers (one UPSERT's RETURNING)."""

    #: The first visit ever.
    new: bool
    #: The language to speak: the user's choice, else Telegram's ``language_code`` just seen.
    language: str | None


@dataclass(frozen=True, slots=True)
class SpeakerLink:
    speaker_id: str
    user_id: int
    via: str  # "code" | "username"
    linked_at: str


# ------------------------------------------------------------------ shared schedules
@dataclass(frozen=True, slots=True)
class ShareLink:
    """A link to someone's schedule; the token itself is never stored, only its hash."""

    user_id: int
    #: The sharer's first name as shown to friends (what they saw before making the link).
    first_name: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


# ------------------------------------------------------------------ feedback
@dataclass(frozen=True, slots=True)
class Aggregate:
    """Counts for one session: how many ratings, their sum and the 1..5 distribution."""

    session_id: str
    count: int
    total: int
    distribution: tuple[int, int, int, int, int]


@dataclass(frozen=True, slots=True)
class StoredComment:
    session_id: str
    rating: int
    comment: str
    at: datetime


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    """One rating as exported (the user id never leaves the core: it is pseudonymised there)."""

    user_id: int
    session_id: str
    rating: int
    comment: str | None
    created_at: datetime
    updated_at: datetime


# ------------------------------------------------------------------ audit
@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    user_id: int
    action: str
    detail: str
    audience_size: int | None
    at: datetime


# ------------------------------------------------------------------ reminder planning
@dataclass(frozen=True, slots=True)
class Upcoming:
    """An upcoming session as the reminder planner hands it to the store."""

    session_id: str
    start_epoch: float
    start_key: str  # bot.store.keys.start_key(start)
    headline: bool  # a panel or keynote: "remind me before every one" applies
    speaker_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Candidate:
    """A reminder the agenda and the store say should exist, and its outbox state if queued."""

    kind: str  # REMINDER or SPEAKER_REMINDER
    user_id: int
    session_id: str
    lead: int  # minutes before the start
    due_epoch: float
    key: str
    state: str | None
    speaker_id: str | None = None


# ------------------------------------------------------------------ the web server (issue 17)
@dataclass(frozen=True, slots=True)
class CalendarFeed:
    """A user's live calendar feed: the token is stored only as its hash.

    ``etag`` and ``modified_at`` are what the feed last served (its content hash and when that
    content first appeared), so ``Last-Modified`` survives restarts and changes only with the
    content.
    """

    user_id: int
    created_at: datetime
    etag: str | None
    modified_at: datetime | None
    language: str | None
    #: The stored hash of the token (what a request's token is compared with).
    token_hash: str = ""
    #: The user's bookmarked session ids (read with the feed by ``by_hash``: one query).
    bookmarks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InboxUpdate:
    """An update Telegram POSTed to the webhook, recorded before it was acknowledged."""

    update_id: int
    payload: str  # the JSON as received
    received_at: datetime


@dataclass(frozen=True, slots=True)
class OutboxCount:
    kind: str
    state: str
    count: int


# ------------------------------------------------------------------ audience questions
#: A question's states: in the queue, answered on stage, hidden by a moderator.
QA_OPEN = "open"
QA_ANSWERED = "answered"
QA_HIDDEN = "hidden"

#: What ``QandAStore.ask`` did (one transaction decides).
ASK_POSTED = "posted"
ASK_PAUSED = "paused"  # the session's Q&A is paused
ASK_LIMIT = "limit"  # the asker has asked the most a session allows
ASK_COOLDOWN = "cooldown"  # the asker's previous question is too recent
ASK_DUPLICATE = "duplicate"  # the same (normalised) question is in this session already

#: What ``QandAStore.toggle_vote`` did.
VOTE_ADDED = "added"
VOTE_REMOVED = "removed"
VOTE_OWN = "own"  # nobody votes for their own question
VOTE_GONE = "gone"  # no such question
VOTE_NOT_OPEN = "not_open"  # answered or hidden: nothing to vote on


@dataclass(frozen=True, slots=True)
class NewQuestion:
    session_id: str
    user_id: int
    asker_name: str
    anonymous: bool
    text: str
    norm: str  # the normalised text that makes "the same question" (UNIQUE per session)
    at: datetime


@dataclass(frozen=True, slots=True)
class StoredQuestion:
    """A question with its vote count (always derived: ``COUNT`` of its vote rows)."""

    id: int
    session_id: str
    user_id: int
    asker_name: str
    anonymous: bool
    text: str
    state: str
    created_at: datetime
    votes: int = 0
    #: Whether the person the list was read for has voted for it.
    voted: bool = False
    #: The asker's Telegram username as last seen (moderators see it).
    username: str | None = None
    moderated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AskResult:
    outcome: str  # ASK_*
    question_id: int | None = None  # the new question, or the one it duplicates
    last_at: datetime | None = None  # ASK_COOLDOWN: when the asker's previous question came
    duplicate_state: str | None = None  # ASK_DUPLICATE: the state of the earlier question
    asked: int = 0  # the asker's questions in this session, counting this one if posted


@dataclass(frozen=True, slots=True)
class VoteResult:
    outcome: str  # VOTE_*
    votes: int = 0  # the question's votes after the change


@dataclass(frozen=True, slots=True)
class QaOverview:
    """Every session's questions at once (/stats)."""

    by_state: dict[str, int]  # QA_* -> questions
    votes: int
    sessions: int  # sessions anyone asked about
    most_asked: tuple[tuple[str, int], ...]  # (session id, questions), the most first
