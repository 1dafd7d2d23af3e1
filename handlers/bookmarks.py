"""Bookmarks in Telegram: the card's ⭐ button, /my with its clashes, and the .ics files.

The rules (what a bookmark plans, which sessions clash) live in ``bot.bookmarks``.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.calendar import ics_filename, session_ics, sessions_ics
from bot.outgoing import Attachment, Button, OutgoingMessage, fits
from bot.runtime import Runtime
from handlers import render
from handlers.buttons import Press, button
from handlers.callbacks import BadCallback, encode
from handlers.common import Context, edit_or_send, reply, user_id
from handlers.context import ConfApp
from handlers.feature import Feature

#: Buttons in /my (Telegram allows 100 per keyboard; a schedule longer than this is rare).
MY_BUTTONS = 40


def headline_switch(on: bool) -> Button:
    """The "remind me before every panel and keynote" switch (a reminders setting)."""
    return Button(texts.headline_button(on), encode("hl", 0 if on else 1))


async def my_view(rt: Runtime, user_id: int) -> OutgoingMessage:
    schedule = await rt.bookmarks.schedule(user_id)
    headline = (await rt.reminders.lead(user_id)).headline
    text = texts.my_schedule(list(schedule.sessions), set(schedule.clashes), headline=headline)
    rows: list[tuple[Button, ...]] = [
        (render.session_button(s, with_day=schedule.several_days),)
        for s in schedule.sessions[:MY_BUTTONS]
    ]
    if schedule.sessions:
        rows.append((Button(texts.schedule_button(), encode("myics")),))
    if schedule.sessions or await rt.sharing.active(user_id) is not None:
        rows.append((Button(texts.share_button(), encode("shr")),))
    rows.append((headline_switch(headline),))
    return OutgoingMessage(fits(text), tuple(rows))


async def my_command(update: Update, context: Context) -> None:
    await reply(update, context, await my_view(context.rt, user_id(update)))


@button("bm", "ics", "myics", "my")
async def on_button(press: Press) -> None:
    rt = press.rt
    if press.action == "bm":
        await _toggle(press)
    elif press.action == "ics":
        session = rt.agenda.session_by_key(press.args[0])
        if session is None:
            raise BadCallback("unknown session")
        data = session_ics(rt.agenda.conference, session, now=rt.now())
        await press.answer()
        att = Attachment(ics_filename(session.id), data, caption=texts.calendar_caption(session))
        await reply(press.update, press.context, OutgoingMessage("", attachment=att))
    elif press.action == "myics":
        await _schedule_file(press)
    else:
        await press.answer()
        await reply(press.update, press.context, await my_view(rt, press.user_id))


async def _toggle(press: Press) -> None:
    rt = press.rt
    session = rt.agenda.session_by_key(press.args[0])
    if session is None:
        raise BadCallback("unknown session")
    if session.is_break:
        await press.answer(texts.break_not_bookmarkable())
        return
    now = rt.now()
    on = await rt.bookmarks.toggle(press.user_id, session)
    if on:
        lead = await rt.reminders.lead(press.user_id)
        toast = texts.bookmarked_toast(
            lead.minutes, started=session.start <= now, ended=session.end <= now
        )
        await press.answer(toast)
    else:
        await press.answer(texts.bookmark_removed_toast())
    if press.query.message is None:
        return
    card = render.session_card(rt.agenda, session, bookmarked=on, now=now)
    await edit_or_send(press.update, press.context, card)


async def _schedule_file(press: Press) -> None:
    rt = press.rt
    schedule = await rt.bookmarks.schedule(press.user_id)
    if not schedule.sessions:
        await press.answer(texts.schedule_empty_toast())
        return
    await press.answer()
    data = sessions_ics(rt.agenda.conference, list(schedule.sessions), now=rt.now())
    att = Attachment(
        ics_filename("my-schedule"), data, caption=texts.schedule_caption(len(schedule.sessions))
    )
    await reply(press.update, press.context, OutgoingMessage("", attachment=att))


def routes(app: ConfApp) -> None:
    app.add_handler(CommandHandler("my", my_command))
    app.add_handler(on_button.handler())


FEATURE = Feature("bookmarks", routes=routes)
