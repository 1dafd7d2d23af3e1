"""Feedback in Telegram: the prompt after a session, rating buttons, comments, /feedback, /export.

Callback scheme (see ``handlers.callbacks``): ``rt:<key>:<1..5>`` rates, ``rt:<key>:0`` skips a
prompt, ``rs:<key>`` shows a session's rating buttons (the card's "Rate this session" and the
/feedback list), ``nc:<key>`` ends the comment window ("No comment" / "Done"), ``fb:<page>``
pages the /feedback list. Every button is re-checked by ``bot.feedback`` against the agenda and
the store; a forged or stale one stores nothing and gets a polite answer.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.agenda.model import Session
from bot.feedback import (
    COMMENT_EDIT,
    COMMENT_WAIT,
    MAX_COMMENT,
    FeedbackRefused,
    Refusal,
    rateable_sessions,
)
from bot.outgoing import Attachment, Button, Keyboard, OutgoingMessage
from bot.reminders import FEEDBACK
from bot.runtime import Runtime
from bot.store.records import OutboxRow
from handlers import render
from handlers.buttons import Press, button
from handlers.callbacks import encode, session_key
from handlers.common import (
    Context,
    edit_or_send,
    is_private,
    organisers_only,
    reply,
    user_id,
)
from handlers.context import ConfApp
from handlers.feature import Feature

LIST_PAGE = 8

_REFUSAL_TOAST = {
    Refusal.UNKNOWN: texts.feedback_stale_toast,
    Refusal.BAD_RATING: texts.feedback_stale_toast,
    Refusal.BREAK: texts.feedback_break_toast,
    Refusal.NOT_STARTED: texts.feedback_not_started_toast,
    Refusal.NO_RATING: texts.feedback_no_rating_toast,
}


def _minutes(delta: Any) -> int:
    return int(delta.total_seconds() // 60)


# ---------------------------------------------------------------------- messages
def rating_row(session: Session, chosen: int | None = None) -> tuple[Button, ...]:
    key = session_key(session.id)
    return tuple(
        Button(texts.rating_label(n, chosen=n == chosen), encode("rt", key, n)) for n in range(1, 6)
    )


def prompt_message(session: Session) -> OutgoingMessage:
    """The prompt: the title, a row 1..5 and Skip."""
    skip = Button(texts.rating_skip_label(), encode("rt", session_key(session.id), 0))
    return OutgoingMessage(texts.feedback_prompt(session), (rating_row(session), (skip,)))


def rated_message(session: Session, rating: int, *, changed: bool) -> OutgoingMessage:
    done = Button(texts.no_comment_label(), encode("nc", session_key(session.id)))
    text = texts.rating_saved(session, rating, _minutes(COMMENT_WAIT), changed=changed)
    return OutgoingMessage(text, (rating_row(session, rating), (done,)))


def list_page(rt: Runtime, page: int, rated: dict[str, int]) -> OutgoingMessage:
    sessions = rateable_sessions(rt.agenda, rt.now())
    if not sessions:
        return OutgoingMessage(texts.feedback_nothing_to_rate())
    pages = max(1, -(-len(sessions) // LIST_PAGE))
    page = min(max(page, 0), pages - 1)
    rows: list[tuple[Button, ...]] = []
    for s in sessions[page * LIST_PAGE : (page + 1) * LIST_PAGE]:
        mark = f"✅ {rated[s.id]}★ " if s.id in rated else ""
        label = render.session_label(s, with_day=True, mark=mark)
        rows.append((Button(label, encode("rs", session_key(s.id))),))
    nav: list[Button] = []
    if page > 0:
        nav.append(Button(texts.newer_button(), encode("fb", page - 1)))
    if page + 1 < pages:
        nav.append(Button(texts.older_button(), encode("fb", page + 1)))
    if nav:
        rows.append(tuple(nav))
    keyboard: Keyboard = tuple(rows)
    return OutgoingMessage(texts.feedback_list(page, pages), keyboard)


# ---------------------------------------------------------------------- handlers


async def feedback_command(update: Update, context: Context) -> None:
    """The sessions to rate; with only one so far (the first talk has just begun), its rating
    buttons at once rather than a list of one to tap through."""
    rt = context.rt
    sessions = rateable_sessions(rt.agenda, rt.now())
    if len(sessions) == 1:
        await reply(update, context, prompt_message(sessions[0]))
        return
    rated = await rt.store.feedback.rated_by(user_id(update))
    await reply(update, context, list_page(rt, 0, rated))


@button("rt", "rs", "nc", "fb", stale=texts.feedback_stale_toast)
async def on_button(press: Press) -> None:
    """rt / rs / nc / fb buttons: validate, write first, answer, then show the result."""
    rt = press.rt
    svc = rt.feedback
    uid = press.user_id
    edit = True
    try:
        if press.action == "rt":
            rating = press.callback.int_arg(1, 0, 5)
            if rating == 0:
                session = await svc.skip(uid, press.args[0])
                await press.answer(texts.rating_skipped_toast())
                msg = OutgoingMessage(texts.rating_skipped(session))
            else:
                session, previous = await svc.rate(uid, press.args[0], rating)
                await press.answer(texts.rating_thanks_toast(rating))
                changed = previous is not None and previous != rating
                msg = rated_message(session, rating, changed=changed)
        elif press.action == "rs":
            session = await svc.session_to_rate(press.args[0])
            await press.answer()
            msg, edit = prompt_message(session), False
        elif press.action == "nc":
            session, rating, commented = await svc.finish(uid, press.args[0])
            await press.answer()
            msg = OutgoingMessage(
                texts.feedback_complete(session, rating, commented=commented),
                (rating_row(session, rating),),
            )
        else:
            page = press.callback.int_arg(0, 0, 10_000)
            await press.answer()
            msg = list_page(rt, page, await rt.store.feedback.rated_by(uid))
    except FeedbackRefused as exc:
        await press.answer(_REFUSAL_TOAST[exc.reason](), alert=True)
        return
    if edit:
        await edit_or_send(press.update, press.context, msg)
    else:
        await reply(press.update, press.context, msg)


async def comment_hook(update: Update, context: Context) -> bool:
    """The next text after a rating is its comment (see ``FeedbackService.take_comment``)."""
    message = update.effective_message
    user = update.effective_user
    if message is None or message.text is None or user is None or not is_private(update):
        return False
    result = await context.rt.feedback.take_comment(user.id, message.text)
    if result is None:
        return False
    if result.saved:
        done = Button(texts.comment_done_label(), encode("nc", session_key(result.session_id)))
        text = texts.comment_saved(result.title, _minutes(COMMENT_EDIT))
        await reply(update, context, OutgoingMessage(text, ((done,),)))
    elif result.refusal == "too_long":
        await reply(
            update, context, OutgoingMessage(texts.comment_too_long(MAX_COMMENT, result.length))
        )
    else:
        await reply(update, context, OutgoingMessage(texts.comment_needs_rating()))
    return True


@organisers_only
async def export_command(update: Update, context: Context) -> None:
    """Organisers: the feedback CSV (UTF-8 with BOM) and PNG chart, and the questions CSV."""
    rt = context.rt
    uid = user_id(update)
    export = await rt.feedback.export(by=uid)
    questions = await rt.qa.export(by=uid)
    if not export.ratings and not questions.questions:
        await reply(update, context, OutgoingMessage(texts.export_nothing_at_all()))
        return
    stamp = rt.now().strftime("%Y%m%d-%H%M")
    files: list[Attachment] = []
    if export.ratings:
        caption = texts.export_caption(export.ratings, export.sessions)
        files.append(Attachment(f"feedback-{stamp}.csv", export.csv, "document", caption))
        if export.png is not None:
            chart = texts.export_chart_caption()
            files.append(Attachment("feedback-chart.png", export.png, "photo", chart))
    if questions.questions:
        caption = texts.qa_export_caption(questions.questions, questions.sessions)
        files.append(Attachment(f"questions-{stamp}.csv", questions.csv, "document", caption))
    message = OutgoingMessage("", attachment=files[0], extra=tuple(files[1:]))
    await reply(update, context, message)


# ---------------------------------------------------------------------- wiring
async def render_prompt(rt: Runtime, row: OutboxRow) -> OutgoingMessage | None:
    """The prompt after a session, unless it was rated meanwhile or is gone."""
    session = await rt.feedback.prompt_session(row.payload, row.chat_id)
    return prompt_message(session) if session is not None else None


def routes(app: ConfApp) -> None:
    app.add_handler(CommandHandler("feedback", feedback_command))
    app.add_handler(CommandHandler("export", export_command))
    app.add_handler(on_button.handler())


FEATURE = Feature(
    "feedback",
    routes=routes,
    renderers={FEEDBACK: render_prompt},
    text_hooks=(comment_hook,),
)
