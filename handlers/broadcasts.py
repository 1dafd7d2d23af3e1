"""Broadcasts in Telegram: /broadcast and /alert (preview, Send / Cancel), /broadcasts, Stop,
progress.

Only the numeric ids in ORGANISER_IDS may use them; anyone else gets exactly the answer to an
unknown command, so the commands are not even revealed. The batch's life, the audiences and
the audit trail are ``bot.broadcasts``; this module turns Telegram entities into HTML, shows
the preview and summary, and edits the progress message (``TelegramProgress``). An urgent
``/alert`` is the same flow for a batch of kind ``ALERT``: previewed in its frame, with how long
it takes and, when paid sending is on, what it costs at most.
"""

from __future__ import annotations

import html as htmllib
import logging

from telegram import Bot, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import CommandHandler

from bot import texts
from bot.broadcasts import (
    ALERT,
    KIND,
    BroadcastGone,
    BroadcastInputError,
    DraftRefused,
    ProgressNote,
    Request,
    render_alert,
)
from bot.outgoing import Button, OutgoingMessage, clip
from bot.runtime import Runtime
from bot.store.records import OutboxRow
from handlers.buttons import Press, button
from handlers.callbacks import BadCallback, encode
from handlers.common import (
    Context,
    edit_message,
    is_private,
    markup,
    organisers_only,
    reply,
    user_id,
)
from handlers.context import ConfApp
from handlers.feature import Feature

log = logging.getLogger("confbot.broadcasts")


def html_after(message: Message, start: int) -> str:
    """The organiser's formatting as HTML, from character ``start`` of the text on.

    PTB's ``text_html`` turns entities into HTML and escapes literal ``<``, ``>``, ``&``; the
    entities are shifted (in UTF-16 units, as Telegram counts) so the command is left out.
    """
    text = message.text or ""
    shift = len(text[:start].encode("utf-16-le")) // 2
    entities = []
    for e in message.entities:
        end = e.offset + e.length
        if end <= shift:
            continue
        begin = max(e.offset, shift)
        entities.append(
            MessageEntity(
                type=e.type,
                offset=begin - shift,
                length=end - begin,
                url=htmllib.escape(e.url) if e.url else None,  # PTB inserts it unescaped
                user=e.user,
                language=e.language,
                custom_emoji_id=e.custom_emoji_id,
            )
        )
    sub = Message(
        message_id=message.message_id,
        date=message.date,
        chat=message.chat,
        text=text[start:],
        entities=entities,
    )
    return sub.text_html.strip()


def stop_buttons(batch_id: int) -> InlineKeyboardMarkup | None:
    return markup(((Button(texts.broadcast_stop_button(), encode("bc", "stop", batch_id)),),))


class TelegramProgress:
    """``bot.broadcasts.ProgressDisplay``: edits the organiser's progress message."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def show(self, note: ProgressNote) -> None:
        buttons = stop_buttons(note.batch_id) if note.stoppable else None
        await edit_message(self.bot, note.chat_id, note.message_id, note.html, buttons)

    async def tell(self, chat_id: int, html: str) -> None:
        try:
            await self.bot.send_message(chat_id, html, parse_mode=ParseMode.HTML)
        except TelegramError as exc:  # the alert goes on; the organiser sees its progress
            log.warning("could not tell organiser %s about their alert: %s", chat_id, exc)


# ------------------------------------------------------------------ /broadcast
@organisers_only
async def broadcast_command(update: Update, context: Context) -> None:
    await compose(update, context, KIND)


@organisers_only
async def alert_command(update: Update, context: Context) -> None:
    await compose(update, context, ALERT)


async def compose(update: Update, context: Context, kind: str) -> None:
    """``/broadcast`` or ``/alert``: options, the text (after them or in the message replied
    to), then the preview. A bare ``/broadcast`` waits for the text; a bare ``/alert`` only
    explains itself (an alert is typed in one go)."""
    rt = context.rt
    message = update.effective_message
    assert message is not None  # noqa: S101  a CommandHandler's update has a message
    text = message.text or ""
    head = text.split(maxsplit=1)[0] if text.split() else ""
    args_at = len(head)
    try:
        request = rt.broadcasts.parse(text[args_at:])
    except BroadcastInputError as exc:
        reason = clip(str(exc), 600)  # it may quote what was typed: keep the reply whole
        await reply(update, context, OutgoingMessage(texts.broadcast_bad_input(reason)))
        return
    source = message.reply_to_message
    if source is not None and (source.text or "").strip():
        html, plain = html_after(source, 0), source.text or ""
    else:
        start = args_at + request.text_start
        html, plain = html_after(message, start), text[start:].strip()
    if not plain.strip():
        if kind == ALERT:
            await reply(update, context, OutgoingMessage(texts.alert_usage()))
            return
        await rt.broadcasts.await_text(user_id(update), request)
        usage = texts.broadcast_usage() + "\n\n" + texts.broadcast_ask_text()
        await reply(update, context, OutgoingMessage(usage))
        return
    await prepare(update, context, html, plain, request, kind)


async def broadcast_text_hook(update: Update, context: Context) -> bool:
    """The text after a bare ``/broadcast`` is the broadcast."""
    user = update.effective_user
    message = update.effective_message
    rt = context.rt
    if user is None or message is None or not rt.settings.is_organiser(user.id):
        return False
    if not is_private(update):  # a reply to the bot in a group is a question, not a broadcast
        return False
    request = await rt.broadcasts.awaited(user.id)
    if request is None:
        return False
    await prepare(update, context, html_after(message, 0), message.text or "", request)
    return True


async def prepare(
    update: Update, context: Context, html: str, plain: str, request: Request, kind: str = KIND
) -> None:
    """A draft batch, the preview exactly as recipients will see it, then Send / Cancel."""
    rt = context.rt
    try:
        draft = await rt.broadcasts.draft(user_id(update), html, plain, request, kind)
    except DraftRefused as exc:
        await reply(update, context, OutgoingMessage(exc.html))
        return
    await reply(
        update, context, OutgoingMessage(texts.alert_message(html) if kind == ALERT else html)
    )
    buttons = (
        (
            Button(texts.broadcast_send_button(draft.size), encode("bc", "send", draft.batch_id)),
            Button(texts.cancel_button(), encode("bc", "cancel", draft.batch_id)),
        ),
    )
    if kind == ALERT:
        summary = texts.alert_summary(draft.label, draft.size, draft.eta_seconds, draft.max_stars)
    else:
        summary = texts.broadcast_summary(draft.label, draft.size, draft.when)
    await reply(update, context, OutgoingMessage(summary, buttons))


@button("bc", organisers=True)
async def on_broadcast_button(press: Press) -> None:
    """Send / Cancel on a preview, Stop on a progress message or in /broadcasts."""
    rt = press.rt
    action = press.args[0]
    if action not in {"send", "cancel", "stop"}:
        raise BadCallback("unknown broadcast action")
    batch_id = press.callback.int_arg(1, 1, 2**62)
    msg = press.message
    try:
        if action == "send":
            at = (msg.chat.id, msg.message_id) if msg is not None else None
            launched = await rt.broadcasts.send(batch_id, press.user_id, progress_at=at)
            await press.answer()
            if launched.when is not None:
                text = texts.broadcast_scheduled(batch_id, launched.when, launched.total)
            else:
                total = launched.total
                text = texts.broadcast_progress(
                    batch_id, 0, 0, 0, total, launched.eta_seconds, alert=launched.kind == ALERT
                )
            if msg is not None:
                await edit_message(
                    press.context.bot, msg.chat.id, msg.message_id, text, stop_buttons(batch_id)
                )
            rt.broadcasts.progress.wake()
        elif action == "cancel":
            await rt.broadcasts.discard(batch_id, press.user_id)
            await press.answer()
            if msg is not None:
                html = texts.broadcast_discarded()
                await edit_message(press.context.bot, msg.chat.id, msg.message_id, html, None)
        else:
            await rt.broadcasts.stop(batch_id, press.user_id)
            await press.answer()
    except BroadcastGone:
        await press.answer(texts.broadcast_gone(), alert=True)


@organisers_only
async def broadcasts_command(update: Update, context: Context) -> None:
    listed = await context.rt.broadcasts.listing()
    if not listed:
        await reply(update, context, OutgoingMessage(texts.broadcasts_none()))
        return
    lines, rows = [], []
    for item in listed:
        b = item.batch
        lines.append(
            texts.broadcasts_line(
                b.id, b.state, item.when, item.label, item.preview, item.left, alert=b.kind == ALERT
            )
        )
        rows.append((Button(texts.broadcasts_stop_button(b.id), encode("bc", "stop", b.id)),))
    await reply(update, context, OutgoingMessage(texts.broadcasts_list(lines), tuple(rows)))


async def render_broadcast(rt: Runtime, row: OutboxRow) -> OutgoingMessage | None:
    """A broadcast is sent as the organiser wrote it (their HTML, kept in the row)."""
    html = row.payload.get("html")
    return OutgoingMessage(html) if isinstance(html, str) and html else None


async def render_alert_row(rt: Runtime, row: OutboxRow) -> OutgoingMessage | None:
    """An alert, in its frame (``bot.broadcasts.render_alert``)."""
    return await render_alert(row)


def routes(app: ConfApp) -> None:
    app.add_handler(CommandHandler("broadcast", broadcast_command))
    app.add_handler(CommandHandler("alert", alert_command))
    app.add_handler(CommandHandler("broadcasts", broadcasts_command))
    app.add_handler(on_broadcast_button.handler())


FEATURE = Feature(
    "broadcasts",
    routes=routes,
    renderers={KIND: render_broadcast, ALERT: render_alert_row},
    text_hooks=(broadcast_text_hook,),
)
