"""What a reload changes: moves, room changes, renames, new and cancelled sessions."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.agenda.diff import diff
from bot.agenda.loaders import load_agenda
from bot.runtime import AgendaState
from tests.conftest import BRUSSELS

TZ = ZoneInfo("Europe/Brussels")


@pytest.fixture(scope="module")
def state() -> AgendaState:
    return AgendaState(result=load_agenda(BRUSSELS), source=str(BRUSSELS))


def test_diff_finds_moves_rooms_renames_new_and_cancelled(state: AgendaState) -> None:
    old = state.conference
    sessions = []
    for s in old.sessions:
        if s.id == "keynote-mousnier":
            s = dataclasses.replace(
                s, start=s.start + timedelta(hours=2), end=s.end + timedelta(hours=2)
            )
        elif s.id == "crisis-management":
            s = dataclasses.replace(s, room="Room C", title="Crisis management, revised")
        elif s.id == "closing":
            continue
        sessions.append(s)
    extra = dataclasses.replace(old.sessions[0], id="late-addition", title="Late addition")
    new = dataclasses.replace(old, sessions=(*sessions, extra))
    changes = diff(old, new)
    assert [c.new.id for c in changes.moved] == ["keynote-mousnier"]
    assert [c.new.id for c in changes.room_changes] == ["crisis-management"]
    assert [c.new.id for c in changes.renamed] == ["crisis-management"]
    assert [s.id for s in changes.added] == ["late-addition"]
    assert [s.id for s in changes.cancelled] == ["closing"]
    assert set(changes.affected_ids) == {"keynote-mousnier", "crisis-management", "closing"}
    assert diff(old, old).empty
