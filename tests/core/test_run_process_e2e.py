"""``confbot run`` as a real process: serves any Bot API server, stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.emulator import BotApiEmulator
from bot.emulator.harness import TEST_TOKEN
from tests.conftest import SHARED_SCHEDULES

JEV22 = SHARED_SCHEDULES / "jev22-channels-pretalx-c3voc.json"


@pytest.mark.skipif(not JEV22.exists(), reason="../shared/schedules is not beside the clone")
async def test_run_serves_a_schedule_json_and_stops_on_sigterm(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
        "TELEGRAM_API_URL": emulator.url,
        "AGENDA_PATH": str(JEV22),
        "DATABASE_PATH": str(tmp_path / "var" / "run.sqlite3"),
        "CONFBOT_NOW": "2022-12-27T20:30",
        "LOG_LEVEL": "DEBUG",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run",
        env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        await emulator.wait_call("getUpdates", timeout=30)
        commands = [c["command"] for c in emulator.commands()]
        assert "agenda" in commands
        assert "broadcast" not in commands  # organiser commands only in organisers' menus
        user = emulator.user(5005, "Eve")
        await user.send("/start")
        welcome = await user.next_message(timeout=15)
        assert "Jahresendveranstaltungen" in welcome.text
        await user.send("/now")
        now = await user.next_message(timeout=15)
        assert "20:30" in now.text  # the clock runs in the file's own zone (Europe/Amsterdam)
        assert (tmp_path / "var" / "run.sqlite3").exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(proc.communicate(), timeout=30)
    log = output.decode("utf-8", "replace")
    assert proc.returncode == 0, log
    assert TEST_TOKEN not in log
    assert "Traceback" not in log
