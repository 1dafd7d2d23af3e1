"""AGENDA_URL end to end: the real bot, a local pretalx-like server, edits and failures.

The refresh job's callback is called directly (no waiting for the JobQueue timer), and the
delivery outbox is drained, so every test runs in about a second.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.emulator import BotApiEmulator
from bot.emulator.harness import BotHarness
from bot.emulator.users import FakeUser
from handlers.live_agenda import JOB_NAME
from tests.conftest import HarnessFactory
from tests.live_agenda.server import ScheduleServer, schedule
from tests.steps import sent

ORGANISER = 9001
GARBAGE = b'{"schedule": {"conference": {"title": "half a file", "days": ['


@pytest.fixture
async def server() -> AsyncIterator[ScheduleServer]:
    async with ScheduleServer() as srv:
        yield srv


@pytest.fixture
async def live(make_bot: HarnessFactory, server: ScheduleServer) -> BotHarness:
    return await make_bot(AGENDA_URL=server.url, ORGANISER_IDS=str(ORGANISER))


async def refresh(bot: BotHarness) -> None:
    """What the JobQueue would run every AGENDA_REFRESH_MINUTES, then the outbox drained."""
    assert bot.app is not None
    assert bot.app.job_queue is not None
    (job,) = bot.app.job_queue.get_jobs_by_name(JOB_NAME)
    await job.callback(bot.app.context_types.context.from_job(job, bot.app))
    await sent(bot)
    await bot.emulator.wait_idle()


async def card(user: FakeUser, session_id: str) -> str:
    await user.send(f"/session {session_id}")
    msg = await user.wait_for(
        lambda m: "Zero trust" in (m.text or "") and "Main Hall" in (m.text or ""),
        include_existing=False,
    )
    return msg.text or ""


async def bookmark(bot: BotHarness, user: FakeUser, session_id: str) -> int:
    """Bookmark through the card's button; returns how many messages the user had by then."""
    await user.send(f"/session {session_id}")
    msg = await user.wait_for(lambda m: "⭐ Bookmark" in m.button_texts, include_existing=False)
    query = await user.press(msg, "⭐ Bookmark")
    await user.callback_answer(query)
    assert await bot.runtime.store.bookmarks.has(user.id, session_id)
    await bot.emulator.wait_idle()
    return len(user.messages)


def since(user: FakeUser, seen: int) -> list[str]:
    return [m.text or "" for m in user.messages[seen:]]


async def test_the_bot_serves_the_url_agenda_and_schedules_the_refresh(
    live: BotHarness, server: ScheduleServer
) -> None:
    assert live.runtime.agenda.conference.name == "Live Agenda Conference"
    assert live.runtime.agenda.source == server.url
    text = await card(live.user(1001), "zero-trust")
    assert "10:00" in text
    assert live.app is not None
    assert live.app.job_queue is not None
    (job,) = live.app.job_queue.get_jobs_by_name(JOB_NAME)
    assert job.job.trigger.interval.total_seconds() == 5 * 60
    assert job.job.misfire_grace_time >= 30
    assert job.job.coalesce is True
    assert job.job.max_instances == 1


async def test_an_edit_on_the_server_reaches_the_bookmarker_once(
    live: BotHarness, server: ScheduleServer
) -> None:
    ada, bob = live.user(1001, "Ada"), live.user(1002, "Bob")
    seen = await bookmark(live, ada, "zero-trust")
    await bob.send("/start")
    await bob.next_message()

    server.publish(schedule({"zero-trust": "14:00"}))
    await refresh(live)

    notices = since(ada, seen)
    assert len(notices) == 1, notices
    assert "Zero trust" in notices[0]
    assert "14:00" in notices[0]
    assert len(bob.messages) == 1, "only bookmarkers are told"
    assert "14:00" in await card(ada, "zero-trust")

    seen = len(ada.messages)
    await refresh(live)  # unchanged now: a 304, nobody told twice
    assert server.statuses[-1] == 304
    assert since(ada, seen) == []
    assert not live.user(ORGANISER).messages, "a working refresh does not bother organisers"


async def test_reload_fetches_the_url_now(live: BotHarness, server: ScheduleServer) -> None:
    org = live.user(ORGANISER, "Org")
    await org.send("/reload")
    assert "has not changed" in (await org.next_message()).plain_text
    server.publish(schedule({"zero-trust": "15:00"}))
    await org.send("/reload")
    assert "applied the new programme" in (await org.next_message()).plain_text
    assert "15:00" in await card(org, "zero-trust")
    server.fault = 500
    await org.send("/reload")
    await org.wait_for(lambda m: "Nothing changed" in m.plain_text, include_existing=False)
    assert "15:00" in await card(org, "zero-trust")


async def test_a_failing_server_changes_nothing_and_tells_organisers_once(
    live: BotHarness, server: ScheduleServer
) -> None:
    ada, olga = live.user(1001, "Ada"), live.user(ORGANISER, "Olga")
    seen = await bookmark(live, ada, "zero-trust")

    server.fault = 500
    for _ in range(3):
        await refresh(live)
    server.fault = GARBAGE
    await refresh(live)

    assert since(ada, seen) == [], "a failed fetch tells attendees nothing"
    assert "10:00" in await card(ada, "zero-trust")
    failing = [m.text or "" for m in olga.messages]
    assert len(failing) == 1, failing
    assert "cannot refresh the agenda" in failing[0]
    assert "HTTP 500" in failing[0]

    server.fault = None
    await refresh(live)
    await refresh(live)
    texts = [m.text or "" for m in olga.messages]
    assert len(texts) == 2, texts
    assert "refreshes again" in texts[1]
    assert "4 failed attempts" in texts[1]


async def test_garbage_is_refused_and_the_organiser_told_where(
    live: BotHarness, server: ScheduleServer
) -> None:
    ada, olga = live.user(1001, "Ada"), live.user(ORGANISER, "Olga")
    seen = await bookmark(live, ada, "zero-trust")
    broken = schedule({"zero-trust": "15:00"})
    broken["schedule"]["conference"]["days"][0]["rooms"]["Room B"][0]["duration"] = "<soon>"
    server.publish(broken)
    await refresh(live)

    assert since(ada, seen) == []
    assert "10:00" in await card(ada, "zero-trust")
    (notice,) = olga.messages
    shown = notice.plain_text or ""  # the emulator accepted the HTML: it was escaped
    assert "resilience-panel" in shown
    assert "Resilience <by> design & panel" in shown
    assert "duration: '<soon>' is not a duration" in shown


async def test_a_restart_without_network_serves_the_last_good_copy(
    live: BotHarness, server: ScheduleServer
) -> None:
    server.publish(schedule({"zero-trust": "16:00"}))
    await refresh(live)
    await server.stop()
    olga = live.user(ORGANISER, "Olga")  # has opened the bot: Telegram lets us write to her

    await live.restart()
    assert live.runtime.agenda.conference.name == "Live Agenda Conference"
    assert "16:00" in await card(live.user(1001), "zero-trust")
    await sent(live)
    assert len(olga.messages) == 1
    assert "cannot fetch" in (olga.messages[0].text or "")


async def test_edits_made_while_the_bot_was_down_are_announced_at_start(
    live: BotHarness, server: ScheduleServer
) -> None:
    ada = live.user(1001, "Ada")
    seen = await bookmark(live, ada, "zero-trust")
    await live.stop()
    server.publish(schedule({"zero-trust": "11:30"}))

    await live.start()
    await sent(live)
    notices = since(ada, seen)
    assert len(notices) == 1, notices
    assert "Zero trust" in notices[0]
    assert "11:30" in notices[0]


async def test_without_network_or_cache_the_bot_falls_back_to_agenda_path(
    make_bot: HarnessFactory, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    olga = emulator.user(ORGANISER, "Olga")
    down = ScheduleServer()
    await down.start()
    await down.stop()
    bot = await make_bot(AGENDA_URL=down.url, ORGANISER_IDS=str(ORGANISER))
    assert "Security and Resilience" in bot.runtime.agenda.conference.name
    assert any("serving AGENDA_PATH" in r.getMessage() for r in caplog.records)
    await sent(bot)
    (notice,) = olga.messages
    assert "cannot fetch" in (notice.plain_text or "")
