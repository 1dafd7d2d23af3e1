"""Audience questions to the stage: ask during a session, upvote, moderate, follow up.

The rules live here, so the Telegram handlers, the benchmark and the tests go through the same
checks:

- A session takes questions from ``OPENS_BEFORE`` before its start until ``CLOSES_AFTER``
  after its end (breaks take none); its queue stays readable afterwards. A moderator may pause
  and reopen it: a paused session takes no new questions, votes still count.
- A question is 1..``MAX_LENGTH`` characters, shown back before it is posted, under the
  asker's first name or anonymously. Each person asks at most ``MAX_PER_SESSION`` per session,
  ``COOLDOWN`` apart; the same question twice in a session (``normalise``: case, accents of
  compatibility forms, punctuation and spacing aside) is refused, and the asker is pointed to
  the one already there. The store checks all of this in the transaction that writes.
- One vote per person and question, pressing again takes it back, never on one's own, never on
  an answered, hidden or closed question. Counts are ``COUNT`` of vote rows.
- The stage is the session's moderators (agenda role moderator, chair, host, facilitator), its
  other speakers (linked accounts) and the organisers. Moderators and organisers see who asked
  an anonymous question; speakers and the audience do not. The stage ranks by votes, then age,
  marks questions answered, hides them (they disappear for the audience; nobody is told) and
  restores them.
- A moderator (or an organiser) who asks for it gets a notice when a question with at least
  ``TOP_NOTICE_MIN_VOTES`` votes is among the top ``TOP`` (once per question, through the
  outbox): a moderator for their sessions, an organiser for every session. After the Q&A
  closes the speakers get what was not answered (once per session and speaker, across
  restarts: the outbox's dedup keys).
"""

from __future__ import annotations

import asyncio
import enum
import logging
import re
import secrets
import unicodedata
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Protocol

from bot import texts
from bot.agenda.model import Session
from bot.agenda.state import CurrentAgenda
from bot.csv_export import csv_bytes, in_programme_order, session_cells, stamp
from bot.speakers import MODERATOR_ROLES
from bot.store.keys import QA_FOLLOWUP, QA_TOP, qa_followup_key, qa_top_key
from bot.store.protocols import AuditStore, QandAStore, SpeakerLinksStore, UsersStore
from bot.store.records import (
    ASK_COOLDOWN,
    ASK_DUPLICATE,
    ASK_LIMIT,
    ASK_PAUSED,
    QA_ANSWERED,
    QA_HIDDEN,
    QA_OPEN,
    VOTE_ADDED,
    VOTE_GONE,
    VOTE_NOT_OPEN,
    VOTE_OWN,
    Envelope,
    NewQuestion,
    StoredQuestion,
    parse_ts,
    ts,
)

__all__ = ["QA_FOLLOWUP", "QA_TOP", "QaRefused", "QandA", "Refusal"]

log = logging.getLogger("confbot.qa")

OPENS_BEFORE = timedelta(minutes=15)
CLOSES_AFTER = timedelta(minutes=15)
MAX_LENGTH = 500
#: Letters and digits a question needs at all ("Why?" has three).
MIN_LENGTH = 3
MAX_PER_SESSION = 3
COOLDOWN = timedelta(seconds=60)
#: How long the bot waits for the question's text, and then for Post.
DRAFT_WAIT = timedelta(minutes=15)
#: The ``users.pending`` kind this feature owns.
PENDING_KIND = "qa"
#: "The top three", and the votes a question needs before reaching it is news.
TOP = 3
TOP_NOTICE_MIN_VOTES = 2
#: Follow-ups for sessions whose Q&A closed longer ago than this are not sent any more.
FOLLOWUP_LOOKBACK = timedelta(hours=6)
#: Seconds between follow-up ticks (the feature's job).
TICK_SECONDS = 30.0
#: The longest first name a question is posted under.
NAME_CHARS = 64
#: Sessions /stats lists as the most asked about.
STATS_TOP = 5
CSV_HEADER = (
    "session_id",
    "session_title",
    "session_start",
    "question_id",
    "question",
    "asked_at",
    "asker",
    "anonymous",
    "votes",
    "state",
    "moderated_at",
)


# ---------------------------------------------------------------------- windows
class Phase(enum.StrEnum):
    """Where a session's Q&A stands at a moment."""

    NONE = "none"  # a break: no questions at all
    NOT_YET = "not_yet"
    OPEN = "open"
    CLOSED = "closed"


def _shift(when: datetime, delta: timedelta) -> datetime:
    """Absolute arithmetic (in UTC): a DST jump cannot move a window by an hour."""
    return (when.astimezone(UTC) + delta).astimezone(when.tzinfo)


def opens_at(session: Session) -> datetime:
    return _shift(session.start, -OPENS_BEFORE)


def closes_at(session: Session) -> datetime:
    return _shift(session.end, CLOSES_AFTER)


def phase(session: Session, now: datetime) -> Phase:
    if session.is_break:
        return Phase.NONE
    if now < opens_at(session):
        return Phase.NOT_YET
    if now < closes_at(session):
        return Phase.OPEN
    return Phase.CLOSED


def takes_questions(session: Session, now: datetime) -> bool:
    """The card and the reminder offer "Ask a question" (a pause is checked on the press)."""
    return phase(session, now) is Phase.OPEN


def queue_visible(session: Session, now: datetime) -> bool:
    """The card offers "Questions" from the moment the Q&A opens, for good."""
    return phase(session, now) in (Phase.OPEN, Phase.CLOSED)


_NOT_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """What makes two questions "the same": compatibility forms, case, punctuation and spacing
    aside (``"What about  X?"`` and ``"what about x"``); letters of every script are kept."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NOT_WORD.sub(" ", folded).strip()


# ---------------------------------------------------------------------- refusals
class Refusal(enum.StrEnum):
    """Why nothing was stored (each has its own polite answer)."""

    UNKNOWN = "unknown"  # no such session or question (forged, or removed by a reload)
    BREAK = "break"
    NOT_YET = "not_yet"
    CLOSED = "closed"
    PAUSED = "paused"
    TOO_LONG = "too_long"
    TOO_SHORT = "too_short"
    LIMIT = "limit"
    COOLDOWN = "cooldown"
    DUPLICATE = "duplicate"
    STALE = "stale"  # Post or Cancel of a draft that is no longer the current one
    OWN = "own"  # a vote for one's own question
    NOT_OPEN = "not_open"  # a vote on an answered or hidden question
    NOT_ALLOWED = "not_allowed"  # a stage button pressed without the role


class QaRefused(Exception):
    def __init__(
        self,
        reason: Refusal,
        session: Session | None = None,
        *,
        seconds: int = 0,
        length: int = 0,
        question: StoredQuestion | None = None,
    ) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.session = session
        #: COOLDOWN: seconds to wait.
        self.seconds = seconds
        #: TOO_LONG: the length sent.
        self.length = length
        #: DUPLICATE: the question already there, when the audience can still see it.
        self.question = question


# ---------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class Draft:
    session: Session
    text: str
    token: str


@dataclass(frozen=True, slots=True)
class Posted:
    session: Session
    question_id: int
    asked: int  # the asker's questions in this session, this one included

    @property
    def left(self) -> int:
        return max(0, MAX_PER_SESSION - self.asked)


@dataclass(frozen=True, slots=True)
class Voted:
    session: Session
    question: StoredQuestion
    added: bool
    votes: int


@dataclass(frozen=True, slots=True)
class Queue:
    """A session's questions as the audience sees them: open ones ranked, answered ones after;
    hidden ones never."""

    session: Session
    phase: Phase
    paused: bool
    questions: tuple[StoredQuestion, ...]
    viewer: int


@dataclass(frozen=True, slots=True)
class StageRole:
    organiser: bool
    moderator: bool  # the agenda lists them as moderator, chair, host or facilitator
    speaker: bool

    @property
    def sees_names(self) -> bool:
        """Organisers and moderators always see who asked, anonymous or not."""
        return self.organiser or self.moderator

    @property
    def may_get_notices(self) -> bool:
        """Moderators (of their sessions) and organisers (of all) may ask for top-three
        notices; the other speakers may not."""
        return self.organiser or self.moderator


@dataclass(frozen=True, slots=True)
class StageQueue:
    """A session's questions as the stage sees them."""

    session: Session
    phase: Phase
    paused: bool
    role: StageRole
    open: tuple[StoredQuestion, ...]  # ranked: votes, then age
    done: tuple[StoredQuestion, ...]  # answered and hidden, last moderated first
    notices: bool  # the viewer gets top-three notices


@dataclass(frozen=True, slots=True)
class Moderated:
    session: Session
    question: StoredQuestion
    state: str
    changed: bool  # False: someone else had done it already


@dataclass(frozen=True, slots=True)
class TopNotice:
    session: Session
    question: StoredQuestion
    rank: int


@dataclass(frozen=True, slots=True)
class FollowUp:
    session: Session
    questions: tuple[StoredQuestion, ...]  # not answered, ranked
    sees_names: bool


@dataclass(frozen=True, slots=True)
class QaExport:
    csv: bytes
    questions: int
    sessions: int


class Outbox(Protocol):
    """The part of ``bot.delivery.Delivery`` this feature needs."""

    async def enqueue(self, envelopes: Sequence[Envelope]) -> int: ...


# ---------------------------------------------------------------------- the service
class QandA:
    """The Q&A feature's core (``Runtime.qa``)."""

    def __init__(
        self,
        repo: QandAStore,
        users: UsersStore,
        speakers: SpeakerLinksStore,
        current: CurrentAgenda,
        outbox: Outbox,
        *,
        organisers: Collection[int],
        secret: Callable[[], Awaitable[bytes]],
        audit: AuditStore,
    ) -> None:
        self.repo = repo
        self.users = users
        self.speakers = speakers
        self.current = current
        self.outbox = outbox
        self.organisers = organisers
        self.secret = secret
        self.audit = audit
        # What this process enqueued already: saves a write per vote and tick. The outbox's
        # dedup keys stay the truth (after a restart these are empty and the keys say no).
        self._noticed: set[tuple[int, int]] = set()
        self._followed: set[tuple[str, int]] = set()

    def now(self) -> datetime:
        return self.current.now()

    def is_organiser(self, user_id: int) -> bool:
        return user_id in self.organisers

    # ------------------------------------------------------------------ sessions
    def session(self, key: str) -> Session:
        """The session behind a button key or id; ``UNKNOWN`` or ``BREAK`` otherwise."""
        session = self.current.state.session_by_key(key)
        if session is None:
            raise QaRefused(Refusal.UNKNOWN)
        if session.is_break:
            raise QaRefused(Refusal.BREAK, session)
        return session

    def asking_sessions(self, now: datetime | None = None) -> list[Session]:
        """What /ask is about: the sessions running now; else those whose Q&A is open (just
        before their start, just after their end). Several mean a choice."""
        now = now or self.now()
        index = self.current.index
        running = [s for s in index.running_at(now) if phase(s, now) is Phase.OPEN]
        if not running:
            near = index.overlapping(now - CLOSES_AFTER, now + OPENS_BEFORE + timedelta(seconds=1))
            running = [s for s in near if phase(s, now) is Phase.OPEN]
        return sorted(running, key=lambda s: (s.start, s.room, s.title))

    def next_opening(self, now: datetime | None = None) -> Session | None:
        """The next session whose questions open later (for "nothing is open now")."""
        now = now or self.now()
        for s in self.current.index.starting_after(now + OPENS_BEFORE):
            if not s.is_break:
                return s
        return None

    # ------------------------------------------------------------------ asking
    async def begin(self, user_id: int, key: str) -> tuple[Session, str]:
        """ "Ask a question" pressed: the next text is the question. Returns (session, token
        of the Cancel button)."""
        now = self.now()
        session = self.session(key)
        self._check_open(session, now)
        if await self.repo.paused(session.id):
            raise QaRefused(Refusal.PAUSED, session)
        if await self.repo.asked_by(user_id, session.id) >= MAX_PER_SESSION:
            raise QaRefused(Refusal.LIMIT, session)
        token = _token()
        await self.users.set_pending(
            user_id,
            {
                "kind": PENDING_KIND,
                "step": "text",
                "session_id": session.id,
                "token": token,
                "until": ts(now + DRAFT_WAIT),
            },
        )
        return session, token

    async def take_text(self, user_id: int, text: str) -> Draft | None:
        """The text after "Ask a question" becomes a draft to confirm; None if none awaited."""
        state = await self._pending(user_id)
        if state is None or state.get("step") != "text":
            return None
        now = self.now()
        session = await self._draft_session(user_id, state, now)
        text = text.strip()
        if len(text) > MAX_LENGTH:
            raise QaRefused(Refusal.TOO_LONG, session, length=len(text))
        norm = normalise(text)
        if len(norm.replace(" ", "")) < MIN_LENGTH:
            raise QaRefused(Refusal.TOO_SHORT, session)
        await self._refuse_duplicate(user_id, session, norm)
        token = _token()
        await self.users.set_pending(
            user_id,
            {
                "kind": PENDING_KIND,
                "step": "confirm",
                "session_id": session.id,
                "text": text,
                "token": token,
                "until": ts(now + DRAFT_WAIT),
            },
        )
        return Draft(session, text, token)

    async def _draft_session(self, user_id: int, state: dict[str, Any], now: datetime) -> Session:
        """The session a draft is for, while it takes questions; otherwise the draft goes."""
        session = self.current.index.session(str(state.get("session_id", "")))
        if session is None or session.is_break:
            await self.users.set_pending(user_id, None)
            raise QaRefused(Refusal.UNKNOWN)
        if phase(session, now) is not Phase.OPEN:
            await self.users.set_pending(user_id, None)
            raise QaRefused(Refusal.CLOSED, session)
        return session

    async def _refuse_duplicate(self, user_id: int, session: Session, norm: str) -> None:
        """Tell the asker now, before they choose how to post, that it was asked already."""
        earlier = await self.repo.find(session.id, norm, viewer=user_id)
        if earlier is not None:
            await self.users.set_pending(user_id, None)
            shown = earlier if earlier.state != QA_HIDDEN else None
            raise QaRefused(Refusal.DUPLICATE, session, question=shown)

    async def post(self, user_id: int, token: str, *, anonymous: bool, name: str) -> Posted:
        """Post the draft: under ``name`` (the first name) or anonymously."""
        state = await self._pending(user_id)
        if state is None or state.get("step") != "confirm" or state.get("token") != token:
            raise QaRefused(Refusal.STALE)
        now = self.now()
        session = await self._draft_session(user_id, state, now)
        text = str(state.get("text", ""))
        result = await self.repo.ask(
            NewQuestion(
                session_id=session.id,
                user_id=user_id,
                asker_name=" ".join(name.split())[:NAME_CHARS],
                anonymous=anonymous,
                text=text,
                norm=normalise(text),
                at=now,
            ),
            max_per_session=MAX_PER_SESSION,
            cooldown=COOLDOWN,
        )
        if result.outcome == ASK_PAUSED:
            raise QaRefused(Refusal.PAUSED, session)  # the draft waits for a reopening
        if result.outcome == ASK_COOLDOWN:
            assert result.last_at is not None  # noqa: S101  the store names the last question
            wait = (result.last_at + COOLDOWN - now).total_seconds()
            raise QaRefused(Refusal.COOLDOWN, session, seconds=max(1, int(-(-wait // 1))))
        if result.outcome in (ASK_LIMIT, ASK_DUPLICATE):
            await self.users.set_pending(user_id, None)
            if result.outcome == ASK_LIMIT:
                raise QaRefused(Refusal.LIMIT, session)
            earlier = None
            if result.question_id is not None and result.duplicate_state != QA_HIDDEN:
                earlier = await self.repo.question(result.question_id, user_id)
            raise QaRefused(Refusal.DUPLICATE, session, question=earlier)
        assert result.question_id is not None  # noqa: S101  a posted question has its id
        await self.users.set_pending(user_id, None)
        log.info("question %s posted in %s", result.question_id, session.id)
        return Posted(session, result.question_id, result.asked)

    async def cancel(self, user_id: int, token: str) -> Session | None:
        """Cancel asking (before or after the text); the session it was about."""
        state = await self._pending(user_id)
        if state is None or state.get("token") != token:
            raise QaRefused(Refusal.STALE)
        await self.users.set_pending(user_id, None)
        return self.current.index.session(str(state.get("session_id", "")))

    async def _pending(self, user_id: int) -> dict[str, Any] | None:
        """This feature's conversation state, if one is current (an expired one is dropped)."""
        state = await self.users.pending(user_id)
        if not state or state.get("kind") != PENDING_KIND:
            return None
        try:
            until = parse_ts(str(state["until"]))
        except (KeyError, ValueError):
            until = self.now()
        if self.now() >= until:
            await self.users.set_pending(user_id, None)
            return None
        return state

    @staticmethod
    def _check_open(session: Session, now: datetime) -> None:
        stage = phase(session, now)
        if stage is Phase.NOT_YET:
            raise QaRefused(Refusal.NOT_YET, session)
        if stage is not Phase.OPEN:
            raise QaRefused(Refusal.CLOSED, session)

    # ------------------------------------------------------------------ the audience's view
    async def queue(self, key: str, viewer: int) -> Queue:
        session = self.session(key)
        open_ = await self.repo.ranked(session.id, (QA_OPEN,), viewer=viewer)
        answered = await self.repo.ranked(session.id, (QA_ANSWERED,), viewer=viewer)
        return Queue(
            session=session,
            phase=phase(session, self.now()),
            paused=await self.repo.paused(session.id),
            questions=tuple(open_ + answered),
            viewer=viewer,
        )

    async def vote(self, user_id: int, question_id: int) -> Voted:
        """Vote for a question, or take the vote back; nothing is stored when refused."""
        question = await self.repo.question(question_id, user_id)
        if question is None:
            raise QaRefused(Refusal.UNKNOWN)
        session = self.current.index.session(question.session_id)
        if session is None:
            raise QaRefused(Refusal.UNKNOWN)
        if question.state != QA_OPEN:
            raise QaRefused(Refusal.NOT_OPEN, session, question=question)
        self._check_open(session, self.now())
        result = await self.repo.toggle_vote(question_id, user_id, self.now())
        if result.outcome == VOTE_GONE:
            raise QaRefused(Refusal.UNKNOWN)
        if result.outcome == VOTE_OWN:
            raise QaRefused(Refusal.OWN, session, question=question)
        if result.outcome == VOTE_NOT_OPEN:
            raise QaRefused(Refusal.NOT_OPEN, session, question=question)
        await self._top_notices(session)
        return Voted(session, question, result.outcome == VOTE_ADDED, result.votes)

    # ------------------------------------------------------------------ the stage
    async def role(self, user_id: int, session: Session) -> StageRole | None:
        """How this person stands on this session's stage; None for the audience."""
        organiser = self.is_organiser(user_id)
        speaker_id = await self.speakers.speaker_of(user_id)
        parts = [p for p in session.speakers if speaker_id and p.speaker_id == speaker_id]
        if not organiser and not parts:
            return None
        moderator = any(p.role.casefold() in MODERATOR_ROLES for p in parts)
        return StageRole(organiser=organiser, moderator=moderator, speaker=bool(parts))

    async def is_stage(self, user_id: int) -> bool:
        """An organiser or a linked speaker: /questions shows them the stage's view."""
        return self.is_organiser(user_id) or await self.speakers.speaker_of(user_id) is not None

    async def stage_sessions(self, user_id: int) -> list[Session]:
        """The sessions /questions offers: an organiser's open ones (else the latest asked
        about), a speaker's own (the open ones, else all of them, in programme order)."""
        now = self.now()
        index = self.current.index
        if self.is_organiser(user_id):
            open_now = self.asking_sessions(now)
            if open_now:
                return open_now
            found = []
            for session_id, _count in await self.repo.sessions_with_questions():
                session = index.session(session_id)
                if session is not None:
                    found.append(session)
            return found
        speaker_id = await self.speakers.speaker_of(user_id)
        if speaker_id is None:
            return []
        own = [s for s in index.of_speaker(speaker_id) if not s.is_break]
        own.sort(key=lambda s: (s.start, s.end, s.title))
        open_now = [s for s in own if phase(s, now) is Phase.OPEN]
        return open_now or own

    async def _stage(self, user_id: int, session: Session) -> StageRole:
        role = await self.role(user_id, session)
        if role is None:
            raise QaRefused(Refusal.NOT_ALLOWED, session)
        return role

    async def stage_queue(self, user_id: int, key: str) -> StageQueue:
        session = self.session(key)
        role = await self._stage(user_id, session)
        open_ = await self.repo.ranked(session.id, (QA_OPEN,))
        done = await self.repo.ranked(session.id, (QA_ANSWERED, QA_HIDDEN))
        epoch = datetime.min.replace(tzinfo=UTC)
        done.sort(key=lambda q: (q.moderated_at or epoch, q.id), reverse=True)
        notices = role.may_get_notices and bool(await self.repo.notices_for([user_id]))
        return StageQueue(
            session=session,
            phase=phase(session, self.now()),
            paused=await self.repo.paused(session.id),
            role=role,
            open=tuple(open_),
            done=tuple(done),
            notices=notices,
        )

    async def moderate(self, user_id: int, question_id: int, state: str) -> Moderated:
        """Mark answered (``QA_ANSWERED``), hide (``QA_HIDDEN``) or restore (``QA_OPEN``)."""
        sources = {
            QA_ANSWERED: (QA_OPEN,),
            QA_HIDDEN: (QA_OPEN, QA_ANSWERED),
            QA_OPEN: (QA_ANSWERED, QA_HIDDEN),
        }
        if state not in sources:
            raise QaRefused(Refusal.UNKNOWN)
        question = await self.repo.question(question_id)
        if question is None:
            raise QaRefused(Refusal.UNKNOWN)
        session = self.current.index.session(question.session_id)
        if session is None:
            raise QaRefused(Refusal.UNKNOWN)
        await self._stage(user_id, session)
        changed = await self.repo.set_state(
            question_id, state, user_id, self.now(), only_from=sources[state]
        )
        if changed:
            log.info("question %s of %s: %s by %s", question_id, session.id, state, user_id)
            await self._top_notices(session)
        return Moderated(session, question, state, changed)

    async def set_paused(self, user_id: int, key: str, paused: bool) -> tuple[Session, bool]:
        """Pause or reopen a session's questions; (session, whether it changed)."""
        session = self.session(key)
        await self._stage(user_id, session)
        changed = await self.repo.set_paused(session.id, paused, user_id, self.now())
        if changed:
            log.info("Q&A of %s %s by %s", session.id, "paused" if paused else "reopened", user_id)
        return session, changed

    async def set_notices(self, user_id: int, key: str, on: bool) -> Session:
        """Top-three notices on or off: one setting for all of a moderator's sessions (for an
        organiser: of every session)."""
        session = self.session(key)
        role = await self._stage(user_id, session)
        if not role.may_get_notices:
            raise QaRefused(Refusal.NOT_ALLOWED, session)
        await self.repo.set_notices(user_id, on, self.now())
        if on:
            await self._top_notices(session)
        return session

    async def _moderators(self, session: Session) -> list[int]:
        """The linked accounts of the session's moderators."""
        out: list[int] = []
        for part in session.speakers:
            if part.role.casefold() in MODERATOR_ROLES:
                uid = await self.speakers.user_of(part.speaker_id)
                if uid is not None and uid not in out:
                    out.append(uid)
        return out

    async def _notice_candidates(self, session: Session) -> list[int]:
        """Who may get this session's top-three notices: its moderators, the organisers."""
        out = await self._moderators(session)
        out.extend(uid for uid in sorted(self.organisers) if uid not in out)
        return out

    async def _top_notices(self, session: Session) -> None:
        """Tell the moderators and organisers who asked for it about each question now in the
        top three.

        Never fails the vote or the moderation that called it: a notice is a nicety.
        """
        try:
            candidates = await self._notice_candidates(session)
            if not candidates:
                return
            wanted = await self.repo.notices_for(candidates)
            if not wanted:
                return
            top = await self.repo.ranked(session.id, (QA_OPEN,), limit=TOP)
            now = self.now()
            envelopes = [
                Envelope(
                    chat_id=uid,
                    kind=QA_TOP,
                    payload={"question_id": q.id, "session_id": session.id},
                    due_at=now,
                    deadline=closes_at(session),
                    dedup_key=qa_top_key(q.id, uid),
                    session_id=session.id,
                )
                for q in top
                if q.votes >= TOP_NOTICE_MIN_VOTES
                for uid in sorted(wanted)
                if uid != q.user_id and (q.id, uid) not in self._noticed
            ]
            if envelopes:
                await self.outbox.enqueue(envelopes)
                self._noticed.update((e.payload["question_id"], e.chat_id) for e in envelopes)
        except Exception:
            log.exception("top-three notices for %s failed", session.id)

    async def top_notice(self, payload: dict[str, Any], chat_id: int) -> TopNotice | None:
        """At send time: the notice if the question is still open and in the top three, the Q&A
        still open and the recipient still a moderator of the session (or an organiser) who
        wants notices."""
        try:
            question_id = int(payload.get("question_id", 0))
        except (TypeError, ValueError):
            return None
        question = await self.repo.question(question_id)
        if question is None or question.state != QA_OPEN:
            return None
        session = self.current.index.session(question.session_id)
        if session is None or phase(session, self.now()) is not Phase.OPEN:
            return None
        if not self.is_organiser(chat_id) and chat_id not in await self._moderators(session):
            return None
        if not await self.repo.notices_for([chat_id]):
            return None
        top = await self.repo.ranked(session.id, (QA_OPEN,), limit=TOP)
        ranks = {q.id: i for i, q in enumerate(top, start=1)}
        if question.id not in ranks:
            return None
        return TopNotice(session, top[ranks[question.id] - 1], ranks[question.id])

    # ------------------------------------------------------------------ after the session
    async def _followup_users(self, session: Session) -> list[int]:
        """Its speakers' linked accounts; its moderators only when it has no other speakers."""
        speakers = [p for p in session.speakers if p.role.casefold() not in MODERATOR_ROLES]
        parts = speakers or list(session.speakers)
        out: list[int] = []
        for part in parts:
            uid = await self.speakers.user_of(part.speaker_id)
            if uid is not None and uid not in out:
                out.append(uid)
        return out

    async def tick(self, now: datetime | None = None) -> int:
        """Plan the follow-ups of sessions whose Q&A closed within the look-back; returns the
        rows newly enqueued. Idempotent: each is keyed by session and speaker."""
        now = (now or self.now()).astimezone(UTC)
        since = now - FOLLOWUP_LOOKBACK
        closed = [
            s
            for s in self.current.index.overlapping(since - CLOSES_AFTER, now)
            if not s.is_break and since <= closes_at(s) <= now
        ]
        if not closed:
            return 0
        with_open = await self.repo.with_open_questions([s.id for s in closed])
        envelopes: list[Envelope] = []
        for session in closed:
            if session.id not in with_open:
                continue
            closing = closes_at(session)
            for uid in await self._followup_users(session):
                if (session.id, uid) in self._followed:
                    continue
                envelopes.append(
                    Envelope(
                        chat_id=uid,
                        kind=QA_FOLLOWUP,
                        payload={"session_id": session.id},
                        due_at=closing,
                        deadline=closing + FOLLOWUP_LOOKBACK,
                        dedup_key=qa_followup_key(session.id, uid),
                        session_id=session.id,
                    )
                )
        if not envelopes:
            return 0
        added = await self.outbox.enqueue(envelopes)
        self._followed.update((e.session_id or "", e.chat_id) for e in envelopes)
        if added:
            log.info("planned %d Q&A follow-up(s)", added)
        return added

    async def safe_tick(self) -> None:
        """The job's tick: a failure is logged and retried at the next one."""
        try:
            await self.tick()
        except Exception:
            log.exception("Q&A follow-up planning failed; retrying at the next tick")

    async def followup(self, payload: dict[str, Any], chat_id: int) -> FollowUp | None:
        """At send time: the unanswered questions, if any, for a speaker still on the session."""
        session = self.current.index.session(str(payload.get("session_id", "")))
        if session is None:
            return None
        role = await self.role(chat_id, session)
        if role is None or not role.speaker:
            return None
        questions = await self.repo.ranked(session.id, (QA_OPEN,))
        if not questions:
            return None
        return FollowUp(session, tuple(questions), role.sees_names)

    # ------------------------------------------------------------------ /stats
    async def stats_section(self) -> str:
        """The audience questions' part of /stats (registered with ``bot.stats.Stats``)."""
        overview = await self.repo.overview(STATS_TOP)
        by_state = overview.by_state
        questions = sum(by_state.values())
        if not questions:
            return texts.qa_stats_empty()
        lines = [
            texts.qa_stats_header(questions, overview.sessions, overview.votes),
            texts.qa_stage_counts(
                by_state.get(QA_OPEN, 0), by_state.get(QA_ANSWERED, 0), by_state.get(QA_HIDDEN, 0)
            ),
            texts.qa_stats_most_asked(),
        ]
        index = self.current.index
        for rank, (session_id, count) in enumerate(overview.most_asked, start=1):
            session = index.session(session_id)
            if session is None:
                title = texts.feedback_removed_session(session_id)
            else:
                title = texts.title_of(session)
            lines.append(texts.qa_stats_entry(rank, title, count))
        return "\n".join(lines)

    # ------------------------------------------------------------------ export
    async def export(self, *, by: int | None = None) -> QaExport:
        """Every question as CSV (the askers pseudonymised like the feedback export, with the
        same key: one person has one pseudonym in both files); ``by`` is audited."""
        rows = await self.repo.export_rows()
        secret = await self.secret()
        index = self.current.index
        records = [(index.session(q.session_id), q) for q in rows]
        data = await asyncio.to_thread(_write_csv, records, secret, self.current.tz)
        sessions = len({q.session_id for q in rows})
        if by is not None and rows:
            await self.audit.log(
                by, "export", self.now(), detail="questions CSV", audience_size=len(rows)
            )
        return QaExport(csv=data, questions=len(rows), sessions=sessions)


def _token() -> str:
    """Names one draft in its buttons: a stale preview's Post cannot post a newer draft."""
    return secrets.token_urlsafe(6)


def _write_csv(
    records: list[tuple[Session | None, StoredQuestion]], secret: bytes, tz: tzinfo
) -> bytes:
    """Programme order, then the order questions came; those of removed sessions go last."""
    rows = [
        (
            *session_cells(q.session_id, session),
            q.id,
            q.text,
            stamp(q.created_at, tz),
            name,
            "yes" if q.anonymous else "no",
            q.votes,
            q.state,
            stamp(q.moderated_at, tz),
        )
        for session, q, name in in_programme_order(records, secret, lambda q: (q.created_at, q.id))
    ]
    return csv_bytes(CSV_HEADER, rows)
