"""Helpers for organiser end-to-end tests (broadcasts, reload, stats): a bot with one organiser."""

from __future__ import annotations

from typing import Any

from bot.emulator.harness import BotHarness
from bot.emulator.users import FakeUser
from tests.conftest import HarnessFactory

ORG = 4242


async def org_bot(make_bot: HarnessFactory, **kw: Any) -> BotHarness:
    bot = await make_bot(ORGANISER_IDS=str(ORG), **kw)
    bot.runtime.broadcasts.progress.interval = 0.05
    return bot


async def started(bot: BotHarness, *ids: int) -> list[FakeUser]:
    users = []
    for uid in ids:
        user = bot.user(uid, f"U{uid}")
        await user.send("/start")
        await user.next_message()
        users.append(user)
    return users


def texts_of(user: FakeUser) -> list[str]:
    return [m.plain_text or m.text or "" for m in user.messages]
