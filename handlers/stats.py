"""/stats in Telegram: the pages of ``bot.stats`` with Previous / Next buttons, edited in place."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.outgoing import Button, OutgoingMessage
from bot.stats import page_of
from handlers.buttons import Press, button
from handlers.callbacks import encode
from handlers.common import Context, edit_or_send, organisers_only, reply, user_id
from handlers.context import ConfApp
from handlers.feature import Feature


def stats_message(pages: list[str], number: int) -> OutgoingMessage:
    page = page_of(pages, number)
    nav: list[Button] = []
    if page.has_previous:
        nav.append(Button(texts.previous_button(), encode("st", page.number - 1)))
    if page.has_next:
        nav.append(
            Button(texts.next_button(page.number + 2, page.count), encode("st", page.number + 1))
        )
    return OutgoingMessage(page.html, (tuple(nav),) if nav else ())


@organisers_only
async def stats_command(update: Update, context: Context) -> None:
    pages = await context.rt.stats.opened_by(user_id(update))
    await reply(update, context, stats_message(pages, 0))


@button("st", organisers=True)
async def on_stats_button(press: Press) -> None:
    number = press.callback.int_arg(0, 0, 10_000)
    await press.answer()
    pages = await press.rt.stats.pages()
    await edit_or_send(press.update, press.context, stats_message(pages, number))


def routes(app: ConfApp) -> None:
    app.add_handler(CommandHandler("stats", stats_command))
    app.add_handler(on_stats_button.handler())


FEATURE = Feature("stats", routes=routes)
