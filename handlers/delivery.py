"""The outbox's Telegram transport: one row -> one Bot API call, errors translated.

The transport maps python-telegram-bot's exceptions onto the delivery contract, so the core
(``bot.delivery``) owns retries and pace and never sees telegram types. PTB's own rate
limiter is deliberately not used: with ``max_retries=0`` it raises on a 429 and the message
is lost, and it has no per-chat pacing.
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.delivery import Blocked, Rejected, TransientError
from bot.delivery import RetryAfter as DeliveryRetryAfter
from bot.outgoing import OutgoingMessage
from handlers.common import retry_seconds, send

log = logging.getLogger("confbot.delivery")


class TelegramTransport:
    """One outbox row -> one Bot API call, errors translated for ``Delivery``."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, message: OutgoingMessage) -> None:
        try:
            await send(self.bot, chat_id, message)
        except RetryAfter as exc:
            raise DeliveryRetryAfter(retry_seconds(exc), str(exc)) from exc
        except Forbidden as exc:
            raise Blocked(str(exc)) from exc
        except BadRequest as exc:  # before NetworkError: PTB makes it a subclass
            raise Rejected(str(exc)) from exc
        except NetworkError as exc:  # 5xx, timeouts, connection trouble
            raise TransientError(str(exc)) from exc
        except TelegramError as exc:  # anything else (ChatMigrated, InvalidToken...): record it
            raise Rejected(f"{type(exc).__name__}: {exc}") from exc
