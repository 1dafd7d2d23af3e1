"""Typed questions through the real Application: answers, and buttons that open the right cards."""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from bot.emulator.harness import BotHarness
from tests.conftest import brussels


async def test_question_answer_buttons_open_the_right_card(bot: BotHarness) -> None:
    ada = bot.user(1001)
    await ada.send("when is the session on crisis management?")
    answer = await ada.next_message()
    assert "Crisis management for Jewish communities" in answer.text
    assert "12:00–13:00" in answer.text
    assert "Room B" in answer.text
    await ada.press(answer, "Crisis management")
    card = await ada.next_message()
    assert card.text.startswith("<b>Crisis management for Jewish communities</b>")
    assert "Ophir Revach" in card.text


async def test_who_moderates_names_the_moderator(bot: BotHarness) -> None:
    ada = bot.user(1001)
    await ada.send("who moderates the october 7 panel")
    answer = await ada.next_message()
    assert "Moderator: <b>Ophir Revach</b>" in answer.text
    assert "Wegter" not in answer.text  # a panellist, not the moderator
    await ada.send("who is on the october 7 panel")
    everyone = await ada.next_message()
    assert "Wegter" in everyone.text


async def test_speaker_question_without_accents_opens_profile(bot: BotHarness) -> None:
    ada = bot.user(1001)
    await ada.send("who is peter sztaray")
    answer = await ada.next_message()
    assert "Péter Sztáray" in answer.text
    assert "Keynote" in answer.text


async def test_time_questions_follow_the_clock(bot: BotHarness, clock: ManualClock) -> None:
    clock.set(brussels(12, 10))
    ada = bot.user(1001)
    await ada.send("what's on now?")
    answer = await ada.next_message()
    assert "Crisis management" in answer.text
    assert "Coffee break" not in answer.text
    await ada.send("what's on after lunch?")
    answer = await ada.next_message()
    assert "October 7th" in answer.text
    assert "Crisis management" not in answer.text


@pytest.mark.parametrize(
    "text",
    [
        "asdfgh qwerty",
        "<b>unclosed & <i>",
        "'; DROP TABLE users; --",
        "🎤" * 50,
        "x" * 999,
    ],
)
async def test_anything_typed_gets_a_valid_html_answer(bot: BotHarness, text: str) -> None:
    ada = bot.user(1001)
    await ada.send(text)
    answer = await ada.next_message()  # the emulator refuses malformed HTML: an answer proves it
    assert answer.text
    await ada.send("/next")  # and the bot keeps working
    assert "Next" in (await ada.next_message()).text


async def test_overlong_text_gets_a_clear_message(bot: BotHarness) -> None:
    ada = bot.user(1001)
    await ada.send("y" * 3000)
    answer = await ada.next_message()
    assert "too long" in answer.text
