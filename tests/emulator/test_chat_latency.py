"""``confbot chat --latency MS``: the terminal chat on an emulated real network."""

from __future__ import annotations

import io
from typing import Any

import pytest

from bot import cli
from bot.config import Settings
from bot.emulator import chat as chat_module
from bot.emulator.chat import run_chat
from tests.conftest import BUDAPEST


def test_the_flag_is_parsed_and_checked(capsys: pytest.CaptureFixture[str]) -> None:
    args = cli.parser().parse_args(["chat", "--latency", "100"])
    assert args.latency == 100.0
    assert cli.parser().parse_args(["chat"]).latency == 0.0
    for bad in ("-5", "fast", "100000"):
        with pytest.raises(SystemExit):
            cli.parser().parse_args(["chat", "--latency", bad])
    assert "--latency" in capsys.readouterr().err


def test_the_flag_reaches_the_emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    async def fake_run_chat(settings: Settings, **kwargs: Any) -> int:
        seen.update(kwargs)
        return 0

    monkeypatch.setattr(chat_module, "run_chat", fake_run_chat)
    monkeypatch.setenv("AGENDA_PATH", str(BUDAPEST))
    assert cli.main(["chat", "--latency", "120"]) == 0
    assert seen["latency_ms"] == 120.0


async def test_a_chat_on_a_slow_network(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Any] = []
    real = chat_module.BotApiEmulator

    def recording(*args: Any, **kwargs: Any) -> Any:
        emu = real(*args, **kwargs)
        made.append(emu)
        return emu

    monkeypatch.setattr(chat_module, "BotApiEmulator", recording)
    settings = Settings(_env_file=None, AGENDA_PATH=BUDAPEST)  # type: ignore[call-arg]
    stdout = io.StringIO()
    code = await run_chat(
        settings, demo=True, latency_ms=60, stdin=io.StringIO("/start\n"), stdout=stdout
    )
    assert code == 0
    assert "60 ms round trip" in stdout.getvalue()
    emu = made[0]
    assert emu.latency_ms == 60
    sent = [c for c in emu.calls_of("sendMessage") if c.answered_at is not None]
    assert sent
    assert all(c.answered_at - c.at >= 0.05 for c in sent)
