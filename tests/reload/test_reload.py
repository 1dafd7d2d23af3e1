"""Reloading without Telegram: previews, applying, notices, listeners, kept uploads."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from bot.agenda import kept
from bot.agenda.diff import Changes
from bot.agenda.state import AgendaState
from bot.reload import Reloads, ReloadStale
from bot.store import keys
from tests.conftest import brussels
from tests.core_env import Core

ORG = 9000


def service(core: Core) -> Reloads:
    return Reloads(core.current, core.store.bookmarks, core.store.audit, core.outbox, core.settings)


def moved(state: AgendaState, session_id: str, hours: int = 2) -> AgendaState:
    """The same agenda with one session moved by ``hours``."""
    conf = state.conference
    sessions = tuple(
        dataclasses.replace(
            s, start=s.start + timedelta(hours=hours), end=s.end + timedelta(hours=hours)
        )
        if s.id == session_id
        else s
        for s in conf.sessions
    )
    result = dataclasses.replace(
        state.result, conference=dataclasses.replace(conf, sessions=sessions)
    )
    return AgendaState(result=result, source=f"moved {session_id}")


async def test_apply_tells_each_bookmarker_once_and_the_listeners(core: Core) -> None:
    await core.users(1, 2, 3)
    now = core.clock.now()
    await core.store.bookmarks.add(1, "keynote-mousnier", now)
    await core.store.bookmarks.add(2, "keynote-mousnier", now)
    await core.store.bookmarks.add(3, "closing", now)
    svc = service(core)
    heard: list[Changes] = []

    async def listener(old: AgendaState, new: AgendaState, changes: Changes) -> None:
        heard.append(changes)

    async def broken(old: AgendaState, new: AgendaState, changes: Changes) -> None:
        raise RuntimeError("a feature failing to re-plan")

    svc.listeners += [broken, listener]
    new = moved(core.current.state, "keynote-mousnier")
    applied = await svc.apply(new, actor=ORG)
    assert core.current.state is new
    assert applied.notified == 2
    assert svc.last == applied
    assert [c.new.id for c in heard[0].moved] == ["keynote-mousnier"]  # after the broken one
    rows = sorted(core.outbox.added, key=lambda e: e.chat_id)
    assert [e.chat_id for e in rows] == [1, 2]
    assert rows[0].kind == keys.CHANGE
    assert rows[0].dedup_key is not None
    assert rows[0].dedup_key.startswith("change:1:keynote-mousnier:")
    assert rows[0].deadline == new.index.session("keynote-mousnier").end  # type: ignore[union-attr]
    (entry,) = await core.store.audit.recent()
    assert (entry.user_id, entry.action, entry.audience_size) == (ORG, "reload", 2)
    # The same version again: the keys make it a no-op.
    assert await core.outbox.enqueue(await svc.notices(heard[0], core.clock.now())) == 0


async def test_changes_to_past_sessions_tell_nobody(core: Core) -> None:
    await core.users(1)
    await core.store.bookmarks.add(1, "registration", core.clock.now())
    core.clock.set(brussels(18, 0))  # the day is over
    applied = await service(core).apply(moved(core.current.state, "registration", 1), actor=None)
    assert applied.notified == 0
    assert core.outbox.added == []
    assert (await core.store.audit.recent())[0].action == "reload_auto"


async def test_a_swap_is_quiet(core: Core) -> None:
    await core.users(1)
    await core.store.bookmarks.add(1, "keynote-mousnier", core.clock.now())
    svc = service(core)
    heard: list[Changes] = []

    async def listener(old: AgendaState, new: AgendaState, changes: Changes) -> None:
        heard.append(changes)

    svc.listeners.append(listener)
    changes = await svc.swap(moved(core.current.state, "keynote-mousnier"))
    assert len(changes.moved) == 1
    assert len(heard) == 1
    assert core.outbox.added == []
    assert await core.store.audit.recent() == []


async def test_only_the_latest_preview_applies_and_only_onto_its_base(core: Core) -> None:
    svc = service(core)
    base = core.current.state
    assert await svc.preview(base, organiser=ORG) is None  # nothing would change
    first = await svc.preview(moved(base, "keynote-mousnier"), organiser=ORG)
    second = await svc.preview(moved(base, "closing"), organiser=ORG)
    assert first is not None
    assert second is not None
    with pytest.raises(ReloadStale):
        await svc.apply_preview(first.token, ORG)  # replaced by the second preview
    third = await svc.preview(moved(base, "welcome"), organiser=ORG)
    assert third is not None
    await svc.swap(moved(base, "registration"))  # someone else changed the agenda meanwhile
    with pytest.raises(ReloadStale):
        await svc.apply_preview(third.token, ORG)
    assert core.current.state.source == "moved registration"

    fourth = await svc.preview(moved(core.current.state, "closing"), organiser=ORG)
    assert fourth is not None
    await svc.discard_preview(fourth.token, ORG)
    with pytest.raises(ReloadStale):
        await svc.apply_preview(fourth.token, ORG)  # discarded
    actions = [e.action for e in reversed(await core.store.audit.recent())]
    assert actions == ["reload_preview"] * 4 + ["reload_discard"]


async def test_an_applied_upload_is_kept_and_a_reread_forgets_it(core: Core) -> None:
    svc = service(core)
    state_dir = core.settings.state_dir
    data = core.settings.AGENDA_PATH.read_bytes().replace(b'start: "12:00"', b'start: "12:05"', 1)
    upload = await svc.from_upload("mine.yaml", data)
    preview = await svc.preview(upload, organiser=ORG, upload=("mine.yaml", data))
    assert preview is not None
    await svc.apply_preview(preview.token, ORG)
    found = kept.load_kept(state_dir, None)
    assert found is not None
    assert found[0] == "mine.yaml"

    reread = await svc.preview(await svc.from_path(), organiser=ORG)
    assert reread is not None
    await svc.apply_preview(reread.token, ORG)
    assert kept.load_kept(state_dir, None) is None
