"""The real Application against the emulator: unknown commands, logging, errors, flood control."""

from __future__ import annotations

import io
import logging

import pytest

from bot.app import configure_logging
from bot.emulator.harness import TEST_TOKEN, BotHarness


async def test_unknown_command_gets_a_friendly_answer(bot: BotHarness) -> None:
    ada = bot.user(1001)
    await ada.send("/frobnicate")
    msg = await ada.next_message()
    assert "/help" in msg.text


async def test_token_never_logged(bot: BotHarness) -> None:
    """The logging that ``confbot run`` sets up keeps the token out at every level."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    old_level = root.level
    configure_logging(bot.settings.model_copy(update={"LOG_LEVEL": "DEBUG"}), handler)
    try:
        ada = bot.user(1001)
        await ada.send("/start")
        await ada.next_message()
        await ada.send("/agenda")
        await ada.next_message()
        logging.getLogger("confbot.test").error("boom at %s/bot%s/getMe", "http://x", TEST_TOKEN)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    logged = stream.getvalue()
    assert "sendMessage" in logged  # PTB's own debug lines were captured
    assert TEST_TOKEN not in logged
    assert TEST_TOKEN.split(":")[1] not in logged


async def test_a_failing_handler_apologises_and_the_bot_keeps_running(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(text: str, now: object) -> object:
        raise RuntimeError("a bug in the question engine")

    monkeypatch.setattr(bot.runtime.agenda.questions, "ask", broken)
    ada = bot.user(1001)
    await ada.send("when is lunch")
    apology = await ada.next_message()
    assert "something went wrong" in apology.plain_text
    await ada.send("/next")
    assert "Next" in (await ada.next_message()).plain_text


async def test_a_reply_that_meets_flood_control_waits_and_arrives(bot: BotHarness) -> None:
    ada = bot.user(1001)
    rule = bot.emulator.faults.add("sendMessage", 429, retry_after=1, times=1, chat_id=1001)
    await ada.send("/next")
    reply = await ada.next_message(timeout=10)
    assert "Next" in reply.plain_text  # the answer itself, not an apology
    assert rule.fired == 1
