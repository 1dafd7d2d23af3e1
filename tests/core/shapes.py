"""Helpers for the tests of every update shape: logs, inline messages, "still answering"."""

from __future__ import annotations

import contextlib
import itertools
import logging
import time
from typing import Any

import pytest

from bot.emulator import BotApiEmulator
from bot.emulator.harness import BotHarness
from bot.emulator.users import BotMessage, FakeUser, InlineAnswer

_QUERIES = itertools.count(1)


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every ERROR (or worse) logged: a traceback anywhere fails the test that checks this."""
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


def refused_calls(emu: BotApiEmulator) -> list[str]:
    """Bot API calls Telegram would have refused (an edit that changed nothing is harmless)."""
    return [
        f"{c.method}: {c.response}"
        for c in emu.calls
        if (c.status or 0) >= 400 and "not modified" not in str(c.response)
    ]


def twice_answered(emu: BotApiEmulator) -> list[str]:
    seen = [str(c.params.get("callback_query_id")) for c in emu.calls_of("answerCallbackQuery")]
    return sorted({q for q in seen if seen.count(q) > 1})


async def still_answers(user: FakeUser) -> None:
    """After whatever came before, the bot still welcomes a person in private."""
    await user.send("/start")
    await user.wait_for(lambda m: "Hello" in (m.plain_text or ""), include_existing=False)


async def inline_message(
    emu: BotApiEmulator, user: FakeUser, html: str, buttons: list[list[tuple[str, str]]]
) -> BotMessage:
    """A message ``user`` posted through the bot's inline mode, carrying these buttons.

    The inline answer is recorded as if the bot had made it (inline results are issue 18's),
    so its buttons are the bot's own callback data, pressed from a chat the bot cannot see.
    """
    qid = f"test-{next(_QUERIES)}"
    keyboard: dict[str, Any] = {
        "inline_keyboard": [[{"text": t, "callback_data": d} for t, d in row] for row in buttons]
    }
    emu.inline.answers.append(
        InlineAnswer(
            inline_query_id=qid,
            results=[
                {
                    "type": "article",
                    "id": "r1",
                    "title": "card",
                    "input_message_content": {"message_text": html, "parse_mode": "HTML"},
                    "reply_markup": keyboard,
                }
            ],
            next_offset="",
            cache_time=0,
            is_personal=False,
            button=None,
            at=time.monotonic(),
        )
    )
    return await user.choose_inline_result(qid, "r1")


async def settle(bot: BotHarness, timeout: float = 30.0) -> None:
    """Until the bot has answered every press and gone quiet (a burst of hundreds of updates
    takes a while on a busy machine; a quiet moment alone may come too early)."""
    emu = bot.emulator
    for query_id in list(emu.unanswered_callbacks):
        with contextlib.suppress(AssertionError, TimeoutError):  # the test's asserts report it
            await emu.wait_callback_answer(query_id, timeout=timeout)
    await emu.wait_idle(timeout=timeout)
