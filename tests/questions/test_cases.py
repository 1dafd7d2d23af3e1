"""The question table: each case is a question as typed, the clock, and what must come back.

The table (cases.yaml) covers the sample conferences (Brussels, Budapest) and a real pretalx
schedule.json in another zone (jev22, Europe/Amsterdam), including typos, missing accents,
changed word order and questions that must find nothing.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.agenda.model import Session, Speaker
from bot.questions import Answer, QuestionEngine
from tests.questions.conftest import REPO, SHARED_SCHEDULES, engine_for

_TABLE = yaml.safe_load((Path(__file__).parent / "cases.yaml").read_text(encoding="utf-8"))
AGENDAS: dict[str, dict[str, str]] = _TABLE["agendas"]
CASES: list[dict[str, Any]] = _TABLE["cases"]


def _agenda_path(name: str) -> Path:
    spec = AGENDAS[name]
    return SHARED_SCHEDULES / spec["shared"] if "shared" in spec else REPO / spec["path"]


def _names(sessions: tuple[Session, ...]) -> list[str]:
    return [f"{s.id} ({s.title[:40]})" for s in sessions]


def _is(s: Session, ref: str) -> bool:
    return ref in (s.id, s.title)


def _same_sessions(got: tuple[Session, ...], want: list[str]) -> bool:
    return len(got) == len(want) and all(any(_is(s, w) for s in got) for w in want)


def _speaker_is(sp: Speaker, ref: str) -> bool:
    return ref in (sp.id, sp.name)


def _ask(case: dict[str, Any]) -> tuple[QuestionEngine, Answer]:
    engine = engine_for(_agenda_path(case["agenda"]))
    tz = engine.index.conference.timezone
    now = datetime.fromisoformat(case.get("now", AGENDAS[case["agenda"]]["now"]))
    now = now.replace(tzinfo=tz) if now.tzinfo is None else now
    return engine, engine.ask(case["q"], now)


@pytest.mark.parametrize("case", CASES, ids=[f"{c['agenda']}: {c['q']!r}" for c in CASES])
def test_question(case: dict[str, Any]) -> None:
    _, answer = _ask(case)
    seen = (
        f"intent={answer.intent.value} sessions={_names(answer.sessions)} "
        f"speakers={[sp.id for sp in answer.speakers]} understood={answer.understood!r}"
    )
    if "intent" in case:
        assert answer.intent.value == case["intent"], seen
    if "first" in case:
        assert answer.sessions, f"nothing found; {seen}"
        assert _is(answer.sessions[0], case["first"]), seen
    if "sessions" in case:
        assert _same_sessions(answer.sessions, case["sessions"]), seen
    for ref in case.get("includes", []):
        assert any(_is(s, ref) for s in answer.sessions), f"{ref} missing; {seen}"
    if "speakers" in case:
        want = case["speakers"]
        assert len(answer.speakers) == len(want), seen
        assert all(any(_speaker_is(sp, w) for sp in answer.speakers) for w in want), seen
    for speaker_id, role in case.get("roles", {}).items():
        assert answer.roles.get(speaker_id) == role, f"roles={answer.roles}; {seen}"
    if "room" in case:
        assert answer.room == case["room"], seen
    if "window" in case:
        assert answer.window is not None, seen
        if isinstance(case["window"], str):
            assert answer.window.label == case["window"], seen
    if "next" in case:
        assert _same_sessions(answer.next_sessions, case["next"]), _names(answer.next_sessions)
    if case.get("conference"):
        assert answer.conference_info, seen
    if case.get("sessions") == [] and not case.get("conference"):
        assert answer.understood, "an empty answer must say what was understood"


def test_table_is_large_enough() -> None:
    """The issue asks for at least 60 questions over at least two agendas."""
    assert len(CASES) >= 60
    assert len({c["agenda"] for c in CASES}) >= 2
    assert sum(1 for c in CASES if c.get("sessions") == []) >= 5
