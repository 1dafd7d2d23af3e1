"""The outbox's Telegram transport: one row -> one Bot API call, errors translated.

The transport maps python-telegram-bot's exceptions onto the delivery contract, so the core
(``bot.delivery``) owns retries and pace and never sees telegram types. PTB's own rate
limiter is deliberately not used: with ``max_retries=0`` it raises on a 429 and the message
is lost, and it has no per-chat pacing.

A 400 on a paid send (``allow_paid_broadcast``) whose description speaks of the Stars balance
or of paid broadcasts being refused becomes ``PaidRefused``: the sender then goes on at the
free rate instead of failing every alert row. Any other 400 stays ``Rejected`` (a chat not
found is that one row's problem, not a reason to stop paying).
"""

from __future__ import annotations

import logging
import re

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.delivery import Blocked, PaidRefused, Rejected, TransientError
from bot.delivery import RetryAfter as DeliveryRetryAfter
from bot.outgoing import OutgoingMessage
from handlers.common import retry_seconds, send_unparsed

log = logging.getLogger("confbot.delivery")

#: What Telegram says when it will not take a paid send: ``BALANCE_TOO_LOW`` (the bot's Stars
#: cannot pay) or a refusal of paid broadcasts for this bot.
PAID_REFUSAL = re.compile(r"balance|stars?\b|paid|payment|not allowed|not enough", re.IGNORECASE)


def paid_refusal(description: str) -> bool:
    """Whether a 400 on a paid send is Telegram refusing paid sending (not the message)."""
    return PAID_REFUSAL.search(description) is not None


class TelegramTransport:
    """One outbox row -> one Bot API call, errors translated for ``Delivery``."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, message: OutgoingMessage, *, paid: bool = False) -> None:
        try:
            await send_unparsed(self.bot, chat_id, message, paid=paid)
        except RetryAfter as exc:
            raise DeliveryRetryAfter(retry_seconds(exc), str(exc)) from exc
        except Forbidden as exc:
            raise Blocked(str(exc)) from exc
        except BadRequest as exc:  # before NetworkError: PTB makes it a subclass
            if paid and paid_refusal(exc.message):
                raise PaidRefused(exc.message) from exc
            raise Rejected(str(exc)) from exc
        except NetworkError as exc:  # 5xx, timeouts, connection trouble
            raise TransientError(str(exc)) from exc
        except TelegramError as exc:  # anything else (ChatMigrated, InvalidToken...): record it
            raise Rejected(f"{type(exc).__name__}: {exc}") from exc
