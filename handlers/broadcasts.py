"""Organiser commands: /broadcast, /broadcasts, /reload (or an uploaded agenda file), /stats.

Only the numeric ids in ORGANISER_IDS may use them; anyone else gets exactly the answer to an
unknown command, so the commands are not even revealed. Every action is audited before its
effect. Broadcasts and change notices go through the delivery outbox; this module only
prepares them, shows previews and keeps a progress message up to date.
"""

from __future__ import annotations

import asyncio
import contextlib
import html as htmllib
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Message, MessageEntity, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import texts
from bot.agenda import kept
from bot.agenda.diff import diff
from bot.agenda.errors import AgendaError
from bot.agenda.loaders import load_agenda, load_bytes
from bot.agenda.remote import Changed, Failed
from bot.broadcasts import (
    Audience,
    BroadcastInputError,
    Request,
    launch,
    parse_request,
    recipients,
    resume_interrupted,
)
from bot.outgoing import Button, OutgoingMessage
from bot.reload import Applied, apply_agenda, swap_agenda
from bot.runtime import AgendaState, Runtime
from bot.store.db import parse_ts, ts
from bot.store.outbox import (
    BATCH_CANCELLED,
    BATCH_DONE,
    BATCH_DRAFT,
    BATCH_RUNNING,
    BATCH_SCHEDULED,
    BATCH_SENDING,
)
from handlers.callbacks import BadCallback, decode, encode
from handlers.common import (
    Context,
    edit_or_send,
    markup,
    organisers_only,
    reply,
    runtime,
    user_id,
)
from handlers.render import fits

log = logging.getLogger("confbot.organiser")

PENDING_KIND = "broadcast"
MAX_TEXT = 4096
MAX_AGENDA_BYTES = 5 * 1024 * 1024
#: Seconds between edits of a progress message (rt.services["progress_interval"] overrides).
PROGRESS_INTERVAL = 3.0
#: A reload preview not applied within this many seconds is dropped.
RELOAD_TTL = 3600.0


@dataclass
class PendingReload:
    new: AgendaState
    base: AgendaState  # the agenda the diff was made against
    organiser: int
    #: (file name, bytes) of an uploaded agenda, kept on apply so a restart serves it
    upload: tuple[str, bytes] | None = None


def _pending_reloads(rt: Runtime) -> dict[str, PendingReload]:
    found: dict[str, PendingReload] = rt.services.setdefault("pending_reloads", {})
    return found


# ------------------------------------------------------------------ broadcast
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


def _audience_label(rt: Runtime, audience: Audience) -> str:
    title = None
    if audience.kind == "session":
        session = rt.agenda.index.session(audience.arg)
        title = session.title if session else None
    return texts.audience_label(audience.kind, audience.arg, title)


@organisers_only
async def broadcast_command(update: Update, context: Context) -> None:
    rt = runtime(context)
    message = update.effective_message
    assert message is not None
    text = message.text or ""
    head = text.split(maxsplit=1)[0] if text.split() else ""
    args_at = len(head)
    try:
        request = parse_request(text[args_at:], rt.agenda, rt.now())
    except BroadcastInputError as exc:
        await reply(update, context, OutgoingMessage(texts.broadcast_bad_input(str(exc))))
        return
    source = message.reply_to_message
    if source is not None and (source.text or "").strip():
        html, plain = html_after(source, 0), source.text or ""
    else:
        start = args_at + request.text_start
        html, plain = html_after(message, start), text[start:].strip()
    if not plain.strip():
        await rt.store.users.set_pending(
            user_id(update),
            {
                "kind": PENDING_KIND,
                "audience": request.audience.encode(),
                "when": ts(request.when) if request.when else None,
            },
        )
        usage = texts.broadcast_usage() + "\n\n" + texts.broadcast_ask_text()
        await reply(update, context, OutgoingMessage(usage))
        return
    await prepare(update, context, html, plain, request)


async def broadcast_text_hook(update: Update, context: Context) -> bool:
    """The text after a bare ``/broadcast`` is the broadcast."""
    user = update.effective_user
    message = update.effective_message
    rt = runtime(context)
    if user is None or message is None or not rt.settings.is_organiser(user.id):
        return False
    state = await rt.store.users.pending(user.id)
    if not state or state.get("kind") != PENDING_KIND:
        return False
    await rt.store.users.set_pending(user.id, None)
    when = parse_ts(state["when"]).astimezone(rt.tz) if state.get("when") else None
    audience = Audience.decode(str(state.get("audience") or "everyone"))
    request = Request(audience, when, 0)
    await prepare(update, context, html_after(message, 0), message.text or "", request)
    return True


async def prepare(
    update: Update, context: Context, html: str, plain: str, request: Request
) -> None:
    """A draft batch, the preview exactly as recipients will see it, then Send / Cancel."""
    rt = runtime(context)
    uid = user_id(update)
    if len(plain) > MAX_TEXT:
        await reply(update, context, OutgoingMessage(texts.broadcast_too_long(MAX_TEXT)))
        return
    label = _audience_label(rt, request.audience)
    size = len(await recipients(rt.store.db, rt.agenda, request.audience))
    if size == 0:
        await reply(update, context, OutgoingMessage(texts.broadcast_empty(label)))
        return
    now = rt.clock.now()
    batch_id = await rt.store.outbox.create_batch(
        "broadcast",
        now,
        created_by=uid,
        audience=request.audience.encode(),
        payload={"html": html, "preview": plain[:60]},
        scheduled_for=request.when,
        state=BATCH_DRAFT,
    )
    await rt.store.audit.log(
        uid, "broadcast_preview", now, detail=f"#{batch_id} {plain[:200]}", audience_size=size
    )
    await reply(update, context, OutgoingMessage(html))
    buttons = (
        (
            Button(texts.broadcast_send_button(size), encode("bc", "send", batch_id)),
            Button(texts.cancel_button(), encode("bc", "cancel", batch_id)),
        ),
    )
    summary = texts.broadcast_summary(label, size, request.when)
    await reply(update, context, OutgoingMessage(summary, buttons))


def _stop_buttons(batch_id: int) -> Any:
    return markup(((Button(texts.broadcast_stop_button(), encode("bc", "stop", batch_id)),),))


async def on_broadcast_button(update: Update, context: Context) -> None:
    rt = runtime(context)
    query = update.callback_query
    assert query is not None
    uid = user_id(update)
    try:
        cb = decode(query.data)
        action = cb.args[0]
        if action not in {"send", "cancel", "stop"}:
            raise BadCallback("unknown broadcast action")
        batch_id = cb.int_arg(1, 1, 2**62)
    except BadCallback:
        await query.answer(texts.stale_button(), show_alert=True)
        return
    if not rt.settings.is_organiser(uid):
        await query.answer(texts.stale_button(), show_alert=True)
        return
    batch = await rt.store.outbox.batch(batch_id)
    if batch is None or batch.kind != "broadcast":
        await query.answer(texts.broadcast_gone(), show_alert=True)
        return
    now = rt.clock.now()
    if action == "send":
        if batch.created_by != uid or not await rt.store.outbox.set_batch_state(
            batch_id, BATCH_SENDING, only_from=BATCH_DRAFT
        ):
            await query.answer(texts.broadcast_gone(), show_alert=True)
            return
        when = batch.scheduled_for if batch.scheduled_for and batch.scheduled_for > now else None
        audience = Audience.decode(batch.audience)
        html = str(batch.payload.get("html") or "")
        msg = query.message
        if isinstance(msg, Message):  # known before any row can finish
            await rt.store.outbox.update_batch(
                batch_id, progress_chat_id=msg.chat.id, progress_message_id=msg.message_id
            )
        added = await launch(rt, batch_id, html, audience, when)
        await rt.store.audit.log(
            uid,
            "broadcast_schedule" if when else "broadcast_send",
            now,
            detail=f"#{batch_id} to {batch.audience}" + (f" at {when.isoformat()}" if when else ""),
            audience_size=added,
        )
        await query.answer()
        text = (
            texts.broadcast_scheduled(batch_id, when.astimezone(rt.tz), added)
            if when
            else texts.broadcast_progress(batch_id, 0, 0, 0, added, added / _rate(rt))
        )
        if isinstance(msg, Message):
            await _edit(context, msg.chat.id, msg.message_id, text, _stop_buttons(batch_id))
        _progress_task(rt, context.application).wake()
    elif action == "cancel":
        if not await rt.store.outbox.set_batch_state(
            batch_id, BATCH_CANCELLED, only_from=BATCH_DRAFT
        ):
            await query.answer(texts.broadcast_gone(), show_alert=True)
            return
        await rt.store.audit.log(uid, "broadcast_discard", now, detail=f"#{batch_id}")
        await query.answer()
        msg = query.message
        if isinstance(msg, Message):
            await _edit(context, msg.chat.id, msg.message_id, texts.broadcast_discarded(), None)
    else:
        if batch.state not in {BATCH_SCHEDULED, BATCH_RUNNING}:
            await query.answer(texts.broadcast_gone(), show_alert=True)
            return
        cancelled = await rt.services["delivery"].cancel(batch_id=batch_id)
        await rt.store.outbox.set_batch_state(batch_id, BATCH_CANCELLED)
        await rt.store.audit.log(
            uid, "broadcast_cancel", now, detail=f"#{batch_id}", audience_size=cancelled
        )
        await query.answer()
        await _show_final(rt, context.application, batch_id)


def _rate(rt: Runtime) -> float:
    delivery = rt.services.get("delivery")
    return float(delivery.rate if delivery is not None else rt.settings.BROADCAST_RATE)


async def _edit(
    context: Context | Application, chat_id: int, message_id: int, html: str, buttons: Any
) -> None:
    bot = context.bot
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
            log.warning("could not edit progress message %s: %s", message_id, exc)
    except TelegramError as exc:  # progress is cosmetic: the outbox keeps the truth
        log.warning("could not edit progress message %s: %s", message_id, exc)


async def _show_final(rt: Runtime, app: Application, batch_id: int) -> None:
    batch = await rt.store.outbox.batch(batch_id)
    if batch is None or batch.progress_chat_id is None or batch.progress_message_id is None:
        return
    p = await rt.store.outbox.progress(batch_id)
    if batch.state == BATCH_CANCELLED:
        text = texts.broadcast_stopped(batch_id, p.sent, p.failed, p.blocked, p.other + p.left)
    else:
        text = texts.broadcast_done(batch_id, p.sent, p.failed, p.blocked, p.left)
    await _edit(app, batch.progress_chat_id, batch.progress_message_id, text, None)


class ProgressTask:
    """Edits each running broadcast's progress message every few seconds until it is done."""

    def __init__(self, rt: Runtime, app: Application) -> None:
        self.rt = rt
        self.app = app
        self._wake = asyncio.Event()
        self._shown: dict[int, str] = {}
        self.task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self.task = asyncio.create_task(self._loop(), name="confbot-broadcast-progress")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("broadcast progress update failed")
            interval = float(self.rt.services.get("progress_interval", PROGRESS_INTERVAL))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), interval)
            self._wake.clear()

    async def tick(self) -> None:
        rt = self.rt
        now = rt.clock.now()
        for batch in await rt.store.outbox.batches([BATCH_SCHEDULED, BATCH_RUNNING], "broadcast"):
            if batch.state == BATCH_SCHEDULED:
                if batch.scheduled_for is None or batch.scheduled_for <= now:
                    await rt.store.outbox.set_batch_state(
                        batch.id, BATCH_RUNNING, only_from=BATCH_SCHEDULED
                    )
                continue
            p = await rt.store.outbox.progress(batch.id)
            if p.done:
                await rt.store.outbox.set_batch_state(batch.id, BATCH_DONE, only_from=BATCH_RUNNING)
                await _show_final(rt, self.app, batch.id)
                self._shown.pop(batch.id, None)
                continue
            if batch.progress_chat_id is None or batch.progress_message_id is None:
                continue
            text = texts.broadcast_progress(
                batch.id, p.sent, p.failed, p.blocked, p.left, p.left / _rate(rt)
            )
            if self._shown.get(batch.id) != text:
                self._shown[batch.id] = text
                await _edit(
                    self.app,
                    batch.progress_chat_id,
                    batch.progress_message_id,
                    text,
                    _stop_buttons(batch.id),
                )


def _progress_task(rt: Runtime, app: Application) -> ProgressTask:
    task: ProgressTask = rt.services["broadcast_progress"]
    return task


@organisers_only
async def broadcasts_command(update: Update, context: Context) -> None:
    rt = runtime(context)
    batches = await rt.store.outbox.batches([BATCH_SCHEDULED, BATCH_RUNNING], "broadcast")
    if not batches:
        await reply(update, context, OutgoingMessage(texts.broadcasts_none()))
        return
    lines, rows = [], []
    for b in batches[:20]:
        p = await rt.store.outbox.progress(b.id)
        when = b.scheduled_for.astimezone(rt.tz) if b.scheduled_for else None
        label = _audience_label(rt, Audience.decode(b.audience))
        preview = str(b.payload.get("preview") or "")
        lines.append(texts.broadcasts_line(b.id, b.state, when, label, preview, p.left))
        rows.append((Button(texts.broadcasts_stop_button(b.id), encode("bc", "stop", b.id)),))
    await reply(update, context, OutgoingMessage(texts.broadcasts_list(lines), tuple(rows)))


# -------------------------------------------------------------------- reload
@organisers_only
async def reload_command(update: Update, context: Context) -> None:
    rt = runtime(context)
    live = rt.services.get("live_agenda")
    if live is not None:  # with AGENDA_URL the URL is the source: fetch it now
        await _reload_from_url(update, context, live)
        return
    path = rt.settings.AGENDA_PATH
    try:
        result = await asyncio.to_thread(load_agenda, path, rt.settings.default_tz)
    except AgendaError as exc:
        await _refused(update, context, str(exc))
        return
    await _preview_reload(update, context, AgendaState(result=result, source=str(path)))


async def on_document(update: Update, context: Context) -> None:
    """An organiser sends an agenda file: checked and previewed like /reload."""
    rt = runtime(context)
    message = update.effective_message
    if message is None or message.document is None:
        return
    if not rt.settings.is_organiser(user_id(update)):
        await reply(update, context, OutgoingMessage(texts.document_not_expected()))
        return
    doc = message.document
    if doc.file_size is not None and doc.file_size > MAX_AGENDA_BYTES:
        await reply(update, context, OutgoingMessage(texts.reload_file_too_big(5)))
        return
    name = doc.file_name or "agenda"
    try:
        file = await context.bot.get_file(doc.file_id)
        data = bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        await _refused(update, context, f"{name}: cannot download the file: {exc}")
        return
    if len(data) > MAX_AGENDA_BYTES:
        await reply(update, context, OutgoingMessage(texts.reload_file_too_big(5)))
        return
    try:
        result = await asyncio.to_thread(load_bytes, data, name, rt.settings.default_tz)
    except AgendaError as exc:
        await _refused(update, context, str(exc))
        return
    new = AgendaState(result=result, source=name)
    await _preview_reload(update, context, new, upload=(name, data))


async def _reload_from_url(update: Update, context: Context, live: Any) -> None:
    """``/reload`` with AGENDA_URL: one refresh now, applied like the timed ones."""
    rt = runtime(context)
    outcome = await live.refresh()
    await rt.store.audit.log(user_id(update), "reload_url", rt.clock.now(), detail=live.url)
    if isinstance(outcome, Failed):
        text = texts.reload_url_failed(live.url, outcome.reason)
    elif isinstance(outcome, Changed):
        applied: Applied | None = rt.services.get("last_reload")
        text = texts.reload_url_applied(live.url, applied.notified if applied else 0)
    else:
        text = texts.reload_url_unchanged(live.url)
    await reply(update, context, OutgoingMessage(text))


async def _refused(update: Update, context: Context, error: str) -> None:
    rt = runtime(context)
    await rt.store.audit.log(user_id(update), "reload_refused", rt.clock.now(), detail=error)
    await reply(update, context, OutgoingMessage(texts.reload_error(error)))


async def _preview_reload(
    update: Update,
    context: Context,
    new: AgendaState,
    *,
    upload: tuple[str, bytes] | None = None,
) -> None:
    rt = runtime(context)
    changes = diff(rt.agenda.conference, new.conference)
    if changes.empty and not changes.other:
        await reply(update, context, OutgoingMessage(texts.reload_no_changes(new.source)))
        return
    token = secrets.token_hex(4)
    pending = _pending_reloads(rt)
    pending.clear()  # only the latest preview can be applied
    pending[token] = PendingReload(
        new=new, base=rt.agenda, organiser=user_id(update), upload=upload
    )
    people = await rt.store.bookmarks.count_users_of(changes.affected_ids)
    await rt.store.audit.log(
        user_id(update), "reload_preview", rt.clock.now(), detail=new.source, audience_size=people
    )
    buttons = (
        (
            Button(texts.reload_apply_button(), encode("rl", "apply", token)),
            Button(texts.cancel_button(), encode("rl", "cancel", token)),
        ),
    )
    text = texts.reload_preview(new.source, changes, people, len(new.result.warnings))
    await reply(update, context, OutgoingMessage(text, buttons))


async def on_reload_button(update: Update, context: Context) -> None:
    rt = runtime(context)
    query = update.callback_query
    assert query is not None
    uid = user_id(update)
    try:
        cb = decode(query.data)
        if cb.args[0] not in {"apply", "cancel"}:
            raise BadCallback("unknown reload action")
    except BadCallback:
        await query.answer(texts.stale_button(), show_alert=True)
        return
    if not rt.settings.is_organiser(uid):
        await query.answer(texts.stale_button(), show_alert=True)
        return
    pending = _pending_reloads(rt)
    item = pending.get(cb.args[1])
    if item is None or item.base is not rt.agenda:
        pending.pop(cb.args[1], None)
        await query.answer(texts.reload_stale(), show_alert=True)
        return
    del pending[cb.args[1]]
    msg = query.message
    if cb.args[0] == "cancel":
        await rt.store.audit.log(uid, "reload_discard", rt.clock.now(), detail=item.new.source)
        await query.answer()
        if isinstance(msg, Message):
            await _edit(context, msg.chat.id, msg.message_id, texts.reload_discarded(), None)
        return
    await apply_agenda(rt, item.new, actor=uid)
    state_dir = rt.settings.state_dir
    if item.upload is not None:
        await asyncio.to_thread(kept.keep, state_dir, *item.upload)
    else:  # AGENDA_PATH re-read: the file on disk is the source again
        await asyncio.to_thread(kept.forget, state_dir)
    applied: Applied | None = rt.services.get("last_reload")
    await query.answer()
    if isinstance(msg, Message):
        notified = applied.notified if applied else 0
        await _edit(context, msg.chat.id, msg.message_id, texts.reload_applied(notified), None)


# --------------------------------------------------------------------- stats
#: A /stats section from another feature: HTML, one page or several.
StatsSection = Callable[[Runtime], Awaitable[str | list[str]]]


async def stats_pages(rt: Runtime) -> list[str]:
    """The counts first, then each feature's section; pages stay under Telegram's limit."""
    users, active = await rt.store.users.counts()
    bookmarks = await rt.store.bookmarks.count()
    bookmarkers = await rt.store.bookmarks.bookmarkers()
    outbox = await rt.store.outbox.states()
    pages = [texts.stats(users, active, bookmarks, bookmarkers, outbox)]
    sections: list[StatsSection] = list(rt.services.get("stats_sections", []))
    for section in sections:
        try:
            result = await section(rt)
        except Exception:
            log.exception("a /stats section failed")
            continue
        more = [result] if isinstance(result, str) else list(result)
        for page in (p for p in more if p):
            if len(pages[-1]) + 2 + len(page) <= MAX_TEXT:
                pages[-1] += "\n\n" + page
            else:
                pages.append(fits(page))
    return pages


def stats_message(pages: list[str], page: int) -> OutgoingMessage:
    page = min(max(page, 0), len(pages) - 1)
    nav: list[Button] = []
    if page > 0:
        nav.append(Button(texts.previous_button(), encode("st", page - 1)))
    if page + 1 < len(pages):
        nav.append(Button(texts.next_button(page + 2, len(pages)), encode("st", page + 1)))
    return OutgoingMessage(pages[page], (tuple(nav),) if nav else ())


@organisers_only
async def stats_command(update: Update, context: Context) -> None:
    rt = runtime(context)
    await rt.store.audit.log(user_id(update), "stats", rt.clock.now())
    await reply(update, context, stats_message(await stats_pages(rt), 0))


async def on_stats_button(update: Update, context: Context) -> None:
    rt = runtime(context)
    query = update.callback_query
    assert query is not None
    try:
        page = decode(query.data).int_arg(0, 0, 10_000)
        if not rt.settings.is_organiser(user_id(update)):
            raise BadCallback("not an organiser")
    except BadCallback:
        await query.answer(texts.stale_button(), show_alert=True)
        return
    await query.answer()
    await edit_or_send(update, context, stats_message(await stats_pages(rt), page))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("broadcast", broadcast_command))
    app.add_handler(CommandHandler("broadcasts", broadcasts_command))
    app.add_handler(CommandHandler("reload", reload_command))
    app.add_handler(CommandHandler("stats", stats_command))
    app.add_handler(CallbackQueryHandler(on_stats_button, pattern=r"^st:"))
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    app.add_handler(CallbackQueryHandler(on_broadcast_button, pattern=r"^bc(:|$)"))
    app.add_handler(CallbackQueryHandler(on_reload_button, pattern=r"^rl(:|$)"))


async def startup(app: Application, rt: Runtime) -> None:
    found = await asyncio.to_thread(kept.load_kept, rt.settings.state_dir, rt.settings.default_tz)
    if found is not None:  # an agenda uploaded before the restart still holds
        name, result = found
        log.info("serving the agenda uploaded as %s (kept beside the database)", name)
        await swap_agenda(rt, AgendaState(result=result, source=name))
    rt.services.setdefault("stats_sections", [])
    rt.services.setdefault("text_hooks", []).append(broadcast_text_hook)
    for batch_id in await resume_interrupted(rt):
        log.warning("broadcast #%d was interrupted while being queued: queued it now", batch_id)
    progress = ProgressTask(rt, app)
    rt.services["broadcast_progress"] = progress
    progress.start()


async def shutdown(app: Application, rt: Runtime) -> None:
    progress: ProgressTask | None = rt.services.get("broadcast_progress")
    if progress is not None:
        await progress.stop()
