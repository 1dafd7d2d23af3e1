"""Local Telegram Bot API emulator: a real HTTP server PTB can poll, plus fake users.

Typical use::

    async with BotApiEmulator(latency_ms=100) as emu:
        app = (Application.builder().token("1:T").base_url(emu.base_url)
               .base_file_url(emu.base_file_url).build())
        ada = emu.user(1001, "Ada", username="ada")
        await ada.send("/start")
        reply = await ada.next_message()

It speaks like Telegram on a real network: a jittered round trip on every call, flood control
and paid broadcasts, private chats, groups, forum topics and channels (privacy mode,
``my_chat_member``), edits and re-delivered updates, inline mode, webhooks to loopback URLs,
and Telegram's own validation and error texts. See docs/emulator.md.
"""

from bot.emulator.chats import FakeChannel, FakeChat, FakeGroup
from bot.emulator.faults import FaultInjector, FaultRule
from bot.emulator.flood import FloodControl
from bot.emulator.markup import EntityParseError, MarkupError, check_reply_markup, parse_html
from bot.emulator.server import ApiError, BotApiEmulator, Call, Send, UploadedFile, Withheld
from bot.emulator.users import (
    BotMessage,
    BotMessageVersion,
    CallbackAnswer,
    FakeUser,
    InlineAnswer,
)
from bot.emulator.webhook import PtbWebhookBridge, WebhookDelivery, WebhookReceiver

__all__ = [
    "ApiError",
    "BotApiEmulator",
    "BotMessage",
    "BotMessageVersion",
    "Call",
    "CallbackAnswer",
    "EntityParseError",
    "FakeChannel",
    "FakeChat",
    "FakeGroup",
    "FakeUser",
    "FaultInjector",
    "FaultRule",
    "FloodControl",
    "InlineAnswer",
    "MarkupError",
    "PtbWebhookBridge",
    "Send",
    "UploadedFile",
    "WebhookDelivery",
    "WebhookReceiver",
    "Withheld",
    "check_reply_markup",
    "parse_html",
]
