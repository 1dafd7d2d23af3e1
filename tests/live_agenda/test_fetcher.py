"""AgendaFetcher against a real HTTP server on loopback: 304s, edits, failures, the disk copy."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.agenda.remote import AgendaFetcher, Changed, Failed, Unchanged, name_for_url
from bot.clock import ManualClock
from tests.live_agenda.server import ScheduleServer, schedule

BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2024, 11, 26, 8, 0, tzinfo=BRUSSELS))


def start_of(result: object, sid: str) -> str:
    conference = result.conference  # type: ignore[attr-defined]
    session = next(s for s in conference.sessions if s.id == sid)
    return str(session.start.strftime("%H:%M"))


def fetcher_for(server: ScheduleServer, tmp_path: Path, clock: ManualClock) -> AgendaFetcher:
    return AgendaFetcher(server.url, tmp_path / "agenda-cache", None, clock, timeout=5)


async def test_first_200_then_a_304_costs_one_request(tmp_path: Path, clock: ManualClock) -> None:
    async with ScheduleServer() as server:
        fetcher = fetcher_for(server, tmp_path, clock)
        first = await fetcher.fetch()
        assert isinstance(first, Changed)
        assert first.result.conference.name == "Live Agenda Conference"
        assert first.result.conference.timezone.key == "Europe/Brussels"
        assert start_of(first.result, "zero-trust") == "10:00"
        assert "If-None-Match" not in server.requests[0]

        second = await fetcher.fetch()
        assert second == Unchanged()
        assert len(server.requests) == 2, "an unchanged agenda costs exactly one request"
        assert server.statuses == [200, 304]
        assert server.requests[1]["If-None-Match"] == server.etag
        assert server.requests[1]["If-Modified-Since"] == "Wed, 20 Nov 2024 10:00:00 GMT"
        await fetcher.close()


async def test_an_edit_on_the_server_is_a_change(tmp_path: Path, clock: ManualClock) -> None:
    async with ScheduleServer() as server:
        fetcher = fetcher_for(server, tmp_path, clock)
        assert isinstance(await fetcher.fetch(), Changed)
        server.publish(schedule({"zero-trust": "14:00"}))
        outcome = await fetcher.fetch()
        assert isinstance(outcome, Changed)
        assert start_of(outcome.result, "zero-trust") == "14:00"
        assert outcome.recovered is None
        assert server.statuses == [200, 200]
        assert fetcher.last_good is outcome.result
        await fetcher.close()


async def test_same_bytes_without_validators_is_unchanged(
    tmp_path: Path, clock: ManualClock
) -> None:
    async with ScheduleServer() as server:
        fetcher = fetcher_for(server, tmp_path, clock)
        await fetcher.fetch()
        server.fault = server.body  # served as a plain 200 that ignores If-None-Match
        assert await fetcher.fetch() == Unchanged()
        await fetcher.close()


async def test_500_fails_and_keeps_the_last_good_agenda(tmp_path: Path, clock: ManualClock) -> None:
    async with ScheduleServer() as server:
        fetcher = fetcher_for(server, tmp_path, clock)
        good = await fetcher.fetch()
        assert isinstance(good, Changed)
        server.fault = 500
        failed = await fetcher.fetch()
        assert isinstance(failed, Failed)
        assert "HTTP 500" in failed.reason
        assert failed.first
        assert fetcher.last_good is good.result
        # The next request still carries the validators of the last good copy.
        assert server.requests[-1]["If-None-Match"] == server.etag
        await fetcher.close()


async def test_garbage_fails_naming_the_place(tmp_path: Path, clock: ManualClock) -> None:
    async with ScheduleServer() as server:
        fetcher = fetcher_for(server, tmp_path, clock)
        good = await fetcher.fetch()
        assert isinstance(good, Changed)
        server.fault = b'{"schedule": {"conference": {"days": [{"rooms": 7}]'  # truncated
        truncated = await fetcher.fetch()
        assert isinstance(truncated, Failed)
        assert "schedule.json" in truncated.reason
        assert "line 1" in truncated.reason  # where the JSON breaks

        broken = schedule()
        broken["schedule"]["conference"]["days"][0]["rooms"]["Room B"][0]["duration"] = "soon"
        server.fault = json.dumps(broken).encode()
        wrong = await fetcher.fetch()
        assert isinstance(wrong, Failed)
        assert "resilience-panel" in wrong.reason
        assert "duration" in wrong.reason
        assert not wrong.first, "still the same failure streak"
        assert fetcher.last_good is good.result
        await fetcher.close()


async def test_unreachable_server_fails_without_raising(tmp_path: Path, clock: ManualClock) -> None:
    server = ScheduleServer()
    await server.start()
    await server.stop()  # the port is now closed: connection refused
    fetcher = fetcher_for(server, tmp_path, clock)
    outcome = await fetcher.fetch()
    assert isinstance(outcome, Failed)
    assert "cannot fetch" in outcome.reason
    assert fetcher.last_good is None
    await fetcher.close()


async def test_restart_with_the_server_down_loads_the_cached_copy(
    tmp_path: Path, clock: ManualClock
) -> None:
    async with ScheduleServer() as server:
        fetcher = fetcher_for(server, tmp_path, clock)
        server.publish(schedule({"zero-trust": "15:00"}))
        assert isinstance(await fetcher.fetch(), Changed)
        await fetcher.close()
    cache = tmp_path / "agenda-cache"
    assert sorted(p.suffix for p in cache.iterdir()) == [".body", ".json"]  # body + validators
    assert not [p for p in cache.iterdir() if p.name.endswith(".tmp")]

    # A new process: the server is gone.
    again = fetcher_for(server, tmp_path, clock)
    cached = await again.load_cache()
    assert cached is not None
    assert start_of(cached, "zero-trust") == "15:00"
    outcome = await again.fetch()
    assert isinstance(outcome, Failed)
    assert again.last_good is cached
    await again.close()


async def test_restart_sends_the_cached_validators(tmp_path: Path, clock: ManualClock) -> None:
    async with ScheduleServer() as server:
        first = fetcher_for(server, tmp_path, clock)
        await first.fetch()
        await first.close()
        second = fetcher_for(server, tmp_path, clock)
        assert await second.load_cache() is not None
        assert await second.fetch() == Unchanged()
        assert server.statuses == [200, 304]
        await second.close()


async def test_a_corrupted_cache_is_ignored_with_its_validators(
    tmp_path: Path, clock: ManualClock
) -> None:
    async with ScheduleServer() as server:
        first = fetcher_for(server, tmp_path, clock)
        await first.fetch()
        await first.close()
        body = next((tmp_path / "agenda-cache").glob("*.body"))
        body.write_bytes(b"\x00garbage")
        second = fetcher_for(server, tmp_path, clock)
        assert await second.load_cache() is None
        assert isinstance(await second.fetch(), Changed), "no 304 may point at a broken copy"
        assert "If-None-Match" not in server.requests[-1]
        await second.close()


async def test_a_different_url_does_not_serve_another_events_cache(
    tmp_path: Path, clock: ManualClock
) -> None:
    async with ScheduleServer() as server:
        first = fetcher_for(server, tmp_path, clock)
        await first.fetch()
        await first.close()
    other = AgendaFetcher(
        server.url.replace("live24", "other"), tmp_path / "agenda-cache", None, clock
    )
    assert await other.load_cache() is None


async def test_failures_are_reported_once_per_streak(tmp_path: Path, clock: ManualClock) -> None:
    async with ScheduleServer() as server:
        fetcher = fetcher_for(server, tmp_path, clock)
        await fetcher.fetch()
        server.fault = 503
        firsts = []
        for _ in range(5):
            clock.advance(minutes=5)
            outcome = await fetcher.fetch()
            assert isinstance(outcome, Failed)
            firsts.append(outcome.first)
        assert firsts == [True, False, False, False, False]
        assert outcome.failures == 5
        assert outcome.since == datetime(2024, 11, 26, 8, 5, tzinfo=BRUSSELS)

        server.fault = None
        clock.advance(minutes=5)
        back = await fetcher.fetch()
        assert isinstance(back, Unchanged)
        assert back.recovered is not None
        assert back.recovered.failures == 5
        assert "HTTP 503" in back.recovered.reason
        assert await fetcher.fetch() == Unchanged(), "the recovery is reported once"

        server.fault = 500  # a new streak is a new notice
        again = await fetcher.fetch()
        assert isinstance(again, Failed)
        assert again.first
        await fetcher.close()


async def test_the_streak_survives_a_restart(tmp_path: Path, clock: ManualClock) -> None:
    async with ScheduleServer() as server:
        fetcher = fetcher_for(server, tmp_path, clock)
        await fetcher.fetch()
        server.fault = 500
        assert (await fetcher.fetch()).first  # type: ignore[union-attr]
        await fetcher.close()

        clock.advance(timedelta(minutes=3))
        restarted = fetcher_for(server, tmp_path, clock)
        await restarted.load_cache()
        outcome = await restarted.fetch()
        assert isinstance(outcome, Failed)
        assert not outcome.first, "a bot restarting in a loop must not repeat the notice"
        assert outcome.failures == 2
        server.fault = None
        back = await restarted.fetch()
        assert isinstance(back, Unchanged)
        assert back.recovered is not None
        await restarted.close()


async def test_a_change_after_a_failure_carries_the_recovery(
    tmp_path: Path, clock: ManualClock
) -> None:
    async with ScheduleServer() as server:
        fetcher = fetcher_for(server, tmp_path, clock)
        await fetcher.fetch()
        server.fault = 502
        await fetcher.fetch()
        server.fault = None
        server.publish(schedule({"lunch": "13:00"}))
        outcome = await fetcher.fetch()
        assert isinstance(outcome, Changed)
        assert outcome.recovered is not None
        assert outcome.recovered.failures == 1
        await fetcher.close()


async def test_an_oversized_body_is_refused(tmp_path: Path, clock: ManualClock) -> None:
    async with ScheduleServer() as server:
        fetcher = AgendaFetcher(server.url, tmp_path, None, clock, max_bytes=100)
        outcome = await fetcher.fetch()
        assert isinstance(outcome, Failed)
        assert "larger than 100 bytes" in outcome.reason
        await fetcher.close()


def test_name_for_url() -> None:
    assert name_for_url("https://x.org/ev/schedule/export/schedule.json?lang=en") == "schedule.json"
    assert name_for_url("https://x.org/") == "agenda"
    assert name_for_url("https://x.org/cal/my%20talks.ics") == "my talks.ics"


async def test_an_uncommitted_change_is_seen_again(tmp_path: Path, clock: ManualClock) -> None:
    """If applying a change crashed, the next refresh must not be a 304 that skips it."""
    async with ScheduleServer() as server:
        fetcher = fetcher_for(server, tmp_path, clock)
        await fetcher.fetch()
        server.publish(schedule({"zero-trust": "16:00"}))
        pending = await fetcher.fetch(commit=False)
        assert isinstance(pending, Changed)
        assert start_of(fetcher.last_good, "zero-trust") == "10:00"
        again = await fetcher.fetch(commit=False)
        assert isinstance(again, Changed)
        assert server.statuses == [200, 200, 200]
        await fetcher.commit(again)
        assert start_of(fetcher.last_good, "zero-trust") == "16:00"
        assert await fetcher.fetch() == Unchanged()
        assert server.statuses[-1] == 304
        await fetcher.close()
