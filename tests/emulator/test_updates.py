"""Every kind of update the emulator sends, shaped as Telegram's and parsed by PTB."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import (
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    Message,
    Update,
)
from telegram.error import BadRequest, Forbidden
from telegram.ext import CommandHandler, ContextTypes, MessageHandler, filters

from bot.emulator import BotApiEmulator, FakeGroup, FakeUser
from tests.emulator.conftest import kinds, polling_app, raw_call

BOT = "confbot_test_bot"
#: Fields Telegram still sends for old clients; PTB keeps them in api_kwargs.
LEGACY = {
    "new_chat_participant",
    "new_chat_member",
    "left_chat_participant",
    "can_manage_voice_chats",
}


def _unknown_fields(obj: Any, path: str = "") -> set[str]:
    """Keys PTB did not recognise anywhere in a parsed object (beyond Telegram's legacy ones)."""
    from telegram import TelegramObject

    found: set[str] = set()
    if isinstance(obj, TelegramObject):
        found |= {f"{path}{k}" for k in obj.api_kwargs if k not in LEGACY}
        for name in obj.__slots__ if hasattr(obj, "__slots__") else ():
            if name.startswith("_"):
                continue
            found |= _unknown_fields(getattr(obj, name, None), f"{path}{name}.")
        for klass in type(obj).__mro__:
            for name in getattr(klass, "__slots__", ()):
                if not name.startswith("_"):
                    found |= _unknown_fields(getattr(obj, name, None), f"{path}{name}.")
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            found |= _unknown_fields(item, path)
    return found


@pytest.fixture
def bob(emu: BotApiEmulator) -> FakeUser:
    return emu.user(1002, "Bob")


# ------------------------------------------------------------------ private chats
async def test_block_and_unblock_send_my_chat_member(emu: BotApiEmulator, ada: FakeUser) -> None:
    seen: list[Update] = []
    async with polling_app(emu, seen=seen) as app:
        ada.block_bot()
        emu.block(ada.id)  # blocking twice changes nothing
        with pytest.raises(Forbidden, match="blocked by the user"):
            await app.bot.send_message(ada.id, "news")
        ada.unblock_bot()
        await app.bot.send_message(ada.id, "news")
        await emu.wait_idle()
    assert kinds(seen) == ["my_chat_member", "my_chat_member"]
    blocked, unblocked = (u.my_chat_member for u in seen)
    assert blocked is not None
    assert unblocked is not None
    raw = emu.update_log[0]["my_chat_member"]
    assert raw["chat"] == {"id": 1001, "first_name": "Ada", "username": "ada", "type": "private"}
    assert raw["from"]["id"] == ada.id
    assert raw["old_chat_member"] == {"user": emu.bot_user, "status": "member"}
    assert raw["new_chat_member"] == {"user": emu.bot_user, "status": "kicked", "until_date": 0}
    assert isinstance(blocked.new_chat_member, ChatMemberBanned)
    assert isinstance(unblocked.new_chat_member, ChatMemberMember)
    assert [m.text for m in ada.messages] == ["news"]


async def test_writing_to_a_blocked_bot_restarts_it(emu: BotApiEmulator, ada: FakeUser) -> None:
    emu.block(ada.id)
    await ada.send("/start")
    assert [next(k for k in u if k != "update_id") for u in emu.update_log] == [
        "my_chat_member",
        "my_chat_member",
        "message",
    ]
    assert ada.id not in emu.blocked


async def test_edited_message(emu: BotApiEmulator, ada: FakeUser) -> None:
    seen: list[Update] = []
    async with polling_app(emu, seen=seen):
        sent = await ada.send("/speaker Grce")
        edited = await ada.edit(sent, "/speaker Grace")
        await emu.wait_idle()
    assert kinds(seen) == ["message", "edited_message"]
    assert edited["message_id"] == sent["message_id"]
    assert edited["edit_date"] >= edited["date"]
    assert list(edited)[:5] == ["message_id", "from", "chat", "date", "edit_date"]
    message = seen[1].edited_message
    assert message is not None
    assert message.text == "/speaker Grace"
    assert message.entities[0].type == "bot_command"


async def test_the_same_update_twice_with_polling(emu: BotApiEmulator, ada: FakeUser) -> None:
    seen: list[Update] = []
    async with polling_app(emu, seen=seen):
        first = await ada.send("/rate 5")
        await emu.wait_idle()
        update = emu.update_log[-1]
        assert update["message"] is first
        again = emu.redeliver(update["update_id"])
        await emu.wait_idle()
        await ada.send("after")
        await emu.wait_idle()
    assert again is update
    assert [u.update_id for u in seen] == [
        update["update_id"],
        update["update_id"],
        update["update_id"] + 1,
    ]
    assert seen[0].to_dict() == seen[1].to_dict()


async def test_allowed_updates_filter_at_creation(emu: BotApiEmulator, ada: FakeUser) -> None:
    seen: list[Update] = []
    async with polling_app(emu, allowed_updates=["message"], seen=seen) as app:
        menu = await app.bot.send_message(ada.id, "menu")
        await ada.press_data(menu.message_id, "x")  # not allowed: never created
        await ada.send("text")
        await emu.wait_idle()
    assert kinds(seen) == ["message"]
    assert emu.withheld[-1].reason == "allowed_updates"
    assert emu.withheld[-1].kind == "callback_query"
    assert emu.allowed_updates == ["message"]


# ------------------------------------------------------------------ groups
async def _group_with_bot(
    emu: BotApiEmulator, owner: FakeUser, *, admin: bool = False, forum: bool = False
) -> FakeGroup:
    group = emu.group("PyCon Hallway", forum=forum, creator=owner)
    await group.add_bot(by=owner, admin=admin)
    return group


async def test_bot_added_to_a_group_gets_my_chat_member_and_the_service_message(
    emu: BotApiEmulator, ada: FakeUser
) -> None:
    seen: list[Update] = []
    async with polling_app(emu, seen=seen):
        group = await _group_with_bot(emu, ada)
        await group.promote_bot(by=ada)
        await group.remove_bot(by=ada)
        await emu.wait_idle()
    assert kinds(seen) == [
        "my_chat_member",
        "message",
        "my_chat_member",
        "message",
        "my_chat_member",
    ]
    added, joined, promoted, left_msg, removed = seen
    assert added.my_chat_member is not None
    assert isinstance(added.my_chat_member.old_chat_member, ChatMemberLeft)
    assert isinstance(added.my_chat_member.new_chat_member, ChatMemberMember)
    assert joined.message is not None
    assert joined.message.new_chat_members[0].id == emu.bot_user["id"]
    assert promoted.my_chat_member is not None
    admin = promoted.my_chat_member.new_chat_member
    assert isinstance(admin, ChatMemberAdministrator)
    assert admin.can_manage_topics is True
    assert admin.can_post_messages is None
    raw_admin = emu.update_log[2]["my_chat_member"]["new_chat_member"]
    assert raw_admin["status"] == "administrator"
    assert raw_admin["can_be_edited"] is False
    assert "can_post_messages" not in raw_admin  # a channel-only right
    assert left_msg.message is not None
    assert left_msg.message.left_chat_member is not None
    assert removed.my_chat_member is not None
    assert isinstance(removed.my_chat_member.new_chat_member, ChatMemberBanned)  # supergroup
    chat = emu.update_log[0]["my_chat_member"]["chat"]
    assert chat == {"id": group.id, "title": "PyCon Hallway", "type": "supergroup"}
    assert str(group.id).startswith("-100")
    assert not any(_unknown_fields(u) for u in seen)


async def test_privacy_mode_as_a_member(emu: BotApiEmulator, ada: FakeUser, bob: FakeUser) -> None:
    group = await _group_with_bot(emu, ada)
    seen: list[Update] = []
    async with polling_app(emu, seen=seen) as app:
        await bob.send("good morning", chat=group)
        await bob.send_document("slides.pdf", b"%PDF-1.4", chat=group)
        await bob.send("/start@otherbot", chat=group)
        await bob.send(f"/agenda@{BOT}", chat=group)
        await bob.send("/agenda", chat=group)
        mine = await app.bot.send_message(group.id, "I am here")
        await bob.reply_to(mine.to_dict(), "thanks, bot")
        group.other_bot_spoke()
        await bob.send("/now", chat=group)  # another bot spoke last: not ours any more
        await emu.wait_idle()
    texts = [u.message.text for u in seen if u.message and u.message.text]
    assert texts == [f"/agenda@{BOT}", "/agenda", "thanks, bot"]
    withheld = [(w.reason, w.payload.get("text") or w.payload.get("caption")) for w in emu.withheld]
    assert ("privacy mode", "good morning") in withheld
    assert ("privacy mode", "/start@otherbot") in withheld
    assert ("privacy mode", "/now") in withheld
    assert any("document" in w.payload for w in emu.withheld)


async def test_an_admin_bot_gets_everything(
    emu: BotApiEmulator, ada: FakeUser, bob: FakeUser
) -> None:
    group = await _group_with_bot(emu, ada, admin=True)
    seen: list[Update] = []
    async with polling_app(emu, seen=seen):
        await bob.send("good morning", chat=group)
        doc = await bob.send_document("slides.pdf", b"%PDF-1.4", caption="my /talk", chat=group)
        await bob.send("/start@otherbot", chat=group)
        await emu.wait_idle()
    messages = [u.message for u in seen if u.message and not u.message.new_chat_members]
    assert [m.text for m in messages] == ["good morning", None, "/start@otherbot"]
    assert messages[1].document is not None
    assert messages[1].document.file_name == "slides.pdf"
    assert doc["caption_entities"] == [{"type": "bot_command", "offset": 3, "length": 5}]
    assert messages[2].entities[0].type == "bot_command"
    assert messages[2].chat.type == "supergroup"
    assert messages[2].from_user is not None
    assert messages[2].from_user.id == bob.id


async def test_basic_group(emu: BotApiEmulator, ada: FakeUser) -> None:
    group = emu.group("Organisers", supergroup=False, creator=ada)
    await group.add_bot(by=ada)
    chat = emu.update_log[0]["my_chat_member"]["chat"]
    assert chat["type"] == "group"
    assert chat["all_members_are_administrators"] is True
    await group.remove_bot(by=ada)
    assert emu.update_log[-1]["my_chat_member"]["new_chat_member"]["status"] == "left"
    with pytest.raises(AssertionError):
        await group.remove_bot(by=ada)


async def test_sending_where_the_bot_is_not(emu: BotApiEmulator, ada: FakeUser) -> None:
    group = emu.group("Elsewhere")
    channel = emu.channel("News")
    status, body = await raw_call(emu, "sendMessage", chat_id=group.id, text="hi")
    assert (status, body["description"]) == (
        403,
        "Forbidden: bot is not a member of the supergroup chat",
    )
    status, body = await raw_call(emu, "sendMessage", chat_id=channel.id, text="hi")
    assert (status, body["description"]) == (
        403,
        "Forbidden: bot is not a member of the channel chat",
    )
    await group.add_bot(by=ada)
    await group.remove_bot(by=ada)
    status, body = await raw_call(emu, "sendMessage", chat_id=group.id, text="hi")
    assert (status, body["description"]) == (
        403,
        "Forbidden: bot was kicked from the supergroup chat",
    )
    status, body = await raw_call(emu, "sendMessage", chat_id=-42, text="hi")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")


async def test_members_and_chat_member_updates(
    emu: BotApiEmulator, ada: FakeUser, bob: FakeUser
) -> None:
    group = await _group_with_bot(emu, ada, admin=True)
    seen: list[Update] = []
    async with polling_app(emu, allowed_updates=list(Update.ALL_TYPES), seen=seen) as app:
        await group.add_member(bob, by=ada)
        await emu.wait_idle()
        member = await app.bot.get_chat_member(group.id, bob.id)
        creator = await app.bot.get_chat_member(group.id, ada.id)
        me = await app.bot.get_chat_member(group.id, emu.bot_user["id"])
        admins = await app.bot.get_chat_administrators(group.id)
        count = await app.bot.get_chat_member_count(group.id)
        info = await app.bot.get_chat(group.id)
    assert kinds(seen)[-2:] == ["message", "chat_member"]
    assert member.status == "member"
    assert creator.status == "creator"
    assert me.status == "administrator"
    assert [a.user.id for a in admins] == [ada.id, emu.bot_user["id"]]
    assert count == 3
    assert info.title == "PyCon Hallway"


# ------------------------------------------------------------------ forum topics
async def test_forum_topics(emu: BotApiEmulator, ada: FakeUser, bob: FakeUser) -> None:
    group = await _group_with_bot(emu, ada, admin=True, forum=True)

    async def agenda(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Today: keynote")  # PTB keeps the topic

    seen: list[Update] = []
    async with polling_app(emu, CommandHandler("agenda", agenda), seen=seen) as app:
        talks = await group.create_topic("Talks", by=ada)
        in_topic = await bob.send("/agenda", chat=group, topic=talks)
        reply = await group.next_message()
        in_general = await bob.send("/agenda", chat=group)
        general_reply = await group.next_message()
        with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
            await app.bot.send_message(group.id, "General has no id", message_thread_id=1)
        with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
            await app.bot.send_message(group.id, "no such topic", message_thread_id=999)
        direct = await app.bot.send_message(group.id, "into Talks", message_thread_id=talks)
        await emu.wait_idle()
    messages = [u.message for u in seen if u.message is not None]
    created = next(m for m in messages if m.forum_topic_created)
    assert created.forum_topic_created is not None
    assert created.forum_topic_created.name == "Talks"
    assert created.message_id == talks
    assert created.message_thread_id == talks
    assert in_topic["message_thread_id"] == talks
    assert in_topic["is_topic_message"] is True
    assert in_topic["reply_to_message"]["forum_topic_created"]["name"] == "Talks"  # implicit
    assert "message_thread_id" not in in_general
    assert "is_topic_message" not in in_general
    assert reply.message_thread_id == talks
    assert reply.raw["is_topic_message"] is True
    assert reply.reply_to_message_id == in_topic["message_id"]
    assert general_reply.message_thread_id is None
    assert direct.message_thread_id == talks
    assert direct.is_topic_message
    assert direct.reply_to_message is not None
    assert direct.reply_to_message.message_id == talks
    parsed = next(m for m in messages if m.text == "/agenda")
    assert isinstance(parsed, Message)
    assert parsed.is_topic_message
    assert parsed.message_thread_id == talks


async def test_thread_ids_outside_forums_are_ignored(emu: BotApiEmulator, ada: FakeUser) -> None:
    group = await _group_with_bot(emu, ada)
    status, body = await raw_call(
        emu, "sendMessage", chat_id=group.id, text="plain group", message_thread_id=77
    )
    assert status == 200
    assert "message_thread_id" not in body["result"]
    status, body = await raw_call(
        emu, "sendMessage", chat_id=ada.id, text="private", message_thread_id=5
    )
    assert (status, body["description"]) == (400, "Bad Request: message thread not found")


# ------------------------------------------------------------------ channels
async def test_channel_posts(emu: BotApiEmulator, ada: FakeUser) -> None:
    channel = emu.channel("FOSDEM News", username="fosdemnews", creator=ada)
    await channel.post("before the bot joined")
    seen: list[Update] = []
    async with polling_app(emu, seen=seen) as app:
        await channel.add_bot(by=ada)
        text = await channel.post("Doors open at 9")
        command = await channel.post("/agenda", author_signature="Olga")
        document = await channel.post_document("map.pdf", b"%PDF", caption="Venue map")
        edited = await channel.edit_post(text, "Doors open at 9:30")
        mine = await app.bot.send_message("@fosdemnews", "posted by the bot")
        await emu.wait_idle()
    assert kinds(seen) == [
        "my_chat_member",
        "channel_post",
        "channel_post",
        "channel_post",
        "edited_channel_post",
    ]
    assert emu.withheld[0].reason == "the bot is not in the chat"
    admin = seen[0].my_chat_member
    assert admin is not None
    assert isinstance(admin.new_chat_member, ChatMemberAdministrator)
    assert admin.new_chat_member.can_post_messages is True
    for raw in (text, command, document):
        assert "from" not in raw
        assert raw["sender_chat"] == raw["chat"] == channel.chat
    assert command["entities"] == [{"type": "bot_command", "offset": 0, "length": 7}]
    assert command["author_signature"] == "Olga"
    assert document["document"]["file_name"] == "map.pdf"
    assert document["caption"] == "Venue map"
    post = seen[2].channel_post
    assert post is not None
    assert post.text == "/agenda"
    assert post.sender_chat is not None
    again = seen[4].edited_channel_post
    assert again is not None
    assert again.text == "Doors open at 9:30"
    assert again.edit_date is not None
    assert edited["message_id"] == text["message_id"]
    assert mine.sender_chat is not None
    assert mine.sender_chat.id == channel.id
    assert mine.from_user is None
    assert channel.last is not None
    assert channel.last.text == "posted by the bot"
    assert not any(_unknown_fields(u) for u in seen)


# ------------------------------------------------------------------ callbacks
async def test_callback_with_old_data_is_still_delivered(
    emu: BotApiEmulator, ada: FakeUser
) -> None:
    seen: list[Update] = []

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("menu")

    async with polling_app(emu, MessageHandler(filters.TEXT, echo), seen=seen):
        await ada.send("hi")
        menu = await ada.next_message()
        cid = await ada.press_data(menu.message_id, "v1:legacy:42")
        await emu.wait_idle()
    query = seen[-1].callback_query
    assert query is not None
    assert query.data == "v1:legacy:42"
    assert query.message is not None
    assert query.message.message_id == menu.message_id
    assert query.chat_instance == str(-ada.id)
    assert emu.unanswered_callbacks == [cid]  # nobody answered: the spinner would spin


async def test_callback_from_a_group_message(
    emu: BotApiEmulator, ada: FakeUser, bob: FakeUser
) -> None:
    group = await _group_with_bot(emu, ada)
    seen: list[Update] = []
    async with polling_app(emu, seen=seen) as app:
        from telegram import InlineKeyboardButton, InlineKeyboardMarkup

        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Vote", callback_data="vote")]])
        posted = await app.bot.send_message(group.id, "Poll", reply_markup=keyboard)
        await bob.press(group.last, "Vote")  # type: ignore[arg-type]
        await emu.wait_idle()
    query = seen[-1].callback_query
    assert query is not None
    assert query.message is not None
    assert query.message.chat.id == group.id
    assert query.message.message_id == posted.message_id
    assert query.from_user.id == bob.id
    assert query.chat_instance != str(-bob.id)
