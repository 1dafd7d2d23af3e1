"""Inline mode in Telegram: ``@bot QUERY`` in any chat answers with matching sessions.

The search and the pages are ``bot.inline``'s; this module turns its records into
``InlineQueryResultArticle``s. The posted card carries only a URL button, a deep link
(``https://t.me/BOT?start=s_ID``) that opens the session in the bot, so the message works
in any chat and for anyone, and needs no callback. BotFather's ``/setinline`` must be on
for Telegram to send inline queries at all (README, "Running it for real").
"""

from __future__ import annotations

import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import InlineQueryHandler

from bot import inline, texts
from bot.deeplinks import start_link
from bot.inline import InlineResult
from handlers.common import Context
from handlers.context import ConfApp
from handlers.feature import Feature

log = logging.getLogger("confbot.inline")

#: The start parameter of the button above the results: any payload the bot does not know
#: opens the chat with the welcome, which is what this button is for.
PROGRAMME_PAYLOAD = "inline"
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def article(result: InlineResult, bot_username: str) -> InlineQueryResultArticle:
    button = InlineKeyboardButton(
        texts.inline_open_button(), url=start_link(bot_username, result.id)
    )
    return InlineQueryResultArticle(
        id=result.id,
        title=result.title,
        description=result.description,
        input_message_content=InputTextMessageContent(
            result.html, parse_mode=ParseMode.HTML, link_preview_options=_NO_PREVIEW
        ),
        reply_markup=InlineKeyboardMarkup([[button]]),
    )


def _language(code: str | None) -> str | None:
    """The person's Telegram language: it only breaks ties, the query's words decide."""
    return code.split("-")[0].casefold() if code else None


async def on_inline_query(update: Update, context: Context) -> None:
    query = update.inline_query
    if query is None:
        return
    rt = context.rt
    found = inline.page(
        rt.agenda, query.query, query.offset, rt.now(), _language(query.from_user.language_code)
    )
    bot_username = context.bot.username
    results = [article(r, bot_username) for r in found.results]
    label = texts.inline_programme_button() if found.total else texts.inline_nothing_button()
    try:
        await query.answer(
            results,
            cache_time=inline.CACHE_SECONDS,
            is_personal=True,  # in the person's language, and "now" is theirs
            # None, not "", on the last page: with Defaults set, PTB 22.8's ExtBot turns an
            # empty string into [] (an empty str is a Sequence of InputPollOption to its
            # check), and Telegram would then ask for the page "[]" forever.
            next_offset=found.next_offset or None,
            button=InlineQueryResultsButton(label, start_parameter=PROGRAMME_PAYLOAD)
            if found.start == 0
            else None,
        )
    except BadRequest as exc:
        # Typing on makes older queries expire before their answer lands: nobody waits for it.
        log.warning("inline query not answered: %s", exc)


def routes(app: ConfApp) -> None:
    app.add_handler(InlineQueryHandler(on_inline_query))


FEATURE = Feature("inline", routes=routes)
