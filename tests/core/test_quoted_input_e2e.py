"""Every reply that quotes what someone typed fits Telegram's 4,096 characters and stays valid
HTML, whatever was typed: 5,000 characters, entity-heavy text, markup, emoji, line breaks.

The emulator refuses a message over the limit or with broken HTML, so a reply that arrives
is one Telegram would have accepted; each command must be answered, and nothing logged as an
error. Telegram itself caps a person's message at 4,096 characters; the bot must not rely on it.
"""

from __future__ import annotations

import logging

import pytest

from bot.clock import ManualClock
from bot.emulator.harness import BotHarness
from bot.emulator.users import BotMessage, FakeUser
from tests.conftest import HarnessFactory, brussels
from tests.core.shapes import errors, refused_calls

ORGANISER = 9001
SPEAKER = 5001  # linked to Raya Kalenova, who gives the welcoming remarks

INPUTS = {
    "5000 letters": "x" * 5000,
    "5000 ampersands": "&" * 5000,  # each is 5 characters of HTML: 25,000 in all
    "markup": "<b>" * 1700,
    "quotes and brackets": "\"'<>&" * 1000,
    "emoji": "🎤" * 3000,  # 6,000 UTF-16 units
    "lines": "a&b <c>\n" * 700,
}

#: (who sends it, the text, a word the reply must contain). ``{x}`` is the input.
COMMANDS = [
    ("ada", "/speaker {x}", "speaker"),
    ("ada", "/session {x}", "session"),
    ("ada", "/remind {x}", "/remind"),
    ("olga", "/speakerlinks {x}", "speaker"),
    ("olga", "/unlink {x}", "speaker"),
    ("olga", "/broadcast to:session:{x} hello", "broadcast"),
    ("olga", "/broadcast to:track:{x} hello", "broadcast"),
    ("olga", "/broadcast to:{x} hello", ""),  # a refusal, or (no audience read) a preview
    ("olga", "/broadcast {x}", ""),  # too long to send, or a preview that fits
    ("ada", "{x}", "1000"),  # a question too long to read
    ("ada", "{short}", ""),  # the same input as a question of 1,000 characters at most
]


def fitting(msg: BotMessage) -> None:
    assert msg.plain_text is not None
    assert 0 < len(msg.plain_text) <= 4096, len(msg.plain_text)
    assert len(msg.text or "") <= 4096 or "&" in (msg.text or "") or "<" in (msg.text or "")


async def answer_to(user: FakeUser, text: str) -> BotMessage:
    await user.send(text)
    return await user.next_message(timeout=10)


@pytest.fixture
async def bot(make_bot: HarnessFactory, clock: ManualClock) -> BotHarness:
    clock.set(brussels(16, 0))  # after the last session: everything can be rated
    harness = await make_bot(ORGANISER_IDS=str(ORGANISER))
    now = harness.runtime.now()
    await harness.runtime.store.speakers.link_username("raya-kalenova", SPEAKER, now)
    return harness


@pytest.mark.parametrize("name", sorted(INPUTS))
async def test_every_reply_quoting_input_fits(
    bot: BotHarness, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    caplog.set_level(logging.INFO)
    x = INPUTS[name]
    people = {"ada": bot.user(1001, "Ada"), "olga": bot.user(ORGANISER, "Olga")}
    for user in people.values():
        await user.send("/start")
        await user.next_message()
    for who, command, word in COMMANDS:
        text = command.format(x=x, short=x[:1000])
        reply = await answer_to(people[who], text)
        fitting(reply)
        assert word in (reply.plain_text or ""), (command, reply.plain_text)
        await bot.emulator.wait_idle()
        while people[who].unread:  # a broadcast's preview comes with its summary
            fitting(await people[who].next_message())

    # A comment shown back: rated, commented, then seen by the speaker and in /stats.
    ada, olga, raya = people["ada"], people["olga"], bot.user(SPEAKER, "Raya")
    card = await answer_to(ada, "/session welcome")
    await ada.callback_answer(await ada.press_data(card.message_id, "rt:welcome:4"))
    fitting(await ada.wait_for(lambda m: "You rated" in (m.plain_text or "")))  # edited in
    fitting(await answer_to(ada, x))  # too long for a comment: said so
    saved = await answer_to(ada, x[:900])
    fitting(saved)
    assert "saved" in (saved.plain_text or "")
    await raya.send("/myfeedback")
    shown = await raya.wait_for(lambda m: "💬" in (m.plain_text or ""))
    fitting(shown)
    stats = await answer_to(olga, "/stats")
    fitting(stats)
    while "Next" in " ".join(stats.button_texts):
        await olga.callback_answer(await olga.press(stats, "Next"))
        await bot.emulator.wait_idle()
        fitting(stats)
        if "💬" in (stats.plain_text or ""):
            break

    # An agenda upload whose name and error quote the input.
    await olga.send_document(f"{x[:200]}.yaml", f"conference:\n  name: [{x}\n".encode())
    refused = await olga.next_message()
    fitting(refused)
    assert "cannot be used" in (refused.plain_text or "")

    await bot.emulator.wait_idle()
    assert errors(caplog) == []
    assert refused_calls(bot.emulator) == []
