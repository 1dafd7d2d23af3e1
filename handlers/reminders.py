"""Reminders in Telegram: /remind, the "every panel and keynote" switch, the reminder message
rendered at send time, and the JobQueue job that ticks the planner.

What is due when is ``bot.reminders``; this module turns it into Telegram.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler

from bot import texts
from bot.outgoing import Button, Keyboard, OutgoingMessage
from bot.qa import takes_questions
from bot.reminders import REMIND_MAX, REMIND_MIN, REMINDER, TICK_SECONDS, parse_lead_minutes
from bot.runtime import Runtime
from bot.store.records import OutboxRow
from handlers.bookmarks import headline_switch, my_view
from handlers.buttons import Press, button
from handlers.callbacks import encode, session_key
from handlers.common import Context, command_args, edit_or_send, reply, user_id
from handlers.context import BotContext, ConfApp
from handlers.feature import TICK_JOB_KWARGS, Feature

JOB_NAME = "reminders"


async def remind_view(rt: Runtime, user_id: int, text: str | None = None) -> OutgoingMessage:
    lead = await rt.reminders.lead(user_id)
    body = text or texts.remind_status(
        lead.minutes, is_default=lead.is_default, headline=lead.headline
    )
    return OutgoingMessage(body, ((headline_switch(lead.headline),),))


async def remind_command(update: Update, context: Context) -> None:
    rt = context.rt
    uid = user_id(update)
    arg = command_args(update)
    if not arg:
        await reply(update, context, await remind_view(rt, uid))
        return
    minutes = parse_lead_minutes(arg)
    if minutes is None:
        await reply(update, context, OutgoingMessage(texts.remind_usage(REMIND_MIN, REMIND_MAX)))
        return
    await rt.reminders.set_lead(uid, minutes)
    await reply(update, context, await remind_view(rt, uid, texts.remind_set(minutes)))


@button("hl")
async def on_headline_switch(press: Press) -> None:
    """The switch under /my and /remind; the view it sits on is redrawn with the new state."""
    on = press.callback.int_arg(0, 0, 1) == 1
    await press.rt.reminders.set_headline(press.user_id, on)
    await press.answer(texts.headline_toast(on))
    message = press.query.message
    if message is None:
        return
    datas = _callback_datas(getattr(message, "reply_markup", None))
    rt = press.rt
    if "myics" in datas or "my" in datas:
        view = await my_view(rt, press.user_id)
    else:
        view = await remind_view(rt, press.user_id)
    await edit_or_send(press.update, press.context, view)


def _callback_datas(reply_markup: InlineKeyboardMarkup | None) -> set[str]:
    if reply_markup is None:
        return set()
    return {
        str(b.callback_data)
        for row in reply_markup.inline_keyboard
        for b in row
        if b.callback_data is not None
    }


async def render_reminder(rt: Runtime, row: OutboxRow) -> OutgoingMessage | None:
    """Checked at send time, so a stale row (moved, unbookmarked, turned off) is skipped."""
    due = await rt.reminders.still_wanted(row.payload, row.chat_id)
    if due is None:
        return None
    session = due.session
    text = texts.reminder(session, rt.agenda.speakers_of(session), due.minutes_left)
    key = session_key(session.id)
    buttons_row = [Button(texts.open_card_button(), encode("s", key))]
    if takes_questions(session, rt.now()):
        buttons_row.append(Button(texts.qa_ask_button(), encode("qa", key)))
    buttons: Keyboard = (tuple(buttons_row),)
    return OutgoingMessage(text, buttons)


async def tick_job(context: BotContext) -> None:
    await context.rt.reminders.tick()


def routes(app: ConfApp) -> None:
    app.add_handler(CommandHandler("remind", remind_command))
    app.add_handler(on_headline_switch.handler())


async def startup(app: ConfApp, rt: Runtime) -> None:
    if app.job_queue is None:
        raise RuntimeError("reminders need PTB's JobQueue: install python-telegram-bot[job-queue]")
    app.job_queue.run_repeating(
        tick_job,
        interval=TICK_SECONDS,
        first=TICK_SECONDS,
        name=JOB_NAME,
        job_kwargs=TICK_JOB_KWARGS,
    )


FEATURE = Feature(
    "reminders", routes=routes, renderers={REMINDER: render_reminder}, startup=startup
)
