"""Local Telegram Bot API emulator: a real HTTP server PTB can poll, plus fake users.

Typical use::

    async with BotApiEmulator() as emu:
        app = (Application.builder().token("1:T").base_url(emu.base_url)
               .base_file_url(emu.base_file_url).build())
        ada = emu.user(1001, "Ada", username="ada")
        await ada.send("/start")
        reply = await ada.next_message()
"""

from bot.emulator.faults import FaultInjector, FaultRule
from bot.emulator.markup import EntityParseError, parse_html
from bot.emulator.server import ApiError, BotApiEmulator, Call, Send, UploadedFile
from bot.emulator.users import BotMessage, BotMessageVersion, CallbackAnswer, FakeUser

__all__ = [
    "ApiError",
    "BotApiEmulator",
    "BotMessage",
    "BotMessageVersion",
    "Call",
    "CallbackAnswer",
    "EntityParseError",
    "FakeUser",
    "FaultInjector",
    "FaultRule",
    "Send",
    "UploadedFile",
    "parse_html",
]
