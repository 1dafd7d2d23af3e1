"""/stats end to end: the counts, each feature's section, pages under Telegram's limit."""

from __future__ import annotations

from typing import Any

from bot.emulator.users import BotMessage
from tests.conftest import HarnessFactory
from tests.organisers import ORG, org_bot, started


async def test_stats_with_sections(make_bot: HarnessFactory, clock: Any) -> None:
    bot = await org_bot(make_bot)
    org, _, _ = await started(bot, ORG, 1001, 1002)
    bot.emulator.block(1002)
    await bot.runtime.store.users.set_active(1002, False)
    await bot.runtime.store.bookmarks.add(1001, "keynote-mousnier", clock.now())

    async def extra(*_: Any) -> str:
        return "<b>Extra section</b> &amp; more"

    bot.runtime.stats.sections.append(extra)
    await org.send("/stats")
    msg: BotMessage = await org.next_message()
    assert "Users: 3 (2 active, 1 blocked the bot)" in msg.plain_text
    assert "Bookmarks: 1 by 1 person" in msg.plain_text
    assert "Questions to the stage\nNo questions yet." in msg.plain_text  # the Q&A section
    assert msg.plain_text.endswith("Extra section & more")


async def test_long_stats_are_paged_with_buttons(make_bot: HarnessFactory) -> None:
    bot = await org_bot(make_bot)
    org, eve = await started(bot, ORG, 1001)

    async def long_section(*_: Any) -> list[str]:
        return [f"<b>Part {n}</b> &amp; " + "x" * 3000 for n in range(1, 4)]

    bot.runtime.stats.sections.append(long_section)
    await org.send("/stats")
    first = await org.next_message()
    assert "Statistics" in first.plain_text
    assert "Part 1 &" in first.plain_text
    assert "Part 2" not in first.plain_text
    await org.press(first, "Next")
    second = await org.wait_for(lambda m: "Part 2" in m.plain_text)
    assert second.message_id == first.message_id  # edited in place
    assert len(second.text) <= 4096
    await org.press(second, "Next")
    third = await org.wait_for(lambda m: "Part 3" in m.plain_text)
    assert "Next" not in " ".join(third.button_texts)
    assert "◀ Previous" in third.button_texts
    qid = await eve.press_data(eve.last.message_id, "st:1")  # a forged page button
    assert (await eve.callback_answer(qid)).show_alert
