"""UPDATE_MODE=webhook: Telegram (the emulator) POSTs updates to the bot's own web server."""

from __future__ import annotations

import io
import json
import logging
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.emulator import BotApiEmulator
from bot.emulator.harness import BotHarness, settings_for
from bot.logs import configure_logging
from bot.store import Store
from bot.web.webhook import SECRET_HEADER
from handlers.feature import StartupError
from handlers.web import SECRET_KEY
from tests.conftest import BRUSSELS
from tests.web.bots import PUBLIC, WebBotFactory, free_port, request, until


def update_for(user_id: int, text: str, update_id: int = 900_001) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 77,
            "date": 1_732_700_000,
            "chat": {"id": user_id, "type": "private", "first_name": "Mallory"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Mallory"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


async def test_webhook_mode_receives_an_update_over_http_and_answers_it(
    web_bot: WebBotFactory, web_emulator: BotApiEmulator
) -> None:
    bot = await web_bot(UPDATE_MODE="webhook")
    (set_call,) = web_emulator.calls_of("setWebhook")
    assert set_call.params["url"] == f"{PUBLIC}/telegram"
    secret = set_call.params["secret_token"]
    assert secret  # generated at the first start, and kept:
    assert secret == await bot.runtime.store.kv.get(SECRET_KEY)
    assert "message" in set_call.params["allowed_updates"]
    assert web_emulator.calls_of("getUpdates") == []  # no polling alongside the webhook

    ada = web_emulator.user(1001, "Ada")
    await ada.send("/start")
    welcome = await ada.next_message(timeout=10)
    assert "Security and Resilience" in welcome.text
    await web_emulator.wait_idle()
    delivery = web_emulator.webhook.deliveries[-1]
    assert delivery.status == 200
    user = await bot.runtime.store.users.get(1001)
    assert user is not None  # the update went through the handlers
    # Recorded, then handled: nothing is left pending in the inbox.
    await until(lambda: _inbox_empty(bot))


async def test_a_wrong_or_missing_secret_gets_403_and_nothing_is_stored(
    web_bot: WebBotFactory, web_emulator: BotApiEmulator
) -> None:
    bot = await web_bot(UPDATE_MODE="webhook", WEBHOOK_SECRET="the-Right_secret")
    url = f"{bot.web_url}/telegram"
    body = json.dumps(update_for(666, "/start")).encode()
    for headers in (
        {},
        {SECRET_HEADER: "wrong"},
        {SECRET_HEADER: "the-Right_secre"},
        {SECRET_HEADER: "the-right_secret"},
    ):
        status, _h, _b = await request(
            "POST", url, data=body, headers={**headers, "Content-Type": "application/json"}
        )
        assert status == 403, headers
    # The right secret is let in (same body): the check is the secret, not the update.
    status, _h, _b = await request(
        "POST", url, data=json.dumps(update_for(667, "/start", 900_002)).encode(),
        headers={SECRET_HEADER: "the-Right_secret", "Content-Type": "application/json"},
    )  # fmt: skip
    assert status == 200
    # Updates are handled in the order they came: once this one is done, any of the refused
    # ones that had been let in would be done too.
    store = bot.runtime.store
    await until(lambda: _seen(bot, 667))
    await until(lambda: _inbox_empty(bot))
    assert await store.users.get(666) is None
    assert await store.inbox.record(900_001, "{}", bot.runtime.clock.now())  # never recorded
    assert web_emulator.sends_to(666) == []


async def test_a_body_that_is_not_an_update_is_400_and_an_oversized_one_413(
    web_bot: WebBotFactory,
) -> None:
    bot = await web_bot(UPDATE_MODE="webhook", WEBHOOK_SECRET="s3cret")
    url = f"{bot.web_url}/telegram"
    headers = {SECRET_HEADER: "s3cret", "Content-Type": "application/json"}
    for data in (b"not json", b"[1, 2]", b'{"update_id": "x"}', b'{"message": {}}'):
        status, _h, _b = await request("POST", url, data=data, headers=headers)
        assert status == 400, data
    status, _h, _b = await request("POST", url, data=b"x" * (2 * 1024 * 1024), headers=headers)
    assert status == 413
    status, _h, _b = await request("GET", url)
    assert status == 405


async def test_an_update_is_acknowledged_only_once_recorded(
    web_bot: WebBotFactory, web_emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store that cannot record answers 500: Telegram keeps the update and retries."""
    bot = await web_bot(UPDATE_MODE="webhook")
    inbox = bot.runtime.store.inbox
    real = inbox.record
    failures = [RuntimeError("disk full"), RuntimeError("disk full")]

    async def flaky(update_id: int, payload: str, now: object) -> bool:
        if failures:
            raise failures.pop()
        return await real(update_id, payload, now)  # type: ignore[arg-type]

    monkeypatch.setattr(inbox, "record", flaky)
    ada = web_emulator.user(1001, "Ada")
    await ada.send("/start")
    welcome = await ada.next_message(timeout=10)
    assert "Security and Resilience" in welcome.text
    statuses = [d.status for d in web_emulator.webhook.deliveries]
    assert statuses[:3] == [500, 500, 200]


async def test_an_update_recorded_but_not_handled_is_handled_at_the_next_start(
    web_bot: WebBotFactory, web_emulator: BotApiEmulator
) -> None:
    """A crash after the 200 and before the handlers: the inbox still has the update."""
    bot = await web_bot(UPDATE_MODE="webhook")
    ada = web_emulator.user(1001, "Ada")
    await bot.stop()
    # As a crash leaves it: the update recorded (and acknowledged), no handler ran.
    store = await Store.open(str(bot.settings.DATABASE_PATH))
    update = update_for(1001, "/start", 123_456)
    assert await store.inbox.record(123_456, json.dumps(update), web_emulator_now())
    await store.close()
    await bot.start()
    welcome = await ada.next_message(timeout=10)
    assert "Security and Resilience" in welcome.text
    await until(lambda: _inbox_empty(bot))


async def _inbox_empty(bot: BotHarness) -> bool:
    return await bot.runtime.store.inbox.depth() == 0


async def _seen(bot: BotHarness, user_id: int) -> bool:
    return await bot.runtime.store.users.get(user_id) is not None


def web_emulator_now() -> datetime:
    return datetime.now(UTC)


async def test_a_redelivered_update_is_handled_once(
    web_bot: WebBotFactory, web_emulator: BotApiEmulator
) -> None:
    await web_bot(UPDATE_MODE="webhook")
    ada = web_emulator.user(1001, "Ada")
    await ada.send("/whoami")
    await ada.next_message(timeout=10)
    await web_emulator.wait_idle()
    web_emulator.redeliver(web_emulator.update_log[-1]["update_id"])
    await web_emulator.wait_idle()
    # Updates are handled in order: once the next one is answered, the redelivered one would
    # have been answered too.
    await ada.send("/help")
    await ada.wait_for(lambda m: "What I can do" in m.text, timeout=10)
    assert len([m for m in ada.messages if "1001" in m.text]) == 1


async def test_back_to_polling_removes_the_webhook_at_start(
    web_bot: WebBotFactory, web_emulator: BotApiEmulator
) -> None:
    bot = await web_bot(UPDATE_MODE="webhook")
    assert web_emulator.webhook.active
    await bot.stop()
    await web_bot()  # UPDATE_MODE=polling (the default), same database
    assert not web_emulator.webhook.active
    assert web_emulator.calls_of("deleteWebhook")
    ada = web_emulator.user(1001, "Ada")
    await ada.send("/start")
    assert "Security and Resilience" in (await ada.next_message(timeout=10)).text


@pytest.mark.parametrize("configured", [True, False])
async def test_secrets_never_reach_the_log(
    web_bot: WebBotFactory, web_emulator: BotApiEmulator, configured: bool
) -> None:
    """As ``confbot run`` logs, at DEBUG (PTB logs every request's parameters): neither a
    configured secret nor a generated one reaches a line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    old_level = root.level
    extra = {"WEBHOOK_SECRET": "never-logged-secret"} if configured else {}
    settings = settings_for(web_emulator, Path("unused"), LOG_LEVEL="DEBUG", **extra)
    configure_logging(settings, handler)
    try:
        bot = await web_bot(UPDATE_MODE="webhook", **extra)
        ada = web_emulator.user(1001, "Ada")
        await ada.send("/start")
        await ada.next_message(timeout=10)
        await request("POST", f"{bot.web_url}/telegram", headers={SECRET_HEADER: "guess"})
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    secret = web_emulator.webhook.secret_token
    assert secret == (
        "never-logged-secret" if configured else await bot.runtime.store.kv.get(SECRET_KEY)
    )
    text = stream.getvalue()
    assert "setWebhook" in text  # PTB's debug lines, with the call's parameters, were logged
    assert "POST /telegram 200" in text  # requests are logged...
    assert "POST /telegram 403" in text
    assert secret not in text  # ...and no line holds the secret


async def test_a_webhook_telegram_refuses_stops_the_start_naming_public_url(
    web_emulator: BotApiEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    """Telegram (here: the emulator, which reaches loopback only) refuses the address: the
    start fails with a message naming PUBLIC_URL, and nothing is left listening."""
    port = free_port()
    settings = settings_for(
        web_emulator, tmp_path / "db.sqlite3", AGENDA_PATH=BRUSSELS,
        WEB_LISTEN=f"127.0.0.1:{port}", PUBLIC_URL="https://unrouted.example.org",
        UPDATE_MODE="webhook",
    )  # fmt: skip
    harness = BotHarness(web_emulator, settings, clock)
    with pytest.raises(StartupError, match="PUBLIC_URL"):
        await harness.start()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))  # free again


async def test_a_port_in_use_stops_the_start_naming_web_listen(
    web_emulator: BotApiEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = settings_for(
            web_emulator, tmp_path / "db.sqlite3", AGENDA_PATH=BRUSSELS,
            WEB_LISTEN=f"127.0.0.1:{port}",
        )  # fmt: skip
        with pytest.raises(StartupError, match=f"WEB_LISTEN 127.0.0.1:{port}"):
            await BotHarness(web_emulator, settings, clock).start()
