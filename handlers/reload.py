"""/reload and uploaded agenda files in Telegram: the preview with Apply / Cancel.

``/reload`` re-reads ``AGENDA_PATH`` (with ``AGENDA_URL``: fetches the URL now); an organiser
sending a file does the same with that file. What changes and who is told is ``bot.reload``;
a broken file changes nothing, and the answer names the file and the place. The change
notices are outbox rows rendered here at send time.
"""

from __future__ import annotations

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, MessageHandler, filters

from bot import texts
from bot.agenda.errors import AgendaError
from bot.agenda.remote import Changed, Failed
from bot.agenda.state import AgendaState
from bot.live_agenda import LiveAgenda
from bot.outgoing import Button, OutgoingMessage, clip, quoted
from bot.reload import KIND, MAX_AGENDA_BYTES, ReloadStale, notice_sessions, notice_text
from bot.runtime import Runtime
from bot.store.records import OutboxRow
from handlers.buttons import Press, button
from handlers.callbacks import BadCallback, encode, session_key
from handlers.common import Context, edit_message, organisers_only, reply, user_id
from handlers.context import ConfApp
from handlers.feature import Feature

#: Characters of an agenda error shown to the organiser (the whole of it is in the audit log).
MAX_ERROR = 3000


@organisers_only
async def reload_command(update: Update, context: Context) -> None:
    rt = context.rt
    if rt.live_agenda is not None:  # with AGENDA_URL the URL is the source: fetch it now
        await _reload_from_url(update, context, rt.live_agenda)
        return
    try:
        new = await rt.reload.from_path()
    except AgendaError as exc:
        await _refused(update, context, str(exc))
        return
    await _preview(update, context, new)


async def on_document(update: Update, context: Context) -> None:
    """An organiser sends an agenda file: checked and previewed like /reload."""
    rt = context.rt
    message = update.effective_message
    if message is None or message.document is None:
        return
    if not rt.settings.is_organiser(user_id(update)):
        await reply(update, context, OutgoingMessage(texts.document_not_expected()))
        return
    doc = message.document
    megabytes = MAX_AGENDA_BYTES // (1024 * 1024)
    if doc.file_size is not None and doc.file_size > MAX_AGENDA_BYTES:
        await reply(update, context, OutgoingMessage(texts.reload_file_too_big(megabytes)))
        return
    name = doc.file_name or "agenda"
    try:
        file = await context.bot.get_file(doc.file_id)
        data = bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        await _refused(update, context, texts.reload_download_failed(quoted(name), str(exc)))
        return
    if len(data) > MAX_AGENDA_BYTES:
        await reply(update, context, OutgoingMessage(texts.reload_file_too_big(megabytes)))
        return
    try:
        new = await rt.reload.from_upload(name, data)
    except AgendaError as exc:
        await _refused(update, context, str(exc))
        return
    await _preview(update, context, new, upload=(name, data))


async def _reload_from_url(update: Update, context: Context, live: LiveAgenda) -> None:
    """``/reload`` with AGENDA_URL: one refresh now, applied like the timed ones."""
    rt = context.rt
    outcome = await live.refresh_for(user_id(update))
    if isinstance(outcome, Failed):
        text = texts.reload_url_failed(live.url, outcome.reason)
    elif isinstance(outcome, Changed):
        applied = rt.reload.last
        text = texts.reload_url_applied(live.url, applied.notified if applied else 0)
    else:
        text = texts.reload_url_unchanged(live.url)
    await reply(update, context, OutgoingMessage(text))


async def _refused(update: Update, context: Context, error: str) -> None:
    await context.rt.reload.refused(user_id(update), error)
    # A loader's message may quote the file (a long line): the reply keeps to Telegram's limit.
    await reply(update, context, OutgoingMessage(texts.reload_error(clip(error, MAX_ERROR))))


async def _preview(
    update: Update,
    context: Context,
    new: AgendaState,
    *,
    upload: tuple[str, bytes] | None = None,
) -> None:
    preview = await context.rt.reload.preview(new, organiser=user_id(update), upload=upload)
    if preview is None:
        await reply(update, context, OutgoingMessage(texts.reload_no_changes(new.source)))
        return
    buttons = (
        (
            Button(texts.reload_apply_button(), encode("rl", "apply", preview.token)),
            Button(texts.cancel_button(), encode("rl", "cancel", preview.token)),
        ),
    )
    text = texts.reload_preview(preview.source, preview.changes, preview.people, preview.warnings)
    await reply(update, context, OutgoingMessage(text, buttons))


@button("rl", organisers=True)
async def on_reload_button(press: Press) -> None:
    rt = press.rt
    action, token = press.args
    if action not in {"apply", "cancel"}:
        raise BadCallback("unknown reload action")
    msg = press.message
    try:
        if action == "cancel":
            await rt.reload.discard_preview(token, press.user_id)
            text = texts.reload_discarded()
        else:
            applied = await rt.reload.apply_preview(token, press.user_id)
            text = texts.reload_applied(applied.notified)
    except ReloadStale:
        await press.answer(texts.reload_stale(), alert=True)
        return
    await press.answer()
    if msg is not None:
        await edit_message(press.context.bot, msg.chat.id, msg.message_id, text, None)


async def render_change(rt: Runtime, row: OutboxRow) -> OutgoingMessage | None:
    """A change notice worded now, in its reader's language, from the session as it was and
    as it is in the row (a row from before carries its text); the button opens the session
    if it still exists."""
    payload = row.payload
    try:
        sessions = notice_sessions(payload, rt.tz)
    except (KeyError, TypeError, ValueError):
        return None
    html = notice_text(*sessions) if sessions is not None else str(payload.get("html") or "")
    if not html:
        return None
    sid = payload.get("session_id")
    session = rt.agenda.index.session(str(sid)) if sid else None
    if session is None or payload.get("cancelled"):
        return OutgoingMessage(html)
    button = Button(texts.open_session(), encode("s", session_key(session.id)))
    return OutgoingMessage(html, ((button,),))


def routes(app: ConfApp) -> None:
    app.add_handler(CommandHandler("reload", reload_command))
    # Agenda files come in private: in a group a member's file is their conversation.
    app.add_handler(MessageHandler(filters.Document.ALL & filters.ChatType.PRIVATE, on_document))
    app.add_handler(on_reload_button.handler())


FEATURE = Feature("reload", routes=routes, renderers={KIND: render_change})
