"""The CLI verbs other tools rely on: check, convert, chat (run is covered end to end)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.agenda.loaders import load_agenda
from bot.cli import main, parser
from bot.config import Settings
from bot.emulator.chat import run_chat, to_terminal
from tests.conftest import BUDAPEST, DATA

AGENDAS = sorted(
    p for p in DATA.iterdir() if p.suffix in {".yaml", ".yml", ".json", ".csv", ".ics"}
)


@pytest.mark.parametrize("path", AGENDAS, ids=lambda p: p.name)
def test_every_sample_agenda_passes_check(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Sessions:" in out
    assert "Warnings: none" in out


def test_check_names_file_and_place_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    text = BUDAPEST.read_text(encoding="utf-8").replace('start: "09:00"', 'start: "25:00"', 1)
    assert text != BUDAPEST.read_text(encoding="utf-8")
    bad.write_text(text, encoding="utf-8")
    assert main(["check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert str(bad) in err
    assert "25:00" in err
    assert "Traceback" not in err


def test_check_of_a_missing_file_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "/nonexistent/agenda.yaml"]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_convert_writes_yaml_that_loads_back_equal(tmp_path: Path) -> None:
    out = tmp_path / "out.yaml"
    assert main(["convert", str(BUDAPEST), "-o", str(out)]) == 0
    again, original = load_agenda(out).conference, load_agenda(BUDAPEST).conference
    assert again.sessions == original.sessions
    assert again.name == original.name


def test_terminal_rendering_keeps_text_and_links() -> None:
    assert to_terminal("<b>Q&amp;A &lt;live&gt;</b>", color=False) == "Q&A <live>"
    assert to_terminal('<a href="https://x.org">site</a>', color=False) == "site <https://x.org>"
    assert "\033[1m" in to_terminal("<b>x</b>", color=True)


async def test_chat_in_hungarian(tmp_path: Path) -> None:
    """``confbot chat --language hu``: the demo speaks Hungarian, buttons and toasts too."""
    settings = Settings(_env_file=None, AGENDA_PATH=BUDAPEST)  # type: ignore[call-arg]
    stdin = io.StringIO("/start\n1\n/session session-2\n1\n/language\n1\n/help\n")
    stdout = io.StringIO()
    code = await run_chat(settings, demo=True, language="hu", stdin=stdin, stdout=stdout)
    out = stdout.getvalue()
    assert code == 0
    assert "[1] nov. 7., csütörtök" in out  # the day buttons of the welcome
    assert "2019. november 7., csütörtök" in out  # the day page
    assert "(toast: Könyvjelző hozzáadva" in out
    assert "A bot nyelve: Magyar" in out
    assert "Done: I speak English with you from now on." in out  # chose English: then English
    assert "What I can do" in out


def test_chat_takes_a_language_code() -> None:
    args = parser().parse_args(["chat", "--language", "hu-HU"])
    assert args.language == "hu-HU"
    with pytest.raises(SystemExit):
        parser().parse_args(["chat", "--language", "magyar nyelv"])


async def test_chat_reads_piped_input_and_presses_numbered_buttons(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, AGENDA_PATH=BUDAPEST)  # type: ignore[call-arg]
    stdin = io.StringIO("/start\n1\n/help\n/session session-2\n1\n")
    stdout = io.StringIO()
    code = await run_chat(settings, demo=True, stdin=stdin, stdout=stdout)
    out = stdout.getvalue()
    assert code == 0
    assert "Racialisation that Leads to Terrorism" in out
    assert "[1] Thu 7 Nov" in out
    assert "Thursday 7 November 2019" in out  # the day page the button opened
    assert "/agenda" in out
    assert "(toast: Bookmarked" in out  # a button's answer is shown, as Telegram would
    assert out.rstrip().endswith("bye")
