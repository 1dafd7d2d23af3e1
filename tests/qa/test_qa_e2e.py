"""Audience questions end to end: the real bot against the emulator, on a driven clock.

Asking before, during and after a session; the draft with Post / Cancel; anonymity as the
audience and the stage see it; votes, unvotes, own votes and forged presses; the stage's
ranking, answered, hide, restore, pause and reopen; the limits; the moderator's top-three
notice; the speakers' follow-up (once, across a restart); the questions CSV; paging of a
queue of many long questions; the reminder's Ask button; group chats.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable

from bot.clock import ManualClock
from bot.emulator import BotApiEmulator
from bot.emulator.harness import BotHarness
from bot.emulator.users import BotMessage, FakeUser
from bot.qa import CSV_HEADER, MAX_LENGTH
from bot.store.records import QA_ANSWERED, QA_HIDDEN, QA_OPEN
from tests.conftest import HarnessFactory, brussels
from tests.steps import at, sent

PANEL = "panel-october-7"  # 14:00-15:15 in the Plenary Hall, moderated by Ophir Revach
TITLE = "Challenges and best practices"
ORG = 9000
MOD = 501  # Ophir Revach, the panel's moderator
SPK = 502  # Katharina von Schnurbein, on the panel
SPK2 = 503  # Bartjan Wegter, on the panel
HOSTILE = '<b>Is</b> the "hotline" & chat open at night? {name} %s'


async def started(bot: BotHarness, uid: int, name: str) -> FakeUser:
    user = bot.user(uid, name)
    await user.send("/start")
    await user.wait_for(lambda m: "Hello" in (m.plain_text or ""))
    return user


async def link(bot: BotHarness, uid: int, speaker_id: str) -> None:
    rt = bot.runtime
    assert await rt.store.speakers.link_username(speaker_id, uid, rt.now())


def newer(user: FakeUser, predicate: Callable[[BotMessage], bool]) -> Callable[[BotMessage], bool]:
    """A message sent after this moment that matches (edits of older ones do not count)."""
    after = max((m.message_id for m in user.messages), default=0)
    return lambda m: m.message_id > after and predicate(m)


def says(needle: str) -> Callable[[BotMessage], bool]:
    return lambda m: needle in (m.plain_text or m.text or "")


async def card(user: FakeUser, session_id: str = PANEL) -> BotMessage:
    wanted = newer(user, lambda m: "⭐ Bookmark" in m.button_texts or "Remove" in str(m.buttons))
    await user.send(f"/session {session_id}")
    return await user.wait_for(wanted)


async def answer_of(user: FakeUser, callback_id: str) -> str:
    return (await user.callback_answer(callback_id)).text or ""


async def ask(user: FakeUser, text: str, *, anonymous: bool = False) -> BotMessage:
    """From the card: Ask, the text, the draft, Post; the confirmation."""
    shown = await card(user)
    prompt = newer(user, says("send it as your next message"))
    await user.press(shown, "❓ Ask a question")
    await user.wait_for(prompt)
    draft_shown = newer(user, says("Post it under your first name"))
    await user.send(text)
    draft = await user.wait_for(draft_shown)
    await user.press(draft, "Post anonymously" if anonymous else "Post as")
    return await user.wait_for(
        lambda m: m.message_id == draft.message_id and "is posted" in (m.plain_text or "")
    )


async def queue(user: FakeUser) -> BotMessage:
    shown = await card(user)
    opened = newer(user, says("Questions:"))
    await user.press(shown, "💬 Questions")
    return await user.wait_for(opened)


async def stage(user: FakeUser, session_id: str = PANEL) -> BotMessage:
    opened = newer(user, says("Questions to the stage"))
    await user.send(f"/questions {session_id}")
    return await user.wait_for(opened)


async def ids(bot: BotHarness) -> dict[str, int]:
    """Question text -> id, straight from the store."""
    rows = await bot.runtime.store.qa.export_rows()
    return {q.text: q.id for q in rows}


async def state(bot: BotHarness, question_id: int) -> tuple[str, int]:
    q = await bot.runtime.store.qa.question(question_id)
    assert q is not None
    return q.state, q.votes


async def notices_on(user: FakeUser) -> None:
    """From the stage view: top-three notices switched on, the view redrawn to say so."""
    board = await stage(user)
    toast = await answer_of(user, await user.press(board, "🔕 Top-three notices: off"))
    assert "top three" in toast
    await user.wait_for(
        lambda m: m.message_id == board.message_id and "🔔 Top-three notices: on" in m.button_texts
    )


# ---------------------------------------------------------------------- asking
async def test_ask_before_during_and_after_a_session(
    make_bot: HarnessFactory, clock: ManualClock
) -> None:
    bot = await make_bot(ORGANISER_IDS=str(ORG))
    ada = await started(bot, 1001, "Ada")
    bob = await started(bot, 1002, "Bob")
    carol = await started(bot, 1003, "Carol")
    org = await started(bot, ORG, "Olga")
    mod = await started(bot, MOD, "Ophir")
    spk = await started(bot, SPK, "Katharina")
    await link(bot, MOD, "ophir-revach")
    await link(bot, SPK, "katharina-von-schnurbein")
    store = bot.runtime.store.qa

    # 13:40, lunch: the panel's questions open at 13:45.
    clock.set(brussels(13, 40))
    shown = await card(ada)
    assert "❓ Ask a question" not in shown.button_texts
    assert "💬 Questions" not in shown.button_texts
    nothing = newer(ada, says("No session takes questions right now"))
    await ada.send("/ask")
    reply = await ada.wait_for(nothing)
    assert TITLE in (reply.plain_text or "")
    assert "13:45" in (reply.plain_text or "")
    too_early = await answer_of(ada, await ada.press_data(shown.message_id, f"qa:{PANEL}"))
    assert "open at" in too_early
    assert "13:45" in too_early
    assert await bot.runtime.store.users.pending(1001) is None

    # 13:45: open. /ask goes straight to the one session taking questions.
    clock.set(brussels(13, 45))
    shown = await card(ada)
    assert "❓ Ask a question" in shown.button_texts
    assert "💬 Questions" in shown.button_texts
    prompt = newer(ada, says("send it as your next message"))
    await ada.send("/ask")
    asked = await ada.wait_for(prompt)
    assert TITLE in (asked.plain_text or "")
    assert f"up to {MAX_LENGTH} characters" in (asked.plain_text or "")
    draft_shown = newer(ada, says("Post it under your first name"))
    await ada.send(HOSTILE)
    draft = await ada.wait_for(draft_shown)
    assert html.escape(HOSTILE) in (draft.text or "")  # escaped, and parsed back:
    assert HOSTILE in (draft.plain_text or "")
    assert draft.button_texts == ["📢 Post as Ada", "🕶 Post anonymously", "✖️ Cancel"]
    assert await store.count() == 0  # nothing is posted before Post
    await ada.press(draft, "📢 Post as Ada")
    posted = await ada.wait_for(
        lambda m: m.message_id == draft.message_id and "is posted" in (m.plain_text or "")
    )
    assert "under your first name" in (posted.plain_text or "")
    assert "You can ask 2 more questions" in (posted.plain_text or "")
    assert await store.count() == 1

    # Bob asks from the card, anonymously.
    confirmation = await ask(bob, "Who funds the security centre?", anonymous=True)
    assert "anonymously" in (confirmation.plain_text or "")

    # The audience: Ada under her first name, Bob anonymous.
    seen = await queue(carol)
    plain = seen.plain_text or ""
    assert HOSTILE in plain
    assert "Who funds the security centre?" in plain
    assert "Ada" in plain
    assert "anonymous" in plain
    assert "Bob" not in plain
    assert "Open for questions until 15:30" in plain
    # The moderator and the organiser always see who asked; a speaker does not.
    for person in (mod, org):
        view = (await stage(person)).plain_text or ""
        assert "Bob" in view
        assert "anonymous to the audience" in view
        assert HOSTILE in view
    speaker_view = (await stage(spk)).plain_text or ""
    assert "Bob" not in speaker_view
    assert "Ada" in speaker_view

    # Cancel: nothing is posted, and the next text is an ordinary question to the bot.
    shown = await card(carol)
    prompt = newer(carol, says("send it as your next message"))
    await carol.press(shown, "❓ Ask a question")
    asked = await carol.wait_for(prompt)
    await carol.press(asked, "✖️ Cancel")
    await carol.wait_for(
        lambda m: m.message_id == asked.message_id and "Cancelled" in (m.text or "")
    )
    answered = newer(carol, lambda m: "Post it under" not in (m.plain_text or ""))
    await carol.send("when is lunch")
    await carol.wait_for(answered)
    assert await store.count() == 2

    # A draft typed before the close cannot be posted after it.
    clock.set(brussels(15, 25))
    shown = await card(carol)
    prompt = newer(carol, says("send it as your next message"))
    await carol.press(shown, "❓ Ask a question")
    await carol.wait_for(prompt)
    draft_shown = newer(carol, says("Post it under your first name"))
    await carol.send("Too late?")
    late = await carol.wait_for(draft_shown)

    # 15:30: closed; the queue stays readable.
    clock.set(brussels(15, 30))
    refused = await answer_of(carol, await carol.press(late, "Post as"))
    assert "closed at 15:30" in refused
    assert await store.count() == 2
    shown = await card(carol)
    assert "❓ Ask a question" not in shown.button_texts
    assert "💬 Questions" in shown.button_texts
    closed = await answer_of(carol, await carol.press_data(shown.message_id, f"qa:{PANEL}"))
    assert "closed at 15:30" in closed
    after = await queue(carol)
    assert "Questions closed at 15:30" in (after.plain_text or "")
    assert "Who funds the security centre?" in (after.plain_text or "")
    assert not [t for t in after.button_texts if "👍" in t]  # no more votes
    bobs = (await ids(bot))["Who funds the security centre?"]
    late_vote = await answer_of(carol, await carol.press_data(after.message_id, f"qv:{bobs}:0"))
    assert "closed at 15:30" in late_vote
    assert await bot.runtime.store.qa.vote_count() == 0
    assert not bot.emulator.unanswered_callbacks


async def test_questions_are_asked_in_private_chats(
    make_bot: HarnessFactory, clock: ManualClock
) -> None:
    bot = await make_bot()
    ada = await started(bot, 1001, "Ada")
    group = bot.emulator.group("Hallway", creator=ada)
    await group.add_bot(by=ada)
    clock.set(brussels(14, 0))
    await ada.send("/ask", chat=group)
    reply = await group.wait_for(says("private chat"))
    assert reply.chat_id == group.chat_id
    await ada.send("/questions", chat=group)
    await group.wait_for(
        lambda m: m.message_id > reply.message_id and "private chat" in (m.text or "")
    )
    # A card can reach a group (a reply to the bot is a question): its buttons point away.
    for data in (f"qa:{PANEL}", f"qo:{PANEL}", "qv:1:0", f"qn:{PANEL}"):
        cid = await ada.press_data(reply.message_id, data, chat=group)
        assert "private chat" in await answer_of(ada, cid)
    assert await bot.runtime.store.users.pending(1001) is None


async def test_ask_with_the_question_in_the_command(
    make_bot: HarnessFactory, clock: ManualClock
) -> None:
    bot = await make_bot()
    ada = await started(bot, 1001, "Ada")
    clock.set(brussels(14, 10))
    draft_shown = newer(ada, says("Post it under your first name"))
    await ada.send("/ask Is there a recording?")
    draft = await ada.wait_for(draft_shown)
    assert "Is there a recording?" in (draft.plain_text or "")
    await ada.press(draft, "Post anonymously")
    await ada.wait_for(lambda m: m.message_id == draft.message_id and "posted" in (m.text or ""))
    assert await bot.runtime.store.qa.count() == 1


async def test_ask_chooses_when_several_sessions_run(
    make_bot: HarnessFactory, clock: ManualClock
) -> None:
    bot = await make_bot()
    ada = await started(bot, 1001, "Ada")
    clock.set(brussels(12, 30))  # the keynote in the Plenary Hall and the workshop in Room B
    choice = newer(ada, says("Which one is your question for?"))
    await ada.send("/ask")
    shown = await ada.wait_for(choice)
    assert [t.split(" ", 1)[1][:20] for t in shown.button_texts] == [
        "Tools to protect vul",
        "Crisis management fo",
    ]
    prompt = newer(ada, says("send it as your next message"))
    await ada.press(shown, "Crisis management")
    asked = await ada.wait_for(prompt)
    assert "Crisis management for Jewish communities" in (asked.plain_text or "")


# ---------------------------------------------------------------------- votes and moderation
async def test_votes_the_stage_and_forged_presses(
    make_bot: HarnessFactory, clock: ManualClock
) -> None:
    bot = await make_bot(ORGANISER_IDS=str(ORG))
    ada = await started(bot, 1001, "Ada")
    bob = await started(bot, 1002, "Bob")
    carol = await started(bot, 1003, "Carol")
    dave = await started(bot, 1004, "Dave")
    eve = await started(bot, 1005, "Eve")
    mod = await started(bot, MOD, "Ophir")
    await link(bot, MOD, "ophir-revach")
    store = bot.runtime.store.qa
    clock.set(brussels(14, 0))
    await ask(ada, "First: how do we train volunteers?")
    clock.advance(seconds=1)
    await ask(bob, "Second: what changed since October?")
    clock.advance(seconds=1)
    await ask(carol, "Third: who pays for guards?")
    found = await ids(bot)
    first, second, third = (found[t] for t in sorted(found))

    # Dave votes for the second, takes it back, votes again; his own list is redrawn.
    view = await queue(dave)
    assert [t for t in view.button_texts if "👍" in t] == ["#1 👍 0", "#2 👍 0", "#3 👍 0"]
    toast = await answer_of(dave, await dave.press(view, "#2 👍 0"))
    assert "Your vote counts. 1 vote now" in toast
    view = await dave.wait_for(
        lambda m: m.message_id == view.message_id and "#1 👍 1 ✓" in m.button_texts
    )
    assert (view.plain_text or "").index("Second") < (view.plain_text or "").index("First")
    toast = await answer_of(dave, await dave.press(view, "#1 👍 1 ✓"))
    assert "taken back. 0 votes now" in toast
    assert await state(bot, second) == (QA_OPEN, 0)
    await answer_of(dave, await dave.press_data(view.message_id, f"qv:{second}:0"))
    eve_view = await queue(eve)
    await answer_of(eve, await eve.press_data(eve_view.message_id, f"qv:{second}:0"))
    assert await state(bot, second) == (QA_OPEN, 2)
    assert await store.vote_count() == 2

    # No vote on one's own question: Ada's list says "yours" and a forged press stores nothing.
    own = await queue(ada)
    assert "#2 · yours" in own.button_texts
    toast = await answer_of(ada, await ada.press_data(own.message_id, f"qv:{first}:0"))
    assert "your own question" in toast
    assert await state(bot, first) == (QA_OPEN, 0)

    # Forged and stale presses: a polite answer each, nothing stored.
    forged = {
        "qv:999999:0": "no longer in the programme",
        "qv:abc:0": "no longer",
        "qv:1": "no longer",
        f"qx:{first}:a:0": "Only the session's moderators",
        f"qx:{first}:z:0": "no longer",
        f"qc:{PANEL}:p": "Only the session's moderators",
        f"qc:{PANEL}:n": "Only the session's moderators",
        f"qs:{PANEL}:w:0": "Only the session's moderators",
        f"qs:{PANEL}:zz:0": "no longer",
        "qp:forged:n": "no longer waiting",
        "qa:lunch": "Breaks take no questions",
        "qo:nope": "no longer in the programme",
    }
    for data, expected in forged.items():
        got = await answer_of(dave, await dave.press_data(view.message_id, data))
        assert expected in got, (data, got)
    assert [await state(bot, q) for q in (first, second, third)] == [
        (QA_OPEN, 0),
        (QA_OPEN, 2),
        (QA_OPEN, 0),
    ]
    assert not await store.paused(PANEL)

    # The moderator: ranked by votes, then age; marks the second answered.
    board = await stage(mod)
    text = board.plain_text or ""
    assert text.index("Second") < text.index("First") < text.index("Third")
    assert "3 waiting · 0 answered · 0 hidden" in text
    toast = await answer_of(mod, await mod.press(board, "✅ Answered #1"))
    assert "answered" in toast
    board = await mod.wait_for(
        lambda m: (
            m.message_id == board.message_id and "2 waiting · 1 answered" in (m.plain_text or "")
        )
    )
    assert await state(bot, second) == (QA_ANSWERED, 2)
    again = await answer_of(mod, await mod.press_data(board.message_id, f"qx:{second}:a:0"))
    assert "did that already" in again
    # The audience sees it marked, at the bottom, and cannot vote on it any more.
    view = await queue(dave)
    plain = view.plain_text or ""
    assert "✅ answered" in plain
    assert plain.index("Second") > plain.index("Third")
    toast = await answer_of(dave, await dave.press_data(view.message_id, f"qv:{second}:0"))
    assert "answered already" in toast

    # Hide: the audience no longer sees it, and the asker is not told.
    carol_before = len(carol.messages)
    board_text = board.plain_text or ""
    rank = 1 if board_text.index("Third") < board_text.index("First") else 2
    toast = await answer_of(mod, await mod.press(board, f"🙈 Hide #{rank}"))
    assert "Hidden" in toast
    assert await state(bot, third) == (QA_HIDDEN, 0)
    assert len(carol.messages) == carol_before
    for person in (dave, carol):
        assert "Third" not in ((await queue(person)).plain_text or "")
    toast = await answer_of(dave, await dave.press_data(view.message_id, f"qv:{third}:0"))
    assert "no longer in the queue" in toast
    # ... and can be put back from the other tab.
    board = await stage(mod)
    await answer_of(mod, await mod.press(board, "Answered and hidden (2)"))
    done = await mod.wait_for(
        lambda m: m.message_id == board.message_id and "↩️ Restore #1" in m.button_texts
    )
    hidden_rank = (
        1 if (done.plain_text or "").index("Third") < (done.plain_text or "").index("Second") else 2
    )
    await answer_of(mod, await mod.press(done, f"↩️ Restore #{hidden_rank}"))
    assert await state(bot, third) == (QA_OPEN, 0)
    assert "Third" in ((await queue(dave)).plain_text or "")

    # Pause and reopen: no new questions meanwhile, votes still count.
    board = await stage(mod)
    toast = await answer_of(mod, await mod.press(board, "⏸ Pause questions"))
    assert "Paused" in toast
    await mod.wait_for(
        lambda m: m.message_id == board.message_id and "▶️ Reopen questions" in m.button_texts
    )
    shown = await card(eve)
    paused = await answer_of(eve, await eve.press(shown, "❓ Ask a question"))
    assert "paused" in paused
    view = await queue(eve)
    assert "paused by the moderator" in (view.plain_text or "")
    assert "❓ Ask a question" not in view.button_texts
    await answer_of(eve, await eve.press_data(view.message_id, f"qv:{first}:0"))
    assert await state(bot, first) == (QA_OPEN, 1)
    board = await stage(mod)
    await answer_of(mod, await mod.press(board, "▶️ Reopen questions"))
    assert not await store.paused(PANEL)
    await ask(eve, "After the pause")
    assert await store.count() == 4
    assert not bot.emulator.unanswered_callbacks


async def test_limits_per_person_cool_down_and_duplicates(
    make_bot: HarnessFactory, clock: ManualClock
) -> None:
    bot = await make_bot()
    frank = await started(bot, 1006, "Frank")
    grace = await started(bot, 1007, "Grace")
    store = bot.runtime.store.qa
    clock.set(brussels(14, 0))
    await ask(frank, "One?")
    # The second within the cool-down: Post waits, the draft stays.
    shown = await card(frank)
    prompt = newer(frank, says("send it as your next message"))
    await frank.press(shown, "❓ Ask a question")
    await frank.wait_for(prompt)
    draft_shown = newer(frank, says("Post it under"))
    await frank.send("Two?")
    draft = await frank.wait_for(draft_shown)
    clock.advance(seconds=20)
    wait = await answer_of(frank, await frank.press(draft, "Post as"))
    assert "in 40 seconds" in wait
    assert await store.count() == 1
    clock.advance(seconds=40)
    await answer_of(frank, await frank.press(draft, "Post as"))
    assert await store.count() == 2
    clock.advance(seconds=61)
    last = await ask(frank, "Three?")
    assert "That was your last question" in (last.plain_text or "")
    clock.advance(seconds=61)
    shown = await card(frank)
    limit = await answer_of(frank, await frank.press(shown, "❓ Ask a question"))
    assert "3 questions" in limit
    assert await store.count() == 3

    # The same question twice: pointed to the first one, to upvote it.
    shown = await card(grace)
    prompt = newer(grace, says("send it as your next message"))
    await grace.press(shown, "❓ Ask a question")
    await grace.wait_for(prompt)
    refused = newer(grace, says("asked already"))
    await grace.send("  one  ")
    duplicate = await grace.wait_for(refused)
    assert duplicate.button_texts == ["👍 Upvote it (0)"]
    toast = await answer_of(grace, await grace.press(duplicate, "👍 Upvote it (0)"))
    assert "1 vote now" in toast
    assert await store.count() == 3
    assert await store.vote_count() == 1
    # Too long, then right.
    shown = await card(grace)
    prompt = newer(grace, says("send it as your next message"))
    await grace.press(shown, "❓ Ask a question")
    await grace.wait_for(prompt)
    too_long = newer(grace, says("Please shorten it"))
    await grace.send("x" * (MAX_LENGTH + 1))
    refusal = await grace.wait_for(too_long)
    assert f"{MAX_LENGTH + 1} characters" in (refusal.plain_text or "")
    draft_shown = newer(grace, says("Post it under"))
    await grace.send("A shorter one")
    await grace.wait_for(draft_shown)


# ---------------------------------------------------------------------- notices, follow-up, CSV
async def test_an_organiser_turns_top_three_notices_on_in_the_stage_view(
    make_bot: HarnessFactory, clock: ManualClock
) -> None:
    bot = await make_bot(ORGANISER_IDS=str(ORG))
    ada = await started(bot, 1001, "Ada")
    voters = [await started(bot, uid, f"V{uid}") for uid in (1010, 1011)]
    org = await started(bot, ORG, "Olga")
    clock.set(brussels(14, 0))
    await notices_on(org)
    await ask(ada, "Popular question")
    popular = (await ids(bot))["Popular question"]
    notices = newer(org, says("A question is now number"))
    for voter in voters:
        view = await queue(voter)
        await answer_of(voter, await voter.press_data(view.message_id, f"qv:{popular}:0"))
    await sent(bot)
    notice = await org.wait_for(notices)
    assert "Popular question" in (notice.plain_text or "")


async def test_top_three_notice_follow_up_after_a_restart_and_csv(
    make_bot: HarnessFactory, clock: ManualClock
) -> None:
    bot = await make_bot(ORGANISER_IDS=str(ORG))
    ada = await started(bot, 1001, "Ada")
    bob = await started(bot, 1002, "Bob")
    voters = [await started(bot, uid, f"V{uid}") for uid in (1010, 1011, 1012)]
    org = await started(bot, ORG, "Olga")
    mod = await started(bot, MOD, "Ophir")
    spk = await started(bot, SPK, "Katharina")
    spk2 = await started(bot, SPK2, "Bartjan")
    for uid, speaker in (
        (MOD, "ophir-revach"),
        (SPK, "katharina-von-schnurbein"),
        (SPK2, "bartjan-wegter"),
    ):
        await link(bot, uid, speaker)
    clock.set(brussels(14, 0))

    # The moderator asks for notices from his stage view.
    await notices_on(mod)
    await ask(ada, "Popular <question> & more")
    await ask(bob, "Quiet question", anonymous=True)
    popular = (await ids(bot))["Popular <question> & more"]
    notices = newer(mod, says("A question is now number"))
    for voter in voters[:2]:
        view = await queue(voter)
        await answer_of(voter, await voter.press_data(view.message_id, f"qv:{popular}:0"))
    await sent(bot)
    notice = await mod.wait_for(notices)
    assert "number 1" in (notice.plain_text or "")
    assert "Popular <question> & more" in (notice.plain_text or "")
    assert "&lt;question&gt; &amp;" in (notice.text or "")
    assert notice.button_texts == ["🎙 Open the questions"]
    await mod.press(notice, "🎙 Open the questions")
    await mod.wait_for(newer(mod, says("Questions to the stage")))
    view = await queue(voters[2])
    await answer_of(voters[2], await voters[2].press_data(view.message_id, f"qv:{popular}:0"))
    await sent(bot)
    assert sum("A question is now number" in (m.plain_text or "") for m in mod.messages) == 1

    # After the close the speakers (not the moderator) get what was not answered.
    clock.set(brussels(15, 30))
    before = len(mod.messages)
    await bot.runtime.qa.tick()
    await sent(bot)
    for speaker in (spk, spk2):
        followup = await speaker.wait_for(says("is over"))
        text = followup.plain_text or ""
        assert "2 questions from the audience were not answered" in text
        assert text.index("Popular") < text.index("Quiet")
        assert "👍 3" in text
        assert "Bob" not in text  # a speaker does not see who asked anonymously
        assert followup.button_texts == ["🎙 Open the questions"]
    assert len(mod.messages) == before

    # Once, even across a restart.
    await bot.restart()
    await bot.runtime.qa.tick()
    await sent(bot)
    for speaker in (spk, spk2):
        assert sum("is over" in (m.plain_text or "") for m in speaker.messages) == 1

    # /export: the questions CSV beside the feedback (none here), askers pseudonymised.
    shown = newer(org, lambda m: (m.document_name or "").startswith("questions-"))
    await org.send("/export")
    doc = await org.wait_for(shown)
    assert doc.document_bytes is not None
    assert "2 audience questions" in (doc.caption or "")
    rows = list(csv.reader(io.StringIO(doc.document_bytes.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == CSV_HEADER
    records = [dict(zip(CSV_HEADER, r, strict=True)) for r in rows[1:]]
    assert [r["question"] for r in records] == ["Popular <question> & more", "Quiet question"]
    assert [r["votes"] for r in records] == ["3", "0"]
    assert [r["anonymous"] for r in records] == ["no", "yes"]
    assert all(r["asker"].startswith("u-") for r in records)
    assert "1001" not in doc.document_bytes.decode("utf-8-sig")
    assert not [m for m in org.messages if (m.document_name or "").startswith("feedback-")]


async def test_a_long_queue_is_paged_and_fits(make_bot: HarnessFactory, clock: ManualClock) -> None:
    """Thirty questions of 500 characters that escape to five times their length."""
    bot = await make_bot(ORGANISER_IDS=str(ORG))
    reader = await started(bot, 1001, "Ada")
    org = await started(bot, ORG, "Olga")
    await link(bot, SPK, "katharina-von-schnurbein")
    spk = await started(bot, SPK, "Katharina")
    rt = bot.runtime
    clock.set(brussels(14, 0))
    for uid in range(2000, 2030):
        await rt.store.users.seen(uid, f"Name{uid} <&>", None, "en", rt.now())
        await rt.qa.begin(uid, PANEL)
        draft = await rt.qa.take_text(uid, (f"{uid} " + '&<>"' * 200)[:MAX_LENGTH])
        assert draft is not None
        await rt.qa.post(uid, draft.token, anonymous=uid % 2 == 0, name=f"Name{uid} <&>")

    def within_limits(m: BotMessage) -> None:
        assert len(m.text or "") <= 4096, len(m.text or "")
        assert sum(len(row) for row in m.buttons) <= 100

    view = await queue(reader)
    within_limits(view)
    assert "Page 1 of" in (view.plain_text or "")
    pages = int((view.plain_text or "").rsplit("Page 1 of ", 1)[1].split(".")[0])
    assert pages > 1
    seen: set[str] = set()
    for page in range(pages):
        within_limits(view)
        seen.update(re.findall(r"^\d+\. (\d{4}) ", view.plain_text or "", re.MULTILINE))
        if page + 1 < pages:
            await reader.press(view, "Next ▶")
            mid, label = view.message_id, f"Page {page + 2} of"
            view = await reader.wait_for(
                lambda m: m.message_id == mid and label in (m.plain_text or "")  # noqa: B023  awaited at once
            )
    assert seen == {str(uid) for uid in range(2000, 2030)}  # every question on some page
    board = await stage(org)
    within_limits(board)
    clock.set(brussels(15, 30))
    await rt.qa.tick()
    await sent(bot)
    followup = await spk.wait_for(says("is over"))
    within_limits(followup)
    assert "more: the button below shows them all" in (followup.plain_text or "")


async def test_the_reminder_offers_ask(make_bot: HarnessFactory, clock: ManualClock) -> None:
    bot = await make_bot()
    ada = await started(bot, 1001, "Ada")
    clock.set(brussels(13, 0))
    shown = await card(ada)
    await ada.press(shown, "⭐ Bookmark")
    await ada.wait_for(lambda m: "Remove bookmark" in str(m.buttons))
    await at(bot, 13, 50)  # reminders: 10 minutes before
    reminder = await ada.wait_for(says("starts in 10 minutes"))
    assert "❓ Ask a question" in reminder.button_texts
    prompt = newer(ada, says("send it as your next message"))
    await ada.press(reminder, "❓ Ask a question")
    await ada.wait_for(prompt)


async def test_command_menus_offer_ask_and_questions(
    emulator: BotApiEmulator, make_bot: HarnessFactory
) -> None:
    emulator.user(ORG, "Olga")  # the organiser's chat exists when the menus are set
    emulator.user(1001, "Ada")
    bot = await make_bot(ORGANISER_IDS=str(ORG))
    everyone = [c["command"] for c in bot.emulator.visible_commands(1001)]
    assert "ask" in everyone
    assert "questions" not in everyone
    organiser = [c["command"] for c in bot.emulator.visible_commands(ORG)]
    assert organiser.count("questions") == 1
    assert "ask" in organiser
