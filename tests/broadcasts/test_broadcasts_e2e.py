"""Broadcasts end to end: preview, send, progress, scheduling, cancelling, and who may."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from telegram import Chat, Message, MessageEntity

from bot import texts
from handlers.broadcasts import html_after
from tests.conftest import HarnessFactory, brussels
from tests.organisers import ORG, org_bot, started, texts_of


async def test_non_organisers_get_the_unknown_command_answer(make_bot: HarnessFactory) -> None:
    bot = await org_bot(make_bot)
    (eve,) = await started(bot, 1001)
    for command in ("/broadcast hi all", "/broadcasts", "/reload", "/stats", "/frobnicate"):
        await eve.send(command)
        msg = await eve.next_message()
        assert msg.text == texts.unknown_command(), command
    # Forged organiser buttons: answered, nothing happens.
    msg = eve.last
    assert msg is not None
    for data in ("bc:send:1", "bc:stop:1", "rl:apply:abcd1234"):
        qid = await eve.press_data(msg.message_id, data)
        answer = await eve.callback_answer(qid)
        assert answer.show_alert
    assert await bot.runtime.store.db.scalar("SELECT count(*) FROM outbox") == 0
    assert await bot.runtime.store.db.scalar("SELECT count(*) FROM audit_log") == 0
    assert bot.emulator.unanswered_callbacks == []


async def test_broadcast_preview_send_progress_and_audit(make_bot: HarnessFactory) -> None:
    bot = await org_bot(make_bot)
    org, *people = await started(bot, ORG, 1001, 1002, 1003, 1004)
    bot.emulator.block(1004, notify=False)  # while the bot was down: only the 403 tells
    await org.send("/broadcast Coffee < 5 min & <b>tea</b> in Room B")
    preview = await org.next_message()
    # Literal <, > and & arrive as typed (escaped in HTML, parsed back by Telegram).
    assert preview.plain_text == "Coffee < 5 min & <b>tea</b> in Room B"
    summary = await org.next_message()
    assert "5 people" in summary.text
    await org.press(summary, "Send to 5")
    await bot.runtime.delivery.drain(timeout=10)
    final = await org.wait_for(lambda m: "finished" in (m.plain_text or ""), timeout=5)
    assert "sent 4" in final.plain_text
    assert "blocked 1" in final.plain_text
    assert "left 0" in final.plain_text
    for user in people[:3]:
        got = [t for t in texts_of(user) if t.startswith("Coffee")]
        assert got == ["Coffee < 5 min & <b>tea</b> in Room B"]
    assert len(bot.emulator.sends_to(1004)) == 1  # the welcome, before blocking
    assert await bot.runtime.store.db.scalar("SELECT active FROM users WHERE id = 1004") == 0
    actions = [e.action for e in await bot.runtime.store.audit.recent()]
    assert actions[:2] == ["broadcast_send", "broadcast_preview"]
    # Pressing Send again (a double tap) sends nothing more.
    qid = await org.press_data(summary.message_id, f"bc:send:{final.text.split('#')[1][0]}")
    assert (await org.callback_answer(qid)).show_alert
    assert len([t for t in texts_of(people[0]) if t.startswith("Coffee")]) == 1


async def test_a_broadcast_cut_short_while_queueing_is_finished_at_restart(
    make_bot: HarnessFactory,
) -> None:
    bot = await org_bot(make_bot)
    org, *people = await started(bot, ORG, 1001, 1002)
    await org.send("/broadcast Doors open at 9")
    await org.next_message()
    await org.next_message()
    (batch,) = await bot.runtime.store.outbox.batches(["draft"], kind="broadcast")
    # The crash: Send was pressed (state 'sending') and the bot died before writing the rows.
    await bot.runtime.store.outbox.set_batch_state(batch.id, "sending", only_from="draft")
    await bot.restart()
    await bot.runtime.delivery.drain(timeout=10)
    for user in people:
        await user.wait_for(lambda m: m.plain_text == "Doors open at 9")
    resumed = await bot.runtime.store.outbox.batch(batch.id)
    assert resumed is not None
    assert resumed.state in {"running", "done"}
    assert resumed.total == 3  # the organiser is in the audience too


async def test_bare_broadcast_then_text_and_cancel(make_bot: HarnessFactory) -> None:
    bot = await org_bot(make_bot)
    org, ada = await started(bot, ORG, 1001)
    await org.send("/broadcast")
    ask = await org.next_message()
    assert "Send me the text" in ask.plain_text
    await org.send("Doors open at 8")
    preview = await org.next_message()
    assert preview.plain_text == "Doors open at 8"
    summary = await org.next_message()
    await org.press(summary, "Cancel")
    await org.wait_for(lambda m: "discarded" in (m.plain_text or ""))
    await bot.runtime.delivery.drain(timeout=5)
    assert "Doors open at 8" not in texts_of(ada)
    # The next text is a question again, not a broadcast.
    await org.send("Doors open at 9")
    answer = await org.next_message()
    assert "preview" not in (answer.plain_text or "")


async def test_audience_of_a_session_and_schedule_at(make_bot: HarnessFactory, clock: Any) -> None:
    bot = await org_bot(make_bot)
    org, ada, bob = await started(bot, ORG, 1001, 1002)
    await bot.runtime.store.bookmarks.add(1001, "keynote-mousnier", clock.now())
    await org.send("/broadcast at 11:50 to:session:keynote-mousnier Keynote in <5 min")
    await org.next_message()
    summary = await org.next_message()
    assert "1 person" in summary.plain_text
    assert "11:50" in summary.plain_text
    await org.press(summary, "Send to 1")
    await org.wait_for(lambda m: "scheduled for" in (m.plain_text or ""))
    await org.send("/broadcasts")
    listing = await org.next_message()
    assert "scheduled" in listing.plain_text
    assert "Keynote in" in listing.plain_text
    delivery = bot.runtime.delivery
    await delivery.drain(timeout=5)
    assert not [t for t in texts_of(ada) if "Keynote in" in t]
    clock.set(brussels(11, 50))
    delivery.wake()
    await delivery.drain(timeout=5)
    assert [t for t in texts_of(ada) if "Keynote in" in t] == ["Keynote in <5 min"]
    assert not [t for t in texts_of(bob) if "Keynote in" in t]


async def test_scheduled_broadcast_cancelled_from_the_list(
    make_bot: HarnessFactory, clock: Any
) -> None:
    bot = await org_bot(make_bot)
    org, ada = await started(bot, ORG, 1001)
    await org.send("/broadcast at 17:30 Drinks at the bar")
    await org.next_message()
    await org.press(await org.next_message(), "Send to 2")
    await org.wait_for(lambda m: "scheduled for" in (m.plain_text or ""))
    await org.send("/broadcasts")
    listing = await org.wait_for(lambda m: "Scheduled and running" in (m.plain_text or ""))
    await org.press(listing, "Cancel #")
    await org.wait_for(lambda m: "cancelled" in (m.plain_text or ""))
    clock.set(brussels(17, 31))
    delivery = bot.runtime.delivery
    delivery.wake()
    await delivery.drain(timeout=5)
    assert "Drinks at the bar" not in texts_of(ada)
    assert [e.action for e in await bot.runtime.store.audit.recent(1)] == ["broadcast_cancel"]


async def test_bad_broadcast_options_are_explained(make_bot: HarnessFactory) -> None:
    bot = await org_bot(make_bot)
    (org,) = await started(bot, ORG)
    for command, needle in (
        ("/broadcast at 2024-11-26 07:00 too early", "already passed"),
        ("/broadcast to:session:<nope> hi", "no session"),
        ("/broadcast to:galaxy hi", "unknown audience"),
    ):
        await org.send(command)
        msg = await org.next_message()
        assert needle in msg.plain_text, command


def test_html_after_keeps_formatting_and_drops_the_command() -> None:
    text = "/broadcast Keynote <moved> to Room B & see site"
    entities = [
        MessageEntity("bot_command", 0, 10),
        MessageEntity("bold", 11, 7),
        MessageEntity("text_link", 43, 4, url="https://example.org/?a=1&b=2"),
    ]
    msg = Message(1, datetime.now(UTC), Chat(1, "private"), text=text, entities=entities)
    html = html_after(msg, 11)
    assert html == (
        '<b>Keynote</b> &lt;moved&gt; to Room B &amp; see <a href="https://example.org/?a=1&amp;b=2">'
        "site</a>"
    )
