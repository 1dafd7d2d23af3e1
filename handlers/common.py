"""Glue every handler shares: the sender, organiser-only commands, sending and editing messages.

Replies go where the update came from, whatever its shape (``where``):

- a private chat, a group, or the forum topic of the message (``message_thread_id``), in a
  group as a reply to the message answered, so a busy group sees what the bot answers;
- a button on a message the bot can read: that message's chat and topic;
- a button on an inline-mode message (``inline_message_id``, no ``message``): the bot does not
  know that chat and never writes into it. Navigation edits the inline message in place (by
  its ``inline_message_id``, the only way Telegram allows); an attachment goes to the presser's
  private chat if they talk to the bot there, else nowhere.

Every text is fitted to Telegram's limits on the way out (``bot.outgoing.fits``), and every
callback query is answered once (``answer_callback``): Telegram refuses a second answer.
"""

from __future__ import annotations

import asyncio
import functools
import io
import logging
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
    WebAppInfo,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot import texts
from bot.outgoing import MAX_CAPTION, Button, Keyboard, OutgoingMessage, clip, fits
from handlers.context import BotContext

log = logging.getLogger("confbot.handlers")

#: The ``context`` of this bot's handlers (``context.rt`` is the runtime).
Context = BotContext
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


def user_id(update: Update) -> int:
    """The sender's numeric id: every handler here serves updates that have one."""
    user = update.effective_user
    assert user is not None  # noqa: S101  commands and buttons always have a sender
    return user.id


def update_kind(update: Update) -> str:
    """Which kind of update this is, as Telegram names it (``message``, ``callback_query``,
    ``my_chat_member``, ...): for metrics and log lines."""
    for kind in Update.ALL_TYPES:
        if getattr(update, kind, None) is not None:
            return str(kind)
    return "other"


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def command_target(message: Message | None) -> str | None:
    """The bot a leading command names (``/start@otherbot`` -> "otherbot"), "" for a bare
    ``/start``, None when the message does not start with a command."""
    if message is None or not message.text or not message.entities:
        return None
    first = message.entities[0]
    if first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None
    command = message.parse_entity(first)
    return command.partition("@")[2].lower()


def addressed_to_us(update: Update, username: str | None) -> bool:
    """Whether a message was unmistakably meant for this bot, so that even a refusal or an
    apology is welcome: anything in a private chat; in a group, a command naming this bot
    (``/x@ourbot``) or a reply to one of its messages. A bare ``/x`` in a group may be for
    another bot; channels and other people's conversations are never the bot's to answer."""
    if is_private(update):
        return True
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or chat.type == ChatType.CHANNEL:
        return False
    target = command_target(message)
    if target:
        return username is not None and target == username.lower()
    return replies_to_bot(message, None)


def replies_to_bot(message: Message, bot_id: int | None) -> bool:
    """A reply to a message of this bot (of any bot when ``bot_id`` is unknown); the implicit
    reply of a forum topic's messages to the topic's first message does not count."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or not replied.from_user.is_bot:
        return False
    if message.is_topic_message and replied.message_id == message.message_thread_id:
        return False
    if bot_id is None:
        try:
            bot_id = message.get_bot().id
        except RuntimeError:  # a Message built by hand (unit tests) has no bot
            return True
    return replied.from_user.id == bot_id


def organisers_only(handler: Handler) -> Handler:
    """Organiser commands check the numeric id (never a username); anyone else gets exactly
    the unknown-command answer, so the commands do not even appear to exist (in a group only
    when the command named this bot). They work in private chats only: their answers (links,
    previews, feedback) are not for a whole group."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: Context) -> None:
        if not context.rt.settings.is_organiser(user_id(update)):
            if addressed_to_us(update, context.bot.username):
                await reply(update, context, OutgoingMessage(texts.unknown_command()))
            return
        if not is_private(update):
            await reply(update, context, OutgoingMessage(texts.private_chat_only()))
            return
        await handler(update, context)

    return guarded


T = TypeVar("T")
#: An interactive reply waits out a short flood-control pause once; a longer one is reported.
MAX_REPLY_WAIT = 5.0


def retry_seconds(exc: RetryAfter) -> float:
    """Seconds to wait, whether PTB hands an int (today) or a timedelta (opt-in, future)."""
    with warnings.catch_warnings():  # reading it as int is deprecated; both are handled
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def obeying_flood_control(call: Callable[[], Awaitable[T]]) -> T:
    """A reply that meets a 429 waits ``retry_after`` and tries once more, instead of being
    lost (PTB raises on a 429). Bulk messages do not come here: the outbox owns their retries.
    """
    try:
        return await call()
    except RetryAfter as exc:
        wait = retry_seconds(exc)
        if wait > MAX_REPLY_WAIT:
            raise
        await asyncio.sleep(wait)
        return await call()


def _inline_button(b: Button) -> InlineKeyboardButton:
    if b.web_app:
        return InlineKeyboardButton(b.text, web_app=WebAppInfo(b.web_app))
    if b.url:
        return InlineKeyboardButton(b.text, url=b.url)
    return InlineKeyboardButton(b.text, callback_data=b.data)


def markup(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[_inline_button(b) for b in row] for row in buttons])


async def send(
    bot: Bot,
    chat_id: int,
    message: OutgoingMessage,
    *,
    thread_id: int | None = None,
    reply_to: int | None = None,
    paid: bool = False,
) -> Message:
    """Send text (and attachments) as one HTML message; attachments carry no buttons twice.

    ``thread_id`` is the forum topic; ``reply_to`` a message of that chat to answer (if it is
    gone, the message is sent anyway). Text and captions are fitted to Telegram's limits.
    ``paid`` sends with ``allow_paid_broadcast`` (urgent alerts only: it costs Stars).
    """
    sent: Message | None = None
    where: dict[str, Any] = {"message_thread_id": thread_id}
    if paid:
        where["allow_paid_broadcast"] = True
    if reply_to is not None:
        where["reply_parameters"] = ReplyParameters(reply_to, allow_sending_without_reply=True)
    if message.html:
        sent = await bot.send_message(
            chat_id,
            fits(message.html),
            parse_mode=ParseMode.HTML,
            reply_markup=markup(message.buttons),
            link_preview_options=_NO_PREVIEW,
            **where,
        )
        where.pop("reply_parameters", None)
    for att in (message.attachment, *message.extra):
        if att is None:
            continue
        kwargs: dict[str, Any] = {
            "caption": fits(att.caption, MAX_CAPTION) or None,
            "parse_mode": ParseMode.HTML if att.caption else None,
            **where,
        }
        if sent is None:
            kwargs["reply_markup"] = markup(message.buttons)
        if att.kind == "photo":
            sent = await bot.send_photo(chat_id, io.BytesIO(att.content), **kwargs)
        else:
            sent = await bot.send_document(
                chat_id, io.BytesIO(att.content), filename=att.filename, **kwargs
            )
        where.pop("reply_parameters", None)
    assert sent is not None, "an OutgoingMessage needs text or an attachment"  # noqa: S101  a bug, not input
    return sent


async def send_unparsed(
    bot: Bot, chat_id: int, message: OutgoingMessage, *, paid: bool = False
) -> None:
    """``send`` for the outbox, which never looks at the answer: a text-only message skips
    building PTB's ``Message`` from the reply (half a millisecond of CPU per send, most of the
    bot's own cost at 1,000 sends a second). Attachments go through ``send``."""
    if message.attachment is not None or message.extra or not message.html:
        await send(bot, chat_id, message, paid=paid)
        return
    params: dict[str, Any] = {
        "chat_id": chat_id,
        "text": fits(message.html),
        "parse_mode": ParseMode.HTML,
        "link_preview_options": _NO_PREVIEW,
    }
    keyboard = markup(message.buttons)
    if keyboard is not None:
        params["reply_markup"] = keyboard
    if paid:
        params["allow_paid_broadcast"] = True
    # Bot API method names are case-insensitive; the lower-case name is not one of PTB's own
    # methods, so ``do_api_request`` sends it as it is and returns the answer unparsed.
    await bot.do_api_request("sendmessage", api_kwargs=params)


@dataclass(frozen=True, slots=True)
class Where:
    """Where a reply to an update goes (see the module docstring)."""

    chat_id: int | None
    thread_id: int | None = None
    reply_to: int | None = None
    #: A button on an inline-mode message: no chat, only this id to edit it by.
    inline_message_id: str | None = None


def where(update: Update) -> Where:
    query = update.callback_query
    if query is not None:
        msg = query.message
        if msg is not None:  # a Message, or an InaccessibleMessage (too old): both have a chat
            topic = isinstance(msg, Message) and msg.is_topic_message
            thread = msg.message_thread_id if topic and isinstance(msg, Message) else None
            return Where(msg.chat.id, thread)
        return Where(None, inline_message_id=query.inline_message_id)
    message = update.effective_message
    if message is not None:
        thread = message.message_thread_id if message.is_topic_message else None
        in_group = message.chat.type != ChatType.PRIVATE
        return Where(message.chat.id, thread, message.message_id if in_group else None)
    chat = update.effective_chat
    return Where(chat.id if chat is not None else None)


async def reply(update: Update, context: Context, message: OutgoingMessage) -> Message | None:
    """Answer the update with a new message where it came from (None if there is no such
    place: a button on an inline message sent into a chat the bot does not know)."""
    to = where(update)
    chat_id = to.chat_id
    if chat_id is None:
        if to.inline_message_id is not None:
            return await _reply_to_inline(update, context, message, to.inline_message_id)
        log.info("update %s has no chat to answer in", update.update_id)
        return None
    try:
        return await obeying_flood_control(
            lambda: send(
                context.bot, chat_id, message, thread_id=to.thread_id, reply_to=to.reply_to
            )
        )
    except Forbidden as exc:
        await _cannot_write(update, context, chat_id, exc)
        return None


async def _cannot_write(update: Update, context: Context, chat_id: int, exc: Forbidden) -> None:
    """Blocked between their message and the answer, or removed from the group: nobody to
    tell. A person who blocked the bot leaves the broadcast audience now, as on
    ``my_chat_member``."""
    log.info("update %s: cannot write to chat %s: %s", update.update_id, chat_id, exc)
    if is_private(update):
        await context.rt.store.users.set_active(chat_id, False)


async def _reply_to_inline(
    update: Update, context: Context, message: OutgoingMessage, inline_message_id: str
) -> Message | None:
    """A button on an inline message: text replaces that message; an attachment goes to the
    presser's private chat, if they talk to the bot there (else Telegram would refuse)."""
    if message.attachment is None and message.html:
        await _edit_inline(context, inline_message_id, message)
        return None
    presser = user_id(update)
    known = await context.rt.store.users.get(presser)
    if known is None or not known.active:
        log.info("update %s: no private chat with %s to send a file to", update.update_id, presser)
        return None
    try:
        return await obeying_flood_control(lambda: send(context.bot, presser, message))
    except Forbidden:  # blocked the bot since: the outbox will mark them on its next send
        log.info("update %s: %s no longer accepts messages", update.update_id, presser)
        return None


async def _edit_inline(context: Context, inline_message_id: str, message: OutgoingMessage) -> None:
    try:
        await obeying_flood_control(
            lambda: context.bot.edit_message_text(
                fits(message.html),
                inline_message_id=inline_message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=markup(message.buttons),
                link_preview_options=_NO_PREVIEW,
            )
        )
    except BadRequest as exc:  # not modified, or the message is gone: nothing else to edit
        if "not modified" not in str(exc).lower():
            log.info("could not edit inline message %s: %s", inline_message_id, exc)


async def edit_or_send(update: Update, context: Context, message: OutgoingMessage) -> None:
    """Navigation edits the message the button sits on; attachments need a new message."""
    query = update.callback_query
    if query is not None and message.attachment is None:
        if query.message is None and query.inline_message_id is not None:
            await _edit_inline(context, query.inline_message_id, message)
            return
        if query.message is not None:
            target = query.message
            try:
                await obeying_flood_control(
                    lambda: context.bot.edit_message_text(
                        fits(message.html),
                        chat_id=target.chat.id,
                        message_id=target.message_id,
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup(message.buttons),
                        link_preview_options=_NO_PREVIEW,
                    )
                )
                return
            except BadRequest as exc:
                if "not modified" in str(exc).lower():
                    return
                # The message is too old or not text (a document): send a fresh one instead.
            except Forbidden as exc:
                await _cannot_write(update, context, target.chat.id, exc)
                return
    await reply(update, context, message)


#: Telegram's limit on the text of a callback answer (a toast or an alert).
MAX_CALLBACK_TEXT = 200


async def answer_callback(
    context: Context, query: CallbackQuery, text: str | None = None, *, alert: bool = False
) -> bool:
    """Answer a press once (Telegram refuses a second answer); False if it was answered.

    Marked before the call: if the answer itself fails, answering again would not help.
    """
    if not context.bot_data.answered.add(query.id):
        return False
    await query.answer(clip(text, MAX_CALLBACK_TEXT) if text else None, show_alert=alert)
    return True


def command_args(update: Update) -> str:
    """The text after ``/command`` (with ``@botname`` stripped), verbatim."""
    msg = update.effective_message
    text = (msg.text or "") if msg else ""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


async def edit_message(
    bot: Bot, chat_id: int, message_id: int, html: str, buttons: InlineKeyboardMarkup | None
) -> None:
    """Replace a message the bot sent (progress, a preview's outcome); failures are logged only:
    such an edit is cosmetic, the store keeps the truth."""
    try:
        await bot.edit_message_text(
            fits(html),
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=buttons,
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            log.warning("could not edit message %s: %s", message_id, exc)
    except TelegramError as exc:  # progress is cosmetic: the outbox keeps the truth
        log.warning("could not edit message %s: %s", message_id, exc)
