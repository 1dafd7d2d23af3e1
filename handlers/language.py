"""/language: the buttons name each language in itself; a press stores the choice, answers in
the new language and gives the person's command menu that language too."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import i18n, texts
from bot.outgoing import Button, Keyboard, OutgoingMessage
from handlers.buttons import Press, button
from handlers.callbacks import BadCallback, encode
from handlers.common import Context, edit_or_send, reply
from handlers.context import ConfApp
from handlers.feature import Feature
from handlers.menus import refresh_chat_menu
from handlers.tracking import speak


def language_buttons(current: str) -> Keyboard:
    choices = i18n.CATALOGUES.choices()
    buttons = [
        Button(texts.language_button(name, chosen=code == current), encode("lang", code))
        for code, name in choices
    ]
    return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))


def language_prompt() -> OutgoingMessage:
    """In the language spoken now (the person's), with the current one ticked."""
    current = i18n.current_code()
    return OutgoingMessage(
        texts.language_prompt(i18n.language_name(current)), language_buttons(current)
    )


async def language_command(update: Update, context: Context) -> None:
    await reply(update, context, language_prompt())


@button("lang")
async def on_language(press: Press) -> None:
    code = press.args[0]
    if not press.rt.languages.known(code):
        raise BadCallback("not a catalogue")
    await press.rt.languages.choose(press.user_id, code)
    speak(code)  # the rest of this update, the confirmation first, in the new language
    await press.answer()
    done = OutgoingMessage(texts.language_set(i18n.language_name(code)), language_buttons(code))
    await edit_or_send(press.update, press.context, done)
    await refresh_chat_menu(press.context.bot, press.rt, press.user_id)


def routes(app: ConfApp) -> None:
    app.add_handler(CommandHandler("language", language_command))
    app.add_handler(on_language.handler())


FEATURE = Feature("language", routes=routes)
