"""/reload end to end: a changed file or an uploaded one, previewed, applied, kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.agenda.diff import Changes
from bot.emulator.harness import BotHarness
from bot.runtime import AgendaState
from tests.conftest import BRUSSELS, HarnessFactory
from tests.organisers import ORG, org_bot, started


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

    bot.runtime.reload.listeners.append(listener)

    await org.send("/reload")
    same = await org.next_message()
    assert "no changes" in same.plain_text

    moved_agenda(tmp_path)
    await org.send("/reload")
    preview = await org.next_message()
    assert "12:00–12:45 → 14:30–15:15" in preview.plain_text
    assert "tells 1 bookmarker what" in preview.plain_text
    apply_data = preview.buttons[0][0][1] or ""
    await org.press(preview, "Apply")
    await org.wait_for(lambda m: "new agenda is live" in (m.plain_text or ""))
    await bot.runtime.delivery.drain(timeout=5)
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
