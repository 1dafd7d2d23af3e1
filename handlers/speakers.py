"""Speakers: linking by deep link or username on /start, /myslots, /myfeedback, /speakerlinks,
unlinking, and the text of speaker reminders (planned by ``bot.reminders``, sent by delivery).

Thin: the rules (codes, hashes, expiry, who may link) live in ``bot.speakers``.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.agenda.index import session_key
from bot.agenda.model import Session, Speaker
from bot.csv_export import csv_bytes
from bot.deeplinks import start_link
from bot.outgoing import Attachment, Button, Keyboard, OutgoingMessage, fits, quoted
from bot.reminders import SPEAKER_REMINDER
from bot.runtime import Runtime
from bot.speakers import CODE_PREFIX, IssuedCode, slots_of
from bot.store.records import OutboxRow
from handlers import render
from handlers.buttons import Press, button
from handlers.callbacks import BadCallback, encode
from handlers.common import (
    Context,
    command_args,
    edit_or_send,
    is_private,
    organisers_only,
    reply,
    user_id,
)
from handlers.context import ConfApp
from handlers.feature import Feature
from handlers.menus import refresh_chat_menu

log = logging.getLogger("confbot.speakers")

#: Room for the closing lines of a message made of many lines (Telegram's limit is 4096).
CHUNK = 3900


def chunks(lines: list[str], limit: int = CHUNK) -> list[str]:
    """Join lines into as few messages as fit, never splitting a line (so no tag is cut)."""
    out: list[str] = []
    current = ""
    for line in lines:
        line = fits(line, limit)  # never cuts inside a tag or an entity
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit and current:
            out.append(current)
            current = line
        else:
            current = candidate
    if current:
        out.append(current)
    return out


# ---------------------------------------------------------------------- menus


async def _speaker_menu(context: Context, rt: Runtime, user_id: int, *, on: bool) -> None:
    """A linked speaker sees /myslots and /myfeedback in their menu (organisers already do),
    in their own language; unlinked, the attendee's menu again (``on`` is for the reader)."""
    await refresh_chat_menu(context.bot, rt, user_id)


# ---------------------------------------------------------------------- /start


async def start_hook(update: Update, context: Context) -> bool:
    """``/start sp_<code>`` redeems a one-time link; a plain /start tries the agenda username.

    Always lets the normal welcome follow (returns False): a speaker is an attendee too, and a
    stranger with a bad code is better served by the welcome than by silence.
    """
    rt = context.rt
    svc = rt.speakers
    user = update.effective_user
    if user is None or not is_private(update):  # links and usernames are private matters
        return False
    args = context.args or []
    names = rt.agenda.conference.speakers
    if args and args[0].startswith(CODE_PREFIX):
        result = await svc.redeem(args[0], user.id)
        sp = names.get(result.speaker_id) if result.speaker_id else None
        if result.outcome == "linked" and sp is not None:
            log.info("user %s linked as speaker %s by code", user.id, sp.id)
            text = texts.speaker_linked(sp.name, rt.settings.SPEAKER_REMINDER_MINUTES)
            await reply(update, context, OutgoingMessage(text))
            await _speaker_menu(context, rt, user.id, on=True)
        elif result.outcome == "already" and sp is not None:
            await reply(update, context, OutgoingMessage(texts.speaker_already_linked(sp.name)))
        else:
            await reply(update, context, OutgoingMessage(texts.speaker_code_invalid()))
        return False
    speaker_id = await svc.link_by_username(user.id, user.username)
    sp = names.get(speaker_id) if speaker_id else None
    if sp is not None:
        log.info("user %s linked as speaker %s by username", user.id, sp.id)
        text = texts.speaker_linked(sp.name, rt.settings.SPEAKER_REMINDER_MINUTES)
        await reply(update, context, OutgoingMessage(text))
        await _speaker_menu(context, rt, user.id, on=True)
    return False


# ---------------------------------------------------------------------- the speaker's view


async def _linked_speaker(update: Update, context: Context) -> Speaker | None:
    """The caller's speaker, or None after telling them kindly that they are not linked."""
    rt = context.rt
    speaker_id = await rt.speakers.speaker_of(user_id(update))
    sp = rt.agenda.conference.speakers.get(speaker_id) if speaker_id else None
    if sp is None:
        await reply(update, context, OutgoingMessage(texts.not_a_speaker()))
    return sp


def _names(people: tuple[Speaker, ...]) -> list[str]:
    return [p.name for p in people]


async def myslots(update: Update, context: Context) -> None:
    rt = context.rt
    sp = await _linked_speaker(update, context)
    if sp is None:
        return
    slots = slots_of(rt.agenda.conference, rt.agenda.index.of_speaker(sp.id), sp.id)
    if not slots:
        await reply(update, context, OutgoingMessage(texts.my_slots_none(sp.name)))
        return
    blocks = [texts.my_slots_header(sp.name, len(slots))]
    blocks += [
        "\n" + texts.my_slot(s.session, s.role, _names(s.co_speakers), _names(s.moderators))
        for s in slots
    ]
    rows: Keyboard = tuple((render.session_button(s.session, with_day=True),) for s in slots)
    parts = chunks(blocks)
    for i, part in enumerate(parts):  # buttons under the last part, where the reading ends
        await reply(update, context, OutgoingMessage(part, rows if i == len(parts) - 1 else ()))


async def myfeedback(update: Update, context: Context) -> None:
    """Ratings and comments on the caller's own sessions, through the feedback feature's
    ``for_speaker`` (one definition of averages for /stats and here), in programme order."""
    rt = context.rt
    sp = await _linked_speaker(update, context)
    if sp is None:
        return
    sessions = [s for s in rt.agenda.index.of_speaker(sp.id) if not s.is_break]
    if not sessions:
        await reply(update, context, OutgoingMessage(texts.my_feedback_none(sp.name)))
        return
    found = {st.session_id: st for st in await rt.feedback.for_speaker(sp.id)}
    blocks = [texts.my_feedback_header(sp.name)]
    for s in sessions:
        st = found.get(s.id)
        if st is None or not st.count:
            blocks.append("\n" + texts.my_feedback_session(s, 0, "", (0, 0, 0, 0, 0), []))
            continue
        comments = [c.comment for c in st.comments if c.comment.strip()]
        blocks.append(
            "\n"
            + texts.my_feedback_session(s, st.count, st.average_text, st.distribution, comments)
        )
    for part in chunks(blocks):
        await reply(update, context, OutgoingMessage(part))


# ---------------------------------------------------------------------- organisers


def _csv(rt: Runtime, issued: list[IssuedCode], links: dict[str, str]) -> bytes:
    """name, speaker id, link, expires at: for a mail merge (``bot.csv_export`` defuses cells)."""
    rows = [
        (
            c.name,
            c.speaker_id,
            links[c.speaker_id],
            c.expires_at.astimezone(rt.tz).isoformat(timespec="minutes"),
        )
        for c in issued
    ]
    return csv_bytes(("name", "speaker_id", "link", "expires_at"), rows)


async def _linked_listing(rt: Runtime) -> OutgoingMessage:
    """Who is linked, with one unlink button each (the link's account stays private)."""
    speakers = rt.agenda.conference.speakers
    linked = [
        speakers[link.speaker_id]
        for link in await rt.speakers.links()
        if link.speaker_id in speakers
    ]
    linked.sort(key=lambda sp: sp.name.casefold())
    rows: Keyboard = tuple(
        (Button(render.clip(texts.unlink_button(sp.name), 60), encode("ul", session_key(sp.id))),)
        for sp in linked[:50]
    )
    return OutgoingMessage(texts.speaker_links_linked([sp.name for sp in linked]), rows)


@organisers_only
async def speakerlinks(update: Update, context: Context) -> None:
    """Fresh one-time links (all speakers, or those matching NAME), as text and as CSV."""
    rt = context.rt
    uid = user_id(update)
    speakers = rt.agenda.conference.speakers
    if not speakers:
        await reply(update, context, OutgoingMessage(texts.no_speakers()))
        return
    query = command_args(update)
    wanted: list[str] | None = None
    if query:
        wanted = [sp.id for sp in rt.agenda.find_speakers(query)]
        if not wanted:
            no_match = texts.speaker_links_no_match(quoted(query))
            await reply(update, context, OutgoingMessage(no_match))
            return
    issued = await rt.speakers.issue(wanted, by=uid)  # stored (as hashes) before anything is sent
    username = context.bot.username
    links = {c.speaker_id: start_link(username, c.code) for c in issued}
    hours = rt.settings.SPEAKER_LINK_HOURS
    head = texts.speaker_links_header(len(issued), hours, issued[0].expires_at.astimezone(rt.tz))
    lines = [head, ""] + [texts.speaker_link_line(c.name, links[c.speaker_id]) for c in issued]
    for part in chunks(lines):
        await reply(update, context, OutgoingMessage(part))
    doc = Attachment(
        "speaker-links.csv",
        _csv(rt, issued, links),
        caption=texts.speaker_links_csv_caption(len(issued)),
    )
    await reply(update, context, OutgoingMessage("", attachment=doc))
    await reply(update, context, await _linked_listing(rt))


async def _unlink(context: Context, rt: Runtime, sp: Speaker, by: int) -> bool:
    user_id = await rt.speakers.unlink(sp.id, by=by)
    if user_id is None:
        return False
    log.info("organiser %s unlinked speaker %s", by, sp.id)
    await _speaker_menu(context, rt, user_id, on=False)
    return True


@organisers_only
async def unlink_command(update: Update, context: Context) -> None:
    rt = context.rt
    uid = user_id(update)
    query = command_args(update)
    if not query:
        await reply(update, context, OutgoingMessage(texts.unlink_usage()))
        return
    found = rt.agenda.find_speakers(query)
    if not found:
        await reply(update, context, OutgoingMessage(texts.speaker_links_no_match(quoted(query))))
        return
    if len(found) > 1:
        linked = {link.speaker_id for link in await rt.speakers.links()}
        narrowed = [sp for sp in found if sp.id in linked]
        if len(narrowed) > 1:
            await reply(update, context, OutgoingMessage(texts.unlink_ambiguous(quoted(query))))
            return
        found = narrowed or found[:1]
    sp = found[0]
    done = await _unlink(context, rt, sp, uid)
    text = texts.speaker_unlinked(sp.name) if done else texts.speaker_not_linked(sp.name)
    await reply(update, context, OutgoingMessage(text))


@button("ul", organisers=True)
async def unlink_button(press: Press) -> None:
    """``ul:<speaker key>``: organisers only, validated against the current links."""
    rt = press.rt
    speakers = rt.agenda.conference.speakers
    targets = [
        speakers[link.speaker_id]
        for link in await rt.speakers.links()
        if link.speaker_id in speakers and session_key(link.speaker_id) == press.args[0]
    ]
    if len(targets) != 1:
        raise BadCallback("speaker not linked (any more)")
    sp = targets[0]
    done = await _unlink(press.context, rt, sp, press.user_id)
    plain = texts.speaker_unlinked(sp.name) if done else texts.speaker_not_linked(sp.name)
    await press.answer(render.clip(plain.replace("<b>", "").replace("</b>", ""), 190))
    await edit_or_send(press.update, press.context, await _linked_listing(rt))


# ---------------------------------------------------------------------- reminders


async def render_speaker_reminder(rt: Runtime, row: OutboxRow) -> OutgoingMessage | None:
    """At send time: None (skipped) if the session is gone or the account is no longer one of
    its speakers; otherwise the current time and room, so a moved session is right."""
    session_id = row.payload.get("session_id")
    session: Session | None = (
        rt.agenda.index.session(session_id) if isinstance(session_id, str) else None
    )
    if session is None:
        return None
    speaker_id = await rt.speakers.speaker_of(row.chat_id)
    if speaker_id is None or speaker_id not in session.speaker_ids:
        return None
    slot = slots_of(rt.agenda.conference, (session,), speaker_id)[0]
    minutes = round((session.start - rt.clock.now()).total_seconds() / 60)
    text = texts.speaker_reminder(
        session, max(minutes, 0), _names(slot.co_speakers), _names(slot.moderators)
    )
    return OutgoingMessage(text, ((render.session_button(session),),))


# ---------------------------------------------------------------------- wiring


def routes(app: ConfApp) -> None:
    app.add_handler(CommandHandler("myslots", myslots))
    app.add_handler(CommandHandler("myfeedback", myfeedback))
    app.add_handler(CommandHandler("speakerlinks", speakerlinks))
    app.add_handler(CommandHandler("unlink", unlink_command))
    app.add_handler(unlink_button.handler())


FEATURE = Feature(
    "speakers",
    routes=routes,
    renderers={SPEAKER_REMINDER: render_speaker_reminder},
    start_hooks=(start_hook,),
)
