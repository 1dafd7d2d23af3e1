"""Chats other than a private one: groups, supergroups (with forum topics) and channels.

The JSON built here follows the Bot API server (tdlib/telegram-bot-api, Client::JsonChat,
JsonChatMember, json_store_administrator_rights), field for field, so python-telegram-bot and
any other client parse exactly what Telegram would send.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.emulator.users import BotMessage, ChatReader, FakeUser

if TYPE_CHECKING:
    from bot.emulator.server import BotApiEmulator

JsonDict = dict[str, Any]

#: Statuses in which the bot belongs to a chat.
PRESENT = frozenset({"creator", "administrator", "member"})

#: Keys of service messages (every bot receives them, privacy mode or not).
SERVICE_KEYS = frozenset(
    {
        "new_chat_members",
        "left_chat_member",
        "new_chat_title",
        "new_chat_photo",
        "delete_chat_photo",
        "group_chat_created",
        "supergroup_chat_created",
        "channel_chat_created",
        "migrate_to_chat_id",
        "migrate_from_chat_id",
        "pinned_message",
        "forum_topic_created",
        "forum_topic_edited",
        "forum_topic_closed",
        "forum_topic_reopened",
        "general_forum_topic_hidden",
        "general_forum_topic_unhidden",
        "message_auto_delete_timer_changed",
    }
)

#: What a person ticks by default when making the bot an administrator.
GROUP_ADMIN_RIGHTS: JsonDict = {
    "can_manage_chat": True,
    "can_change_info": True,
    "can_delete_messages": True,
    "can_invite_users": True,
    "can_restrict_members": True,
    "can_pin_messages": True,
    "can_manage_topics": True,
    "can_promote_members": False,
    "can_manage_video_chats": True,
    "can_post_stories": True,
    "can_edit_stories": True,
    "can_delete_stories": True,
    "can_manage_tags": False,
    "is_anonymous": False,
}
CHANNEL_ADMIN_RIGHTS: JsonDict = {
    "can_manage_chat": True,
    "can_change_info": True,
    "can_post_messages": True,
    "can_edit_messages": True,
    "can_delete_messages": True,
    "can_invite_users": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_manage_video_chats": True,
    "can_post_stories": True,
    "can_edit_stories": True,
    "can_delete_stories": True,
    "can_manage_direct_messages": False,
    "is_anonymous": False,
}

#: Field order of ChatMemberAdministrator, and which chat types carry which right.
_RIGHTS_ORDER: tuple[tuple[str, frozenset[str]], ...] = (
    ("can_manage_chat", frozenset({"group", "supergroup", "channel"})),
    ("can_change_info", frozenset({"group", "supergroup", "channel"})),
    ("can_post_messages", frozenset({"channel"})),
    ("can_edit_messages", frozenset({"channel"})),
    ("can_delete_messages", frozenset({"group", "supergroup", "channel"})),
    ("can_invite_users", frozenset({"group", "supergroup", "channel"})),
    ("can_restrict_members", frozenset({"group", "supergroup", "channel"})),
    ("can_pin_messages", frozenset({"group", "supergroup"})),
    ("can_manage_topics", frozenset({"supergroup"})),
    ("can_promote_members", frozenset({"group", "supergroup", "channel"})),
    ("can_manage_video_chats", frozenset({"group", "supergroup", "channel"})),
    ("can_post_stories", frozenset({"group", "supergroup", "channel"})),
    ("can_edit_stories", frozenset({"group", "supergroup", "channel"})),
    ("can_delete_stories", frozenset({"group", "supergroup", "channel"})),
    ("can_manage_direct_messages", frozenset({"channel"})),
    ("can_manage_tags", frozenset({"group", "supergroup"})),
    ("is_anonymous", frozenset({"group", "supergroup", "channel"})),
)


def chat_member(
    user: JsonDict, status: str, chat_type: str, rights: JsonDict | None = None
) -> JsonDict:
    """A ChatMember object as Telegram serialises it for ``status``."""
    member: JsonDict = {"user": user, "status": status}
    if status == "administrator":
        granted = {**(CHANNEL_ADMIN_RIGHTS if chat_type == "channel" else GROUP_ADMIN_RIGHTS)}
        granted.update(rights or {})
        member["can_be_edited"] = False
        for name, types in _RIGHTS_ORDER:
            if chat_type in types:
                member[name] = bool(granted.get(name, False))
        member["can_manage_voice_chats"] = member["can_manage_video_chats"]
    elif status == "creator":
        member["is_anonymous"] = False
    elif status == "kicked":
        member["until_date"] = 0
    return member


@dataclass
class ChatState:
    """One chat's history and the bot's standing in it.

    ``messages`` holds every message by id (people's and the bot's); the bot's own are also
    kept as BotMessage in ``bot_messages``. ``topics`` maps a forum topic's id (the id of its
    ``forum_topic_created`` service message) to that message.
    """

    chat: JsonDict
    kind: str = "private"
    next_message_id: int = 1
    messages: dict[int, JsonDict] = field(default_factory=dict)
    bot_messages: list[BotMessage] = field(default_factory=list)
    bot_by_id: dict[int, BotMessage] = field(default_factory=dict)
    bot_status: str = "member"
    bot_rights: JsonDict = field(default_factory=dict)
    creator_id: int | None = None
    members: dict[int, JsonDict] = field(default_factory=dict)
    topics: dict[int, JsonDict] = field(default_factory=dict)
    last_bot_id: int | None = None

    @property
    def id(self) -> int:
        return int(self.chat["id"])

    @property
    def is_group(self) -> bool:
        return self.kind in ("group", "supergroup")

    @property
    def is_forum(self) -> bool:
        return bool(self.chat.get("is_forum"))

    @property
    def bot_present(self) -> bool:
        return self.bot_status in PRESENT


def group_chat(
    chat_id: int, title: str, kind: str, *, username: str | None, forum: bool
) -> JsonDict:
    """The Chat object of a group or supergroup as it appears inside messages."""
    chat: JsonDict = {"id": chat_id, "title": title}
    if kind == "group":
        chat["type"] = "group"
        chat["all_members_are_administrators"] = True
        chat["accepted_gift_types"] = {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        }
        return chat
    if username:
        chat["username"] = username
    if kind == "supergroup" and forum:
        chat["is_forum"] = True
    chat["type"] = kind
    return chat


class FakeChat(ChatReader):
    """A group, supergroup or channel; reading helpers show what the bot posted there."""

    def __init__(self, emulator: BotApiEmulator, chat_id: int) -> None:
        self.emulator = emulator
        self.id = chat_id
        self._consumed = 0

    @property
    def chat_id(self) -> int:
        return self.id

    @property
    def state(self) -> ChatState:
        return self.emulator._chat_state(self.id)

    @property
    def chat(self) -> JsonDict:
        """The Chat object, as in messages."""
        return self.state.chat

    @property
    def title(self) -> str:
        return str(self.chat.get("title", ""))

    @property
    def kind(self) -> str:
        return self.state.kind

    @property
    def bot_status(self) -> str:
        return self.state.bot_status

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id}, {self.title!r})"


class FakeGroup(FakeChat):
    """A basic group or a supergroup (optionally a forum with topics).

    People post with ``user.send(text, chat=group, topic=...)``. With privacy mode on (the
    BotFather default) a bot that is a plain member receives only commands meant for it,
    replies to it, messages sent via it and service messages; an administrator gets all.
    """

    async def add_bot(self, by: FakeUser, *, admin: bool = False, **rights: bool) -> JsonDict:
        """``by`` adds the bot; it receives ``my_chat_member`` and the service message."""
        return await self.emulator._add_bot_to_chat(
            self.state, by, "administrator" if admin else "member", rights
        )

    async def promote_bot(self, by: FakeUser, **rights: bool) -> JsonDict:
        """Make the bot an administrator (``my_chat_member`` member -> administrator)."""
        return await self.emulator._set_bot_status(self.state, by, "administrator", rights)

    async def demote_bot(self, by: FakeUser) -> JsonDict:
        return await self.emulator._set_bot_status(self.state, by, "member", {})

    async def remove_bot(self, by: FakeUser) -> JsonDict:
        """Remove the bot: ``kicked`` in a supergroup, ``left`` in a basic group."""
        status = "kicked" if self.kind == "supergroup" else "left"
        return await self.emulator._remove_bot_from_chat(self.state, by, status)

    async def add_member(self, user: FakeUser, by: FakeUser | None = None) -> JsonDict:
        """``user`` joins (or ``by`` adds them): the ``new_chat_members`` service message."""
        return await self.emulator._member_joins(self.state, user, by)

    async def create_topic(self, name: str, by: FakeUser, *, icon_color: int = 7322096) -> int:
        """Create a forum topic; returns its ``message_thread_id``."""
        return await self.emulator._create_topic(self.state, name, by, icon_color)

    def other_bot_spoke(self) -> None:
        """Another bot posted last: with privacy mode, plain ``/start`` no longer reaches ours."""
        self.state.last_bot_id = -1

    @property
    def topics(self) -> dict[int, JsonDict]:
        return dict(self.state.topics)


class FakeChannel(FakeChat):
    """A channel. The bot can only be an administrator there; posts come from the channel."""

    async def add_bot(self, by: FakeUser, **rights: bool) -> JsonDict:
        return await self.emulator._add_bot_to_chat(self.state, by, "administrator", rights)

    async def remove_bot(self, by: FakeUser) -> JsonDict:
        return await self.emulator._remove_bot_from_chat(self.state, by, "kicked")

    async def post(self, text: str, *, author_signature: str | None = None) -> JsonDict:
        """An administrator posts ``text``; the bot gets a ``channel_post`` if it is in."""
        return await self.emulator._channel_post(
            self.state, text=text, author_signature=author_signature
        )

    async def post_document(
        self,
        filename: str,
        data: bytes,
        caption: str | None = None,
        mime_type: str | None = None,
    ) -> JsonDict:
        return await self.emulator._channel_post(
            self.state, caption=caption, document=(filename, data, mime_type)
        )

    async def edit_post(self, message: JsonDict | int, text: str) -> JsonDict:
        """Edit a post: the bot gets ``edited_channel_post``."""
        return await self.emulator._edit_user_message(self.state, message, text, None)
