from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings


def make(**env: str) -> Settings:
    return Settings(_env_file=None, **env)  # type: ignore[arg-type]


def test_defaults_follow_the_contract() -> None:
    s = make()
    assert s.TELEGRAM_API_URL == "https://api.telegram.org"
    assert Path("var/confbot.sqlite3") == s.DATABASE_PATH
    assert (s.REMINDER_MINUTES, s.SPEAKER_REMINDER_MINUTES, s.FEEDBACK_DELAY_MINUTES) == (10, 30, 0)
    assert s.BROADCAST_RATE == 25
    assert s.AGENDA_REFRESH_MINUTES == 5
    assert frozenset() == s.ORGANISER_IDS
    assert s.AGENDA_PATH.exists(), "the default agenda must ship with the project"


def test_environment_wins_over_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("REMINDER_MINUTES=15\nLOG_LEVEL=debug\n")
    monkeypatch.setenv("REMINDER_MINUTES", "20")
    s = Settings(_env_file=env_file)  # type: ignore[call-arg]
    assert s.REMINDER_MINUTES == 20
    assert s.LOG_LEVEL == "DEBUG"


def test_organiser_ids_are_numeric(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORGANISER_IDS", " 42, 7 ,")
    assert frozenset({42, 7}) == Settings(_env_file=None).ORGANISER_IDS  # type: ignore[call-arg]
    monkeypatch.setenv("ORGANISER_IDS", "@alice")
    with pytest.raises(ValidationError, match="numeric"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_bad_zone_and_rate_are_refused_naming_the_variable() -> None:
    with pytest.raises(ValidationError, match="AGENDA_TIMEZONE"):
        make(AGENDA_TIMEZONE="Mars/Olympus")
    with pytest.raises(ValidationError, match="BROADCAST_RATE"):
        make(BROADCAST_RATE="0")


def test_api_url_trailing_slash_is_dropped() -> None:
    assert (
        make(TELEGRAM_API_URL="http://127.0.0.1:8081/").TELEGRAM_API_URL == "http://127.0.0.1:8081"
    )
