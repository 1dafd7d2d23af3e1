"""Attendee commands and agenda navigation: /start, /help, /agenda, /now, /next, /speakers, ..."""

from __future__ import annotations

from datetime import datetime

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import texts
from bot.outgoing import OutgoingMessage
from handlers import render
from handlers.callbacks import BadCallback, decode
from handlers.common import Context, command_args, edit_or_send, reply, runtime, user_id


async def _marked(context: Context, user_id: int) -> set[str]:
    return set(await runtime(context).store.bookmarks.of_user(user_id))


async def start(update: Update, context: Context) -> None:
    rt = runtime(context)
    user = update.effective_user
    assert user is not None
    hooks = rt.services.get("start_hooks", [])
    for hook in hooks:  # speaker linking by deep link or username, from the speakers feature
        if await hook(update, context):
            return
    msg = OutgoingMessage(
        texts.welcome(rt.agenda.conference, user.first_name), render.day_buttons(rt.agenda)
    )
    await reply(update, context, msg)


async def help_command(update: Update, context: Context) -> None:
    rt = runtime(context)
    user = update.effective_user
    assert user is not None
    is_speaker = False
    speakers = rt.services.get("speakers")
    if speakers is not None:
        is_speaker = await speakers.speaker_of(user.id) is not None
    text = texts.help_text(organiser=rt.settings.is_organiser(user.id), speaker=is_speaker)
    await reply(update, context, OutgoingMessage(text))


async def whoami(update: Update, context: Context) -> None:
    rt = runtime(context)
    user = update.effective_user
    assert user is not None
    name = None
    speakers = rt.services.get("speakers")
    if speakers is not None:
        speaker_id = await speakers.speaker_of(user.id)
        sp = rt.agenda.conference.speakers.get(speaker_id) if speaker_id else None
        name = sp.name if sp else None
    text = texts.whoami(user.id, organiser=rt.settings.is_organiser(user.id), speaker_name=name)
    await reply(update, context, OutgoingMessage(text))


async def agenda(update: Update, context: Context) -> None:
    await reply(update, context, render.choose_day(runtime(context).agenda))


async def now_command(update: Update, context: Context) -> None:
    rt = runtime(context)
    now = rt.now()
    running = list(rt.agenda.index.running_at(now))
    upcoming = [] if running else list(rt.agenda.index.next_after(now))
    opening = rt.agenda.conference.start
    begun = opening is not None and opening <= now
    header = texts.now_running(now, running, upcoming, begun=begun)
    await reply(update, context, render.session_list(header, running or upcoming))


async def next_command(update: Update, context: Context) -> None:
    rt = runtime(context)
    upcoming = list(rt.agenda.index.next_after(rt.now()))
    await reply(update, context, render.session_list(texts.next_up(upcoming), upcoming))


async def speakers_command(update: Update, context: Context) -> None:
    await reply(update, context, render.speakers_page(runtime(context).agenda, 0))


async def speaker_command(update: Update, context: Context) -> None:
    rt = runtime(context)
    query = command_args(update)
    if not query:
        await reply(update, context, render.speakers_page(rt.agenda, 0))
        return
    found = rt.agenda.find_speakers(query)
    if not found:
        await reply(update, context, OutgoingMessage(texts.no_such_speaker(query)))
    elif len(found) == 1:
        await reply(update, context, render.speaker_profile(rt.agenda, found[0]))
    else:
        rows = tuple((render.speaker_button(sp),) for sp in found[:8])
        await reply(update, context, OutgoingMessage(texts.several_matches(query), rows))


async def session_command(update: Update, context: Context) -> None:
    rt = runtime(context)
    query = command_args(update)
    if not query:
        await reply(update, context, OutgoingMessage(texts.session_usage()))
        return
    session = rt.agenda.session_by_key(query)
    if session is None:
        await reply(update, context, OutgoingMessage(texts.no_such_session(query)))
        return
    await reply(update, context, await card(context, session.id, user_id(update), rt.now()))


async def card(context: Context, session_id: str, user_id: int, now: datetime) -> OutgoingMessage:
    rt = runtime(context)
    session = rt.agenda.index.session(session_id)
    assert session is not None
    marked = await rt.store.bookmarks.has(user_id, session.id)
    return render.session_card(rt.agenda, session, bookmarked=marked, now=now)


async def navigate(update: Update, context: Context) -> None:
    """Agenda buttons: days, day pages, session cards, speakers."""
    rt = runtime(context)
    query = update.callback_query
    assert query is not None
    try:
        cb = decode(query.data)
        if cb.action == "ag":
            msg = render.choose_day(rt.agenda)
        elif cb.action == "d":
            day = datetime.strptime(cb.args[0], "%Y%m%d").date()
            if day not in rt.agenda.index.days:
                raise BadCallback("not a conference day")
            page = cb.int_arg(1, 0, 1000)
            msg = render.day_page(rt.agenda, day, page, await _marked(context, user_id(update)))
        elif cb.action == "s":
            session = rt.agenda.session_by_key(cb.args[0])
            if session is None:
                raise BadCallback("unknown session")
            msg = await card(context, session.id, user_id(update), rt.now())
        elif cb.action == "sp":
            speaker = rt.agenda.conference.speakers.get(cb.args[0])
            if speaker is None:
                raise BadCallback("unknown speaker")
            msg = render.speaker_profile(rt.agenda, speaker)
        elif cb.action == "spl":
            msg = render.speakers_page(rt.agenda, cb.int_arg(0, 0, 10_000))
        else:
            raise BadCallback("not a navigation button")
    except (BadCallback, ValueError):
        await query.answer(texts.stale_button(), show_alert=True)
        return
    await query.answer()
    # Cards open as new messages so the day list stays where it was; lists edit in place.
    if cb.action in {"s", "sp"}:
        await reply(update, context, msg)
    else:
        await edit_or_send(update, context, msg)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CommandHandler("whoami", whoami))
    app.add_handler(CommandHandler("agenda", agenda))
    app.add_handler(CommandHandler("now", now_command))
    app.add_handler(CommandHandler("next", next_command))
    app.add_handler(CommandHandler("speakers", speakers_command))
    app.add_handler(CommandHandler("speaker", speaker_command))
    app.add_handler(CommandHandler("session", session_command))
    app.add_handler(CallbackQueryHandler(navigate, pattern=r"^(ag|d|s|sp|spl)(:|$)"))
