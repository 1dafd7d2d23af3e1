"""The agenda in Telegram, end to end: /start, days, cards, /now, text as typed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import ManualClock
from bot.emulator.harness import BotHarness
from tests.conftest import BRUSSELS, BUDAPEST, HarnessFactory


async def test_start_welcomes_with_conference_name_and_dates(bot: BotHarness) -> None:
    ada = bot.user(1001, "Ada")
    await ada.send("/start")
    msg = await ada.next_message()
    assert "Security and Resilience Challenges" in msg.text
    assert "27 November 2024" in msg.text
    assert "Wed 27 Nov" in msg.button_texts


async def test_agenda_navigation_through_buttons(bot: BotHarness) -> None:
    """A one-day conference: /agenda is that day at once, with no "Which day?" to tap through."""
    ada = bot.user(1001)
    await ada.send("/agenda")
    page = await ada.next_message()
    assert "Which day" not in page.plain_text
    assert "Welcoming remarks" in page.text
    assert "09:15" in page.text
    assert "📅 Days" not in page.button_texts, "no way back to a choice of one"
    await ada.press(page, "Welcoming remarks")
    card = await ada.wait_for(lambda m: "Raya Kalenova" in (m.text or ""))
    assert "Plenary Hall" in card.text
    assert "⭐ Bookmark" in card.button_texts
    await ada.press(card, "🗓 Back to the day")
    back = await ada.wait_for(lambda m: m.message_id == card.message_id and m.edited)
    assert "Welcoming remarks" in back.text
    # A Days button from when the agenda had more days: the day again (unchanged, so no edit).
    await ada.callback_answer(await ada.press_data(back.message_id, "ag"))
    await bot.emulator.wait_idle()
    assert "Which day" not in back.plain_text
    assert "Welcoming remarks" in back.text


async def test_agenda_of_several_days_asks_which_day(make_bot: HarnessFactory) -> None:
    bot = await make_bot(AGENDA_PATH=BUDAPEST)  # 7-8 November 2019
    ada = bot.user(1001)
    await ada.send("/agenda")
    days = await ada.next_message()
    assert "Which day?" in days.plain_text
    assert days.button_texts == ["Thu 7 Nov", "Fri 8 Nov"]
    await ada.press(days, "Fri 8 Nov")
    page = await ada.wait_for(lambda m: m.edited and "Friday 8 November" in m.plain_text)
    assert "📅 Days" in page.button_texts


async def test_now_follows_the_clock(bot: BotHarness, clock: object) -> None:
    from tests.conftest import brussels

    bot.clock.set(brussels(14, 30))  # type: ignore[union-attr]
    ada = bot.user(1001)
    await ada.send("/now")
    msg = await ada.next_message()
    assert "October" in msg.text
    assert "14:00–15:15" in msg.text


async def test_forged_callback_is_answered_and_changes_nothing(bot: BotHarness) -> None:
    ada = bot.user(1001)
    await ada.send("/agenda")
    days = await ada.next_message()
    for data in ("s:nope", "d:20991231:0", "zz:1", "s", "d:2024x:0", "bm:" + "x" * 70):
        await ada.press_data(days.message_id, data)
    await ada.send("/next")
    msg = await ada.next_message()
    assert "Next" in msg.text or "Nothing" in msg.text


async def test_agenda_text_with_html_characters_shows_as_typed(
    make_bot: HarnessFactory, tmp_path: Path
) -> None:
    title = 'Q&A <live> & "quotes" </b>'
    agenda = tmp_path / "agenda.yaml"
    agenda.write_text(
        BRUSSELS.read_text(encoding="utf-8").replace(
            "title: Closing remarks", f"title: '{title}'", 1
        ),
        encoding="utf-8",
    )
    bot = await make_bot(AGENDA_PATH=agenda)
    ada = bot.user(1001)
    await ada.send("/session closing")
    card = await ada.next_message()  # the emulator refuses malformed HTML: arriving proves it
    assert card.plain_text.splitlines()[0] == title
    await ada.send("/agenda")
    day = await ada.next_message()  # one day: the page at once
    assert any(title in label for label in day.button_texts)


async def test_now_before_between_and_after_the_conference(
    make_bot: HarnessFactory, clock: ManualClock
) -> None:
    bot = await make_bot(AGENDA_PATH=BUDAPEST)  # 7-8 November 2019, Europe/Budapest
    budapest = ZoneInfo("Europe/Budapest")
    ada = bot.user(1001)
    expected = [
        (datetime(2019, 11, 1, 10, 0), "The programme starts on Thursday 7 November 2019 at 08:30"),
        (
            datetime(2019, 11, 7, 19, 0),
            "The programme continues on Friday 8 November 2019 at 09:00",
        ),
        (datetime(2019, 11, 8, 18), "The conference is over"),
    ]
    for when, text in expected:
        clock.set(when.replace(tzinfo=budapest))
        await ada.send("/now")
        assert text in (await ada.next_message()).plain_text
