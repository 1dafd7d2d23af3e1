"""Organisers end to end: broadcasts with preview and progress, scheduling, /reload, /stats."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram import Chat, Message, MessageEntity

from bot import texts
from bot.agenda.diff import Changes
from bot.emulator.harness import BotHarness
from bot.emulator.users import BotMessage, FakeUser
from bot.runtime import AgendaState
from handlers.broadcasts import html_after
from tests.conftest import BRUSSELS, HarnessFactory, brussels

ORG = 4242


async def org_bot(make_bot: HarnessFactory, **kw: Any) -> BotHarness:
    bot = await make_bot(ORGANISER_IDS=str(ORG), **kw)
    bot.runtime.services["progress_interval"] = 0.05
    return bot


async def started(bot: BotHarness, *ids: int) -> list[FakeUser]:
    users = []
    for uid in ids:
        user = bot.user(uid, f"U{uid}")
        await user.send("/start")
        await user.next_message()
        users.append(user)
    return users


def texts_of(user: FakeUser) -> list[str]:
    return [m.plain_text or m.text or "" for m in user.messages]


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
    bot.emulator.block(1004)
    await org.send("/broadcast Coffee < 5 min & <b>tea</b> in Room B")
    preview = await org.next_message()
    # Literal <, > and & arrive as typed (escaped in HTML, parsed back by Telegram).
    assert preview.plain_text == "Coffee < 5 min & <b>tea</b> in Room B"
    summary = await org.next_message()
    assert "5 people" in summary.text
    await org.press(summary, "Send to 5")
    await bot.runtime.services["delivery"].drain(timeout=10)
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
    await bot.runtime.services["delivery"].drain(timeout=10)
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
    await bot.runtime.services["delivery"].drain(timeout=5)
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
    delivery = bot.runtime.services["delivery"]
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
    delivery = bot.runtime.services["delivery"]
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


# ------------------------------------------------------------------ reload
def moved_agenda(tmp_path: Path, *, start: str = "14:30", end: str = "15:15") -> Path:
    text = BRUSSELS.read_text(encoding="utf-8")
    anchor = "  - id: keynote-mousnier\n"
    i = text.index(anchor)
    part = text[i:].replace('start: "12:00"', f'start: "{start}"', 1)
    part = part.replace('end: "12:45"', f'end: "{end}"', 1)
    path = tmp_path / "agenda.yaml"
    path.write_text(text[:i] + part, encoding="utf-8")
    return path


async def test_reload_moves_a_session_and_tells_only_its_bookmarkers(
    make_bot: HarnessFactory, tmp_path: Path, clock: Any
) -> None:
    path = tmp_path / "agenda.yaml"
    path.write_bytes(BRUSSELS.read_bytes())
    bot = await org_bot(make_bot, AGENDA_PATH=path)
    org, ada, bob = await started(bot, ORG, 1001, 1002)
    store = bot.runtime.store
    await store.bookmarks.add(1001, "keynote-mousnier", clock.now())
    await store.bookmarks.add(1002, "crisis-management", clock.now())
    heard: list[Changes] = []

    async def listener(old: AgendaState, new: AgendaState, changes: Changes) -> None:
        heard.append(changes)

    bot.runtime.services.setdefault("agenda_listeners", []).append(listener)

    await org.send("/reload")
    same = await org.next_message()
    assert "no changes" in same.plain_text

    moved_agenda(tmp_path)
    await org.send("/reload")
    preview = await org.next_message()
    assert "12:00–12:45 → 14:30–15:15" in preview.plain_text
    assert "tells 1 bookmarkers" in preview.plain_text
    apply_data = preview.buttons[0][0][1] or ""
    await org.press(preview, "Apply")
    await org.wait_for(lambda m: "new agenda is live" in (m.plain_text or ""))
    await bot.runtime.services["delivery"].drain(timeout=5)
    notices = [m for m in ada.messages if "Change to a session" in (m.plain_text or "")]
    assert len(notices) == 1
    assert "14:30–15:15" in notices[0].plain_text
    assert not [m for m in bob.messages if "Change to a session" in (m.plain_text or "")]
    assert len(heard) == 1
    assert [c.new.id for c in heard[0].moved] == ["keynote-mousnier"]
    session = bot.runtime.agenda.index.session("keynote-mousnier")
    assert session is not None
    assert session.start.hour == 14
    # The same change applied again (a restart re-reading it) sends nothing twice.
    assert await bot.runtime.store.db.scalar("SELECT count(*) FROM outbox WHERE kind='change'") == 1
    assert (await store.audit.recent(1))[0].action == "reload"
    assert (await store.audit.recent(1))[0].audience_size == 1
    # A stale Apply button changes nothing.
    qid = await org.press_data(preview.message_id, apply_data)
    assert (await org.callback_answer(qid)).show_alert


async def test_broken_agenda_changes_nothing_and_says_why(
    make_bot: HarnessFactory, tmp_path: Path
) -> None:
    path = tmp_path / "agenda.yaml"
    path.write_bytes(BRUSSELS.read_bytes())
    bot = await org_bot(make_bot, AGENDA_PATH=path)
    (org,) = await started(bot, ORG)
    before = bot.runtime.agenda
    path.write_text(BRUSSELS.read_text().replace('end: "12:45"', 'end: "<soon>"', 1))
    await org.send("/reload")
    msg = await org.next_message()
    assert "cannot be used" in msg.plain_text
    assert "&lt;soon&gt;" in msg.text
    assert bot.runtime.agenda is before
    # The same through an uploaded file.
    await org.send_document("agenda.yaml", b"sessions: [oops")
    msg = await org.next_message()
    assert "cannot be used" in msg.plain_text
    assert bot.runtime.agenda is before


async def test_uploaded_agenda_is_previewed_and_applied(
    make_bot: HarnessFactory, tmp_path: Path
) -> None:
    bot = await org_bot(make_bot)
    org, eve = await started(bot, ORG, 1001)
    data = moved_agenda(tmp_path, start="16:00", end="16:30").read_bytes()
    await eve.send_document("agenda.yaml", data)
    refused = await eve.next_message()
    assert "don't read files" in refused.plain_text
    assert bot.runtime.agenda.index.session("keynote-mousnier").start.hour == 12  # type: ignore[union-attr]
    await org.send_document("agenda.yaml", data)
    preview = await org.next_message()
    assert "16:00–16:30" in preview.plain_text
    await org.press(preview, "Apply")
    await org.wait_for(lambda m: "new agenda is live" in (m.plain_text or ""))
    assert bot.runtime.agenda.index.session("keynote-mousnier").start.hour == 16  # type: ignore[union-attr]


def _mousnier_hour(bot: BotHarness) -> int:
    session = bot.runtime.agenda.index.session("keynote-mousnier")
    assert session is not None
    return session.start.hour


async def test_an_uploaded_agenda_survives_a_restart_until_reload(
    make_bot: HarnessFactory, tmp_path: Path
) -> None:
    bot = await org_bot(make_bot)
    (org,) = await started(bot, ORG)
    await org.send_document(
        "agenda.yaml", moved_agenda(tmp_path, start="16:00", end="16:30").read_bytes()
    )
    await org.press(await org.next_message(), "Apply")
    await org.wait_for(lambda m: "new agenda is live" in (m.plain_text or ""))
    await bot.restart()
    assert _mousnier_hour(bot) == 16, "a restart must not bring AGENDA_PATH's programme back"
    await org.send("/reload")  # AGENDA_PATH again: the file on disk is the source
    await org.press(await org.next_message(), "Apply")
    await org.wait_for(
        lambda m: "new agenda is live" in (m.plain_text or ""), include_existing=False
    )
    await bot.restart()
    assert _mousnier_hour(bot) == 12


async def test_stats_with_sections(make_bot: HarnessFactory, clock: Any) -> None:
    bot = await org_bot(make_bot)
    org, _, _ = await started(bot, ORG, 1001, 1002)
    bot.emulator.block(1002)
    await bot.runtime.store.users.set_active(1002, False)
    await bot.runtime.store.bookmarks.add(1001, "keynote-mousnier", clock.now())

    async def extra(*_: Any) -> str:
        return "<b>Extra section</b> &amp; more"

    bot.runtime.services["stats_sections"].append(extra)
    await org.send("/stats")
    msg: BotMessage = await org.next_message()
    assert "Users: 3 (2 active, 1 blocked the bot)" in msg.plain_text
    assert "Bookmarks: 1 by 1 people" in msg.plain_text
    assert msg.plain_text.endswith("Extra section & more")


async def test_long_stats_are_paged_with_buttons(make_bot: HarnessFactory) -> None:
    bot = await org_bot(make_bot)
    org, eve = await started(bot, ORG, 1001)

    async def long_section(*_: Any) -> list[str]:
        return [f"<b>Part {n}</b> &amp; " + "x" * 3000 for n in range(1, 4)]

    bot.runtime.services["stats_sections"].append(long_section)
    await org.send("/stats")
    first = await org.next_message()
    assert "Statistics" in first.plain_text
    assert "Part 1 &" in first.plain_text
    assert "Part 2" not in first.plain_text
    await org.press(first, "Next")
    second = await org.wait_for(lambda m: "Part 2" in m.plain_text)
    assert second.message_id == first.message_id  # edited in place
    assert len(second.text) <= 4096
    await org.press(second, "Next")
    third = await org.wait_for(lambda m: "Part 3" in m.plain_text)
    assert "Next" not in " ".join(third.button_texts)
    assert "◀ Previous" in third.button_texts
    qid = await eve.press_data(eve.last.message_id, "st:1")  # a forged page button
    assert (await eve.callback_answer(qid)).show_alert
