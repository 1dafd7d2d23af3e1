"""The core knows nothing of Telegram: handlers/ adapt, bot/ decides (DESIGN.md)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: The composition root, the CLI and the emulator (which speaks the Bot API) may import it.
ALLOWED = {"bot/app.py", "bot/cli.py"}
ALLOWED_DIRS = ("bot/emulator/",)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_core_modules_do_not_import_telegram_or_handlers() -> None:
    offenders = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in ALLOWED or rel.startswith(ALLOWED_DIRS):
            continue
        bad = _imports(path) & {"telegram", "handlers"}
        if bad:
            offenders.append(f"{rel}: {', '.join(sorted(bad))}")
    assert not offenders, "core modules importing the Telegram side:\n" + "\n".join(offenders)
