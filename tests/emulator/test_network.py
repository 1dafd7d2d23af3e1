"""A real network's round trip, Telegram's flood control and paid broadcasts."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from telegram import Bot
from telegram.error import BadRequest, RetryAfter
from telegram.ext import Application

from bot.emulator import BotApiEmulator
from bot.emulator.flood import FloodControl, FloodError
from bot.emulator.waiting import Signal
from tests.emulator.conftest import TOKEN, raw_call

# PTB 22 warns about RetryAfter.retry_after becoming a timedelta, even inside its own code.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def _seconds(value: object) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)  # type: ignore[arg-type]


async def _bot(emu: BotApiEmulator) -> Bot:
    app = Application.builder().token(TOKEN).base_url(emu.base_url).build()
    await app.bot.initialize()
    return app.bot


# ------------------------------------------------------------------ round trip
async def test_every_call_is_answered_after_the_round_trip() -> None:
    async with BotApiEmulator(latency_ms=100) as emu:
        ada = emu.user(1001, "Ada")
        started = time.monotonic()
        status, body = await raw_call(emu, "sendMessage", chat_id=ada.id, text="hi")
        elapsed = time.monotonic() - started
        assert status == 200
        assert body["ok"]
        assert 0.09 <= elapsed < 1.0
        call = emu.calls_of("sendMessage")[0]
        assert call.answered_at is not None
        assert 0.09 <= call.answered_at - call.at <= 0.5
        # The message reached "Telegram" half-way through the round trip.
        assert 0.04 <= emu.sends[0].at - call.at <= 0.4


async def test_calls_overlap_as_on_a_network() -> None:
    async with BotApiEmulator(latency_ms=100) as emu:
        users = [emu.user(2000 + i, f"U{i}") for i in range(20)]
        bot = await _bot(emu)
        started = time.monotonic()
        await asyncio.gather(*(bot.send_message(u.id, "news") for u in users))
        elapsed = time.monotonic() - started
        # One after the other they would take 20 x 90 ms at least; overlapping, a few trips.
        assert elapsed < 1.2
        assert all(len(u.messages) == 1 for u in users)
        await bot.shutdown()


async def test_jitter_is_seeded_and_within_bounds() -> None:
    first = BotApiEmulator(latency_ms=100, latency_jitter=0.1, latency_seed=7)
    second = BotApiEmulator(latency_ms=100, latency_jitter=0.1, latency_seed=7)
    trips = [first.round_trip() for _ in range(200)]
    assert trips == [second.round_trip() for _ in range(200)]
    assert all(0.09 <= t <= 0.11 for t in trips)
    assert len(set(trips)) > 100  # it does vary
    assert BotApiEmulator().round_trip() == 0.0


async def test_latency_is_settable_at_runtime() -> None:
    async with BotApiEmulator() as emu:
        ada = emu.user(1001, "Ada")
        started = time.monotonic()
        await raw_call(emu, "getMe")
        assert time.monotonic() - started < 0.08
        emu.set_latency(150, jitter=0)
        started = time.monotonic()
        await raw_call(emu, "sendMessage", chat_id=ada.id, text="slow")
        assert time.monotonic() - started >= 0.15
        emu.latency_ms = 0
        started = time.monotonic()
        await raw_call(emu, "getMe")
        assert time.monotonic() - started < 0.08


async def test_updates_reach_a_long_poll_after_half_a_trip() -> None:
    async with BotApiEmulator(latency_ms=200, latency_jitter=0) as emu:
        ada = emu.user(1001, "Ada")
        poll = asyncio.create_task(raw_call(emu, "getUpdates", timeout=5))
        await emu.wait_call("getUpdates")
        await asyncio.sleep(0.15)  # the request is on Telegram's side now, waiting
        sent = time.monotonic()
        await ada.send("hello")
        status, body = await poll
        assert status == 200
        assert body["result"][0]["message"]["text"] == "hello"
        assert time.monotonic() - sent >= 0.1


def test_waiters_of_other_chats_are_not_checked() -> None:
    """A send wakes the waiters of its chat only: no O(crowd) scan per call."""
    signal = Signal()
    checks = {"other": 0, "mine": 0}

    async def scenario() -> None:
        def other() -> bool:
            checks["other"] += 1
            return False

        def mine() -> bool:
            checks["mine"] += 1
            return checks["mine"] > 1

        waiters = [asyncio.create_task(signal.wait_for(other, 5, key=1000 + i)) for i in range(500)]
        target = asyncio.create_task(signal.wait_for(mine, 5, key=1))
        await asyncio.sleep(0)
        before = checks["other"]
        signal.notify(1)
        await target
        assert checks["other"] == before  # 500 other chats: not one predicate evaluated
        for waiter in waiters:
            waiter.cancel()
        await asyncio.gather(*waiters, return_exceptions=True)

    asyncio.run(scenario())


# ------------------------------------------------------------------ flood control
async def test_flood_control_is_off_by_default() -> None:
    async with BotApiEmulator() as emu:
        ada = emu.user(1001, "Ada")
        bot = await _bot(emu)
        for i in range(40):
            await bot.send_message(ada.id, f"m{i}")
        assert len(ada.messages) == 40
        await bot.shutdown()


async def test_telegram_limits_preset() -> None:
    emu = BotApiEmulator(telegram_limits=True)
    assert emu.flood_limit_per_second == 30
    assert emu.flood_limit_per_chat_per_second == 1
    assert emu.flood.per_chat_burst == 3
    assert emu.flood_limit_per_group_per_minute == 20
    assert emu.paid_flood_limit_per_second == 1000


async def test_total_limit_counts_free_sends_only() -> None:
    async with BotApiEmulator(flood_limit_per_second=5) as emu:
        users = [emu.user(3000 + i, f"U{i}") for i in range(12)]
        bot = await _bot(emu)
        for user in users[:5]:
            await bot.send_message(user.id, "free")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(users[5].id, "free, too fast")
        assert _seconds(caught.value.retry_after) == 1
        # Paid sends are counted apart: the free window being full does not stop them.
        for user in users[5:]:
            await bot.send_message(user.id, "alert", allow_paid_broadcast=True)
        assert len(emu.paid_sends) == 7
        assert {s.chat_id for s in emu.paid_sends} == {u.id for u in users[5:]}
        assert all(m.paid for u in users[5:] for m in u.messages)
        assert not any(m.paid for u in users[:5] for m in u.messages)
        assert emu.max_sends_in_window(1.0, paid=False) == 5
        assert emu.max_sends_in_window(1.0, paid=True) == 7
        await bot.shutdown()


async def test_one_message_a_second_per_chat() -> None:
    async with BotApiEmulator(flood_limit_per_chat_per_second=1) as emu:
        ada, bob = emu.user(1001, "Ada"), emu.user(1002, "Bob")
        bot = await _bot(emu)
        await bot.send_message(ada.id, "one")
        with pytest.raises(RetryAfter):
            await bot.send_message(ada.id, "two")
        with pytest.raises(RetryAfter):  # paid broadcasts lift the total, not the per-chat rule
            await bot.send_message(ada.id, "two", allow_paid_broadcast=True)
        await bot.send_message(bob.id, "other chat")
        await bot.shutdown()


def test_a_chat_may_get_a_short_burst_then_one_a_second() -> None:
    """Telegram "may allow short bursts" to a chat: a bucket of 3, refilled once a second."""
    flood = FloodControl(per_chat_per_second=1, per_chat_burst=3)

    refusals: list[FloodError] = []

    def send(now: float) -> bool:
        try:
            flood.check(7, group=False, paid=False, now=now)
        except FloodError as err:
            refusals.append(err)
            return False
        flood.record(7, group=False, paid=False, now=now)
        return True

    assert [send(100.0 + i * 0.01) for i in range(4)] == [True, True, True, False]
    assert not send(100.5)  # half a message refilled
    assert send(101.03)  # one refilled
    assert not send(101.2)
    # Sustained at the rule (one a second) a chat keeps room for an extra message.
    assert all(send(103.0 + i) for i in range(10))
    assert send(112.3)
    assert [send(200.0) for _ in range(4)] == [True, True, True, False]  # 3 at most
    assert {(e.status, e.retry_after) for e in refusals} == {(429, 1)}
    assert FloodControl(per_chat_per_second=1).per_chat_burst == 1  # strict unless asked


async def test_twenty_a_minute_per_group() -> None:
    async with BotApiEmulator(flood_limit_per_group_per_minute=3) as emu:
        ada = emu.user(1001, "Ada")
        group = emu.group("PyCon")
        await group.add_bot(by=ada)
        bot = await _bot(emu)
        for i in range(3):
            await bot.send_message(group.id, f"g{i}")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(group.id, "g3")
        assert 50 <= _seconds(caught.value.retry_after) <= 60
        await bot.send_message(ada.id, "private chats are not limited per minute")
        assert len(group.messages) == 3
        await bot.shutdown()


async def test_paid_broadcasts_have_their_own_limit() -> None:
    async with BotApiEmulator(paid_flood_limit_per_second=4) as emu:
        users = [emu.user(4000 + i, f"U{i}") for i in range(6)]
        bot = await _bot(emu)
        for user in users[:4]:
            await bot.send_message(user.id, "alert", allow_paid_broadcast=True)
        with pytest.raises(RetryAfter):
            await bot.send_message(users[4].id, "alert", allow_paid_broadcast=True)
        await bot.send_message(users[5].id, "free sends are not held back")
        await bot.shutdown()


async def test_paid_sends_beyond_the_free_allowance_are_billed() -> None:
    async with BotApiEmulator(star_balance=0.25) as emu:
        emu.flood.free_allowance_per_second = 2
        users = [emu.user(5000 + i, f"U{i}") for i in range(8)]
        bot = await _bot(emu)
        for user in users[:4]:  # 2 within the free allowance, then 0.1 Star each
            await bot.send_message(user.id, "alert", allow_paid_broadcast=True)
        assert [s.billed for s in emu.sends] == [False, False, True, True]
        assert emu.stars_spent == pytest.approx(0.2)
        assert emu.star_balance == pytest.approx(0.05)
        balance = await bot.get_my_star_balance()
        assert (balance.amount, balance.nanostar_amount) == (0, 50_000_000)
        with pytest.raises(BadRequest, match=r"(?i)balance_too_low"):
            await bot.send_message(users[4].id, "alert", allow_paid_broadcast=True)
        assert users[4].messages == []  # refused: nothing delivered, nothing lost silently
        await bot.send_message(users[4].id, "the same alert, free")
        emu.star_balance = 10
        await bot.send_message(users[5].id, "alert", allow_paid_broadcast=True)
        await bot.shutdown()


async def test_paid_broadcasts_can_be_refused() -> None:
    async with BotApiEmulator() as emu:
        ada = emu.user(1001, "Ada")
        bot = await _bot(emu)
        emu.refuse_paid_broadcasts()
        with pytest.raises(BadRequest, match=r"(?i)balance_too_low"):
            await bot.send_message(ada.id, "alert", allow_paid_broadcast=True)
        await bot.send_message(ada.id, "free sends still go")
        emu.refuse_paid_broadcasts("Bad Request: not allowed for this bot")
        with pytest.raises(BadRequest, match=r"(?i)not allowed for this bot"):
            await bot.send_message(ada.id, "alert", allow_paid_broadcast=True)
        emu.refuse_paid_broadcasts(None)
        await bot.send_message(ada.id, "alert", allow_paid_broadcast=True)
        assert [m.paid for m in ada.messages] == [False, True]
        status, body = await raw_call(emu, "getMyStarBalance")
        assert status == 200
        assert body["result"]["amount"] > 0
        await bot.shutdown()


async def test_a_fault_can_target_paid_sends_only() -> None:
    async with BotApiEmulator() as emu:
        ada = emu.user(1001, "Ada")
        bot = await _bot(emu)
        rule = emu.faults.add(
            "sendMessage", 400, description="Bad Request: BALANCE_TOO_LOW", paid=True
        )
        await bot.send_message(ada.id, "free")
        with pytest.raises(BadRequest, match=r"(?i)balance_too_low"):
            await bot.send_message(ada.id, "paid", allow_paid_broadcast=True)
        assert rule.fired == 1
        await bot.shutdown()


# ------------------------------------------------------------------ in-process transport
async def test_in_process_transport_behaves_like_http() -> None:
    from telegram import InputFile, Update
    from telegram.ext import CommandHandler, ContextTypes

    from bot.emulator.transport import EmulatorRequest

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_html("<b>hi</b> &amp; welcome")
        await update.effective_message.reply_document(InputFile(b"%PDF", filename="map.pdf"))

    async with BotApiEmulator(latency_ms=20, flood_limit_per_chat_per_second=5) as emu:
        ada = emu.user(1001, "Ada")
        app = (
            Application.builder()
            .token(TOKEN)
            .base_url(emu.base_url)
            .base_file_url(emu.base_file_url)
            .request(EmulatorRequest(emu))
            .get_updates_request(EmulatorRequest(emu))
            .build()
        )
        app.add_handler(CommandHandler("start", start))
        async with app:
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1)
            await app.start()
            await ada.send("/start")
            first = await ada.next_message()
            doc = await ada.next_message()
            assert first.plain_text == "hi & welcome"
            assert doc.document_name == "map.pdf"
            assert doc.document_bytes == b"%PDF"
            file = await app.bot.get_file(doc.raw["document"]["file_id"])
            assert bytes(await file.download_as_bytearray()) == b"%PDF"
            with pytest.raises(BadRequest, match=r"(?i)chat not found"):
                await app.bot.send_message(4242, "nobody")
            await app.updater.stop()
            await app.stop()
        assert all(
            c.answered_at is not None and c.answered_at - c.at >= 0.015
            for c in emu.calls_of("sendMessage")
        )
