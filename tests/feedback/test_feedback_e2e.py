"""Feedback end to end: the prompt after a bookmarked session, rating, comment, /stats, /export,
forged buttons and a restart, all on the driven clock against the emulator."""

from __future__ import annotations

import csv
import io
from typing import Any

from bot.clock import ManualClock
from bot.delivery import Envelope
from bot.emulator.harness import BotHarness
from bot.emulator.users import BotMessage, FakeUser
from bot.feedback import CSV_HEADER, MAX_COMMENT
from tests.conftest import HarnessFactory, brussels
from tests.steps import tick

ORGANISER = 9000
COMMENT = 'Great <b>talk</b> & "quotes" — 5 < 6 ✓'


async def _rating(bot: BotHarness, uid: int, session_id: str) -> tuple[int, str | None] | None:
    result: tuple[int, str | None] | None = await bot.runtime.store.feedback.get(uid, session_id)
    return result


def _is_prompt(title: str) -> Any:
    return lambda m: "How was" in (m.text or "") and title in (m.plain_text or m.text or "")


async def _export(org: FakeUser) -> tuple[list[list[str]], BotMessage]:
    before = len(org.messages)
    await org.send("/export")
    doc = await org.wait_for(
        lambda m: (m.document_name or "").endswith(".csv") and m.message_id > before
    )
    assert doc.document_bytes is not None
    assert doc.document_bytes.startswith(b"\xef\xbb\xbf")
    text = doc.document_bytes.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""))), doc


async def test_prompt_rate_comment_stats_export_forged_and_restart(
    make_bot: HarnessFactory, clock: ManualClock
) -> None:
    bot = await make_bot(ORGANISER_IDS=str(ORGANISER))
    ada = bot.user(1001, "Ada")
    org = bot.user(ORGANISER, "Olga")
    await ada.send("/start")
    await ada.next_message()
    await org.send("/start")
    await org.next_message()
    # Ada bookmarks the first keynote (10:00-10:30) from its card.
    await ada.send("/session keynote-sztaray")
    card = await ada.wait_for(lambda m: "⭐ Bookmark" in m.button_texts)
    await ada.press(card, "⭐ Bookmark")
    await ada.wait_for(lambda m: "Remove bookmark" in m.button_texts)
    assert await bot.runtime.store.bookmarks.has(1001, "keynote-sztaray")

    # The session ends; the next tick plans the prompt and the outbox delivers it.
    clock.set(brussels(10, 31))
    await tick(bot)
    prompt = await ada.wait_for(_is_prompt("Keynote: security policy"))
    labels = [t for row in prompt.buttons for t, _ in row]
    assert labels == ["1 ★", "2 ★", "3 ★", "4 ★", "5 ★", "Skip"]

    # Rate: the prompt turns into thanks and an invitation to comment.
    await ada.press(prompt, "4 ★")
    thanks = await ada.wait_for(lambda m: "You rated" in (m.text or ""))
    assert "4/5" in thanks.text
    assert "No comment" in thanks.button_texts
    assert await _rating(bot, 1001, "keynote-sztaray") == (4, None)

    # The next text is the comment, stored verbatim; the reply escapes the title, and the
    # emulator would have refused malformed HTML.
    await ada.send(COMMENT)
    saved = await ada.wait_for(lambda m: "comment on" in (m.plain_text or ""))
    assert "✅ Done" in saved.button_texts
    assert await _rating(bot, 1001, "keynote-sztaray") == (4, COMMENT)

    # Forged and stale buttons: polite answers, nothing changes.
    forged = [
        "rt:keynote-sztaray:9",
        "rt:keynote-sztaray:-1",
        "rt:nope:3",
        "rt:panel-october-7:5",  # not started yet at 10:31
        "rt:registration:5",  # a break
        "rt:keynote-sztaray",
        "rs:nope",
        "rs:panel-october-7",
        "nc:nope",
        "nc:welcome",  # Ada never rated it
        "fb:x",
    ]
    for data in forged:
        cid = await ada.press_data(prompt.message_id, data)
        answer = await ada.callback_answer(cid)
        assert answer.text, data
    assert await bot.runtime.store.feedback.count() == 1
    assert await _rating(bot, 1001, "keynote-sztaray") == (4, COMMENT)
    assert not bot.emulator.unanswered_callbacks

    # /stats: the organiser sees the average (through /stats once it exists, and the section).
    sections = bot.runtime.stats.sections
    html = "\n".join([page for section in sections for page in await section()])
    assert "4.0" in html
    assert "&lt;b&gt;talk&lt;/b&gt; &amp;" in html
    await org.send("/stats")
    stats = await org.wait_for(lambda m: "Feedback" in (m.text or ""))
    assert "4.0" in stats.text

    # /export: the CSV parses back with the comment verbatim, and the chart is a PNG.
    rows, _ = await _export(org)
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) == 2
    row = dict(zip(CSV_HEADER, rows[1], strict=True))
    assert row["session_id"] == "keynote-sztaray"
    assert row["rating"] == "4"
    assert row["comment"] == COMMENT
    assert row["session_start"] == "2024-11-27T10:00:00+01:00"
    assert "1001" not in row["user"]
    chart = await org.wait_for(lambda m: m.kind == "photo")
    assert chart.photo_bytes is not None
    assert chart.photo_bytes.startswith(b"\x89PNG")

    # Not an organiser: /export is an unknown command.
    await ada.send("/export")
    await ada.wait_for(lambda m: "don't know that command" in (m.text or ""))

    # Restart: nothing lost, nothing duplicated, and the prompt is not sent again.
    await bot.restart()
    await tick(bot)
    again, _ = await _export(org)
    assert again == rows
    first_texts = [m.history[0].text if m.history else m.text for m in ada.messages]
    assert sum("How was" in (t or "") for t in first_texts) == 1
    # The old prompt still works after the restart: last rating wins, still one row.
    await ada.press(prompt.message_id, "5 ★")
    await ada.wait_for(lambda m: "changed your rating" in (m.text or ""))
    assert await _rating(bot, 1001, "keynote-sztaray") == (5, COMMENT)
    assert await bot.runtime.store.feedback.count() == 1


async def test_card_button_feedback_list_skip_and_no_comment(
    bot: BotHarness, clock: ManualClock
) -> None:
    clock.set(brussels(12, 50))
    bob = bot.user(1002, "Bob")
    # Nothing to rate before the day starts is covered in unit tests; here: the card's button.
    await bob.send("/session panel-security-landscape")
    card = await bob.wait_for(lambda m: "✍️ Rate this session" in m.button_texts)
    await bob.press(card, "✍️ Rate this session")
    prompt = await bob.wait_for(_is_prompt("evolving security landscape"))
    await bob.press(prompt, "Skip")
    await bob.wait_for(lambda m: "No rating for" in (m.text or ""))
    assert await _rating(bot, 1002, "panel-security-landscape") is None

    # /feedback: started sessions, most recent first, breaks left out.
    await bob.send("/feedback")
    listing = await bob.wait_for(lambda m: "Rate a session" in (m.text or ""))
    labels = listing.button_texts
    assert "Crisis management" in labels[0]  # 12:00-13:00, still running
    assert not any("Coffee" in t or "Lunch" in t for t in labels)
    assert not any("October" in t for t in labels)  # 14:00: not started
    await bob.press(listing, "Welcoming remarks")
    prompt2 = await bob.wait_for(_is_prompt("Welcoming remarks"))
    await bob.press(prompt2, "2 ★")
    thanks = await bob.wait_for(lambda m: "You rated" in (m.text or ""))
    await bob.press(thanks, "No comment")
    await bob.wait_for(lambda m: "Your rating (2/5)" in (m.plain_text or ""))
    assert await _rating(bot, 1002, "welcome") == (2, None)
    # With the window closed, a text is a question again, not a comment.
    await bob.send("who moderates the panel?")
    await bob.wait_for(lambda m: "Ophir Revach" in (m.plain_text or m.text or ""))
    assert await _rating(bot, 1002, "welcome") == (2, None)
    # The list now marks the rated session.
    await bob.send("/feedback")
    marked = await bob.wait_for(lambda m: any("✅ 2★" in t for t in m.button_texts))
    assert any("Welcoming" in t for t in marked.button_texts if "✅" in t)


async def test_long_comment_gets_a_clear_message_and_a_retry(
    bot: BotHarness, clock: ManualClock
) -> None:
    clock.set(brussels(16, 0))
    eve = bot.user(1003, "Eve")
    await eve.send("/session closing")
    card = await eve.wait_for(lambda m: "✍️ Rate this session" in m.button_texts)
    await eve.press(card, "✍️ Rate this session")
    prompt = await eve.wait_for(_is_prompt("Closing remarks"))
    await eve.press(prompt, "3 ★")
    await eve.wait_for(lambda m: "You rated" in (m.text or ""))
    await eve.send("x" * (MAX_COMMENT + 5))
    await eve.wait_for(lambda m: f"under {MAX_COMMENT} characters" in (m.text or ""))
    assert await _rating(bot, 1003, "closing") == (3, None)
    await eve.send("Shorter & better")
    await eve.wait_for(lambda m: "comment on" in (m.plain_text or ""))
    await eve.send("Shorter & better, edited")  # within the edit window: replaces it
    await eve.wait_for(
        lambda _: sum("comment on" in (x.plain_text or "") for x in eve.messages) == 2
    )
    assert await _rating(bot, 1003, "closing") == (3, "Shorter & better, edited")


async def test_prompt_not_sent_for_a_rated_or_removed_session(
    bot: BotHarness, clock: ManualClock
) -> None:
    clock.set(brussels(16, 0))
    rt = bot.runtime
    zed = bot.user(1004, "Zed")
    await zed.send("/start")
    await zed.next_message()
    await rt.store.feedback.rate(1004, "closing", 5, rt.now())
    delivery = rt.delivery
    await delivery.enqueue(
        [
            Envelope(1004, "feedback", {"session_id": sid}, rt.now(), dedup_key=f"t:{sid}")
            for sid in ("closing", "gone-session", "lunch", "welcome")
        ]
    )
    delivery.wake()
    await delivery.drain(timeout=10)
    await zed.wait_for(_is_prompt("Welcoming remarks"))
    prompts = [m for m in zed.messages if "How was" in (m.text or "")]
    assert len(prompts) == 1


async def test_feedback_with_one_session_to_rate_shows_its_buttons_at_once(
    bot: BotHarness, clock: ManualClock
) -> None:
    clock.set(brussels(9, 30))  # only the welcoming remarks (09:15) have begun
    ada = bot.user(1001, "Ada")
    await ada.send("/feedback")
    prompt = await ada.next_message()
    assert "Rate a session" not in (prompt.plain_text or ""), "no list of one to tap through"
    assert _is_prompt("Welcoming remarks")(prompt)
    await ada.press(prompt, "4 ★")
    await ada.wait_for(lambda m: "You rated" in (m.text or ""))
    assert await _rating(bot, 1001, "welcome") == (4, None)
