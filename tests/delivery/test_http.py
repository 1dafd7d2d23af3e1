"""The bot's aiohttp HTTP client (handlers/http.py) against the emulator: calls, files,
timeouts and errors as PTB expects them, and never the token in an error."""

from __future__ import annotations

import asyncio
import io
import socket
import time

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.app import TimedRequest
from bot.emulator import BotApiEmulator
from handlers.delivery import paid_refusal
from handlers.http import AiohttpRequest

TOKEN = "123456:AIOHTTP-TEST-TOKEN"


def bot_for(url: str, request: AiohttpRequest) -> Bot:
    return Bot(TOKEN, base_url=f"{url}/bot", request=request, get_updates_request=request)


async def test_messages_documents_and_many_calls_at_once() -> None:
    async with BotApiEmulator() as emu:
        ada = emu.user(7001, "Ada")
        bot = bot_for(emu.url, AiohttpRequest(connection_pool_size=8))
        async with bot:
            me = await bot.get_me()
            assert me.is_bot
            sent = await bot.send_message(ada.id, "<b>hi</b> &amp; bye", parse_mode="HTML")
            assert sent.text == "hi & bye"
            doc = await bot.send_document(
                ada.id, io.BytesIO(b"a,b\n1,2\n"), filename="x.csv", caption="export"
            )
            assert doc.document is not None
            assert doc.document.file_name == "x.csv"
            await bot.send_message(ada.id, "paid", allow_paid_broadcast=True)
        assert ada.messages[0].plain_text == "hi & bye"
        assert emu.sends[-1].paid
        upload = emu.calls_of("sendDocument")[0]
        assert upload.files  # sent as multipart, with the file


async def test_calls_overlap_on_a_slow_network() -> None:
    async with BotApiEmulator(latency_ms=100) as emu:
        users = [emu.user(7100 + i, f"U{i}") for i in range(60)]
        bot = bot_for(emu.url, AiohttpRequest())
        async with bot:
            started = time.monotonic()
            await asyncio.gather(*(bot.send_message(u.id, "news") for u in users))
            elapsed = time.monotonic() - started
        assert all(len(u.messages) == 1 for u in users)
        assert elapsed < 1.5  # sixty round trips of 100 ms, at once, not one by one


async def test_a_slow_answer_is_timed_out_for_ptb() -> None:
    async with BotApiEmulator(latency_ms=400, latency_jitter=0) as emu:
        ada = emu.user(7201, "Ada")
        bot = bot_for(emu.url, AiohttpRequest(read_timeout=2.0))
        async with bot:
            with pytest.raises(TimedOut):
                await bot.send_message(ada.id, "late", read_timeout=0.1)


async def test_network_errors_never_carry_the_token() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest(connect_timeout=1.0)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
        assert TOKEN not in str(caught.value)
        assert "AIOHTTP-TEST" not in repr(caught.value)
    finally:
        await request.shutdown()
    with pytest.raises(RuntimeError):
        await request.do_request("http://127.0.0.1/", "POST")  # shut down: refused


def test_the_bot_uses_it() -> None:
    assert isinstance(TimedRequest().inner, AiohttpRequest)


@pytest.mark.parametrize(
    ("description", "refusal"),
    [
        ("Balance_too_low", True),  # PTB's rendering of "Bad Request: BALANCE_TOO_LOW"
        ("Not allowed for this bot", True),
        ("Paid broadcasts are not available", True),
        ("Chat not found", False),  # that one row's problem: the alert goes on paid
        ("Can't parse entities: unsupported start tag", False),
        ("Message is too long", False),
    ],
)
def test_which_400s_on_a_paid_send_mean_paid_sending_is_refused(
    description: str, refusal: bool
) -> None:
    assert paid_refusal(description) is refusal
