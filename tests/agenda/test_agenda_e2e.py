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
    ada = bot.user(1001)
    await ada.send("/agenda")
    days = await ada.next_message()
    await ada.press(days, "Wed 27 Nov")
    page = await ada.wait_for(lambda m: "Welcoming remarks" in (m.text or ""))
    assert "09:15" in page.text
    await ada.press(page, "Welcoming remarks")
    card = await ada.wait_for(lambda m: "Raya Kalenova" in (m.text or ""))
    assert "Plenary Hall" in card.text
    assert "⭐ Bookmark" in card.button_texts


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
    await ada.press(await ada.next_message(), "Wed 27 Nov")
    day = await ada.wait_for(lambda m: title in m.plain_text and m.edited)  # the page, edited in
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
