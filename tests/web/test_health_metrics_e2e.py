"""/healthz and /metrics of a running bot, and the server's answers to bad requests."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.emulator import BotApiEmulator
from bot.emulator.harness import BotHarness
from tests.steps import at, bookmark, is_reminder
from tests.web.bots import WebBotFactory, get, get_json, request

TOKEN = "metrics-Token_1"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus text page: (name, sorted labels) -> value."""
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


async def scrape(bot: BotHarness) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    status, headers, body = await get(
        f"{bot.web_url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert status == 200, body
    assert headers["Content-Type"].startswith("text/plain")
    return samples(body.decode())


async def test_healthz_is_200_when_all_is_well_and_503_when_the_sender_dies(
    web_bot: WebBotFactory,
) -> None:
    bot = await web_bot()
    status, report = await get_json(f"{bot.web_url}/healthz")
    assert status == 200, report
    checks = report["checks"]
    assert report["ok"] is True
    assert checks["agenda"] == {
        "ok": True,
        "sessions": 10,
        "conference": checks["agenda"]["conference"],
    }
    assert checks["store"]["ok"] is True
    assert checks["delivery"]["ok"] is True
    assert checks["outbox"] == {"ok": True, "depth": 0, "due": 0}
    assert checks["updates"]["ok"] is True  # polling runs
    task = bot.runtime.delivery.task
    assert task is not None
    task.cancel()  # the sender task dies
    with contextlib.suppress(asyncio.CancelledError):
        await task
    status, report = await get_json(f"{bot.web_url}/healthz")
    assert status == 503
    assert report["ok"] is False
    assert report["checks"]["delivery"] == {"ok": False, "running": False}
    assert report["checks"]["store"]["ok"] is True  # the rest is still well


async def test_healthz_is_503_when_the_store_takes_no_write(
    web_bot: WebBotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = await web_bot()

    async def refuse(key: str, value: str) -> None:
        raise OSError("disk I/O error")

    monkeypatch.setattr(bot.runtime.store.kv, "probe", refuse)
    status, report = await get_json(f"{bot.web_url}/healthz")
    assert status == 503
    assert report["checks"]["store"] == {"ok": False, "error": "OSError: disk I/O error"}


async def test_metrics_count_a_reply_and_a_sent_reminder(
    web_bot: WebBotFactory, web_emulator: BotApiEmulator
) -> None:
    bot = await web_bot(METRICS_TOKEN=TOKEN)
    before = await scrape(bot)
    assert before[("confbot_outbox_sends_total", (("outcome", "sent"),))] == 0
    assert ("confbot_reply_seconds_count", ()) in before
    assert before[("confbot_reply_seconds_count", ())] == 0

    ada = bot.user(1001, "Ada")
    await ada.send("/start")
    await ada.next_message()
    await bookmark(ada, "panel-october-7")
    after_reply = await scrape(bot)
    assert after_reply[("confbot_updates_total", (("kind", "message"),))] == 2
    assert after_reply[("confbot_updates_total", (("kind", "callback_query"),))] == 1
    assert after_reply[("confbot_reply_seconds_count", ())] == 3  # each update's first reply
    assert after_reply[("confbot_reply_seconds_bucket", (("le", "+Inf"),))] == 3
    assert after_reply[("confbot_users", (("state", "all"),))] == 1
    assert after_reply[("confbot_bookmarks", ())] == 1
    assert after_reply[("confbot_agenda_sessions", ())] == 10

    await at(bot, 13, 49, 59)  # the reminder falls due and the sender sends it
    assert is_reminder(await ada.next_message())
    metrics = await scrape(bot)
    assert metrics[("confbot_outbox_sends_total", (("outcome", "sent"),))] == 1
    assert metrics[("confbot_outbox_rows", (("kind", "reminder"), ("state", "sent")))] == 1
    assert metrics[("confbot_reminders_late", (("state", "sent"),))] == 0
    assert metrics[("confbot_delivery_up", ())] == 1
    # A reminder is not a reply: the outbox's sends are not timed as replies.
    assert metrics[("confbot_reply_seconds_count", ())] == 3
    assert metrics[("confbot_agenda_reloads_total", ())] == 0


async def test_metrics_refuse_a_request_without_the_token(web_bot: WebBotFactory) -> None:
    bot = await web_bot(METRICS_TOKEN=TOKEN)
    url = f"{bot.web_url}/metrics"
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        status, answer, body = await get(url, headers=headers)
        assert status == 401, headers
        assert answer["WWW-Authenticate"].startswith("Bearer")
        assert b"confbot_" not in body


async def test_without_a_token_metrics_answer_this_machine_but_not_through_a_proxy(
    web_bot: WebBotFactory,
) -> None:
    bot = await web_bot()
    status, _h, body = await get(f"{bot.web_url}/metrics")
    assert status == 200
    assert b"confbot_updates" in body
    status, _h, body = await get(
        f"{bot.web_url}/metrics", headers={"X-Forwarded-For": "203.0.113.9"}
    )
    assert status == 403
    assert b"METRICS_TOKEN" in body


async def test_unknown_paths_wrong_methods_and_oversized_bodies(web_bot: WebBotFactory) -> None:
    bot = await web_bot()
    base = bot.web_url
    assert (await request("GET", f"{base}/nope"))[0] == 404
    assert (await request("GET", f"{base}/telegram"))[0] == 404  # polling: no webhook route
    status, headers, _b = await request("POST", f"{base}/healthz", data=b"{}")
    assert status == 405
    assert "GET" in headers["Allow"]
    status, _h, _b = await request("POST", f"{base}/healthz", data=b"x" * (2 * 1024 * 1024))
    assert status == 413
    status, _h, body = await request("HEAD", f"{base}/healthz")
    assert status == 200
    assert body == b""
