"""The agenda in Telegram: /agenda, /now, /next, /speakers, /speaker, /session, and its buttons."""

from __future__ import annotations

from datetime import date, datetime

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.outgoing import OutgoingMessage, quoted
from handlers import render
from handlers.buttons import Press, button
from handlers.callbacks import BadCallback
from handlers.common import Context, command_args, edit_or_send, is_private, reply, user_id
from handlers.context import ConfApp
from handlers.feature import Feature


def timetable_url(update: Update, context: Context) -> str | None:
    """The Mini App's address for this chat: Telegram allows web_app buttons in private chats
    only, and only with an https ``PUBLIC_URL``."""
    return context.rt.settings.mini_app_url if is_private(update) else None


async def agenda(update: Update, context: Context) -> None:
    rt = context.rt
    marked = await rt.bookmarks.marked(user_id(update))
    await reply(
        update, context, render.agenda_view(rt.agenda, marked, timetable_url(update, context))
    )


async def now_command(update: Update, context: Context) -> None:
    rt = context.rt
    now = rt.now()
    running = list(rt.agenda.index.running_at(now))
    upcoming = [] if running else list(rt.agenda.index.next_after(now))
    opening = rt.agenda.conference.start
    begun = opening is not None and opening <= now
    header = texts.now_running(now, running, upcoming, begun=begun)
    await reply(update, context, render.session_list(header, running or upcoming))


async def next_command(update: Update, context: Context) -> None:
    rt = context.rt
    upcoming = list(rt.agenda.index.next_after(rt.now()))
    await reply(update, context, render.session_list(texts.next_up(upcoming), upcoming))


async def speakers_command(update: Update, context: Context) -> None:
    await reply(update, context, render.speakers_page(context.rt.agenda, 0))


async def speaker_command(update: Update, context: Context) -> None:
    rt = context.rt
    query = command_args(update)
    if not query:
        await reply(update, context, render.speakers_page(rt.agenda, 0))
        return
    found = rt.agenda.find_speakers(query)
    if not found:
        await reply(update, context, OutgoingMessage(texts.no_such_speaker(quoted(query))))
    elif len(found) == 1:
        await reply(update, context, render.speaker_profile(rt.agenda, found[0]))
    else:
        rows = tuple((render.speaker_button(sp),) for sp in found[:8])
        await reply(update, context, OutgoingMessage(texts.several_matches(quoted(query)), rows))


async def session_command(update: Update, context: Context) -> None:
    rt = context.rt
    query = command_args(update)
    if not query:
        await reply(update, context, OutgoingMessage(texts.session_usage()))
        return
    session = rt.agenda.session_by_key(query)
    if session is None:
        await reply(update, context, OutgoingMessage(texts.no_such_session(quoted(query))))
        return
    await reply(update, context, await card(context, session.id, user_id(update), rt.now()))


async def card(context: Context, session_id: str, user_id: int, now: datetime) -> OutgoingMessage:
    rt = context.rt
    session = rt.agenda.index.session(session_id)
    if session is None:
        raise BadCallback(f"no session {session_id!r}")
    marked = await rt.bookmarks.has(user_id, session.id)
    return render.session_card(rt.agenda, session, bookmarked=marked, now=now)


def _day(stamp: str) -> date:
    try:
        return datetime.strptime(stamp, "%Y%m%d").date()
    except ValueError as exc:
        raise BadCallback("not a date") from exc


@button("ag", "d", "s", "sp", "spl")
async def navigate(press: Press) -> None:
    """Agenda buttons: days, day pages, session cards, speakers."""
    rt = press.rt
    agenda = rt.agenda
    if press.action == "ag":
        msg = render.agenda_view(
            agenda,
            await rt.bookmarks.marked(press.user_id),
            timetable_url(press.update, press.context),
        )
    elif press.action == "d":
        day = _day(press.args[0])
        if day not in agenda.index.days:
            raise BadCallback("not a conference day")
        page = press.callback.int_arg(1, 0, 1000)
        msg = render.day_page(agenda, day, page, await rt.bookmarks.marked(press.user_id))
    elif press.action == "s":
        session = agenda.session_by_key(press.args[0])
        if session is None:
            raise BadCallback("unknown session")
        msg = await card(press.context, session.id, press.user_id, rt.now())
    elif press.action == "sp":
        speaker = agenda.conference.speakers.get(press.args[0])
        if speaker is None:
            raise BadCallback("unknown speaker")
        msg = render.speaker_profile(agenda, speaker)
    else:
        msg = render.speakers_page(agenda, press.callback.int_arg(0, 0, 10_000))
    await press.answer()
    # Cards open as new messages so the day list stays where it was; lists edit in place.
    if press.action in {"s", "sp"}:
        await reply(press.update, press.context, msg)
    else:
        await edit_or_send(press.update, press.context, msg)


def routes(app: ConfApp) -> None:
    app.add_handler(CommandHandler("agenda", agenda))
    app.add_handler(CommandHandler("now", now_command))
    app.add_handler(CommandHandler("next", next_command))
    app.add_handler(CommandHandler("speakers", speakers_command))
    app.add_handler(CommandHandler("speaker", speaker_command))
    app.add_handler(CommandHandler("session", session_command))
    app.add_handler(navigate.handler())


FEATURE = Feature("agenda", routes=routes)
