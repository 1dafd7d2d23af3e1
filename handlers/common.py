"""Glue every handler shares: the sender, organiser-only commands, sending and editing messages."""

from __future__ import annotations

import asyncio
import functools
import io
import logging
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any, TypeVar

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
    WebAppInfo,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, RetryAfter, TelegramError

from bot import texts
from bot.outgoing import Button, Keyboard, OutgoingMessage
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


def organisers_only(handler: Handler) -> Handler:
    """Organiser commands check the numeric id (never a username); anyone else gets exactly
    the unknown-command answer, so the commands do not even appear to exist."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: Context) -> None:
        if not context.rt.settings.is_organiser(user_id(update)):
            await reply(update, context, OutgoingMessage(texts.unknown_command()))
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


async def send(bot: Bot, chat_id: int, message: OutgoingMessage) -> Message:
    """Send text (and attachments) as one HTML message; attachments carry no buttons twice."""
    sent: Message | None = None
    if message.html:
        sent = await bot.send_message(
            chat_id,
            message.html,
            parse_mode=ParseMode.HTML,
            reply_markup=markup(message.buttons),
            link_preview_options=_NO_PREVIEW,
        )
    for att in (message.attachment, *message.extra):
        if att is None:
            continue
        kwargs: dict[str, Any] = {
            "caption": att.caption or None,
            "parse_mode": ParseMode.HTML if att.caption else None,
        }
        if sent is None:
            kwargs["reply_markup"] = markup(message.buttons)
        if att.kind == "photo":
            sent = await bot.send_photo(chat_id, io.BytesIO(att.content), **kwargs)
        else:
            sent = await bot.send_document(
                chat_id, io.BytesIO(att.content), filename=att.filename, **kwargs
            )
    assert sent is not None, "an OutgoingMessage needs text or an attachment"  # noqa: S101  a bug, not input
    return sent


async def reply(update: Update, context: Context, message: OutgoingMessage) -> Message:
    chat = update.effective_chat
    assert chat is not None  # noqa: S101  a reply answers a message, which has a chat
    return await obeying_flood_control(lambda: send(context.bot, chat.id, message))


async def edit_or_send(update: Update, context: Context, message: OutgoingMessage) -> None:
    """Navigation edits the message the button sits on; attachments need a new message."""
    query = update.callback_query
    if query is not None and query.message is not None and message.attachment is None:
        target = query.message
        try:
            await obeying_flood_control(
                lambda: context.bot.edit_message_text(
                    message.html,
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
    await reply(update, context, message)


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
            html,
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
