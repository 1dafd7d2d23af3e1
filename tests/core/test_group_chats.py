"""Group chats: the bot must not answer every message as a question, nor enrol the group."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from telegram import Chat, Message, Update, User

from bot.i18n import current_code
from bot.store.records import Visit
from handlers.questions import QUESTIONS
from handlers.tracking import track


def _text_update(chat_type: str, *, reply_to: User | None = None) -> Update:
    when = datetime(2024, 11, 27, tzinfo=UTC)
    chat = Chat(id=-100 if chat_type != "private" else 7, type=chat_type)
    user = User(id=7, first_name="Ada", is_bot=False)
    replied = Message(1, when, chat, from_user=reply_to, text="Next: ...") if reply_to else None
    message = Message(2, when, chat, from_user=user, text="when is lunch", reply_to_message=replied)
    return Update(1, message=message)


def test_plain_text_is_a_question_in_private_chats() -> None:
    assert QUESTIONS.check_update(_text_update("private"))


def test_in_groups_only_replies_are_questions() -> None:
    assert not QUESTIONS.check_update(_text_update("group"))
    assert not QUESTIONS.check_update(_text_update("supergroup"))
    bot_user = User(id=1, first_name="confbot", is_bot=True)
    person = User(id=8, first_name="Bob", is_bot=False)
    assert QUESTIONS.check_update(_text_update("group", reply_to=bot_user))
    assert not QUESTIONS.check_update(_text_update("group", reply_to=person))


class _Users:
    def __init__(self) -> None:
        self.seen: list[int] = []

    async def seen_user(self, user_id: int, *args: object, **kwargs: object) -> Visit:
        self.seen.append(user_id)
        return Visit(new=True, language="hu")

    async def speaks(self, user_id: int) -> str | None:
        return "hu" if user_id in self.seen else None


async def test_only_people_in_private_chats_become_users() -> None:
    users = _Users()
    rt = SimpleNamespace(
        store=SimpleNamespace(users=SimpleNamespace(seen=users.seen_user)),
        languages=SimpleNamespace(speaks=users.speaks),
        now=lambda: datetime(2024, 11, 27, tzinfo=UTC),
    )
    context = SimpleNamespace(rt=rt)
    await track(_text_update("group"), context)  # type: ignore[arg-type]
    assert users.seen == []
    assert current_code() == "en"  # a stranger in a group: Telegram's language (none here)
    await track(_text_update("private"), context)  # type: ignore[arg-type]
    assert users.seen == [7]
    assert current_code() == "hu"  # the language the store says this person speaks
    await track(_text_update("group"), context)  # type: ignore[arg-type]
    assert current_code() == "hu"  # known now: their language in groups too
