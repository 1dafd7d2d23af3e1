"""The live agenda's policy with a fake fetcher: what is swapped quietly, what is applied like a
reload, and that organisers hear once per failure streak and once on recovery."""

from __future__ import annotations

import dataclasses

from bot.agenda.loaders import LoadResult
from bot.agenda.remote import Changed, Failed, FetchOutcome, Recovery, Unchanged
from bot.live_agenda import NOTICE_KIND, LiveAgenda
from bot.reload import Reloads
from tests.conftest import brussels
from tests.core_env import Core

URL = "https://pretalx.example/live/schedule.json"
ORGS = (9000, 9001)


class FakeFetcher:
    url = URL

    def __init__(self, cache: LoadResult | None = None) -> None:
        self.cache = cache
        self.outcomes: list[FetchOutcome] = []
        self.committed: list[Changed] = []
        self.closed = False

    async def load_cache(self) -> LoadResult | None:
        return self.cache

    async def fetch(self, *, commit: bool = True) -> FetchOutcome:
        return self.outcomes.pop(0)

    async def commit(self, changed: Changed) -> None:
        self.committed.append(changed)

    async def close(self) -> None:
        self.closed = True


def renamed(result: LoadResult, title: str) -> LoadResult:
    conf = result.conference
    sessions = tuple(
        dataclasses.replace(s, title=title) if s.id == "keynote-mousnier" else s
        for s in conf.sessions
    )
    return dataclasses.replace(result, conference=dataclasses.replace(conf, sessions=sessions))


def live(core: Core, fetcher: FakeFetcher, organisers: tuple[int, ...] = ORGS) -> LiveAgenda:
    reloads = Reloads(
        core.current, core.store.bookmarks, core.store.audit, core.outbox, core.settings
    )
    return LiveAgenda(fetcher, reloads, core.outbox, organisers, fallback="data/x.yaml")


def notices(core: Core) -> list[tuple[int, str]]:
    return [(e.chat_id, e.payload["event"]) for e in core.outbox.added if e.kind == NOTICE_KIND]


async def test_first_run_swaps_quietly_and_commits(core: Core) -> None:
    await core.users(1)
    await core.store.bookmarks.add(1, "keynote-mousnier", core.clock.now())
    base = core.current.state.result
    fetcher = FakeFetcher(cache=None)
    fetcher.outcomes = [Changed(renamed(base, "From the URL"))]
    await live(core, fetcher).start()
    assert core.current.state.source == URL
    assert core.current.index.session("keynote-mousnier").title == "From the URL"  # type: ignore[union-attr]
    assert core.outbox.added == []  # nobody saw the AGENDA_PATH programme as the URL's
    assert len(fetcher.committed) == 1


async def test_edits_made_while_down_are_applied_like_a_reload(core: Core) -> None:
    await core.users(1)
    await core.store.bookmarks.add(1, "keynote-mousnier", core.clock.now())
    base = core.current.state.result
    cached = renamed(base, "Cached title")
    fetcher = FakeFetcher(cache=cached)
    fetcher.outcomes = [Changed(renamed(base, "Edited while down"))]
    await live(core, fetcher).start()
    assert [e.chat_id for e in core.outbox.added if e.kind == "change"] == [1]
    assert len(fetcher.committed) == 1
    assert (await core.store.audit.recent())[0].action == "reload_auto"


async def test_failures_are_told_once_per_streak_and_the_recovery_once(core: Core) -> None:
    fetcher = FakeFetcher(cache=core.current.state.result)
    agent = live(core, fetcher)
    since = brussels(8, 0)
    fetcher.outcomes = [Failed("HTTP 500", first=True, since=since, failures=1)]
    await agent.start()
    assert core.current.state.source == URL  # the cached copy still serves
    assert notices(core) == [(9000, "failing"), (9001, "failing")]
    fetcher.outcomes = [
        Failed("HTTP 500", first=False, since=since, failures=2),
        Failed("timeout", first=False, since=since, failures=3),
    ]
    await agent.refresh()
    await agent.refresh()
    assert len(notices(core)) == 2
    fetcher.outcomes = [Unchanged(recovered=Recovery(since, 3, "timeout")), Unchanged()]
    await agent.refresh()
    await agent.refresh()
    assert notices(core) == [
        (9000, "failing"),
        (9001, "failing"),
        (9000, "recovered"),
        (9001, "recovered"),
    ]
    recovered = core.outbox.added[-1].payload
    assert (recovered["failures"], recovered["url"]) == (3, URL)
    # A restart repeating the same notice enqueues nothing: the keys are per streak.
    again = await agent.notify_organisers({"event": "recovered"}, "recovered", since)
    assert again == 0


async def test_a_failed_apply_is_not_committed_and_retried(core: Core) -> None:
    fetcher = FakeFetcher(cache=core.current.state.result)
    agent = live(core, fetcher)
    fetcher.outcomes = [Unchanged()]
    await agent.start()

    async def broken(*_: object) -> None:
        raise RuntimeError("bug while re-planning")

    agent.reloads.apply = broken  # type: ignore[method-assign,assignment]
    fetcher.outcomes = [Changed(renamed(core.current.state.result, "New"))]
    await agent.refresh()
    assert fetcher.committed == []  # so the next refresh fetches and applies it again


async def test_without_organisers_nobody_is_told(core: Core) -> None:
    fetcher = FakeFetcher(cache=None)
    agent = live(core, fetcher, organisers=())
    fetcher.outcomes = [Failed("DNS", first=True, since=brussels(8, 0), failures=1)]
    await agent.start()
    assert core.current.state.source != URL  # neither URL nor cache: AGENDA_PATH stays
    assert core.outbox.added == []
    await agent.close()
    assert fetcher.closed
