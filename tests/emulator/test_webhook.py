"""Webhook mode: setWebhook, deliveries with the secret header, retries, 409 for getUpdates."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.emulator import BotApiEmulator, FakeUser, PtbWebhookBridge, WebhookReceiver
from tests.emulator.conftest import TOKEN, raw_call

CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(webhook_retry_delay=0.05, webhook_timeout=2.0) as emulator:
        emulator.webhook.set_interval = 0  # tests change webhooks faster than once a second
        yield emulator


@pytest.fixture
def ada(emu: BotApiEmulator) -> FakeUser:
    return emu.user(1001, "Ada")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_set_info_and_delete(emu: BotApiEmulator, ada: FakeUser) -> None:
    _status, body = await raw_call(emu, "getWebhookInfo")
    assert body["result"] == {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
    await ada.send("queued before the webhook")
    async with WebhookReceiver() as rx:
        _status, body = await raw_call(
            emu,
            "setWebhook",
            url=rx.url,
            secret_token="Sec_ret-1",
            allowed_updates=["message", "callback_query"],
            max_connections=7,
        )
        assert body == {"ok": True, "result": True, "description": "Webhook was set"}
        received = await rx.wait(1)
        assert received[0]["message"]["text"] == "queued before the webhook"
        await emu.wait_idle()
        _status, body = await raw_call(emu, "getWebhookInfo")
        assert body["result"] == {
            "url": rx.url,
            "has_custom_certificate": False,
            "pending_update_count": 0,
            "max_connections": 7,
            "ip_address": "127.0.0.1",
            "allowed_updates": ["callback_query", "message"],
        }
        _status, body = await raw_call(
            emu,
            "setWebhook",
            url=rx.url,
            secret_token="Sec_ret-1",
            max_connections=7,
        )
        assert body["description"] == "Webhook is already set"
        _status, body = await raw_call(emu, "deleteWebhook")
        assert body == {"ok": True, "result": True, "description": "Webhook was deleted"}
        _status, body = await raw_call(emu, "deleteWebhook")
        assert body["description"] == "Webhook is already deleted"


async def test_get_updates_conflicts_while_a_webhook_is_set(emu: BotApiEmulator) -> None:
    emu.conflict_delay = 0.2  # Telegram delays a repeated 409 by 3 s
    poll = asyncio.create_task(raw_call(emu, "getUpdates", timeout=5))
    await emu.wait_call("getUpdates")
    async with WebhookReceiver() as rx:
        await raw_call(emu, "setWebhook", url=rx.url)
        status, body = await poll
        assert (status, body["description"]) == (409, "Conflict: terminated by setWebhook request")
        started = asyncio.get_running_loop().time()
        status, body = await raw_call(emu, "getUpdates")
        assert (status, body["description"]) == (409, CONFLICT_WEBHOOK)
        assert asyncio.get_running_loop().time() - started >= 0.2  # the repeat was held back
        await raw_call(emu, "deleteWebhook")
    status, body = await raw_call(emu, "getUpdates")
    assert status == 200


async def test_a_second_poller_terminates_the_first(emu: BotApiEmulator) -> None:
    first = asyncio.create_task(raw_call(emu, "getUpdates", timeout=5))
    await emu.wait_call("getUpdates")
    second = asyncio.create_task(raw_call(emu, "getUpdates", timeout=1))
    status, body = await first
    assert status == 409
    assert body["description"] == (
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
        "is running"
    )
    second.cancel()


async def test_deliveries_carry_the_secret_and_are_retried(
    emu: BotApiEmulator, ada: FakeUser
) -> None:
    answers = iter([500, 502])

    async def respond(data: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        return next(answers, 200), "", {}

    async with WebhookReceiver(respond) as rx:
        await raw_call(emu, "setWebhook", url=rx.url, secret_token="s3cret")
        sent = await ada.send("hello")
        received = await rx.wait(3)
        await emu.wait_idle()
        _status, info = await raw_call(emu, "getWebhookInfo")
    ids = {update["update_id"] for update in received}
    assert len(ids) == 1  # the same update, three times
    assert received[0]["message"] == sent
    assert all(h["X-Telegram-Bot-Api-Secret-Token"] == "s3cret" for h in rx.headers)
    assert all(h["Content-Type"] == "application/json" for h in rx.headers)
    assert [(d.attempt, d.status) for d in emu.webhook.deliveries] == [(1, 500), (2, 502), (3, 200)]
    assert (
        info["result"]["last_error_message"] == "Wrong response from the webhook: 502 Bad Gateway"
    )
    assert info["result"]["pending_update_count"] == 0
    assert isinstance(info["result"]["last_error_date"], int)


async def test_timeouts_and_refused_connections(ada: FakeUser, emu: BotApiEmulator) -> None:
    emu.webhook.timeout = 0.2
    slow = {"first": True}

    async def respond(data: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        if slow["first"]:
            slow["first"] = False
            await asyncio.sleep(1.0)
        return 200, "", {}

    async with WebhookReceiver(respond) as rx:
        await raw_call(emu, "setWebhook", url=rx.url)
        await ada.send("slow")
        await rx.wait(2)
        await emu.wait_idle()
    assert emu.webhook.deliveries[0].error == "Read timeout expired"
    assert emu.webhook.deliveries[-1].ok
    await raw_call(emu, "setWebhook", url=f"http://127.0.0.1:{_free_port()}/hook")
    await ada.send("nobody listens")
    for _ in range(100):
        if emu.webhook.deliveries[-1].error == "Connection refused":
            break
        await asyncio.sleep(0.02)
    _status, info = await raw_call(emu, "getWebhookInfo")
    assert info["result"]["last_error_message"] == "Connection refused"
    assert info["result"]["pending_update_count"] == 1  # kept, nothing lost


async def test_one_at_a_time_per_chat_and_chats_in_parallel(
    emu: BotApiEmulator, ada: FakeUser
) -> None:
    bob = emu.user(1002, "Bob")
    gate = asyncio.Event()
    order: list[str] = []

    async def respond(data: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        text = data["message"]["text"]
        order.append(f"start {text}")
        if text == "ada 1":
            await gate.wait()  # Ada's first update is slow to handle
        order.append(f"end {text}")
        return 200, "", {}

    async with WebhookReceiver(respond) as rx:
        await raw_call(emu, "setWebhook", url=rx.url)
        await ada.send("ada 1")
        await ada.send("ada 2")
        await bob.send("bob 1")
        await rx.wait(2)  # ada 1 (held) and bob 1
        assert "start ada 2" not in order  # Ada's next one waits for her first
        assert "end bob 1" in order  # Bob is not held up by Ada
        gate.set()
        await rx.wait(3)
        await emu.wait_idle()
    assert order.index("end ada 1") < order.index("start ada 2")


async def test_only_loopback_and_routes(emu: BotApiEmulator, ada: FakeUser) -> None:
    status, body = await raw_call(emu, "setWebhook", url="https://bot.example.org/telegram")
    assert status == 400
    assert body["description"].startswith(
        "Bad Request: bad webhook: the emulator delivers to loopback"
    )
    with pytest.raises(ValueError, match="not a loopback URL"):
        emu.webhook.route("https://bot.example.org", "http://10.0.0.1:8080")
    async with WebhookReceiver(path="/telegram") as rx:
        emu.webhook.route("https://bot.example.org", f"http://127.0.0.1:{rx.port}")
        status, body = await raw_call(emu, "setWebhook", url="https://bot.example.org/telegram")
        assert status == 200
        await ada.send("through the proxy")
        received = await rx.wait(1)
        status, info = await raw_call(emu, "getWebhookInfo")
    assert received[0]["message"]["text"] == "through the proxy"
    assert info["result"]["url"] == "https://bot.example.org/telegram"  # what the bot registered


async def test_parameter_checks(emu: BotApiEmulator) -> None:
    url = "http://127.0.0.1:1/x"
    status, body = await raw_call(emu, "setWebhook", url=url, secret_token="no spaces")
    assert body["description"] == "Bad Request: secret token contains unallowed characters"
    status, body = await raw_call(emu, "setWebhook", url=url, secret_token="a" * 257)
    assert body["description"] == "Bad Request: secret token is too long"
    status, body = await raw_call(emu, "setWebhook", url="ftp://127.0.0.1/x")
    assert body["description"] == "Bad Request: invalid webhook URL specified"
    emu.webhook.set_interval = 1.0  # Telegram's: one change a second
    assert (await raw_call(emu, "setWebhook", url=url))[0] == 200
    status, body = await raw_call(emu, "setWebhook", url=url)
    assert (status, body["parameters"]) == (429, {"retry_after": 1})


async def test_drop_pending_updates(emu: BotApiEmulator, ada: FakeUser) -> None:
    await ada.send("old news")
    async with WebhookReceiver() as rx:
        await raw_call(emu, "setWebhook", url=rx.url, drop_pending_updates=True)
        await ada.send("fresh")
        received = await rx.wait(1)
    assert [u["message"]["text"] for u in received] == ["fresh"]


async def test_undelivered_updates_go_to_getupdates_after_delete(
    emu: BotApiEmulator, ada: FakeUser
) -> None:
    async with WebhookReceiver(503) as rx:
        await raw_call(emu, "setWebhook", url=rx.url)
        await ada.send("stuck")
        await rx.wait(1)
        await raw_call(emu, "deleteWebhook")
    _status, body = await raw_call(emu, "getUpdates")
    assert [u["message"]["text"] for u in body["result"]] == ["stuck"]


async def test_a_method_in_the_webhook_reply_is_executed(
    emu: BotApiEmulator, ada: FakeUser
) -> None:
    async def respond(data: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        chat = data["message"]["chat"]["id"]
        return 200, {"method": "sendMessage", "chat_id": chat, "text": "pong"}, {}

    async with WebhookReceiver(respond) as rx:
        await raw_call(emu, "setWebhook", url=rx.url)
        await ada.send("ping")
        reply = await ada.next_message()
    assert reply.text == "pong"
    assert emu.calls_of("sendMessage")[0].ok


async def test_redelivery_with_a_webhook(emu: BotApiEmulator, ada: FakeUser) -> None:
    async with WebhookReceiver() as rx:
        await raw_call(emu, "setWebhook", url=rx.url)
        await ada.send("/rate 4")
        first = (await rx.wait(1))[0]
        emu.redeliver(first["update_id"])
        received = await rx.wait(2)
    assert received[0] == received[1]


async def test_a_ptb_application_in_webhook_mode(emu: BotApiEmulator, ada: FakeUser) -> None:
    app = Application.builder().token(TOKEN).base_url(emu.base_url).updater(None).build()

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("welcome over the webhook")

    app.add_handler(CommandHandler("start", start))
    async with app, PtbWebhookBridge(app, secret_token="t0ken") as bridge:
        await app.start()
        assert await app.bot.set_webhook(bridge.url, secret_token="t0ken")
        await ada.send("/start")
        reply = await ada.next_message()
        assert reply.text == "welcome over the webhook"
        info = await app.bot.get_webhook_info()
        assert info.url == bridge.url
        assert info.pending_update_count == 0
        await app.stop()


async def test_a_wrong_secret_is_refused_and_kept(emu: BotApiEmulator, ada: FakeUser) -> None:
    app = Application.builder().token(TOKEN).base_url(emu.base_url).updater(None).build()
    async with app, PtbWebhookBridge(app, secret_token="expected") as bridge:
        await raw_call(emu, "setWebhook", url=bridge.url, secret_token="different")
        await ada.send("/start")
        for _ in range(100):
            if emu.webhook.deliveries:
                break
            await asyncio.sleep(0.02)
        _status, info = await raw_call(emu, "getWebhookInfo")
    assert emu.webhook.deliveries[0].status == 403
    assert info["result"]["last_error_message"] == "Wrong response from the webhook: 403 Forbidden"
    assert info["result"]["pending_update_count"] == 1
    assert bridge.received == []
