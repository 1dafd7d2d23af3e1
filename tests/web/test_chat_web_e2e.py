"""``confbot chat`` serves the Mini App on 127.0.0.1 and prints an address signed for its user;
/agenda offers the app only where Telegram allows it."""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlsplit

from bot.config import Settings
from bot.emulator import BotApiEmulator
from bot.emulator.chat import run_chat
from bot.emulator.harness import TEST_TOKEN
from bot.web.initdata import validate
from tests.conftest import BUDAPEST
from tests.web.bots import WebBotFactory


async def test_chat_prints_a_local_address_signed_for_the_chats_user() -> None:
    settings = Settings(_env_file=None, AGENDA_PATH=BUDAPEST)  # type: ignore[call-arg]
    out = io.StringIO()
    code = await run_chat(
        settings, demo=True, user_id=2024, stdin=io.StringIO("/start\n"), stdout=out
    )
    assert code == 0
    found = re.search(r"http://127\.0\.0\.1:\d+/app/#\S+", out.getvalue())
    assert found, out.getvalue()
    launch = parse_qs(urlsplit(found.group(0)).fragment)
    assert launch["tgWebAppPlatform"] == ["web"]
    init = validate(launch["tgWebAppData"][0], TEST_TOKEN)  # signed as Telegram signs
    assert init.user.id == 2024
    assert init.user.first_name == "You"
    out = io.StringIO()
    await run_chat(settings, demo=True, web=False, stdin=io.StringIO(""), stdout=out)
    assert "/app/" not in out.getvalue()


async def test_agenda_offers_the_timetable_in_private_chats_only(
    web_bot: WebBotFactory, web_emulator: BotApiEmulator
) -> None:
    await web_bot()
    ada = web_emulator.user(1001, "Ada")
    group = web_emulator.group("Attendees", creator=ada)
    await group.add_bot(by=ada, admin=True)
    await ada.send("/agenda", chat=group)
    menu = await group.wait_for(lambda m: bool(m.buttons))  # accepted: no web_app button
    kinds = {k for row in (menu.reply_markup or {})["inline_keyboard"] for b in row for k in b}
    assert "web_app" not in kinds
    await ada.send("/agenda")
    private = await ada.next_message()
    kinds = {k for row in (private.reply_markup or {})["inline_keyboard"] for b in row for k in b}
    assert "web_app" in kinds
