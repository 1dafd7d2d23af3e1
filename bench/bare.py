"""A bare python-telegram-bot echo bot, run as its own process by bench/proc.py.

It answers every text with one ``send_message`` and does nothing else: the floor of what any
PTB bot pays for polling, HTTP and JSON. With PTB's defaults updates are handled one at a
time; ``--concurrent`` switches ``concurrent_updates`` on (256 at once, no order per chat).

    TELEGRAM_BOT_TOKEN=... TELEGRAM_API_URL=http://127.0.0.1:PORT python -m bench.bare
"""

from __future__ import annotations

import argparse
import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrent", action="store_true", help="concurrent_updates(True)")
    args = parser.parse_args()
    api = os.environ["TELEGRAM_API_URL"].rstrip("/")
    builder = Application.builder().token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(f"{api}/bot")
    if args.concurrent:
        builder = builder.concurrent_updates(True)
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling()  # PTB's defaults: long polls of 10 s, stops on SIGINT/SIGTERM


if __name__ == "__main__":
    main()
