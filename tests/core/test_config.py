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


def test_web_variables_default_to_no_web_server() -> None:
    s = make()
    assert s.WEB_LISTEN is None
    assert s.web_address is None
    assert s.PUBLIC_URL is None
    assert s.UPDATE_MODE == "polling"
    assert s.WEBHOOK_SECRET is None
    assert s.METRICS_TOKEN is None
    assert s.LOG_FORMAT == "text"
    assert s.mini_app_url is None


def test_web_variables_are_parsed() -> None:
    s = make(
        WEB_LISTEN="0.0.0.0:8080",
        PUBLIC_URL="https://bot.example.org/confbot/",
        UPDATE_MODE="Webhook",
        WEBHOOK_SECRET="abc_DEF-123",
        METRICS_TOKEN="t0ken",
        LOG_FORMAT="JSON",
    )
    assert s.web_address == ("0.0.0.0", 8080)  # noqa: S104  parsed, not bound
    assert s.PUBLIC_URL == "https://bot.example.org/confbot"
    assert s.UPDATE_MODE == "webhook"
    assert s.LOG_FORMAT == "json"
    assert s.mini_app_url == "https://bot.example.org/confbot/app/"
    assert make(WEB_LISTEN="[::1]:9000").web_address == ("::1", 9000)
    assert make(WEB_LISTEN=":8080").web_address == ("0.0.0.0", 8080)  # noqa: S104  parsed
    assert make(WEB_LISTEN="localhost:0").web_address == ("localhost", 0)
    # http works behind a self-hosted Bot API server, but Telegram opens Mini Apps over https
    assert make(WEB_LISTEN=":80", PUBLIC_URL="http://10.0.0.5").mini_app_url is None


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"WEB_LISTEN": "8080"}, "WEB_LISTEN"),
        ({"WEB_LISTEN": "host:99999"}, "WEB_LISTEN"),
        ({"WEB_LISTEN": "::1:80"}, "WEB_LISTEN"),
        ({"WEB_LISTEN": ":80", "PUBLIC_URL": "bot.example.org"}, "PUBLIC_URL"),
        ({"WEB_LISTEN": ":80", "PUBLIC_URL": "https://x.org/?a=1"}, "PUBLIC_URL"),
        ({"UPDATE_MODE": "push"}, "UPDATE_MODE"),
        ({"UPDATE_MODE": "webhook"}, "WEB_LISTEN and PUBLIC_URL"),
        ({"UPDATE_MODE": "webhook", "WEB_LISTEN": ":80"}, "PUBLIC_URL"),
        ({"PUBLIC_URL": "https://bot.example.org"}, "WEB_LISTEN"),
        ({"WEBHOOK_SECRET": "has spaces"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_SECRET": "x" * 257}, "WEBHOOK_SECRET"),
        ({"METRICS_TOKEN": "two words"}, "METRICS_TOKEN"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
    ],
)
def test_a_bad_web_value_names_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ValidationError, match=named):
        make(**env)


def test_confbot_run_stops_at_start_on_a_bad_value_naming_it(tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "TELEGRAM_BOT_TOKEN": "1:x", "UPDATE_MODE": "webhook"}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert "UPDATE_MODE=webhook needs WEB_LISTEN and PUBLIC_URL" in done.stderr
    assert "Traceback" not in done.stderr


def test_paid_broadcast_rate_is_unset_by_default_and_takes_up_to_1000() -> None:
    assert make().PAID_BROADCAST_RATE is None
    assert make(PAID_BROADCAST_RATE="").PAID_BROADCAST_RATE is None  # ``PAID_BROADCAST_RATE=``
    assert make(PAID_BROADCAST_RATE="1000").PAID_BROADCAST_RATE == 1000
    assert make(PAID_BROADCAST_RATE="0.5").PAID_BROADCAST_RATE == 0.5


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("PAID_BROADCAST_RATE", "1001", "less than or equal to 1000"),
        ("PAID_BROADCAST_RATE", "fast", "valid number"),
        ("PAID_BROADCAST_RATE", "0", "greater than 0"),
        ("PAID_BROADCAST_RATE", "-5", "greater than 0"),
        ("PAID_BROADCAST_RATE", "nan", "less than or equal to 1000"),
        ("BROADCAST_RATE", "31", "less than or equal to 30"),
    ],
)
def test_confbot_run_refuses_a_bad_rate_naming_it(
    name: str, value: str, why: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import cli

    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:x")
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stopped:
        cli.main(["run"])
    message = str(stopped.value.code)
    assert message.startswith(f"confbot: configuration error: {name}: "), message
    assert why in message
