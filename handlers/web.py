"""The web server's Telegram side: starting it, webhooks, and the Mini App's menu button.

- With ``WEB_LISTEN`` the server (``bot.web.server``) starts once the runtime runs, and stops
  first at shutdown.
- ``UPDATE_MODE=webhook``: once the server listens, ``setWebhook`` points Telegram at
  ``PUBLIC_URL/telegram`` with the secret (``WEBHOOK_SECRET``, or one generated once and kept
  in the database). Each POSTed update goes through ``WebhookInbox``: recorded in the store's
  inbox (committed) before Telegram gets its 200, then queued for the handlers; a handler in
  the last group marks it done. Updates recorded but not done (a crash, a stop) are queued
  again at the next start, whatever the mode. In polling mode PTB's ``start_polling`` deletes
  any webhook at start, so going back to polling needs nothing here.
- With an https ``PUBLIC_URL`` the chat's menu button opens the timetable Mini App
  (``PUBLIC_URL/app/``); without one, a menu button this bot set before is reset.
"""

from __future__ import annotations

import json
import logging
import secrets
from datetime import timedelta
from typing import Any

from telegram import MenuButtonDefault, MenuButtonWebApp, Update, WebAppInfo
from telegram.error import TelegramError
from telegram.ext import TypeHandler

from bot import texts
from bot.logs import redact_also
from bot.runtime import Runtime
from bot.web.server import WebServer, build_web_app
from bot.web.webhook import MalformedUpdate
from handlers.common import Context
from handlers.context import ConfApp
from handlers.feature import Feature, StartupError

log = logging.getLogger("confbot.web")

#: The update kinds the bot asks for, the same in both modes (Telegram's default set: all
#: but chat_member and reactions). Passed explicitly: omitted, Telegram keeps the last list.
ALLOWED_UPDATES: list[str] = [
    t
    for t in Update.ALL_TYPES
    if t not in (Update.CHAT_MEMBER, Update.MESSAGE_REACTION, Update.MESSAGE_REACTION_COUNT)
]
#: The handlers' groups run in order; this one comes after all of them.
DONE_GROUP = 1_000_000
#: Concurrent webhook connections Telegram may open (its default).
MAX_CONNECTIONS = 40
WEBHOOK_PATH = "/telegram"
SECRET_KEY = "webhook_secret"  # noqa: S105  the kv key, not the secret
MENU_KEY = "menu_button:web_app"
#: Handled webhook updates are remembered this long (Telegram keeps an update at most a day).
INBOX_KEEP = timedelta(days=1)
#: Seconds between two prunings of the inbox.
PRUNE_EVERY = 3600


class WebhookInbox:
    """``bot.web.webhook.UpdateSink``: record, then queue; mark done after the handlers."""

    def __init__(self, app: ConfApp, rt: Runtime) -> None:
        self.app = app
        self.rt = rt
        self.pending: set[int] = set()

    def _update(self, data: dict[str, Any]) -> Update:
        try:
            update = Update.de_json(data, self.app.bot)
        except Exception as exc:  # PTB's parsing raises many kinds on a malformed body
            raise MalformedUpdate(f"{type(exc).__name__}: {exc}") from exc
        if update is None:
            raise MalformedUpdate("empty update")
        return update

    async def accept(self, update_id: int, payload: str, data: dict[str, Any]) -> None:
        update = self._update(data)
        if not await self.rt.store.inbox.record(update_id, payload, self.rt.clock.now()):
            return  # delivered again (our 200 got lost): already queued, or handled
        self.pending.add(update_id)
        await self.app.update_queue.put(update)

    async def replay(self) -> int:
        """Queue what was recorded and not handled before the last stop, in order."""
        rows = await self.rt.store.inbox.pending()
        for row in rows:
            try:
                update = self._update(json.loads(row.payload))
            except (MalformedUpdate, ValueError) as exc:
                log.error("inbox: update %s cannot be read (%s); dropped", row.update_id, exc)
                await self.rt.store.inbox.done(row.update_id, self.rt.clock.now())
                continue
            self.pending.add(row.update_id)
            await self.app.update_queue.put(update)
        if rows:
            log.warning("inbox: %d update(s) recorded before the last stop handled now", len(rows))
        return len(rows)

    async def done(self, update: Update, context: Context) -> None:
        if update.update_id in self.pending:
            self.pending.discard(update.update_id)
            await self.rt.store.inbox.done(update.update_id, self.rt.clock.now())


async def _mark_done(update: object, context: Context) -> None:
    inbox = context.bot_data.inbox
    if inbox is not None and isinstance(update, Update):
        await inbox.done(update, context)


async def webhook_secret(rt: Runtime) -> str:
    """``WEBHOOK_SECRET``, or the one generated at the first start and kept in the database;
    either way kept out of every log line."""
    configured = rt.settings.WEBHOOK_SECRET
    if configured is not None:
        secret = configured.get_secret_value()
    else:
        candidate = secrets.token_urlsafe(32)
        redact_also(candidate)  # kept if this is the first start
        secret = await rt.store.kv.get_or_create(SECRET_KEY, candidate)
    redact_also(secret)
    return secret


async def _prune(rt: Runtime) -> None:
    pruned = await rt.store.inbox.prune(rt.clock.now() - INBOX_KEEP)
    if pruned:
        log.info("inbox: forgot %d handled update(s) older than a day", pruned)


async def _prune_job(context: Context) -> None:
    await _prune(context.rt)


def _updates_flowing(app: ConfApp, mode: str) -> bool:
    if mode == "webhook":
        return bool(app.running)
    return app.updater is not None and app.updater.running


async def _menu_button(app: ConfApp, rt: Runtime) -> None:
    """The chat menu opens the Mini App; a button this bot set before is reset without it."""
    url = rt.settings.mini_app_url
    try:
        if url is not None:
            button = MenuButtonWebApp(texts.timetable_menu_button(), WebAppInfo(url))
            await app.bot.set_chat_menu_button(menu_button=button)
            await rt.store.kv.put(MENU_KEY, url)
        elif await rt.store.kv.get(MENU_KEY):
            await app.bot.set_chat_menu_button(menu_button=MenuButtonDefault())
            await rt.store.kv.put(MENU_KEY, "")
    except TelegramError as exc:  # a nicety: never stop the bot over it
        log.warning("could not set the chat menu button to %s: %s", url, exc)


async def startup(app: ConfApp, rt: Runtime) -> None:
    settings = rt.settings
    inbox = WebhookInbox(app, rt)
    app.bot_data.inbox = inbox
    await _prune(rt)
    await inbox.replay()
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            _prune_job,
            interval=PRUNE_EVERY,
            first=PRUNE_EVERY,
            name="inbox-prune",
            job_kwargs={"misfire_grace_time": PRUNE_EVERY, "coalesce": True},
        )
    if settings.PUBLIC_URL and not settings.PUBLIC_URL.startswith("https://"):
        log.warning(
            "PUBLIC_URL %s is not https: Telegram refuses webhooks and Mini Apps without it",
            settings.PUBLIC_URL,
        )
    await _menu_button(app, rt)
    address = settings.web_address
    if address is None:
        return
    mode = settings.UPDATE_MODE
    webhook = mode == "webhook"
    secret = await webhook_secret(rt) if webhook else None
    token = settings.TELEGRAM_BOT_TOKEN
    web_app = build_web_app(
        rt,
        bot_token=token.get_secret_value() if token else "",
        updates=inbox if webhook else None,
        webhook_secret=secret,
        metrics_token=(
            settings.METRICS_TOKEN.get_secret_value() if settings.METRICS_TOKEN else None
        ),
        checks={"updates": lambda: _updates_flowing(app, mode)},
    )
    server = WebServer(web_app, *address)
    try:
        await server.start()
    except OSError as exc:
        raise StartupError(
            f"WEB_LISTEN {settings.WEB_LISTEN}: cannot listen there ({exc})"
        ) from exc
    app.bot_data.web = server
    if webhook:
        url = f"{settings.PUBLIC_URL}{WEBHOOK_PATH}"
        try:
            await app.bot.set_webhook(
                url,
                secret_token=secret,
                allowed_updates=ALLOWED_UPDATES,
                max_connections=MAX_CONNECTIONS,
                drop_pending_updates=False,
            )
        except TelegramError as exc:
            await server.stop()
            app.bot_data.web = None
            raise StartupError(f"Telegram refused the webhook {url} (PUBLIC_URL): {exc}") from exc
        log.info("receiving updates by webhook at %s", url)


async def shutdown(app: ConfApp, rt: Runtime) -> None:
    server, app.bot_data.web = app.bot_data.web, None
    if server is not None:
        await server.stop()


def routes(app: ConfApp) -> None:
    app.add_handler(TypeHandler(Update, _mark_done), group=DONE_GROUP)


FEATURE = Feature("web", routes=routes, startup=startup, shutdown=shutdown)
