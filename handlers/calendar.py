"""/calendar in Telegram: a personal live calendar address, and revoking it.

The feed itself is served by the web server (``bot.web.feeds``); its tokens and content are
``bot.calendar.CalendarFeeds``. The address is personal, so it is given in private chats only,
and only once: the bot keeps its hash, so a lost link is replaced, never shown again.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.outgoing import Button, OutgoingMessage
from bot.runtime import Runtime
from handlers.buttons import Press, button
from handlers.callbacks import BadCallback, encode
from handlers.common import Context, edit_or_send, is_private, reply, user_id
from handlers.context import ConfApp
from handlers.feature import Feature


def feed_urls(public_url: str, token: str) -> tuple[str, str]:
    """The feed's https address and its ``webcal://`` form (calendar apps subscribe to it)."""
    url = f"{public_url}/cal/{token}.ics"
    parts = urlsplit(url)
    return url, "webcal://" + url[len(parts.scheme) + 3 :]


def _buttons() -> tuple[tuple[Button, ...], ...]:
    return (
        (Button(texts.calendar_new_link_button(), encode("cal", "new")),),
        (Button(texts.calendar_off_button(), encode("cal", "off")),),
    )


async def _new_link(rt: Runtime, uid: int) -> OutgoingMessage:
    public = rt.settings.PUBLIC_URL
    assert public is not None  # noqa: S101  checked by the callers
    token = await rt.calendar_feeds.issue(uid)
    url, webcal = feed_urls(public, token)
    return OutgoingMessage(texts.calendar_link(url, webcal), _buttons())


async def calendar_command(update: Update, context: Context) -> None:
    rt = context.rt
    if not is_private(update):
        await reply(update, context, OutgoingMessage(texts.calendar_private_only()))
        return
    if rt.settings.PUBLIC_URL is None:
        await reply(update, context, OutgoingMessage(texts.calendar_unavailable()))
        return
    uid = user_id(update)
    existing = await rt.calendar_feeds.status(uid)
    if existing is not None:
        made = existing.created_at.astimezone(rt.tz)
        await reply(update, context, OutgoingMessage(texts.calendar_link_exists(made), _buttons()))
        return
    await reply(update, context, await _new_link(rt, uid))


@button("cal")
async def on_button(press: Press) -> None:
    rt = press.rt
    chat = press.update.effective_chat
    if rt.settings.PUBLIC_URL is None or (chat is not None and chat.type != "private"):
        raise BadCallback("no live calendars here")
    if press.args[0] == "new":
        message = await _new_link(rt, press.user_id)
        await press.answer(texts.calendar_replaced_toast())
        # The old address disappears from the chat with the message that showed it.
        await edit_or_send(press.update, press.context, message)
    elif press.args[0] == "off":
        if not await rt.calendar_feeds.turn_off(press.user_id):
            await press.answer(texts.calendar_nothing_to_turn_off_toast())
            return
        await press.answer()
        await edit_or_send(press.update, press.context, OutgoingMessage(texts.calendar_off()))
    else:
        raise BadCallback("unknown calendar action")


def routes(app: ConfApp) -> None:
    app.add_handler(CommandHandler("calendar", calendar_command))
    app.add_handler(on_button.handler())


FEATURE = Feature("calendar", routes=routes)
