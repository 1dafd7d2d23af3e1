"""The Q&A core on a real store, without Telegram: windows, asking, limits, votes, ranking,
roles, moderation, top-three notices, the speakers' follow-up and the CSV."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.agenda.model import Session, SessionSpeaker, SessionType
from bot.clock import ManualClock
from bot.qa import (
    CLOSES_AFTER,
    COOLDOWN,
    CSV_HEADER,
    MAX_LENGTH,
    MAX_PER_SESSION,
    OPENS_BEFORE,
    TOP_NOTICE_MIN_VOTES,
    Phase,
    Posted,
    QandA,
    QaRefused,
    Refusal,
    closes_at,
    normalise,
    opens_at,
    phase,
)
from bot.store.keys import QA_FOLLOWUP, QA_TOP, qa_followup_key, qa_top_key
from bot.store.records import QA_ANSWERED, QA_HIDDEN, QA_OPEN, NewQuestion
from tests.conftest import brussels
from tests.core_env import Core

PANEL = "panel-october-7"  # 14:00-15:15, moderated by Ophir Revach
KEYNOTE = "keynote-sztaray"  # 10:00-10:30, Péter Sztáray
ORGANISER = 9000
MODERATOR = 501  # linked as ophir-revach
SPEAKER = 502  # linked as katharina-von-schnurbein
SPEAKER2 = 503  # linked as bartjan-wegter
AUDIENCE = list(range(1, 41))


def make(core: Core) -> QandA:
    return QandA(
        core.store.qa,
        core.store.users,
        core.store.speakers,
        core.current,
        core.outbox,
        organisers={ORGANISER},
        secret=core.store.feedback.pseudonym_secret,
        audit=core.store.audit,
    )


@pytest.fixture
async def qa(core: Core) -> QandA:
    await core.users(*AUDIENCE, ORGANISER, MODERATOR, SPEAKER, SPEAKER2)
    now = core.clock.now()
    await core.store.speakers.link_username("ophir-revach", MODERATOR, now)
    await core.store.speakers.link_username("katharina-von-schnurbein", SPEAKER, now)
    await core.store.speakers.link_username("bartjan-wegter", SPEAKER2, now)
    return make(core)


async def ask(
    qa: QandA, uid: int, text: str, key: str = PANEL, *, anonymous: bool = False
) -> Posted:
    await qa.begin(uid, key)
    draft = await qa.take_text(uid, text)
    assert draft is not None
    return await qa.post(uid, draft.token, anonymous=anonymous, name=f"U{uid}")


def session(core: Core, session_id: str) -> Session:
    found = core.current.index.session(session_id)
    assert found is not None
    return found


# ---------------------------------------------------------------------- windows
def test_questions_open_15_minutes_before_and_close_15_after(core: Core) -> None:
    panel = session(core, PANEL)
    assert opens_at(panel) == brussels(13, 45)
    assert closes_at(panel) == brussels(15, 30)
    assert phase(panel, brussels(13, 44)) is Phase.NOT_YET
    assert phase(panel, brussels(13, 45)) is Phase.OPEN
    assert phase(panel, brussels(15, 29) + timedelta(seconds=59)) is Phase.OPEN
    assert phase(panel, brussels(15, 30)) is Phase.CLOSED
    assert phase(session(core, "lunch"), brussels(13, 30)) is Phase.NONE


def test_windows_are_absolute_across_a_clock_change() -> None:
    """00:30 start on the night the clocks go back: opens 15 real minutes earlier."""
    tz = ZoneInfo("Europe/Brussels")
    start = datetime(2024, 10, 27, 2, 30, tzinfo=tz, fold=1)  # the second 02:30 (CET)
    night = Session("n", "Night talk", start, start + timedelta(hours=1))
    assert (start.astimezone(UTC) - opens_at(night).astimezone(UTC)) == OPENS_BEFORE
    assert (closes_at(night).astimezone(UTC) - night.end.astimezone(UTC)) == CLOSES_AFTER


def test_the_same_question_give_or_take_case_punctuation_and_spacing() -> None:
    assert normalise("What about  X?") == normalise("what about x")
    assert normalise("Ｗｈａｔ ａｂｏｕｔ Ｘ？") == normalise("what about x")
    assert normalise("Miért nem?!") == "miért nem"
    assert normalise("...") == ""
    assert normalise("Why — not_now") == "why not now"


# ---------------------------------------------------------------------- asking
async def test_asking_before_during_and_after_the_window(core: Core, qa: QandA) -> None:
    clock: ManualClock = core.clock
    clock.set(brussels(13, 40))
    with pytest.raises(QaRefused) as refused:
        await qa.begin(1, PANEL)
    assert refused.value.reason is Refusal.NOT_YET
    clock.set(brussels(13, 45))
    posted = await ask(qa, 1, "How do communities train volunteers?")
    assert posted.asked == 1
    assert posted.left == MAX_PER_SESSION - 1
    clock.set(brussels(15, 29))
    await ask(qa, 2, "What changed since October?")
    clock.set(brussels(15, 30))
    with pytest.raises(QaRefused) as refused:
        await qa.begin(3, PANEL)
    assert refused.value.reason is Refusal.CLOSED
    assert await core.store.qa.count() == 2
    # The queue stays readable after the close.
    queue = await qa.queue(PANEL, 3)
    assert queue.phase is Phase.CLOSED
    assert [q.text for q in queue.questions] == [
        "How do communities train volunteers?",
        "What changed since October?",
    ]


async def test_a_draft_that_outlives_the_window_is_not_posted(core: Core, qa: QandA) -> None:
    core.clock.set(brussels(15, 25))
    await qa.begin(1, PANEL)
    draft = await qa.take_text(1, "A question typed slowly")
    assert draft is not None
    core.clock.set(brussels(15, 31))
    with pytest.raises(QaRefused) as refused:
        await qa.post(1, draft.token, anonymous=False, name="Ada")
    assert refused.value.reason is Refusal.CLOSED
    assert await core.store.qa.count() == 0
    assert await core.store.users.pending(1) is None


async def test_breaks_and_unknown_sessions_take_no_questions(core: Core, qa: QandA) -> None:
    core.clock.set(brussels(13, 30))
    for key, reason in (("lunch", Refusal.BREAK), ("nope", Refusal.UNKNOWN)):
        with pytest.raises(QaRefused) as refused:
            await qa.begin(1, key)
        assert refused.value.reason is reason


async def test_length_and_words(core: Core, qa: QandA) -> None:
    core.clock.set(brussels(14, 0))
    await qa.begin(1, PANEL)
    with pytest.raises(QaRefused) as refused:
        await qa.take_text(1, "x" * (MAX_LENGTH + 1))
    assert refused.value.reason is Refusal.TOO_LONG
    assert refused.value.length == MAX_LENGTH + 1
    with pytest.raises(QaRefused) as refused:
        await qa.take_text(1, "?!  …")
    assert refused.value.reason is Refusal.TOO_SHORT
    # Still waiting for the question: a good one now becomes the draft.
    draft = await qa.take_text(1, "y" * MAX_LENGTH)
    assert draft is not None
    assert draft.text == "y" * MAX_LENGTH


async def test_no_text_is_taken_unless_asking(core: Core, qa: QandA) -> None:
    core.clock.set(brussels(14, 0))
    assert await qa.take_text(1, "when is lunch") is None
    await core.store.users.set_pending(1, {"kind": "feedback", "session_id": PANEL})
    assert await qa.take_text(1, "great panel") is None


async def test_a_stale_or_forged_draft_posts_nothing(core: Core, qa: QandA) -> None:
    core.clock.set(brussels(14, 0))
    await qa.begin(1, PANEL)
    draft = await qa.take_text(1, "First version")
    assert draft is not None
    await qa.begin(1, PANEL)
    newer = await qa.take_text(1, "Second version")
    assert newer is not None
    for token in (draft.token, "forged", ""):
        with pytest.raises(QaRefused) as refused:
            await qa.post(1, token, anonymous=False, name="Ada")
        assert refused.value.reason is Refusal.STALE
    await qa.post(1, newer.token, anonymous=False, name="Ada")
    assert [q.text for q in (await qa.queue(PANEL, 1)).questions] == ["Second version"]


async def test_a_double_press_of_post_stores_one_question(core: Core, qa: QandA) -> None:
    core.clock.set(brussels(14, 0))
    await qa.begin(1, PANEL)
    draft = await qa.take_text(1, "Pressed twice")
    assert draft is not None
    results = await asyncio.gather(
        qa.post(1, draft.token, anonymous=False, name="Ada"),
        qa.post(1, draft.token, anonymous=False, name="Ada"),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Posted) for r in results) == 1
    assert await core.store.qa.count() == 1


async def test_cancel(core: Core, qa: QandA) -> None:
    core.clock.set(brussels(14, 0))
    _, token = await qa.begin(1, PANEL)
    with pytest.raises(QaRefused):
        await qa.cancel(1, "forged")
    assert (await qa.cancel(1, token)) == session(core, PANEL)
    assert await qa.take_text(1, "not a question any more") is None


# ---------------------------------------------------------------------- limits
async def test_three_per_person_and_session_with_a_cool_down(core: Core, qa: QandA) -> None:
    clock = core.clock
    clock.set(brussels(14, 0))
    await ask(qa, 1, "First")
    # Within the cool-down the draft waits: Post works once it is over.
    await qa.begin(1, PANEL)
    draft = await qa.take_text(1, "Second")
    assert draft is not None
    with pytest.raises(QaRefused) as refused:
        await qa.post(1, draft.token, anonymous=False, name="Ada")
    assert refused.value.reason is Refusal.COOLDOWN
    assert refused.value.seconds == int(COOLDOWN.total_seconds())
    clock.advance(seconds=45)
    with pytest.raises(QaRefused) as refused:
        await qa.post(1, draft.token, anonymous=False, name="Ada")
    assert refused.value.seconds == 15
    clock.advance(seconds=15)
    assert (await qa.post(1, draft.token, anonymous=False, name="Ada")).asked == 2
    clock.advance(COOLDOWN)
    third = await ask(qa, 1, "Third")
    assert third.left == 0
    clock.advance(COOLDOWN)
    with pytest.raises(QaRefused) as refused:
        await qa.begin(1, PANEL)
    assert refused.value.reason is Refusal.LIMIT
    # Another session is another three.
    clock.set(brussels(15, 16))
    await ask(qa, 1, "For the closing", "closing")
    assert await core.store.qa.count() == 4


async def test_the_limit_holds_against_drafts_prepared_in_advance(core: Core, qa: QandA) -> None:
    """A draft begun before the third question was posted cannot make a fourth."""
    clock = core.clock
    clock.set(brussels(14, 0))
    await ask(qa, 1, "One")
    clock.advance(COOLDOWN)
    await ask(qa, 1, "Two")
    clock.advance(COOLDOWN)
    await qa.begin(1, PANEL)
    draft = await qa.take_text(1, "Three")
    assert draft is not None
    third = NewQuestion(PANEL, 1, "U1", False, "Three b", "three b", core.clock.now())
    await core.store.qa.ask(third, max_per_session=3, cooldown=timedelta())  # another device
    with pytest.raises(QaRefused) as refused:
        await qa.post(1, draft.token, anonymous=False, name="Ada")
    assert refused.value.reason is Refusal.LIMIT
    assert await core.store.qa.asked_by(1, PANEL) == 3


async def test_the_same_question_twice_is_refused(core: Core, qa: QandA) -> None:
    core.clock.set(brussels(14, 0))
    first = await ask(qa, 1, "Is the hotline open at night?")
    await qa.begin(2, PANEL)
    with pytest.raises(QaRefused) as refused:
        await qa.take_text(2, "is the HOTLINE open at night")
    assert refused.value.reason is Refusal.DUPLICATE
    assert refused.value.question is not None
    assert refused.value.question.id == first.question_id  # pointed to it, to upvote it
    assert await core.store.users.pending(2) is None
    # Hidden by a moderator: still refused, but not shown.
    await qa.moderate(MODERATOR, first.question_id, QA_HIDDEN)
    await qa.begin(2, PANEL)
    with pytest.raises(QaRefused) as refused:
        await qa.take_text(2, "Is the hotline open at night ?")
    assert refused.value.reason is Refusal.DUPLICATE
    assert refused.value.question is None
    assert await core.store.qa.count() == 1


async def test_a_duplicate_posted_meanwhile_is_refused_at_post(core: Core, qa: QandA) -> None:
    core.clock.set(brussels(14, 0))
    await qa.begin(2, PANEL)
    draft = await qa.take_text(2, "Same thing")
    assert draft is not None
    await ask(qa, 1, "same   thing!")
    with pytest.raises(QaRefused) as refused:
        await qa.post(2, draft.token, anonymous=True, name="Bo")
    assert refused.value.reason is Refusal.DUPLICATE
    assert await core.store.qa.count() == 1


# ---------------------------------------------------------------------- votes
async def test_vote_unvote_own_and_counts_derived(core: Core, qa: QandA) -> None:
    core.clock.set(brussels(14, 0))
    posted = await ask(qa, 1, "Vote for me")
    qid = posted.question_id
    voted = await qa.vote(2, qid)
    assert voted.added
    assert voted.votes == 1
    voted = await qa.vote(2, qid)  # pressing again takes it back
    assert not voted.added
    assert voted.votes == 0
    voted = await qa.vote(2, qid)
    assert voted.added
    assert voted.votes == 1
    with pytest.raises(QaRefused) as refused:
        await qa.vote(1, qid)
    assert refused.value.reason is Refusal.OWN
    await asyncio.gather(*(qa.vote(uid, qid) for uid in range(3, 41)))
    assert (await core.store.qa.question(qid)).votes == 39  # type: ignore[union-attr]
    assert await core.store.qa.vote_count() == 39


async def test_a_double_press_is_two_toggles_never_two_votes(core: Core, qa: QandA) -> None:
    """Votes run side by side: two presses at once by one person end with no vote, or (three)
    with one, and never two rows: the primary key is (question, user)."""
    core.clock.set(brussels(14, 0))
    qid = (await ask(qa, 1, "Pressed in a hurry")).question_id
    results = await asyncio.gather(qa.vote(2, qid), qa.vote(2, qid))
    assert sorted(r.added for r in results) == [False, True]
    assert await core.store.qa.vote_count() == 0
    await asyncio.gather(qa.vote(2, qid), qa.vote(2, qid), qa.vote(2, qid))
    assert await core.store.qa.vote_count() == 1


async def test_votes_on_forged_hidden_answered_or_closed_questions(core: Core, qa: QandA) -> None:
    core.clock.set(brussels(14, 0))
    hidden = (await ask(qa, 1, "To be hidden")).question_id
    answered = (await ask(qa, 2, "To be answered")).question_id
    open_ = (await ask(qa, 3, "Still open")).question_id
    await qa.moderate(MODERATOR, hidden, QA_HIDDEN)
    await qa.moderate(ORGANISER, answered, QA_ANSWERED)
    cases = [(hidden, Refusal.NOT_OPEN), (answered, Refusal.NOT_OPEN), (999_999, Refusal.UNKNOWN)]
    for qid, reason in cases:
        with pytest.raises(QaRefused) as refused:
            await qa.vote(5, qid)
        assert refused.value.reason is reason
    core.clock.set(brussels(15, 30))
    with pytest.raises(QaRefused) as refused:
        await qa.vote(5, open_)
    assert refused.value.reason is Refusal.CLOSED
    assert await core.store.qa.vote_count() == 0


async def test_a_paused_session_takes_no_questions_but_votes(core: Core, qa: QandA) -> None:
    core.clock.set(brussels(14, 0))
    qid = (await ask(qa, 1, "Before the pause")).question_id
    await qa.begin(2, PANEL)
    draft = await qa.take_text(2, "Typed during the pause")
    assert draft is not None
    session_, changed = await qa.set_paused(MODERATOR, PANEL, True)
    assert changed
    assert session_.id == PANEL
    assert not (await qa.set_paused(SPEAKER, PANEL, True))[1]  # already paused
    with pytest.raises(QaRefused) as refused:
        await qa.post(2, draft.token, anonymous=False, name="Bo")
    assert refused.value.reason is Refusal.PAUSED
    with pytest.raises(QaRefused) as refused:
        await qa.begin(3, PANEL)
    assert refused.value.reason is Refusal.PAUSED
    assert (await qa.vote(3, qid)).votes == 1
    await qa.set_paused(ORGANISER, PANEL, False)
    await qa.post(2, draft.token, anonymous=False, name="Bo")  # the draft waited
    assert await core.store.qa.count() == 2
    with pytest.raises(QaRefused) as refused:
        await qa.set_paused(7, PANEL, True)  # an attendee
    assert refused.value.reason is Refusal.NOT_ALLOWED
    assert not await core.store.qa.paused(PANEL)


# ---------------------------------------------------------------------- ranking and the stage
async def test_ranked_by_votes_then_age(core: Core, qa: QandA) -> None:
    clock = core.clock
    clock.set(brussels(14, 0))
    a = (await ask(qa, 1, "A, the oldest")).question_id
    clock.advance(minutes=1)
    b = (await ask(qa, 2, "B, more votes")).question_id
    clock.advance(minutes=1)
    c = (await ask(qa, 3, "C, as many as A")).question_id
    for uid in (10, 11):
        await qa.vote(uid, b)
    await qa.vote(10, a)
    await qa.vote(10, c)
    stage = await qa.stage_queue(MODERATOR, PANEL)
    assert [q.id for q in stage.open] == [b, a, c]
    assert [q.votes for q in stage.open] == [2, 1, 1]
    await qa.moderate(MODERATOR, b, QA_ANSWERED)
    queue = await qa.queue(PANEL, 10)
    assert [q.id for q in queue.questions] == [a, c, b]  # answered ones after the open ones
    assert all(q.voted for q in queue.questions)
    stage = await qa.stage_queue(MODERATOR, PANEL)
    assert [q.id for q in stage.open] == [a, c]
    assert [q.id for q in stage.done] == [b]


async def test_who_is_on_the_stage(core: Core, qa: QandA) -> None:
    panel = session(core, PANEL)
    moderator = await qa.role(MODERATOR, panel)
    assert moderator is not None
    assert moderator.moderator
    assert moderator.sees_names
    speaker = await qa.role(SPEAKER, panel)
    assert speaker is not None
    assert speaker.speaker
    assert not speaker.sees_names
    organiser = await qa.role(ORGANISER, panel)
    assert organiser is not None
    assert organiser.sees_names
    assert not organiser.moderator
    assert await qa.role(7, panel) is None
    assert await qa.role(MODERATOR, session(core, KEYNOTE)) is None  # not his session
    core.clock.set(brussels(14, 30))
    assert [s.id for s in await qa.stage_sessions(MODERATOR)] == [PANEL]
    assert [s.id for s in await qa.stage_sessions(ORGANISER)] == [PANEL]
    core.clock.set(brussels(8, 0))  # nothing open: a speaker gets all their sessions
    assert [s.id for s in await qa.stage_sessions(SPEAKER)] == ["welcome", PANEL]


async def test_moderation_needs_the_role_and_happens_once(core: Core, qa: QandA) -> None:
    core.clock.set(brussels(14, 0))
    qid = (await ask(qa, 1, "Moderate me")).question_id
    for uid in (7, 1):  # an attendee, the asker
        with pytest.raises(QaRefused) as refused:
            await qa.moderate(uid, qid, QA_HIDDEN)
        assert refused.value.reason is Refusal.NOT_ALLOWED
    assert (await core.store.qa.question(qid)).state == QA_OPEN  # type: ignore[union-attr]
    assert (await qa.moderate(SPEAKER, qid, QA_ANSWERED)).changed
    assert not (await qa.moderate(MODERATOR, qid, QA_ANSWERED)).changed
    assert (await qa.moderate(MODERATOR, qid, QA_OPEN)).changed  # restored
    with pytest.raises(QaRefused):
        await qa.moderate(MODERATOR, 424242, QA_HIDDEN)
    with pytest.raises(QaRefused):
        await qa.moderate(MODERATOR, qid, "deleted")


async def test_hidden_questions_disappear_for_the_audience(core: Core, qa: QandA) -> None:
    core.clock.set(brussels(14, 0))
    qid = (await ask(qa, 1, "Rude words")).question_id
    await qa.moderate(MODERATOR, qid, QA_HIDDEN)
    assert (await qa.queue(PANEL, 1)).questions == ()  # the asker too
    assert (await qa.queue(PANEL, 2)).questions == ()
    assert [q.id for q in (await qa.stage_queue(ORGANISER, PANEL)).done] == [qid]
    assert core.outbox.added == []  # nobody is told


async def test_anonymous_questions_keep_their_asker_for_the_stage(core: Core, qa: QandA) -> None:
    core.clock.set(brussels(14, 0))
    await core.store.users.seen(4, "Dora", "dora_k", "en", core.clock.now())
    await ask(qa, 4, "Anonymous one", anonymous=True)
    stored = (await qa.stage_queue(MODERATOR, PANEL)).open[0]
    assert stored.anonymous
    assert stored.asker_name == "U4"
    assert stored.username == "dora_k"


# ---------------------------------------------------------------------- top-three notices
async def test_a_moderator_who_wants_it_is_told_of_the_top_three(core: Core, qa: QandA) -> None:
    core.clock.set(brussels(14, 0))
    qid = (await ask(qa, 1, "Climbing")).question_id
    for uid in range(10, 10 + TOP_NOTICE_MIN_VOTES):
        await qa.vote(uid, qid)
    assert core.outbox.added == []  # he did not ask for notices
    with pytest.raises(QaRefused) as refused:
        await qa.set_notices(SPEAKER, PANEL, True)  # only moderators
    assert refused.value.reason is Refusal.NOT_ALLOWED
    await qa.set_notices(MODERATOR, PANEL, True)  # already in the top three: told now
    assert [(e.kind, e.chat_id, e.dedup_key) for e in core.outbox.added] == [
        (QA_TOP, MODERATOR, qa_top_key(qid, MODERATOR))
    ]
    await qa.vote(20, qid)
    await qa.vote(20, qid)
    assert len(core.outbox.added) == 1  # once per question
    other = (await ask(qa, 2, "Slow")).question_id
    await qa.vote(10, other)
    assert len(core.outbox.added) == 1  # one vote is not news
    await qa.vote(11, other)
    assert [e.dedup_key for e in core.outbox.added][-1] == qa_top_key(other, MODERATOR)
    # At send time: still open and in the top three, or skipped.
    notice = await qa.top_notice(core.outbox.added[0].payload, MODERATOR)
    assert notice is not None
    assert notice.rank == 1
    assert notice.question.id == qid
    await qa.moderate(MODERATOR, qid, QA_ANSWERED)
    assert await qa.top_notice(core.outbox.added[0].payload, MODERATOR) is None
    assert await qa.top_notice({"question_id": "x"}, MODERATOR) is None
    await qa.set_notices(MODERATOR, PANEL, False)
    assert await qa.top_notice(core.outbox.added[1].payload, MODERATOR) is None
    # A restart forgets what it enqueued; the outbox's keys do not.
    rows = await core.store.outbox.enqueue(core.outbox.added, core.clock.now())
    assert rows == 0


async def test_an_organiser_may_ask_for_the_top_three_of_every_session(
    core: Core, qa: QandA
) -> None:
    core.clock.set(brussels(14, 0))
    view = await qa.stage_queue(ORGANISER, PANEL)
    assert view.role.may_get_notices
    assert not view.notices
    qid = (await ask(qa, 1, "Climbing")).question_id
    for uid in range(10, 10 + TOP_NOTICE_MIN_VOTES):
        await qa.vote(uid, qid)
    assert core.outbox.added == []  # nobody asked for notices
    await qa.set_notices(ORGANISER, PANEL, True)  # not on its stage: an organiser
    assert [(e.kind, e.chat_id, e.dedup_key) for e in core.outbox.added] == [
        (QA_TOP, ORGANISER, qa_top_key(qid, ORGANISER))
    ]
    assert (await qa.stage_queue(ORGANISER, PANEL)).notices
    notice = await qa.top_notice(core.outbox.added[0].payload, ORGANISER)
    assert notice is not None
    assert notice.rank == 1
    assert await qa.top_notice(core.outbox.added[0].payload, SPEAKER) is None  # not his to get
    await qa.set_notices(ORGANISER, PANEL, False)
    assert await qa.top_notice(core.outbox.added[0].payload, ORGANISER) is None


async def test_a_question_outside_the_top_three_is_no_news(core: Core, qa: QandA) -> None:
    clock = core.clock
    clock.set(brussels(14, 0))
    await qa.set_notices(MODERATOR, PANEL, True)
    ids = []
    for uid in (1, 2, 3, 4):
        ids.append((await ask(qa, uid, f"Question {uid}")).question_id)
    for votes, qid in zip((5, 4, 3), ids, strict=False):
        for voter in range(10, 10 + votes):
            await qa.vote(voter, qid)
    told = {e.payload["question_id"] for e in core.outbox.added}
    assert told == set(ids[:3])
    await qa.vote(20, ids[3])
    await qa.vote(21, ids[3])  # 2 votes, fourth place: not told
    assert {e.payload["question_id"] for e in core.outbox.added} == set(ids[:3])
    await qa.moderate(MODERATOR, ids[0], QA_HIDDEN)  # now it is third
    assert {e.payload["question_id"] for e in core.outbox.added} == set(ids)


# ---------------------------------------------------------------------- the follow-up
async def test_speakers_get_the_unanswered_questions_once(core: Core, qa: QandA) -> None:
    clock = core.clock
    clock.set(brussels(14, 0))
    a = (await ask(qa, 1, "Unanswered and popular")).question_id
    b = (await ask(qa, 2, "Answered on stage")).question_id
    await ask(qa, 3, "Unanswered")
    hidden = (await ask(qa, 4, "Hidden")).question_id
    await qa.vote(9, a)
    await qa.moderate(MODERATOR, b, QA_ANSWERED)
    await qa.moderate(MODERATOR, hidden, QA_HIDDEN)
    clock.set(brussels(15, 29))
    assert await qa.tick() == 0  # still open
    clock.set(brussels(15, 30))
    assert await qa.tick() == 2
    followups = [e for e in core.outbox.added if e.kind == QA_FOLLOWUP]
    # Its speakers (linked ones), not the moderator: he was there.
    assert sorted(e.chat_id for e in followups) == [SPEAKER, SPEAKER2]
    assert {e.dedup_key for e in followups} == {
        qa_followup_key(PANEL, SPEAKER),
        qa_followup_key(PANEL, SPEAKER2),
    }
    assert await qa.tick() == 0
    assert await make(core).tick() == 0  # a restart: the outbox's keys say it is planned
    followup = await qa.followup({"session_id": PANEL}, SPEAKER)
    assert followup is not None
    assert [q.text for q in followup.questions] == ["Unanswered and popular", "Unanswered"]
    assert followup.questions[0].votes == 1
    assert not followup.sees_names
    assert await qa.followup({"session_id": PANEL}, 7) is None  # not a speaker of it
    assert await qa.followup({"session_id": "gone"}, SPEAKER) is None


async def test_no_follow_up_without_unanswered_questions(core: Core, qa: QandA) -> None:
    clock = core.clock
    clock.set(brussels(14, 0))
    qid = (await ask(qa, 1, "Answered")).question_id
    await qa.moderate(MODERATOR, qid, QA_ANSWERED)
    clock.set(brussels(15, 40))
    assert await qa.tick() == 0
    clock.set(brussels(23, 59))
    assert await qa.tick() == 0


async def test_a_session_with_only_a_moderator_follows_up_with_him(core: Core, qa: QandA) -> None:
    chair = dataclasses.replace(
        session(core, KEYNOTE),
        speakers=(SessionSpeaker("ophir-revach", "chair"),),
        type=SessionType.KEYNOTE,
    )
    qa_ = make(core)
    assert await qa_._followup_users(chair) == [MODERATOR]


# ---------------------------------------------------------------------- /stats
async def test_stats_count_questions_states_votes_and_the_most_asked(core: Core, qa: QandA) -> None:
    assert await qa.stats_section() == "<b>Questions to the stage</b>\nNo questions yet."
    core.clock.set(brussels(10, 5))
    await ask(qa, 1, "A keynote question", KEYNOTE)
    core.clock.set(brussels(14, 0))
    first = (await ask(qa, 1, "First panel question")).question_id
    second = (await ask(qa, 2, "Second panel question")).question_id
    await ask(qa, 3, "Third panel question")
    for voter in (4, 5, 6):
        await qa.vote(voter, first)
    await qa.moderate(MODERATOR, first, QA_ANSWERED)
    await qa.moderate(MODERATOR, second, QA_HIDDEN)
    # A question about a session a reload removed since.
    await core.store.qa.ask(
        NewQuestion("gone-session", 7, "U7", False, "Gone?", "gone", core.now()),
        max_per_session=MAX_PER_SESSION,
        cooldown=COOLDOWN,
    )
    lines = (await qa.stats_section()).split("\n")
    assert lines[0] == "<b>Questions to the stage</b>: 5 questions on 3 sessions, 3 votes"
    assert lines[1] == "3 waiting · 1 answered · 1 hidden"
    panel, keynote = session(core, PANEL).title, session(core, KEYNOTE).title
    assert lines[2:] == [
        "<i>Most questions:</i>",
        f"1. <b>{panel}</b>: 3 questions",
        "2. <b>gone-session (no longer in the agenda)</b>: 1 question",  # the latest asked
        f"3. <b>{keynote}</b>: 1 question",
    ]


# ---------------------------------------------------------------------- export
async def test_the_csv_pseudonymises_askers(core: Core, qa: QandA) -> None:
    clock = core.clock
    clock.set(brussels(10, 5))
    await ask(qa, 1, '=HYPERLINK("x") keynote', KEYNOTE)
    clock.set(brussels(14, 0))
    q = (await ask(qa, 1, 'Quotes "and" commas, here', anonymous=True)).question_id
    await qa.vote(2, q)
    await qa.moderate(MODERATOR, q, QA_ANSWERED)
    export = await qa.export(by=ORGANISER)
    assert export.questions == 2
    assert export.sessions == 2
    text = export.csv.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == CSV_HEADER
    first, second = (dict(zip(CSV_HEADER, r, strict=True)) for r in rows[1:])
    assert first["session_id"] == KEYNOTE  # programme order
    assert first["question"].startswith("'=HYPERLINK")  # defused
    assert second["question"] == 'Quotes "and" commas, here'
    assert second["anonymous"] == "yes"
    assert second["votes"] == "1"
    assert second["state"] == "answered"
    assert second["moderated_at"]
    assert first["asker"] == second["asker"]
    assert first["asker"].startswith("u-")
    assert "U1" not in text  # the name it was posted under stays in the bot
    entries = await core.store.audit.recent(action="export")
    assert entries
    assert entries[0].user_id == ORGANISER
