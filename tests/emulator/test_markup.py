"""Telegram's checks of keyboards, menu buttons, replies, topics and command menus."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    MenuButtonWebApp,
    ReplyParameters,
    WebAppInfo,
)
from telegram.error import BadRequest
from telegram.ext import Application

from bot.emulator import BotApiEmulator, FakeGroup, FakeUser, check_reply_markup
from bot.emulator.markup import MarkupError
from tests.emulator.conftest import TOKEN, raw_call


@pytest.fixture
def ada(emu: BotApiEmulator) -> FakeUser:
    return emu.user(1001, "Ada", language_code="ru")


@pytest.fixture
async def group(emu: BotApiEmulator, ada: FakeUser) -> FakeGroup:
    group = emu.group("Hallway", forum=True, creator=ada)
    await group.add_bot(by=ada, admin=True)
    return group


def _refused(markup: Any, chat_type: str = "private", **options: Any) -> str:
    with pytest.raises(MarkupError) as caught:
        check_reply_markup(markup, chat_type=chat_type, **options)
    return str(caught.value)


def _inline(**button: Any) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": "Go", **button}]]}


def test_web_app_buttons() -> None:
    app = _inline(web_app={"url": "https://confbot.example.org/app/"})
    assert check_reply_markup(app) == app
    assert _refused(_inline(web_app={"url": "http://localhost:3002/app"})) == (
        "inline keyboard button Web App URL 'http://localhost:3002/app' is invalid: Only HTTPS "
        "links are allowed"
    )
    assert _refused(app, "supergroup") == "BUTTON_TYPE_INVALID"  # private chats only
    assert _refused(_inline(web_app="https://x.org")) == (
        'can\'t parse inline keyboard button: Field "web_app" must be of type Object'
    )
    keyboard = {"keyboard": [[{"text": "Open", "web_app": {"url": "https://x.org/app"}}]]}
    assert check_reply_markup(keyboard) == keyboard
    assert _refused(keyboard, "group") == "web App buttons can be used in private chats only"


def test_switch_inline_buttons() -> None:
    for field in ("switch_inline_query", "switch_inline_query_current_chat"):
        button = _inline(**{field: "keynote"})
        assert check_reply_markup(button, chat_type="private") == button
        assert check_reply_markup(button, chat_type="supergroup") == button
        assert _refused(button, "channel").startswith(f"can't use {field} button in a channel chat")
    empty = _inline(switch_inline_query="")  # an empty query is allowed
    assert check_reply_markup(empty) == empty
    assert _refused(_inline(switch_inline_query=5)) == (
        'can\'t parse inline keyboard button: Field "switch_inline_query" must be of type String'
    )


def test_url_buttons_and_deep_links() -> None:
    for url in (
        "https://t.me/confbot_test_bot?start=s_keynote-2",
        "tg://resolve?domain=confbot_test_bot&start=sp_Ada_Lovelace",
        "tg://user?id=1001",
        "example.org/docs",
    ):
        assert check_reply_markup(_inline(url=url)) is not None
    too_long = "https://t.me/confbot_test_bot?start=" + "a" * 65
    assert "start parameter" in _refused(_inline(url=too_long))
    assert "start parameter" in _refused(_inline(url="https://t.me/bot?start=two%20words"))
    assert "startgroup parameter" in _refused(_inline(url="https://t.me/bot?startgroup=a.b"))
    assert check_reply_markup(_inline(url=too_long), strict_deep_links=False) is not None
    assert _refused(_inline(url="nonsense")) == (
        "inline keyboard button URL 'nonsense' is invalid: Wrong HTTP URL"
    )
    assert _refused(_inline(url="ftp://example.org/file")) == (
        "inline keyboard button URL 'ftp://example.org/file' is invalid: Unsupported URL protocol"
    )
    assert _refused(_inline(url="tg://bad host")) == (
        "inline keyboard button URL 'tg://bad host' is invalid: Unallowed characters in URL host"
    )


def test_keyboard_structure_errors() -> None:
    assert _refused({"inline_keyboard": [[{"text": "plain"}]]}) == (
        "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
    )
    assert _refused({"inline_keyboard": [[{"callback_data": "x"}]]}) == (
        "can't parse inline keyboard button: Can't find field \"text\""
    )
    assert _refused(_inline(text="", callback_data="x")) == (
        "inline keyboard button text must be non-empty"
    )
    assert _refused({"inline_keyboard": [{"text": "x"}]}) == (
        'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
    )
    assert _refused(_inline(callback_data="x" * 65)) == "BUTTON_DATA_INVALID"
    assert _refused("not an object") == "object expected as reply markup"
    assert check_reply_markup({}) is None  # nothing to show: Telegram sends no keyboard
    assert check_reply_markup({"inline_keyboard": []}) is None
    assert check_reply_markup({"remove_keyboard": True}) == {"remove_keyboard": True}
    assert _refused({"keyboard": [["a"]]}, inline_only=True) == "inline keyboard expected"


async def test_markup_is_checked_for_the_target_chat(
    emu: BotApiEmulator, ada: FakeUser, group: FakeGroup
) -> None:
    app_button = {"inline_keyboard": [[{"text": "App", "web_app": {"url": "https://x.org/app"}}]]}
    status, _ = await raw_call(
        emu, "sendMessage", chat_id=ada.id, text="hi", reply_markup=app_button
    )
    assert status == 200
    status, body = await raw_call(
        emu, "sendMessage", chat_id=group.id, text="hi", reply_markup=app_button
    )
    assert (status, body["description"]) == (400, "Bad Request: BUTTON_TYPE_INVALID")


async def test_menu_button_web_app(emu: BotApiEmulator, ada: FakeUser) -> None:
    app = Application.builder().token(TOKEN).base_url(emu.base_url).build()
    async with app:
        button = MenuButtonWebApp("Timetable", WebAppInfo("https://confbot.example.org/app/"))
        assert await app.bot.set_chat_menu_button(menu_button=button)
        assert await app.bot.get_chat_menu_button() == button
        assert await app.bot.set_chat_menu_button(
            ada.id, MenuButtonWebApp("Mine", WebAppInfo("https://x.org/me"))
        )
        mine = await app.bot.get_chat_menu_button(ada.id)
        assert isinstance(mine, MenuButtonWebApp)
        assert mine.text == "Mine"
        with pytest.raises(BadRequest, match=r"(?i)only https links are allowed"):
            await app.bot.set_chat_menu_button(
                menu_button=MenuButtonWebApp("App", WebAppInfo("http://127.0.0.1:8080/app/"))
            )
    _status, body = await raw_call(
        emu,
        "setChatMenuButton",
        menu_button={"type": "web_app", "text": " ", "web_app": {"url": "https://x.org"}},
    )
    assert body["description"] == "Bad Request: menu button text must be non-empty"
    _status, body = await raw_call(
        emu, "setChatMenuButton", chat_id=-100123, menu_button={"type": "commands"}
    )
    assert body["description"] == "Bad Request: invalid chat_id specified"
    _status, body = await raw_call(emu, "setChatMenuButton", menu_button={"type": "stars"})
    assert (
        body["description"]
        == "Bad Request: can't parse menu button: MenuButton has unsupported type"
    )


async def test_replies_quotes_and_topics_on_send(
    emu: BotApiEmulator, ada: FakeUser, group: FakeGroup
) -> None:
    app = Application.builder().token(TOKEN).base_url(emu.base_url).build()
    async with app:
        bot = app.bot
        said = await ada.send("Where is the keynote today?")
        answer = await bot.send_message(
            ada.id,
            "In Room A",
            reply_parameters=ReplyParameters(said["message_id"], quote="the keynote"),
        )
        assert answer.reply_to_message is not None
        assert answer.reply_to_message.message_id == said["message_id"]
        assert answer.quote is not None
        assert (answer.quote.text, answer.quote.position, answer.quote.is_manual) == (
            "the keynote",
            9,
            True,
        )
        with pytest.raises(BadRequest, match=r"(?i)quote_text_invalid"):
            await bot.send_message(
                ada.id, "x", reply_parameters=ReplyParameters(said["message_id"], quote="lunch")
            )
        with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
            await bot.send_message(ada.id, "x", reply_parameters=ReplyParameters(9999))
        loose = await bot.send_message(
            ada.id, "x", reply_parameters=ReplyParameters(9999, allow_sending_without_reply=True)
        )
        assert loose.reply_to_message is None
        elsewhere = await bot.send_message(
            group.id,
            "About that:",
            reply_parameters=ReplyParameters(said["message_id"], chat_id=ada.id),
        )
        assert elsewhere.reply_to_message is None
        assert elsewhere.external_reply is not None
        assert elsewhere.external_reply.origin.type == "user"
        assert elsewhere.external_reply.message_id == said["message_id"]

        talks = await group.create_topic("Talks", by=ada)
        doc = await bot.send_document(
            group.id, b"%PDF", filename="map.pdf", message_thread_id=talks
        )
        assert doc.message_thread_id == talks
        assert doc.is_topic_message
        posted = await ada.send("Slides please", chat=group, topic=talks)
        reply = await bot.send_document(
            group.id,
            b"%PDF",
            filename="slides.pdf",
            reply_parameters=ReplyParameters(posted["message_id"]),
        )
        assert reply.message_thread_id == talks  # a reply goes to the topic of what it answers
    assert [m.message_thread_id for m in group.messages] == [None, talks, talks]


async def test_commands_per_scope_and_language(emu: BotApiEmulator, ada: FakeUser) -> None:
    app = Application.builder().token(TOKEN).base_url(emu.base_url).build()
    async with app:
        bot = app.bot
        await bot.set_my_commands([BotCommand("/start", "Start"), BotCommand("agenda", "Agenda")])
        await bot.set_my_commands([BotCommand("start", "Начать")], language_code="ru")
        await bot.set_my_commands(
            [BotCommand("my", "My talks")], scope=BotCommandScopeAllPrivateChats()
        )
        await bot.set_my_commands(
            [BotCommand("broadcast", "Broadcast")],
            scope=BotCommandScopeChat(ada.id),
            language_code="ru",
        )
        assert [c.command for c in await bot.get_my_commands()] == ["start", "agenda"]
        assert [c.description for c in await bot.get_my_commands(language_code="ru")] == ["Начать"]
        assert await bot.get_my_commands(language_code="de") == ()  # no fallback in the API
        assert [
            c.command for c in await bot.get_my_commands(BotCommandScopeChat(ada.id), "ru")
        ] == ["broadcast"]
        with pytest.raises(BadRequest, match=r"(?i)invalid language code specified"):
            await bot.set_my_commands([BotCommand("a", "b")], language_code="english")
        with pytest.raises(BadRequest, match=r"(?i)command description must be non-empty"):
            await bot.set_my_commands([BotCommand("a", " ")])
        with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
            await bot.set_my_commands([BotCommand("Agenda", "x")])
    # What each person sees, resolved like Telegram's apps.
    bob = emu.user(1002, "Bob", language_code="de")
    assert [c["command"] for c in emu.visible_commands(ada.id, language_code="ru")] == ["broadcast"]
    assert [c["command"] for c in emu.visible_commands(ada.id)] == ["my"]
    assert [c["command"] for c in emu.visible_commands(bob.id, language_code="de")] == ["my"]
    group = emu.group("Hallway")
    assert [c["description"] for c in emu.visible_commands(group.id, bob.id, "ru")] == ["Начать"]


async def test_strict_command_scopes() -> None:
    async with BotApiEmulator(strict_command_scopes=True) as emu:
        status, body = await raw_call(
            emu,
            "setMyCommands",
            commands=[{"command": "admin", "description": "Admin"}],
            scope={"type": "chat", "chat_id": 5},
        )
        assert (status, body["description"]) == (400, "Bad Request: chat not found")
        status, body = await raw_call(emu, "setMyCommands", commands=[], scope={"type": "everyone"})
        assert (
            body["description"]
            == "Bad Request: can't parse BotCommandScope: Unsupported type specified"
        )


def test_web_app_init_data_is_signed_like_telegram() -> None:
    import hashlib
    import hmac
    import json
    from urllib.parse import parse_qsl

    emu = BotApiEmulator(token=TOKEN)
    ada = emu.user(1001, "Ada/Lovelace", username="ada", language_code="en")
    raw = ada.web_app_init_data(auth_date=1_700_000_000, start_param="s_keynote")
    fields = dict(parse_qsl(raw))
    assert set(fields) == {"query_id", "user", "start_param", "auth_date", "signature", "hash"}
    assert fields["auth_date"] == "1700000000"
    assert '"first_name":"Ada\\/Lovelace"' in fields["user"]  # Telegram escapes slashes
    assert json.loads(fields["user"]) == {
        "id": 1001,
        "first_name": "Ada/Lovelace",
        "username": "ada",
        "language_code": "en",
        "allows_write_to_pm": True,
    }
    # The documented check, written out independently.
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()) if k != "hash")
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    assert hmac.new(secret, check.encode(), hashlib.sha256).hexdigest() == fields["hash"]
    forged = dict(parse_qsl(ada.web_app_init_data("999:OTHER-TOKEN")))
    assert forged["hash"] != fields["hash"]
    with pytest.raises(AssertionError, match="pass bot_token"):
        BotApiEmulator().user(1, "X").web_app_init_data()
