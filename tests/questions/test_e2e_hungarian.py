"""Hungarian questions through the real Application: the language is read from the question,
whatever the user's Telegram language, and the answers' buttons open the right cards."""

from __future__ import annotations

from bot.clock import ManualClock
from bot.emulator.harness import BotHarness
from tests.conftest import brussels


async def test_a_hungarian_question_from_a_hungarian_user(
    bot: BotHarness, clock: ManualClock
) -> None:
    clock.set(brussels(12, 10))
    eva = bot.user(1003, "Éva", language_code="hu")
    await eva.send("Mi van most a B teremben?")
    answer = await eva.next_message()
    assert "Crisis management for Jewish communities" in answer.text  # 12:00-13:00, Room B
    await eva.send("mikor van a kávészünet?")
    coffee = await eva.next_message()
    assert "Coffee break" in coffee.plain_text


async def test_the_question_decides_not_the_setting(bot: BotHarness, clock: ManualClock) -> None:
    clock.set(brussels(8, 45))
    ada = bot.user(1001, language_code="en")
    await ada.send("Mikor beszél Sztáray Péter?")
    answer = await ada.next_message()
    assert "Péter Sztáray" in answer.text
    await ada.press(answer, "Keynote")
    card = await ada.wait_for(lambda m: "Sztáray" in m.plain_text and "🗓" in m.plain_text)
    assert card.plain_text
