"""Start the outbox sender with a Telegram transport; other features enqueue through it.

The transport maps python-telegram-bot's exceptions onto the delivery contract, so the core
(``bot.delivery``) owns retries and pace and never sees telegram types. PTB's own rate
limiter is deliberately not used: with ``max_retries=0`` it raises on a 429 and the message
is lost, and it has no per-chat pacing.
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

import bot.broadcasts as broadcasts
import bot.reload as reload
from bot.delivery import Blocked, Delivery, Rejected, TransientError
from bot.delivery import RetryAfter as DeliveryRetryAfter
from bot.outgoing import OutgoingMessage
from bot.runtime import Runtime
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


def register(app: Application) -> None:
    """No handlers: the sender is a background task started with the bot."""


async def startup(app: Application, rt: Runtime) -> None:
    factory = rt.services.get("delivery_factory")  # tests and the bench may tune the sender
    if factory is not None:
        delivery: Delivery = factory(rt, TelegramTransport(app.bot))
    else:
        delivery = Delivery(
            rt.store.db, rt.clock, TelegramTransport(app.bot), rate=rt.settings.BROADCAST_RATE
        )
    delivery.register_renderer(broadcasts.KIND, broadcasts.render)
    delivery.register_renderer(reload.KIND, reload.make_renderer(rt))
    rt.services["delivery"] = delivery
    await delivery.start()


async def shutdown(app: Application, rt: Runtime) -> None:
    delivery: Delivery | None = rt.services.get("delivery")
    if delivery is not None:
        await delivery.stop()
