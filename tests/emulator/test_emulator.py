"""The Bot API emulator, proven against a real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import html
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.emulator import BotApiEmulator, FakeUser, parse_html

TOKEN = "123456:EMULATOR-TEST-TOKEN"


def _keyboard(label: str = "Ping") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data="ping")],
            [InlineKeyboardButton("Docs", url="https://example.org/docs")],
        ]
    )


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_user is not None
    assert update.effective_message is not None
    name = html.escape(update.effective_user.first_name)
    await update.effective_message.reply_html(f"Hello, <b>{name}</b>!", reply_markup=_keyboard())


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    said = " ".join(context.args or [])
    await update.effective_message.reply_html(f"<i>You said:</i> {html.escape(said)}")


async def _on_ping(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("pong!")
    await query.edit_message_text("Pressed ping", reply_markup=_keyboard("Ping again"))


async def _on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    assert message.document is not None
    data = bytes(await (await message.document.get_file()).download_as_bytearray())
    await message.reply_document(
        InputFile(data[::-1], filename=f"reversed-{message.document.file_name}"),
        caption=f"{len(data)} bytes",
    )


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=TOKEN) as emulator:
        yield emulator


@pytest.fixture
async def app(emu: BotApiEmulator) -> AsyncIterator[Application]:
    application = (
        Application.builder()
        .token(TOKEN)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CommandHandler("echo", _echo))
    application.add_handler(CallbackQueryHandler(_on_ping, pattern="^ping$"))
    application.add_handler(MessageHandler(filters.Document.ALL, _on_document))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=10)
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


@pytest.fixture
def ada(emu: BotApiEmulator) -> FakeUser:
    return emu.user(1001, "Ada <&>", username="ada")


# ------------------------------------------------------------------ PTB round trips
async def test_start_round_trip(app: Application, emu: BotApiEmulator, ada: FakeUser) -> None:
    sent = await ada.send("/start")
    assert sent["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    reply = await ada.next_message()
    assert reply.text == "Hello, <b>Ada &lt;&amp;&gt;</b>!"
    assert reply.plain_text == "Hello, Ada <&>!"
    assert reply.entities == [{"type": "bold", "offset": 7, "length": 7}]
    assert reply.parse_mode == "HTML"
    assert reply.reply_to_message_id is None  # PTB only quotes in groups by default
    assert reply.buttons == [[("Ping", "ping")], [("Docs", "https://example.org/docs")]]
    assert ada.last is reply
    assert [c.method for c in emu.calls if c.method != "getUpdates"][:2] == [
        "getMe",
        "deleteWebhook",
    ]
    assert emu.calls_of("sendMessage")[0].status == 200


async def test_command_with_bot_username_and_html_escaping(
    app: Application,
    ada: FakeUser,
) -> None:
    sent = await ada.send("/echo@confbot_test_bot <script>x & y</script>")
    assert sent["entities"][0]["length"] == len("/echo@confbot_test_bot")
    reply = await ada.next_message()
    assert reply.plain_text == "You said: <script>x & y</script>"


async def test_button_press_and_callback_answer(
    app: Application,
    emu: BotApiEmulator,
    ada: FakeUser,
) -> None:
    await ada.send("/start")
    menu = await ada.next_message()
    query_id = await ada.press(menu, "Ping")
    answer = await ada.callback_answer(query_id)
    assert answer.text == "pong!"
    assert not answer.show_alert
    edited = await ada.wait_for(lambda m: m.edited and m.message_id == menu.message_id)
    assert edited.text == "Pressed ping"
    assert edited.history[0].text == "Hello, <b>Ada &lt;&amp;&gt;</b>!"
    # The keyboard changed with the edit: the old label is gone, the new one presses.
    with pytest.raises(AssertionError, match="Ping again"):
        await ada.press(menu, "Nope")
    second = await ada.press(menu, "again")
    await ada.callback_answer(second)
    await emu.wait_idle()
    assert emu.unanswered_callbacks == []
    assert len(ada.messages) == 1  # edits do not create new messages
    with pytest.raises(AssertionError, match="not a callback button"):
        await ada.press(menu, "Docs")


async def test_document_upload_and_download(
    app: Application,
    emu: BotApiEmulator,
    ada: FakeUser,
) -> None:
    seen: list[tuple[str, str | None]] = []
    emu.listeners.append(lambda event, msg: seen.append((event, msg.document_name)))
    payload = bytes(range(256)) * 10
    await ada.send_document("talk.pdf", payload, caption="my slides")
    reply = await ada.next_message()
    assert reply.kind == "document"
    assert reply.document_name == "reversed-talk.pdf"
    assert reply.document_bytes == payload[::-1]
    assert reply.caption == "2560 bytes"
    assert reply.raw["document"]["file_size"] == len(payload)
    upload = emu.calls_of("sendDocument")[0]
    assert upload.files["document"].filename == "reversed-talk.pdf"
    assert upload.params["caption"] == "2560 bytes"
    assert seen == [("new", "reversed-talk.pdf")]


async def test_send_photo(app: Application, ada: FakeUser) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (640).to_bytes(4, "big") * 2 + b"rest"
    message = await app.bot.send_photo(ada.id, photo=png, caption="<b>map</b>", parse_mode="HTML")
    assert message.photo[-1].width == 640
    assert message.caption == "map"
    got = await ada.next_message()
    assert got.kind == "photo"
    assert got.photo_bytes == png
    assert got.caption == "<b>map</b>"


async def test_wait_idle_after_reply(
    app: Application,
    emu: BotApiEmulator,
    ada: FakeUser,
) -> None:
    await ada.send("/start")
    await emu.wait_idle(quiet=0.1)
    assert len(ada.messages) == 1
    assert emu.pending_updates == 0 or not emu._has_unfetched()


# ------------------------------------------------------------------ validation
async def test_malformed_html_is_refused(
    app: Application,
    emu: BotApiEmulator,
    ada: FakeUser,
) -> None:
    for bad in ("<b>unclosed", "a < b", "R&D", "<script>x</script>", "<b><i>x</b></i>"):
        with pytest.raises(BadRequest, match="parse entities"):
            await app.bot.send_message(ada.id, bad, parse_mode="HTML")
    assert emu.calls_of("sendMessage")[-1].status == 400
    assert ada.messages == []
    ok = await app.bot.send_message(
        ada.id,
        '<a href="https://x.org/?a=1&amp;b=2">l</a> <span class="tg-spoiler">s</span> &#169;',
        parse_mode="HTML",
    )
    assert ok.text == "l s ©"


async def test_text_limits_and_unknown_chat(app: Application, ada: FakeUser) -> None:
    with pytest.raises(BadRequest, match="too long"):
        await app.bot.send_message(ada.id, "x" * 4097)
    with pytest.raises(BadRequest, match="empty"):
        await app.bot.send_message(ada.id, "<b></b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Chat not found"):
        await app.bot.send_message(424242, "hi")


async def test_long_callback_data_refused(app: Application, ada: FakeUser) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="x" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await app.bot.send_message(ada.id, "hi", reply_markup=markup)
    fine = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 32)]])
    await app.bot.send_message(ada.id, "hi", reply_markup=fine)


async def test_edit_not_modified_and_delete(app: Application, ada: FakeUser) -> None:
    sent = await app.bot.send_message(ada.id, "same", reply_markup=_keyboard())
    with pytest.raises(BadRequest, match="not modified"):
        await app.bot.edit_message_text("same", ada.id, sent.message_id, reply_markup=_keyboard())
    # Editing text without reply_markup drops the inline keyboard, as on Telegram.
    await app.bot.edit_message_text("same", ada.id, sent.message_id)
    assert ada.messages[0].buttons == []
    await app.bot.edit_message_reply_markup(ada.id, sent.message_id, reply_markup=_keyboard())
    assert ada.messages[0].button_texts == ["Ping", "Docs"]
    assert await app.bot.delete_message(ada.id, sent.message_id)
    assert ada.messages[0].deleted
    with pytest.raises(BadRequest, match="not found"):
        await app.bot.delete_message(ada.id, sent.message_id)


async def test_commands_per_scope(app: Application, emu: BotApiEmulator) -> None:
    bot = app.bot
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("agenda", "Agenda")])
    await bot.set_my_commands([BotCommand("admin", "Admin")], scope=BotCommandScopeChat(5))
    await bot.set_my_commands([BotCommand("start", "Начать")], language_code="ru")
    assert [c.command for c in await bot.get_my_commands()] == ["start", "agenda"]
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(5))] == ["admin"]
    assert (await bot.get_my_commands(language_code="ru"))[0].description == "Начать"
    assert emu.commands({"type": "chat", "chat_id": 5}) == [
        {"command": "admin", "description": "Admin"}
    ]
    await bot.delete_my_commands(scope=BotCommandScopeChat(5))
    assert await bot.get_my_commands(scope=BotCommandScopeChat(5)) == ()
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("Bad Command", "x")])


# ------------------------------------------------------------------ faults
# PTB 22 warns about RetryAfter.retry_after becoming a timedelta, even inside its own code.
_ignore_ptb_deprecation = pytest.mark.filterwarnings(
    "ignore::telegram.warnings.PTBDeprecationWarning"
)


@_ignore_ptb_deprecation
async def test_429_fault_surfaces_as_retry_after(
    app: Application,
    emu: BotApiEmulator,
    ada: FakeUser,
) -> None:
    rule = emu.faults.add(method="sendMessage", status=429, retry_after=7, times=1)
    with pytest.raises(RetryAfter) as caught:
        await app.bot.send_message(ada.id, "hello")
    value = caught.value.retry_after  # an int, or a timedelta with PTB_TIMEDELTA (bot.app)
    assert (value.total_seconds() if isinstance(value, timedelta) else value) == 7
    assert rule.fired == 1
    assert ada.messages == []  # a faulted send delivers nothing
    assert emu.calls_of("sendMessage")[0].status == 429
    await app.bot.send_message(ada.id, "hello")  # the rule is exhausted
    assert len(emu.sends_to(ada.id)) == 1


async def test_5xx_faults_and_latency(app: Application, emu: BotApiEmulator, ada: FakeUser) -> None:
    emu.faults.add(method="sendMessage", status=502, times=1, chat_id=ada.id)
    emu.faults.add(method="sendMessage", status=500, times=1)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await app.bot.send_message(ada.id, "x")
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await app.bot.send_message(ada.id, "x")
    emu.faults.add(method="sendChatAction", delay=0.05, times=1)
    started = time.monotonic()
    await app.bot.send_chat_action(ada.id, "typing")
    assert time.monotonic() - started >= 0.05


def test_probability_faults_are_seeded() -> None:
    def pattern() -> list[bool]:
        emulator = BotApiEmulator()
        emulator.faults.add(method="sendMessage", status=500, probability=0.3, seed=42)
        return [emulator.faults.decide("sendMessage", 1).rule is not None for _ in range(50)]

    first = pattern()
    assert first == pattern()
    assert 0 < sum(first) < 50


async def test_block_surfaces_as_forbidden(
    app: Application,
    emu: BotApiEmulator,
    ada: FakeUser,
) -> None:
    emu.block(ada.id)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await app.bot.send_message(ada.id, "news")
    emu.unblock(ada.id)
    await app.bot.send_message(ada.id, "news")
    assert [m.text for m in ada.messages] == ["news"]


@_ignore_ptb_deprecation
async def test_flood_limit_and_rate_helpers() -> None:
    async with BotApiEmulator(flood_limit_per_second=3) as emulator:
        bob = emulator.user(2002, "Bob")
        app = Application.builder().token(TOKEN).base_url(emulator.base_url).build()
        async with app:
            for i in range(3):
                await app.bot.send_message(bob.id, f"m{i}")
            with pytest.raises(RetryAfter):
                await app.bot.send_message(bob.id, "too fast")
        assert emulator.max_sends_in_window(1.0) == 3
        assert emulator.max_sends_in_window(1.0, chat_id=bob.id) == 3
        assert len(emulator.sends_to(bob.id)) == 3


# ------------------------------------------------------------------ protocol level
async def test_raw_protocol(emu: BotApiEmulator, ada: FakeUser) -> None:
    async with aiohttp.ClientSession() as http:
        base = f"{emu.base_url}{TOKEN}"
        async with http.post(f"{base}/getMe") as resp:
            me = await resp.json()
        assert me["ok"]
        assert me["result"]["username"] == "confbot_test_bot"
        async with http.post(f"{emu.base_url}999:WRONG/getMe") as resp:
            assert resp.status == 401
            assert await resp.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with http.post(f"{base}/noSuchMethod") as resp:
            assert resp.status == 404
            assert (await resp.json())["description"] == "Not Found"
        markup = '{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}'
        async with http.post(
            f"{base}/sendMessage",
            data={"chat_id": str(ada.id), "text": "form", "reply_markup": markup},
        ) as resp:
            assert (await resp.json())["result"]["reply_markup"]["inline_keyboard"][0][0][
                "text"
            ] == "A"
        async with http.post(
            f"{base}/sendMessage", json={"chat_id": ada.id, "text": "json"}
        ) as resp:
            assert resp.status == 200
    assert [m.text for m in ada.messages] == ["form", "json"]
    assert ada.messages[0].buttons == [[("A", "a")]]


async def test_long_poll_returns_promptly(emu: BotApiEmulator, ada: FakeUser) -> None:
    async with aiohttp.ClientSession() as http:
        url = f"{emu.base_url}{TOKEN}/getUpdates"
        poll = asyncio.create_task(http.post(url, json={"timeout": 5}))
        await emu.wait_call("getUpdates")
        started = time.monotonic()
        await ada.send("hello")
        async with await poll as resp:
            updates = (await resp.json())["result"]
        assert time.monotonic() - started < 1.0
        assert updates[0]["message"]["text"] == "hello"
        first_id = updates[0]["update_id"]
        # Unconfirmed updates are delivered again; an offset confirms them.
        async with http.post(url, json={"timeout": 0}) as resp:
            assert (await resp.json())["result"][0]["update_id"] == first_id
        async with http.post(url, json={"offset": first_id + 1, "timeout": 0}) as resp:
            assert (await resp.json())["result"] == []


async def test_wait_for_timeouts_raise(emu: BotApiEmulator, ada: FakeUser) -> None:
    with pytest.raises(AssertionError, match="no bot message matched"):
        await ada.wait_for(lambda m: False, timeout=0.05)
    with pytest.raises(AssertionError, match="no new message"):
        await ada.next_message(timeout=0.05)
    with pytest.raises(AssertionError, match="sent no message #99"):
        await ada.press(99, "x")


def test_parse_html_entities_use_utf16_offsets() -> None:
    plain, entities = parse_html('😀 <b>hi</b> <pre><code class="language-py">x</code></pre>')
    assert plain == "😀 hi x"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 2},
        {"type": "pre", "offset": 6, "length": 1, "language": "py"},
    ]
