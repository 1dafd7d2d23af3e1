"""The outbox's kinds and dedup keys: one definition, used by Python and by SQL alike.

The outbox's UNIQUE ``dedup_key`` is the "sent log": enqueueing the same key twice is a no-op,
which is what makes planning idempotent (ticks after a restart, a bookmark, a reload) and a
second press of Send harmless. A key names what a message is *about*, never when it was
planned, so the same intention always maps to the same key. The reminder planner asks the
database which keys exist inside its queries; ``KeyFormat.sql`` renders the very same format
as an SQL expression, so Python and SQL cannot drift apart (``tests/store/test_keys.py``
checks that both give the same text).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

# ------------------------------------------------------------------------ kinds
#: An organiser's broadcast (one row per recipient, in a batch).
BROADCAST = "broadcast"
#: An organiser's urgent /alert: a broadcast in the alert frame, sent ahead of everything else.
ALERT = "alert"
#: A session a user bookmarked moved, changed room, was renamed or cancelled.
CHANGE = "change"
#: "Your bookmarked session starts in 10 minutes".
REMINDER = "reminder"
#: "How was it?" after a bookmarked session.
FEEDBACK = "feedback"
#: A linked speaker's "your session starts in 30 minutes".
SPEAKER_REMINDER = "speaker_reminder"
#: The live agenda failing since ..., and working again (to organisers).
AGENDA_NOTICE = "agenda_notice"

#: To a moderator who asked for it: an audience question reached the top three.
QA_TOP = "qa_top"
#: To a session's speakers after its Q&A closed: the questions nobody answered.
QA_FOLLOWUP = "qa_followup"
#: Every kind the core enqueues; each needs a renderer at start (``bot.app``).
KINDS: tuple[str, ...] = (
    BROADCAST,
    ALERT,
    CHANGE,
    REMINDER,
    FEEDBACK,
    SPEAKER_REMINDER,
    AGENDA_NOTICE,
    QA_TOP,
    QA_FOLLOWUP,
)


# ------------------------------------------------------------------------ lanes
#: The sender's lanes: a lower number goes first (the outbox's ``lane`` column, written at
#: enqueue time from the kind). Urgent alerts, then answers to something a person just did,
#: then what is due at a minute (reminders), prompts, notices of changes, bulk broadcasts last,
#: so a 20,000-user broadcast never holds up a reminder that is due now.
LANES: dict[str, int] = {
    ALERT: 0,
    QA_TOP: 1,
    QA_FOLLOWUP: 1,
    REMINDER: 2,
    SPEAKER_REMINDER: 2,
    FEEDBACK: 3,
    CHANGE: 4,
    AGENDA_NOTICE: 4,
    BROADCAST: 5,
}
#: A kind not in ``LANES`` (none today) waits behind everything.
LAST_LANE = 9


def lane_of(kind: str) -> int:
    """The lane (priority, lower first) rows of ``kind`` are sent in."""
    return LANES.get(kind, LAST_LANE)


# ------------------------------------------------------------------------ keys
def start_key(when: datetime) -> str:
    """A session start as it appears in keys and payloads: UTC, to the second, zone-free."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class KeyFormat:
    """``prefix:field1:field2...``; the fields are joined with ``:`` as their text."""

    prefix: str
    fields: tuple[str, ...]

    def build(self, *values: object) -> str:
        if len(values) != len(self.fields):
            raise ValueError(f"{self.prefix} keys take {', '.join(self.fields)}")
        return ":".join((self.prefix, *(str(v) for v in values)))

    def sql(self, *columns: str) -> str:
        """The same key as an SQL expression over ``columns`` (trusted column names only)."""
        if len(columns) != len(self.fields):
            raise ValueError(f"{self.prefix} keys take {', '.join(self.fields)}")
        return f"'{self.prefix}:' || " + " || ':' || ".join(columns)


REMINDER_KEY = KeyFormat("reminder", ("user_id", "session_id", "start"))
SPEAKER_KEY = KeyFormat("speaker", ("user_id", "session_id", "start"))
FEEDBACK_KEY = KeyFormat("feedback", ("user_id", "session_id"))
BROADCAST_KEY = KeyFormat("bc", ("batch_id", "chat_id"))
CHANGE_KEY = KeyFormat("change", ("user_id", "session_id", "fingerprint"))
AGENDA_NOTICE_KEY = KeyFormat("live-agenda", ("event", "since", "chat_id"))
QA_TOP_KEY = KeyFormat("qa-top", ("question_id", "user_id"))
QA_FOLLOWUP_KEY = KeyFormat("qa-followup", ("session_id", "user_id"))


def reminder_key(user_id: int, session_id: str, start: datetime) -> str:
    """One reminder per user, session and start time: a moved session is reminded again."""
    return REMINDER_KEY.build(user_id, session_id, start_key(start))


def speaker_key(user_id: int, session_id: str, start: datetime) -> str:
    return SPEAKER_KEY.build(user_id, session_id, start_key(start))


def feedback_key(user_id: int, session_id: str) -> str:
    """One prompt per user and session, ever."""
    return FEEDBACK_KEY.build(user_id, session_id)


def broadcast_key(batch_id: int, chat_id: int) -> str:
    """One row per batch and recipient: a second Send, or a resumed enqueue, adds nothing."""
    return BROADCAST_KEY.build(batch_id, chat_id)


def change_key(user_id: int, session_id: str, fingerprint: str) -> str:
    """One notice per user, session and version of that session."""
    return CHANGE_KEY.build(user_id, session_id, fingerprint)


def agenda_notice_key(event: str, since: datetime, chat_id: int) -> str:
    """One notice per failure streak (or recovery) and organiser, across restarts."""
    return AGENDA_NOTICE_KEY.build(event, since.isoformat(), chat_id)


def qa_top_key(question_id: int, user_id: int) -> str:
    """One notice per question and moderator, ever: a question that drops out of the top three
    and climbs back is not announced again."""
    return QA_TOP_KEY.build(question_id, user_id)


def qa_followup_key(session_id: str, user_id: int) -> str:
    """One follow-up per session and speaker, ever (a restart or a later tick adds nothing)."""
    return QA_FOLLOWUP_KEY.build(session_id, user_id)
