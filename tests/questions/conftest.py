"""Engines for the question tests, built once per agenda for the whole session (build is the
slow part; asking is cheap)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.agenda.index import AgendaIndex
from bot.agenda.loaders import load_agenda
from bot.questions import QuestionEngine
from bot.questions.lang.hu import LEMMATISER

REPO = Path(__file__).parents[2]
SHARED_SCHEDULES = Path(__file__).parents[2].parent / "shared" / "schedules"

_ENGINES: dict[Path, QuestionEngine] = {}


def engine_for(path: Path, timezone: str | None = None) -> QuestionEngine:
    """The engine for an agenda file (``timezone`` for files that name none); skips the test
    if the file is absent."""
    if not path.exists():
        pytest.skip(f"agenda {path} is not available here")
    if path not in _ENGINES:
        zone = ZoneInfo(timezone) if timezone else None
        _ENGINES[path] = QuestionEngine(AgendaIndex(load_agenda(path, zone).conference))
        # Hungarian questions are read with the lemmatiser, as a running bot would after its
        # first seconds (it loads in the background; until then the suffix rules answer)
        LEMMATISER.wait()
    return _ENGINES[path]


@pytest.fixture(scope="session")
def brussels() -> QuestionEngine:
    return engine_for(REPO / "data" / "brussels-security-resilience.yaml")
