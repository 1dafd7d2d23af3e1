"""The Mini App served by a running bot's own web server, in a real browser, against the
emulator: a bookmark made in the app is the chat's, and the bot reminds before the session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.emulator import BotApiEmulator
from bot.emulator.harness import TEST_TOKEN
from bot.web.initdata import launch_url
from tests.conftest import brussels
from tests.steps import at, is_reminder
from tests.web.bots import PUBLIC, WebBotFactory
from tests.web.conftest import CHROMIUM_ARGS


@pytest.fixture
async def browser(chromium: str) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield b
        await b.close()


async def test_a_bookmark_made_in_the_app_is_in_my_and_gets_its_reminder(
    web_bot: WebBotFactory, web_emulator: BotApiEmulator, browser: Any
) -> None:
    bot = await web_bot()
    app_url = f"{PUBLIC}/app/"
    # The chat's menu button opens the app, and /agenda offers it in a private chat.
    assert web_emulator.menu_buttons[None] == {
        "type": "web_app",
        "text": "Timetable",
        "web_app": {"url": app_url},
    }
    anna = web_emulator.user(42, "Anna", language_code="en")
    await anna.send("/agenda")
    menu = await anna.next_message()
    markup = menu.reply_markup or {}
    buttons = [b for row in markup["inline_keyboard"] for b in row]
    assert {"text": "🗓 Open the timetable", "web_app": {"url": app_url}} in buttons

    bot.clock.set(brussels(9, 40))  # type: ignore[attr-defined]
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # As Telegram opens it: the address with the signed launch data in its hash.
    await page.goto(launch_url(f"{bot.web_url}/app/", anna.web_app_init_data(TEST_TOKEN)))
    await page.wait_for_selector("body[data-ready='1']", timeout=15000)
    await page.click(".s[data-key='keynote-sztaray']")
    await page.click("#d-bookmark")
    await page.wait_for_selector("#d-bookmark[aria-pressed='true']")

    await anna.send("/my")
    mine = await anna.next_message()
    assert "Keynote" in (mine.plain_text or "")
    assert await bot.runtime.store.bookmarks.of_user(42) == ["keynote-sztaray"]

    await at(bot, 9, 49, 59)  # the ManualClock reaches the reminder's time
    reminder = await anna.next_message()
    assert is_reminder(reminder)
    assert "10:00" in (reminder.plain_text or "")

    # A forged initData (another user's id under Anna's signature) gets 401, changes nothing.
    forged = anna.web_app_init_data(TEST_TOKEN).replace("%22id%22%3A42", "%22id%22%3A43")
    status = await page.evaluate(
        """async (init) => (await fetch('api/bookmarks/welcome',
             {method: 'POST', headers: {Authorization: 'tma ' + init}})).status""",
        forged,
    )
    assert status == 401
    assert await bot.runtime.store.bookmarks.count() == 1
    assert await bot.runtime.store.users.get(43) is None
    await context.close()
    assert not errors, errors


async def test_without_a_public_address_the_menu_button_this_bot_set_is_reset(
    web_bot: WebBotFactory, web_emulator: BotApiEmulator
) -> None:
    bot = await web_bot()
    assert web_emulator.menu_buttons[None]["type"] == "web_app"
    await bot.stop()
    bot = await web_bot(PUBLIC_URL=None)
    assert web_emulator.menu_buttons[None] == {"type": "default"}
    anna = web_emulator.user(42, "Anna")
    await anna.send("/agenda")
    menu = await anna.next_message()
    assert "Open the timetable" not in menu.button_texts
    await bot.stop()
    calls = len(web_emulator.calls_of("setChatMenuButton"))
    await web_bot(PUBLIC_URL=None)  # nothing of ours to reset any more: left alone
    assert len(web_emulator.calls_of("setChatMenuButton")) == calls
