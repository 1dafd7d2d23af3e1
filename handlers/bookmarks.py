"""Bookmarks, /my, /remind, "remind me before every panel", .ics files, and the reminder job.

The planning itself lives in ``bot.reminders`` (what is due when, from SQLite); this module
wires it to Telegram: buttons, commands, the reminder renderer used by the delivery outbox
at send time, and the PTB JobQueue job that ticks the planner.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import texts
from bot.agenda.validate import overlapping_pairs
from bot.calendar import ics_filename, session_ics, sessions_ics
from bot.outgoing import Attachment, Button, Keyboard, OutgoingMessage
from bot.reminders import (
    REMIND_MAX,
    REMIND_MIN,
    REMINDER,
    ReminderPlanner,
    effective_lead,
    parse_lead_minutes,
    still_wanted,
)
from bot.runtime import Runtime
from handlers import render
from handlers.callbacks import BadCallback, decode, encode, session_key
from handlers.common import Context, command_args, edit_or_send, reply, runtime, user_id

log = logging.getLogger("confbot.bookmarks")

TICK_SECONDS = 30.0
#: Buttons in /my (Telegram allows 100 per keyboard; a schedule longer than this is rare).
MY_BUTTONS = 40
#: APScheduler's default 1 s grace silently drops a tick when the loop is busy.
JOB_KWARGS: dict[str, Any] = {"misfire_grace_time": 60, "coalesce": True, "max_instances": 1}


def planner_of(rt: Runtime) -> ReminderPlanner | None:
    planner: ReminderPlanner | None = rt.services.get("reminders")
    return planner


async def _lead(rt: Runtime, user_id: int) -> tuple[int, bool, bool]:
    """(effective lead minutes, whether it is the default, headline opt-in)."""
    user = await rt.store.users.get(user_id)
    own = user.reminder_minutes if user else None
    headline = bool(user and user.remind_headline)
    return effective_lead(own, rt.settings.REMINDER_MINUTES), own is None, headline


async def _plan_for(rt: Runtime, user_id: int) -> None:
    """Right after a change: a reminder whose due time already passed goes out at once."""
    planner = planner_of(rt)
    if planner is None:
        return
    try:
        await planner.tick(rt.now(), user_id=user_id)
    except Exception:  # the periodic tick will catch up; the user's change is saved
        log.exception("planning reminders for user %s failed", user_id)


# ------------------------------------------------------------------------------ views
async def my_view(rt: Runtime, user_id: int) -> OutgoingMessage:
    ids = await rt.store.bookmarks.of_user(user_id)
    index = rt.agenda.index
    sessions = sorted(
        (s for s in (index.session(i) for i in ids) if s is not None),
        key=lambda s: (s.start, s.end, s.title),
    )
    _, _, headline = await _lead(rt, user_id)
    clashes = {s.id for pair in overlapping_pairs(sessions) for s in pair}
    text = texts.my_schedule(sessions, clashes, headline=headline)
    several_days = len({s.listed_day for s in sessions}) > 1
    rows: list[tuple[Button, ...]] = [
        (render.session_button(s, with_day=several_days),) for s in sessions[:MY_BUTTONS]
    ]
    if sessions:
        rows.append((Button(texts.schedule_button(), encode("myics")),))
    rows.append((headline_switch(headline),))
    return OutgoingMessage(render.fits(text), tuple(rows))


def headline_switch(on: bool) -> Button:
    return Button(texts.headline_button(on), encode("hl", 0 if on else 1))


async def remind_view(rt: Runtime, user_id: int, text: str | None = None) -> OutgoingMessage:
    lead, is_default, headline = await _lead(rt, user_id)
    body = text or texts.remind_status(lead, is_default=is_default, headline=headline)
    return OutgoingMessage(body, ((headline_switch(headline),),))


# --------------------------------------------------------------------------- commands
async def my_command(update: Update, context: Context) -> None:
    rt = runtime(context)
    await reply(update, context, await my_view(rt, user_id(update)))


async def remind_command(update: Update, context: Context) -> None:
    rt = runtime(context)
    uid = user_id(update)
    arg = command_args(update)
    if not arg:
        await reply(update, context, await remind_view(rt, uid))
        return
    minutes = parse_lead_minutes(arg)
    if minutes is None:
        await reply(update, context, OutgoingMessage(texts.remind_usage(REMIND_MIN, REMIND_MAX)))
        return
    await rt.store.users.set_reminder_minutes(uid, minutes)
    await _plan_for(rt, uid)
    await reply(update, context, await remind_view(rt, uid, texts.remind_set(minutes)))


# -------------------------------------------------------------------------- callbacks
async def on_button(update: Update, context: Context) -> None:
    rt = runtime(context)
    query = update.callback_query
    assert query is not None
    uid = user_id(update)
    try:
        cb = decode(query.data)
        if cb.action == "bm":
            await _toggle(update, context, rt, cb.args[0])
        elif cb.action == "ics":
            session = rt.agenda.session_by_key(cb.args[0])
            if session is None:
                raise BadCallback("unknown session")
            data = session_ics(rt.agenda.conference, session, now=rt.now())
            await query.answer()
            att = Attachment(
                ics_filename(session.id), data, caption=texts.calendar_caption(session)
            )
            await reply(update, context, OutgoingMessage("", attachment=att))
        elif cb.action == "myics":
            await _schedule_file(update, context, rt, uid)
        elif cb.action == "my":
            await query.answer()
            await reply(update, context, await my_view(rt, uid))
        elif cb.action == "hl":
            on = cb.int_arg(0, 0, 1) == 1
            await rt.store.users.set_remind_headline(uid, on)
            if on:
                await _plan_for(rt, uid)
            await query.answer(texts.headline_toast(on))
            await _refresh_switch(update, context, rt, uid)
        else:
            raise BadCallback("not a bookmarks button")
    except BadCallback:
        await query.answer(texts.stale_button(), show_alert=True)


async def _toggle(update: Update, context: Context, rt: Runtime, key: str) -> None:
    query = update.callback_query
    assert query is not None
    uid = user_id(update)
    session = rt.agenda.session_by_key(key)
    if session is None:
        raise BadCallback("unknown session")
    if session.is_break:
        await query.answer(texts.break_not_bookmarkable())
        return
    now = rt.now()
    on = await rt.store.bookmarks.toggle(uid, session.id, now)
    if on:
        await _plan_for(rt, uid)
        lead, _, _ = await _lead(rt, uid)
        toast = texts.bookmarked_toast(lead, started=session.start <= now, ended=session.end <= now)
        await query.answer(toast)
    else:
        await query.answer(texts.bookmark_removed_toast())
    message = query.message
    if message is None:
        return
    await edit_or_send(
        update, context, render.session_card(rt.agenda, session, bookmarked=on, now=now)
    )


async def _schedule_file(update: Update, context: Context, rt: Runtime, uid: int) -> None:
    query = update.callback_query
    assert query is not None
    index = rt.agenda.index
    ids = await rt.store.bookmarks.of_user(uid)
    sessions = [s for s in (index.session(i) for i in ids) if s is not None]
    if not sessions:
        await query.answer(texts.schedule_empty_toast())
        return
    await query.answer()
    data = sessions_ics(rt.agenda.conference, sessions, now=rt.now())
    name = ics_filename("my-schedule")
    att = Attachment(name, data, caption=texts.schedule_caption(len(sessions)))
    await reply(update, context, OutgoingMessage("", attachment=att))


async def _refresh_switch(update: Update, context: Context, rt: Runtime, uid: int) -> None:
    """Redraw the view the switch sits on (/my or /remind) with the new state."""
    query = update.callback_query
    assert query is not None
    message = query.message
    if message is None:
        return
    reply_markup = getattr(message, "reply_markup", None)
    datas = _callback_datas(reply_markup)
    view = await my_view(rt, uid) if "myics" in datas or "my" in datas else None
    if view is None:
        view = await remind_view(rt, uid)
    await edit_or_send(update, context, view)


def _callback_datas(reply_markup: InlineKeyboardMarkup | None) -> set[str]:
    if reply_markup is None:
        return set()
    return {
        str(b.callback_data)
        for row in reply_markup.inline_keyboard
        for b in row
        if b.callback_data is not None
    }


# ---------------------------------------------------------------------- the renderer
def make_reminder_renderer(rt: Runtime) -> Any:
    """Build the outbox renderer: checked at send time, so a stale row is skipped, not sent."""

    async def render_reminder(payload: dict[str, Any], chat_id: int) -> OutgoingMessage | None:
        due = await still_wanted(
            rt.agenda.index,
            rt.store.users,
            rt.store.bookmarks,
            rt.settings.REMINDER_MINUTES,
            payload,
            chat_id,
            rt.now(),
        )
        if due is None:
            return None
        session = due.session
        text = texts.reminder(session, rt.agenda.speakers_of(session), due.minutes_left)
        buttons: Keyboard = (
            (Button(texts.open_card_button(), encode("s", session_key(session.id))),),
        )
        return OutgoingMessage(text, buttons)

    return render_reminder


# ---------------------------------------------------------------------- registration
async def _job(context: Context) -> None:
    rt = runtime(context)
    planner = planner_of(rt)
    if planner is not None:
        try:
            await planner.tick(rt.now())
        except Exception:
            log.exception("reminder planning failed; retrying at the next tick")


def register(app: Application) -> None:
    app.add_handler(CommandHandler("my", my_command))
    app.add_handler(CommandHandler("remind", remind_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^(bm|ics|myics|my|hl)(:|$)"))


async def startup(app: Application, rt: Runtime) -> None:
    delivery = rt.services.get("delivery")
    if delivery is None:
        log.warning("no delivery outbox: reminders are not planned")
        return
    settings = rt.settings
    planner = ReminderPlanner(
        rt.store.db,
        delivery,
        lambda: rt.agenda.index,
        rt.now,
        reminder_minutes=settings.REMINDER_MINUTES,
        speaker_minutes=settings.SPEAKER_REMINDER_MINUTES,
        feedback_delay_minutes=settings.FEEDBACK_DELAY_MINUTES,
        rate=settings.BROADCAST_RATE,
        interval=TICK_SECONDS,
    )
    rt.services["reminders"] = planner
    delivery.register_renderer(REMINDER, make_reminder_renderer(rt))
    rt.services.setdefault("agenda_listeners", []).append(planner.on_agenda_change)
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            _job, interval=TICK_SECONDS, first=TICK_SECONDS, name="reminders", job_kwargs=JOB_KWARGS
        )
    else:
        log.warning("no JobQueue (install python-telegram-bot[job-queue]): reminders only at start")
    try:
        await planner.tick(rt.now())  # whatever fell due while the bot was down
    except Exception:
        log.exception("reminder planning at start-up failed")
