"""A table-driven fuzz: every update shape the emulator sends x the bot's commands and buttons.

Whatever arrives, in whatever shape: no ERROR in the log, no call Telegram would refuse, every
press answered, nothing posted into a channel, and the bot still welcomes a person afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import pytest

from bot.clock import ManualClock
from bot.emulator import BotApiEmulator
from bot.emulator.chats import FakeChannel, FakeChat, FakeGroup
from bot.emulator.harness import BotHarness
from bot.emulator.users import BotMessage, FakeUser
from tests.conftest import HarnessFactory, brussels
from tests.core.shapes import (
    errors,
    inline_message,
    refused_calls,
    settle,
    still_answers,
    twice_answered,
)

ORGANISER = 9001
BOT = "confbot_test_bot"

COMMANDS = [
    "/start",
    "/start sp_not-a-real-code-at-all",
    "/start s_welcome",
    "/help",
    "/whoami",
    "/agenda",
    "/now",
    "/next",
    "/speakers",
    "/speaker Raya",
    "/speaker",
    "/session welcome",
    "/session",
    "/my",
    "/remind 5",
    "/remind",
    "/feedback",
    "/myslots",
    "/myfeedback",
    "/broadcast Doors open at 9",
    "/broadcast",
    "/broadcasts",
    "/stats",
    "/export",
    "/reload",
    "/speakerlinks",
    "/unlink Raya",
    "/nonsense",
    "when is lunch",
    "who speaks at the closing",
    "",
]
BUTTONS = [
    "ag",
    "d:20241127:0",
    "d:20241127:99",
    "s:welcome",
    "sp:raya-kalenova",
    "spl:0",
    "bm:welcome",
    "ics:welcome",
    "myics",
    "my",
    "hl:1",
    "rs:welcome",
    "rt:welcome:5",
    "rt:welcome:0",
    "nc:welcome",
    "fb:0",
    "st:0",
    "bc:send:1",
    "bc:stop:1",
    "rl:apply:deadbeef",
    "ul:raya-kalenova",
    "qm:nokey:1",
    "zz:1",
    "v0:from-an-older-bot",
]

Send = Callable[[FakeUser, str], Awaitable[object]]


async def _private(bot: BotHarness, user: FakeUser) -> Send:
    async def send(who: FakeUser, text: str) -> object:
        return await who.send(text) if text else await who.send_document("a.txt", b"x")

    return send


async def _edited(bot: BotHarness, user: FakeUser) -> Send:
    async def send(who: FakeUser, text: str) -> object:
        first = await who.send("typo")
        return await who.edit(first, text or "…")

    return send


def _in_group(group: FakeGroup, *, topic: int | None = None, address: bool = False) -> Send:
    async def send(who: FakeUser, text: str) -> object:
        if not text:
            return await who.send_document("notes.pdf", b"%PDF", chat=group, topic=topic)
        if address and text.startswith("/"):
            head, _, rest = text.partition(" ")
            text = f"{head}@{BOT} {rest}".strip()
        return await who.send(text, chat=group, topic=topic)

    return send


async def _group_member(bot: BotHarness, user: FakeUser) -> Send:
    group = bot.emulator.group("Members", creator=user)
    await group.add_bot(by=user)
    return _in_group(group)


async def _group_admin_addressed(bot: BotHarness, user: FakeUser) -> Send:
    group = bot.emulator.group("Admins", creator=user)
    await group.add_bot(by=user, admin=True)
    return _in_group(group, address=True)


async def _forum_topic(bot: BotHarness, user: FakeUser) -> Send:
    group = bot.emulator.group("Forum", forum=True, creator=user)
    await group.add_bot(by=user, admin=True)
    topic = await group.create_topic("Talks", by=user)
    return _in_group(group, topic=topic, address=True)


async def _forum_general(bot: BotHarness, user: FakeUser) -> Send:
    group = bot.emulator.group("Forum", forum=True, creator=user)
    await group.add_bot(by=user, admin=True)
    return _in_group(group)


async def _reply_in_group(bot: BotHarness, user: FakeUser) -> Send:
    group = bot.emulator.group("Replies", creator=user)
    await group.add_bot(by=user)
    await user.send(f"/agenda@{BOT}", chat=group)
    ours = await group.next_message()

    async def send(who: FakeUser, text: str) -> object:
        return await who.reply_to(ours, text or "…")

    return send


def _channel_of(bot: BotHarness, user: FakeUser) -> FakeChannel:
    return bot.emulator.channel("News", creator=user)


async def _channel(bot: BotHarness, user: FakeUser) -> Send:
    channel = _channel_of(bot, user)
    await channel.add_bot(by=user)

    async def send(who: FakeUser, text: str) -> object:
        if not text:
            return await channel.post_document("agenda.yaml", b"conference: {}\n")
        post = await channel.post(text)
        return await channel.edit_post(post, text + " (edited)")

    return send


async def _redelivered(bot: BotHarness, user: FakeUser) -> Send:
    """Each update delivered twice (a webhook retry): skipping repeats is issue 13's; here
    only that a repeat breaks nothing."""
    emu = bot.emulator

    async def send(who: FakeUser, text: str) -> object:
        sent = await who.send(text) if text else await who.send_document("a.txt", b"x")
        emu.redeliver(emu.update_log[-1]["update_id"])
        return sent

    return send


async def _membership(bot: BotHarness, user: FakeUser) -> Send:
    """Between messages, the bot is added, promoted, demoted, removed; people block it."""
    emu = bot.emulator
    group = emu.group("Churn", creator=user)
    steps = iter(range(10_000))

    async def send(who: FakeUser, text: str) -> object:
        step = next(steps) % 6
        if step == 0:
            await group.add_bot(by=user)
        elif step == 1:
            await group.promote_bot(by=user)
        elif step == 2:
            await group.demote_bot(by=user)
        elif step == 3:
            await group.remove_bot(by=user)
        elif step == 4:
            who.block_bot()
        else:
            who.unblock_bot()
        await who.inline_query(text[:60])
        return await who.send(text or "…")

    return send


SHAPES = {
    "private": _private,
    "edited right away": _edited,
    "group, plain member": _group_member,
    "group admin, addressed": _group_admin_addressed,
    "forum topic": _forum_topic,
    "forum General": _forum_general,
    "reply in a group": _reply_in_group,
    "channel": _channel,
    "redelivered": _redelivered,
    "membership changes, inline queries": _membership,
}


@pytest.mark.parametrize("shape", list(SHAPES))
async def test_every_shape_with_every_command_and_button(
    make_bot: HarnessFactory,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
    shape: str,
) -> None:
    caplog.set_level(logging.INFO)
    clock.set(brussels(11, 0))
    bot = await make_bot(ORGANISER_IDS=str(ORGANISER))
    emu: BotApiEmulator = bot.emulator
    ada, olga = bot.user(1001, "Ada"), bot.user(ORGANISER, "Olga")
    await still_answers(ada)
    await still_answers(olga)
    send = await SHAPES[shape](bot, olga)
    for who in (ada, olga):
        for text in COMMANDS:
            await send(who, text)
    await settle(bot)

    # Every button: on the bot's last message in each chat it wrote into (a person presses
    # only in their own private chat) and on a message sent through inline mode.
    targets: list[tuple[BotMessage, FakeChat | None]] = [
        (state.bot_messages[-1], emu.chats.get(state.id))
        for state in emu._chats.values()
        if state.bot_messages
    ]
    card = await inline_message(emu, ada, "<b>card</b>", [[("x", "ag")]])
    assert card.inline_message_id is not None
    for who in (ada, olga):
        for data in BUTTONS:
            for msg, chat in targets:
                if chat is None and msg.chat_id != who.id:
                    continue
                await who.press_data(msg.message_id, data, chat=chat)
            await who.press_inline(card.inline_message_id, data)
    await settle(bot)
    # Updates are handled in order: once these are answered, everything before them was.
    await still_answers(ada)
    await still_answers(olga)
    await settle(bot)

    assert errors(caplog) == []
    assert refused_calls(emu) == []
    assert twice_answered(emu) == []
    assert emu.unanswered_callbacks == []
    for state in emu._chats.values():
        if state.kind == "channel":
            assert state.bot_messages == [], "nothing is ever posted into a channel"
