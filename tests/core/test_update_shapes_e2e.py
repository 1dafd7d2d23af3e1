"""Every kind of update Telegram sends, end to end: the right reply or the right silence, no
traceback in the log, and the bot still answering afterwards.

Shapes: buttons on inline messages, buttons from older bots, channel posts and their edits,
groups where the bot is an admin or a plain member, forum topics, a user blocking the bot,
edits. (The same update delivered twice is issue 13's update processor.)
"""

from __future__ import annotations

import logging

import pytest

from bot import texts
from bot.emulator.harness import BotHarness
from tests.conftest import HarnessFactory
from tests.core.shapes import (
    errors,
    inline_message,
    refused_calls,
    settle,
    still_answers,
    twice_answered,
)

ORGANISER = 9001
BOT = "confbot_test_bot"


@pytest.fixture
async def org_bot(make_bot: HarnessFactory) -> BotHarness:
    return await make_bot(ORGANISER_IDS=str(ORGANISER))


@pytest.fixture(autouse=True)
def _logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)


# ------------------------------------------------------------------ buttons on inline messages
async def test_buttons_on_an_inline_message_edit_it_in_place(
    org_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    emu = org_bot.emulator
    ada = org_bot.user(1001, "Ada")
    await still_answers(ada)
    friend = emu.group("Friends", creator=ada)
    card = await inline_message(
        emu,
        ada,
        "<b>Welcoming remarks</b>",
        [[("Day", "d:20241127:0"), ("Open", "s:welcome")], [("⭐", "bm:welcome")]],
    )
    assert card.inline_message_id is not None
    answers = [await ada.press(card, "Day")]
    await settle(org_bot)
    assert "Wednesday 27 November 2024" in (card.plain_text or ""), "the day, in place"
    answers.append(await ada.press(card, "09:15 Welcoming remarks"))
    await settle(org_bot)
    assert "Raya Kalenova" in (card.plain_text or ""), "a card opened in place, not in a chat"
    answers.append(await ada.press(card, "⭐ Bookmark"))
    await settle(org_bot)
    assert await org_bot.runtime.store.bookmarks.has(1001, "welcome")
    for qid in answers:
        await ada.callback_answer(qid)
    edits = emu.calls_of("editMessageText")
    assert edits
    assert all(c.params.get("inline_message_id") for c in edits)
    assert not friend.messages, "never a reply into a chat the bot does not know"
    assert errors(caplog) == []
    assert refused_calls(emu) == []
    assert twice_answered(emu) == []
    assert emu.unanswered_callbacks == []
    await still_answers(ada)


async def test_a_file_button_on_an_inline_message_goes_to_a_private_chat_if_there_is_one(
    org_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    emu = org_bot.emulator
    ada, bob = org_bot.user(1001, "Ada"), org_bot.user(1002, "Bob")
    await still_answers(ada)  # Ada talks to the bot; Bob never did
    card = await inline_message(emu, ada, "<b>Welcoming remarks</b>", [[("ics", "ics:welcome")]])
    await ada.callback_answer(await ada.press(card, "ics"))
    sent = await ada.wait_for(lambda m: m.document_name is not None)
    assert (sent.document_name or "").endswith(".ics")
    await bob.callback_answer(await bob.press(card, "ics"))
    await settle(org_bot)
    assert bob.messages == [], "no chat with Bob: nothing is sent (Telegram would refuse)"
    assert errors(caplog) == []
    assert refused_calls(emu) == []
    await still_answers(bob)


async def test_a_failure_after_an_inline_press_was_answered_answers_it_only_once(
    org_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    emu = org_bot.emulator
    ada = org_bot.user(1001, "Ada")
    card = await inline_message(emu, ada, "<b>x</b>", [[("Day", "d:20241127:0")]])
    emu.faults.add("editMessageText", 500, times=1)
    qid = await ada.press(card, "Day")
    assert (await ada.callback_answer(qid)).text is None, "the navigation's own answer"
    await settle(org_bot)
    assert twice_answered(emu) == []
    logged = errors(caplog)
    assert len(logged) == 1, logged
    assert "update" in logged[0]
    assert ada.messages == [], "no apology into a chat: the inline message's chat is unknown"
    await still_answers(ada)


async def test_a_failure_after_a_private_press_apologises_once_in_the_chat(
    org_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    emu = org_bot.emulator
    ada = org_bot.user(1001, "Ada")
    await ada.send("/agenda")
    page = await ada.next_message()
    emu.faults.add("editMessageText", 500, times=1)
    qid = await ada.press(page, "09:15 Welcoming remarks")  # opens a card (a new message)
    await ada.callback_answer(qid)
    await ada.wait_for(lambda m: "Raya Kalenova" in (m.plain_text or ""))
    qid = await ada.press_data(page.message_id, "d:20241127:0")  # edits the page: fails
    await ada.callback_answer(qid)
    sorry = await ada.wait_for(lambda m: m.plain_text == texts.something_went_wrong())
    assert sorry.chat_id == ada.id
    await settle(org_bot)
    assert twice_answered(emu) == []
    logged = errors(caplog)
    assert len(logged) == 1, logged
    assert f"update {emu.update_log[-1]['update_id']}" in logged[0]
    await still_answers(ada)


async def test_a_failure_in_a_group_apologises_only_for_what_named_the_bot(
    org_bot: BotHarness, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.emulator.harness import TEST_TOKEN
    from handlers import render

    def broken(*args: object) -> None:
        raise RuntimeError("the agenda view is broken")

    monkeypatch.setattr(render, "agenda_view", broken)
    emu = org_bot.emulator
    ada = org_bot.user(1001, "Ada")
    group = emu.group("Forum", forum=True, creator=ada)
    await group.add_bot(by=ada, admin=True)
    talks = await group.create_topic("Talks", by=ada)
    await ada.send("/agenda", chat=group, topic=talks)  # bare: perhaps for every bot
    await settle(org_bot)
    assert group.messages == []
    await ada.send(f"/agenda@{BOT}", chat=group, topic=talks)
    sorry = await group.next_message()
    assert sorry.plain_text == texts.something_went_wrong()
    assert sorry.message_thread_id == talks
    logged = errors(caplog)
    assert len(logged) == 2, logged  # one line per failed update, each naming it
    ids = [u["update_id"] for u in emu.update_log[-2:]]
    assert [f"update {i} " in line for i, line in zip(ids, logged, strict=True)] == [True, True]
    ours = [r for r in caplog.records if r.name.startswith("confbot")]
    assert all(TEST_TOKEN not in r.getMessage() for r in ours)
    monkeypatch.undo()
    await still_answers(ada)


# ------------------------------------------------------------------ buttons from older bots
@pytest.mark.parametrize(
    "data",
    ["v0:from-an-older-bot", "zz:1", "agenda", "s", "d:20241127", "s:a:b:c", "💥", "x" * 64],
)
async def test_every_press_is_answered_whatever_its_data(
    org_bot: BotHarness, caplog: pytest.LogCaptureFixture, data: str
) -> None:
    emu = org_bot.emulator
    ada = org_bot.user(1001, "Ada")
    await ada.send("/start")
    welcome = await ada.next_message()
    private = await ada.press_data(welcome.message_id, data)
    card = await inline_message(emu, ada, "<b>old</b>", [[("old", "ag")]])
    assert card.inline_message_id is not None
    inline = await ada.press_inline(card.inline_message_id, data)
    for qid in (private, inline):
        answer = await ada.callback_answer(qid)
        assert answer.show_alert
        assert answer.text == texts.stale_button()
    await settle(org_bot)
    assert emu.unanswered_callbacks == []
    assert errors(caplog) == []
    await still_answers(ada)


# ------------------------------------------------------------------ channels
async def test_channel_posts_and_their_edits_get_silence(
    org_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    emu = org_bot.emulator
    olga = org_bot.user(ORGANISER, "Olga")
    channel = emu.channel("News", creator=olga)
    await channel.add_bot(by=olga)
    post = await channel.post("Doors open at 9")
    await channel.post("/agenda", author_signature="Olga")
    await channel.post(f"/agenda@{BOT}")
    await channel.post("/reload")
    await channel.post_document("agenda.yaml", b"conference: {}\n", caption="new agenda")
    await channel.edit_post(post, "Doors open at 9:30")
    await settle(org_bot)
    assert channel.messages == []
    assert errors(caplog) == []
    assert refused_calls(emu) == []
    await still_answers(olga)


# ------------------------------------------------------------------ groups
async def test_in_a_group_where_it_is_admin_the_bot_answers_only_what_is_for_it(
    org_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    emu = org_bot.emulator
    ada, bob = org_bot.user(1001, "Ada"), org_bot.user(1002, "Bob")
    olga = org_bot.user(ORGANISER, "Olga")
    group = emu.group("Hallway", creator=ada)
    await group.add_bot(by=ada, admin=True)  # an admin sees every message
    for text in ("good morning", "/start@otherbot", "/agenda@otherbot", "/nonsense"):
        await bob.send(text, chat=group)
    await bob.send_document("notes.pdf", b"%PDF-1.4 notes", chat=group)
    await olga.send_document("agenda.yaml", b"conference: {}\n", chat=group)
    await settle(org_bot)
    assert group.messages == [], [m.plain_text for m in group.messages]

    asked = await bob.send(f"/agenda@{BOT}", chat=group)
    page = await group.next_message()
    assert "Welcoming remarks" in (page.plain_text or "")
    assert page.reply_to_message_id == asked["message_id"], "answers the message it answers"
    await bob.send(f"/nonsense@{BOT}", chat=group)
    assert (await group.next_message()).plain_text == texts.unknown_command()
    await bob.send(f"/broadcast@{BOT} hello", chat=group)  # not an organiser: not a command
    assert (await group.next_message()).plain_text == texts.unknown_command()
    await olga.send(f"/speakerlinks@{BOT}", chat=group)  # one-time links never go to a group
    assert (await group.next_message()).plain_text == texts.private_chat_only()
    await bob.reply_to(page, "when is lunch")  # a reply to the bot is a question
    lunch = await group.next_message()
    assert "13:00" in (lunch.plain_text or "")
    await settle(org_bot)
    assert errors(caplog) == []
    assert refused_calls(emu) == []
    assert bob.messages == [], "nothing private for group talk"
    assert olga.messages == []
    await still_answers(bob)


async def test_in_a_group_where_it_is_a_plain_member_commands_for_it_are_answered(
    org_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    emu = org_bot.emulator
    ada = org_bot.user(1001, "Ada")
    group = emu.group("Study", creator=ada, supergroup=False)
    await group.add_bot(by=ada)
    await ada.send("/next", chat=group)  # bare, and the bot spoke last: Telegram delivers it
    assert "Next" in ((await group.next_message()).plain_text or "")
    await ada.send("/start@otherbot", chat=group)
    await ada.send("just chatting", chat=group)  # withheld by privacy mode anyway
    await settle(org_bot)
    assert len(group.messages) == 1
    assert errors(caplog) == []
    await still_answers(ada)


async def test_in_a_forum_every_reply_goes_to_the_topic_it_answers(
    org_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    emu = org_bot.emulator
    ada, bob = org_bot.user(1001, "Ada"), org_bot.user(1002, "Bob")
    group = emu.group("Conference", forum=True, creator=ada)
    await group.add_bot(by=ada, admin=True)
    talks = await group.create_topic("Talks", by=ada)
    hallway = await group.create_topic("Hallway", by=ada)

    await bob.send("/agenda", chat=group, topic=talks)  # a command reply
    page = await group.next_message()
    assert page.message_thread_id == talks
    await bob.callback_answer(await bob.press(page, "09:15 Welcoming remarks"))
    card = await group.next_message()  # a button's follow-up, sent as a new message
    assert "Raya Kalenova" in (card.plain_text or "")
    assert card.message_thread_id == talks
    await bob.callback_answer(await bob.press(card, "📅 Add to calendar"))
    ics = await group.next_message()  # an attachment
    assert ics.document_name is not None
    assert ics.message_thread_id == talks
    await bob.reply_to(card, "who speaks at the closing")  # a question answered
    answer = await group.next_message()
    assert answer.message_thread_id == talks
    await ada.send(f"/nonsense@{BOT}", chat=group, topic=hallway)
    unknown = await group.next_message()
    assert unknown.message_thread_id == hallway
    await ada.send("/now", chat=group)  # the General topic has no thread id
    general = await group.next_message()
    assert general.message_thread_id is None
    await ada.send("talking among ourselves", chat=group, topic=hallway)  # not a reply to us
    await settle(org_bot)
    assert len(group.messages) == 6
    assert errors(caplog) == []
    assert refused_calls(emu) == []
    await still_answers(ada)


# ------------------------------------------------------------------ blocking the bot
async def test_blocking_the_bot_makes_a_user_inactive_at_once_and_unblocking_active(
    org_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    emu = org_bot.emulator
    users = org_bot.runtime.store.users
    ada = org_bot.user(1001, "Ada")
    await still_answers(ada)
    ada.block_bot()
    await settle(org_bot)
    known = await users.get(1001)
    assert known is not None
    assert not known.active
    assert await org_bot.runtime.store.audiences.everyone() == []
    ada.unblock_bot()
    await settle(org_bot)
    known = await users.get(1001)
    assert known is not None
    assert known.active
    assert await org_bot.runtime.store.audiences.everyone() == [1001]
    assert emu.calls_of("sendMessage")[-1].params["chat_id"] == 1001, "nothing sent on (un)block"
    assert len(ada.messages) == 1
    assert errors(caplog) == []


async def test_a_reply_to_someone_who_blocked_the_bot_meanwhile_is_dropped_quietly(
    org_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """Blocked between pressing and the answer (no my_chat_member yet): Telegram answers 403."""
    ada = org_bot.user(1001, "Ada")
    await ada.send("/agenda")
    page = await ada.next_message()
    org_bot.emulator.block(1001, notify=False)
    await ada.callback_answer(await ada.press(page, "09:15 Welcoming remarks"))
    await settle(org_bot)
    assert [c.status for c in org_bot.emulator.calls_of("sendMessage")][-1] == 403
    known = await org_bot.runtime.store.users.get(1001)
    assert known is not None
    assert not known.active, "out of the broadcast audience at once"
    assert errors(caplog) == []
    await still_answers(ada)  # writing again unblocks ("Restart")


async def test_people_seen_only_inline_or_in_groups_are_not_broadcast_audience(
    org_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    emu = org_bot.emulator
    ada = org_bot.user(1001, "Ada")
    inline_only, group_only, presser = (
        org_bot.user(2001, "Ina"),
        org_bot.user(2002, "Gus"),
        org_bot.user(2003, "Pia"),
    )
    await still_answers(ada)
    await inline_only.inline_query("keynote")
    group = emu.group("Hallway", creator=ada)
    await group.add_bot(by=ada, admin=True)
    await group_only.send("hello all", chat=group)
    await group_only.send(f"/agenda@{BOT}", chat=group)
    page = await group.next_message()
    await presser.callback_answer(await presser.press(page, "09:15 Welcoming remarks"))
    card = await inline_message(emu, ada, "<b>x</b>", [[("Day", "d:20241127:0")]])
    await inline_only.callback_answer(await inline_only.press(card, "Day"))
    await settle(org_bot)
    assert await org_bot.runtime.store.audiences.everyone() == [1001]
    assert await org_bot.runtime.store.users.counts() == (1, 1)
    assert errors(caplog) == []


# ------------------------------------------------------------------ edits
async def test_a_prompt_edit_is_answered_as_new_and_a_late_one_is_ignored(
    org_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    ada = org_bot.user(1001, "Ada")
    said = await ada.send("/speaker Rqwzx")
    assert "no speaker called" in ((await ada.next_message()).plain_text or "")
    await ada.edit(said, "/speaker Raya Kalenova")  # a typo fixed at once
    profile = await ada.next_message()
    assert (profile.plain_text or "").startswith("Raya Kalenova")

    old = await ada.send("when is lunch")
    await ada.next_message()
    old["date"] -= 3600  # sent an hour ago
    await ada.edit(old, "when is the closing")
    document = await ada.send_document("notes.txt", b"notes")
    await ada.next_message()  # "I don't read files"
    await ada.edit(document, "a caption added")  # an edit of a file: not a new upload
    await settle(org_bot)
    assert len(ada.messages) == 4, "no answer to either edit"
    assert ada.messages[-1].plain_text == texts.document_not_expected()
    assert errors(caplog) == []
    await still_answers(ada)
