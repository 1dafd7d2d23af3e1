"""Shared schedules in Telegram: "Share my schedule" from /my, and the friend's side of the link.

The sharer: /my → Share → a preview of exactly what friends will see (their first name, their
bookmarks) → Make the link → the link, a "Send it to a friend" button (Telegram's share
dialog) and Stop sharing. The friend: ``/start sh_<token>`` → the sharer's current schedule,
each session openable, and Bookmark all. A revoked link answers "no longer works" and the
welcome; an unknown one just the welcome. The rules are ``bot.sharing``'s.
"""

from __future__ import annotations

from telegram import Update

from bot import texts
from bot.deeplinks import share_url, start_link
from bot.outgoing import Button, Keyboard, OutgoingMessage, fits
from bot.runtime import Runtime
from bot.sharing import SharedView, token_of
from handlers import render
from handlers.buttons import Press, button
from handlers.callbacks import BadCallback, encode
from handlers.common import Context, edit_or_send, reply
from handlers.context import ConfApp
from handlers.feature import Feature
from handlers.start import start_payload

#: Session buttons under a shared schedule (Telegram allows 100 a keyboard).
VIEW_BUTTONS = 40


def _back() -> tuple[Button, ...]:
    return (Button(texts.my_schedule_button(), encode("my")),)


async def share_panel(rt: Runtime, user_id: int, first_name: str) -> OutgoingMessage:
    """Before sharing: the preview, or the state of the link already made."""
    active = await rt.sharing.active(user_id)
    if active is not None:
        text = texts.share_active(active.first_name, active.created_at.astimezone(rt.tz))
        rows = (
            (Button(texts.share_new_button(), encode("shl", "new")),),
            (Button(texts.share_stop_button(), encode("shl", "off")),),
            _back(),
        )
        return OutgoingMessage(text, rows)
    schedule = await rt.bookmarks.schedule(user_id)
    name = rt.sharing.display_name(first_name)
    text = texts.share_preview(name, len(schedule.sessions))
    return OutgoingMessage(
        text, ((Button(texts.share_make_button(), encode("shl", "new")),), _back())
    )


def shared_view(view: SharedView, marked: set[str], now_ended: set[str]) -> OutgoingMessage:
    """The friend's view of a shared schedule; ``now_ended``: ids already over."""
    sessions = list(view.schedule.sessions)
    text = fits(texts.shared_schedule(view.name, sessions, marked))
    rows: list[tuple[Button, ...]] = []
    takeable = [s for s in sessions if not s.is_break and s.id not in now_ended]
    if any(s.id not in marked for s in takeable):
        rows.append((Button(texts.bookmark_all_button(), encode("sha", view.token)),))
    several_days = view.schedule.several_days
    rows += [
        (render.session_button(s, with_day=several_days),)
        for s in sessions[:VIEW_BUTTONS]
        if not s.is_break
    ]
    return OutgoingMessage(text, tuple(rows))


async def _view_for(rt: Runtime, view: SharedView, user_id: int) -> OutgoingMessage:
    now = rt.now()
    ended = {s.id for s in view.schedule.sessions if s.end <= now}
    return shared_view(view, await rt.bookmarks.marked(user_id), ended)


async def start_hook(update: Update, context: Context) -> bool:
    """``/start sh_<token>``: the shared schedule; a revoked link says so before the welcome."""
    token = token_of(start_payload(context))
    user = update.effective_user
    if token is None or user is None:
        return False
    rt = context.rt
    opened = await rt.sharing.open(token)
    if opened is None:
        return False
    if opened == "revoked":
        await reply(update, context, OutgoingMessage(texts.share_link_revoked()))
        return False
    await reply(update, context, await _view_for(rt, opened, user.id))
    return True


@button("shr", "shl", "sha")
async def on_button(press: Press) -> None:
    rt = press.rt
    user = press.query.from_user
    if press.action == "shr":
        await press.answer()
        await edit_or_send(
            press.update, press.context, await share_panel(rt, user.id, user.first_name)
        )
    elif press.action == "shl":
        await _link(press)
    else:
        added = await rt.sharing.bookmark_all(press.args[0], press.user_id)
        if added is None:
            raise BadCallback("the shared link no longer works")
        await press.answer(texts.bookmarked_all_toast(added))
        opened = await rt.sharing.open(press.args[0])
        if isinstance(opened, SharedView) and press.message is not None:
            await edit_or_send(
                press.update, press.context, await _view_for(rt, opened, press.user_id)
            )


async def _link(press: Press) -> None:
    """Make a new link (the old one stops working) or stop sharing."""
    rt = press.rt
    user = press.query.from_user
    what = press.args[0]
    if what == "new":
        made = await rt.sharing.create(user.id, user.first_name)
        link = start_link(press.context.bot.username, made.payload)
        conference = texts.conference_name(rt.agenda.conference)
        invitation = texts.share_invitation(made.link.first_name, conference)
        rows: Keyboard = (
            (Button(texts.share_send_button(), url=share_url(link, invitation)),),
            (Button(texts.share_stop_button(), encode("shl", "off")),),
            _back(),
        )
        await press.answer()
        msg = OutgoingMessage(texts.share_link(made.link.first_name, link), rows)
        await edit_or_send(press.update, press.context, msg)
    elif what == "off":
        if not await rt.sharing.revoke(user.id):
            await press.answer(texts.share_not_active_toast())
            return
        await press.answer()
        again = ((Button(texts.share_button(), encode("shr")),), _back())
        await edit_or_send(
            press.update, press.context, OutgoingMessage(texts.share_stopped(), again)
        )
    else:
        raise BadCallback(f"unknown share action {what!r}")


def routes(app: ConfApp) -> None:
    app.add_handler(on_button.handler())


FEATURE = Feature("sharing", routes=routes, start_hooks=(start_hook,))
