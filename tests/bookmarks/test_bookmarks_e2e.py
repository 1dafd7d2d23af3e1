"""Bookmarks end to end: the card's button, /my with clashes, /remind, the switch, .ics files."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.clock import ManualClock
from bot.emulator.harness import BotHarness
from bot.emulator.users import BotMessage, FakeUser
from tests.conftest import brussels


async def open_card(user: FakeUser, session_id: str) -> BotMessage:
    await user.send(f"/session {session_id}")
    return await user.next_message()


async def press_and_answer(user: FakeUser, msg: BotMessage, button: str) -> str:
    qid = await user.press(msg, button)
    answer = await user.callback_answer(qid)
    return answer.text or ""


async def test_bookmark_from_the_card_toggles_and_relabels(bot: BotHarness) -> None:
    ada = bot.user(1001, "Ada")
    card = await open_card(ada, "panel-october-7")
    assert "⭐ Bookmark" in card.button_texts
    toast = await press_and_answer(ada, card, "⭐ Bookmark")
    assert toast == "Bookmarked — I'll remind you 10 minutes before"
    assert await bot.runtime.store.bookmarks.has(1001, "panel-october-7")
    edited = await ada.wait_for(lambda m: "Remove bookmark" in m.button_texts)
    assert edited.message_id == card.message_id
    assert "In your bookmarks" in (edited.text or "")
    toast = await press_and_answer(ada, card, "Remove bookmark")
    assert toast == "Removed"
    assert not await bot.runtime.store.bookmarks.has(1001, "panel-october-7")
    await ada.wait_for(
        lambda m: m.message_id == card.message_id and "⭐ Bookmark" in m.button_texts
    )


async def test_breaks_cannot_be_bookmarked_and_forged_buttons_are_answered(
    bot: BotHarness,
) -> None:
    ada = bot.user(1001, "Ada")
    card = await open_card(ada, "welcome")
    for data in ("bm:lunch", "bm:nope", "hl:7", "ics:nope", "bm:" + "x" * 41):
        qid = await ada.press_data(card.message_id, data)
        answer = await ada.callback_answer(qid)
        assert answer.text
    assert await bot.runtime.store.bookmarks.of_user(1001) == []
    assert bot.emulator.unanswered_callbacks == []


async def test_my_lists_in_time_order_marks_clashes_and_exports(bot: BotHarness) -> None:
    ada = bot.user(1001, "Ada")
    await ada.send("/my")
    empty = await ada.next_message()
    assert "No bookmarks yet" in (empty.text or "")
    for sid in ("panel-october-7", "crisis-management", "keynote-mousnier"):
        card = await open_card(ada, sid)
        await press_and_answer(ada, card, "⭐ Bookmark")
    await ada.send("/my")
    my = await ada.next_message()
    text = my.plain_text or ""
    assert text.index("12:00") < text.index("14:00")
    assert text.count("clash") == 2  # the two 12:00 sessions overlap; the panel does not
    assert len([b for b in my.button_texts if b.startswith(("12:00", "14:00"))]) == 3
    await ada.press(my, "12:00 Crisis")
    card = await ada.next_message()
    assert "Room B" in (card.text or "")
    await ada.press(my, "Whole schedule")
    doc = await ada.next_message()
    assert doc.document_name == "my-schedule.ics"
    assert doc.document_bytes is not None
    cal = Calendar.from_ical(doc.document_bytes)
    starts = [e.decoded("DTSTART") for e in cal.walk("VEVENT")]
    bru = ZoneInfo("Europe/Brussels")
    assert starts == [
        datetime(2024, 11, 27, 12, 0, tzinfo=bru),
        datetime(2024, 11, 27, 12, 0, tzinfo=bru),
        datetime(2024, 11, 27, 14, 0, tzinfo=bru),
    ]


async def test_calendar_button_sends_a_parseable_ics(bot: BotHarness) -> None:
    ada = bot.user(1001, "Ada")
    card = await open_card(ada, "panel-october-7")
    await ada.press(card, "Add to calendar")
    doc = await ada.next_message()
    assert doc.document_name == "panel-october-7.ics"
    assert doc.document_bytes is not None
    cal = Calendar.from_ical(doc.document_bytes)
    (event,) = cal.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Europe/Brussels"
    assert event.decoded("DTSTART") == datetime(
        2024, 11, 27, 14, 0, tzinfo=ZoneInfo("Europe/Brussels")
    )
    assert str(event["UID"]).startswith("panel-october-7.")
    assert [str(t["TZID"]) for t in cal.walk("VTIMEZONE")] == ["Europe/Brussels"]


async def test_remind_sets_shows_and_refuses_bad_input(bot: BotHarness) -> None:
    ada = bot.user(1001, "Ada")
    await ada.send("/remind")
    status = await ada.next_message()
    assert "10 minutes" in (status.plain_text or "")
    assert "the default" in (status.plain_text or "")
    await ada.send("/remind 25")
    done = await ada.next_message()
    assert "25 minutes" in (done.plain_text or "")
    user = await bot.runtime.store.users.get(1001)
    assert user is not None
    assert user.reminder_minutes == 25
    for bad in ("/remind soon", "/remind -5", "/remind 99999", "/remind <b>"):
        await ada.send(bad)
        msg = await ada.next_message()
        assert "/remind N" in (msg.plain_text or "")
    user = await bot.runtime.store.users.get(1001)
    assert user is not None
    assert user.reminder_minutes == 25
    await ada.send("/remind 0")
    off = await ada.next_message()
    assert "off" in (off.plain_text or "")
    card = await open_card(ada, "panel-october-7")
    toast = await press_and_answer(ada, card, "⭐ Bookmark")
    assert "Reminders are off" in toast


async def test_every_panel_switch_in_my_and_remind(bot: BotHarness) -> None:
    ada = bot.user(1001, "Ada")
    await ada.send("/remind")
    status = await ada.next_message()
    toast = await press_and_answer(ada, status, "Remind me before every panel")
    assert "every panel" in toast
    user = await bot.runtime.store.users.get(1001)
    assert user is not None
    assert user.remind_headline
    redrawn = await ada.wait_for(
        lambda m: m.message_id == status.message_id and any(": on" in b for b in m.button_texts)
    )
    assert "every panel and keynote" in (redrawn.plain_text or "")
    await ada.send("/my")
    my = await ada.next_message()
    assert "every panel and keynote" in (my.plain_text or "")
    await press_and_answer(ada, my, "Reminders before every panel: on")
    user = await bot.runtime.store.users.get(1001)
    assert user is not None
    assert not user.remind_headline


async def test_the_toast_says_what_a_bookmark_will_bring(bot: BotHarness) -> None:
    ada = bot.user(1001, "Ada")
    clock = bot.clock
    assert isinstance(clock, ManualClock)
    toasts = {}
    for hour, minute in ((13, 0), (14, 30), (15, 30)):  # before, during, after the panel
        clock.set(brussels(hour, minute))
        card = await open_card(ada, "panel-october-7")
        label = "⭐ Bookmark" if "⭐ Bookmark" in card.button_texts else "Remove bookmark"
        if label == "Remove bookmark":
            await press_and_answer(ada, card, label)
            card = await open_card(ada, "panel-october-7")
        toasts[hour] = await press_and_answer(ada, card, "⭐ Bookmark")
    assert "remind you 10 minutes before" in toasts[13]
    assert "feedback after it" in toasts[14]
    assert "/feedback" in toasts[15]
