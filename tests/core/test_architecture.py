"""The layering of docs/architecture.md, checked on the source by AST.

- the core (bot/) knows nothing of Telegram and nothing of handlers/, except the composition
  root (bot/app.py), the CLI and the emulator;
- every SQL statement lives in bot/store/;
- nothing outside bot/store/ reaches the database connection (a Database, .db, .conn,
  aiosqlite, sqlite3): the core sees the store through bot/store/protocols.py only;
- the core and the handlers import the store's protocols, records and keys, never an
  implementation; handlers import only its records;
- a feature has the same name in both layers (handlers/<name>.py, bot/<name>.py or bot/<name>/).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import FEATURES

ROOT = Path(__file__).resolve().parents[2]
#: The composition root, the CLI and the emulator (which speaks the Bot API) may import it.
ALLOWED = {"bot/app.py", "bot/cli.py"}
ALLOWED_DIRS = ("bot/emulator/",)
STORE = "bot/store/"
#: What the core may import from the store: the contract, not an implementation.
STORE_CONTRACT = {"bot.store.protocols", "bot.store.records", "bot.store.keys"}
#: Features of the Telegram side only (no rules of their own in the core).
TELEGRAM_ONLY_FEATURES = {"shapes", "tracking", "errors", "start"}


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _sources(*folders: str) -> Iterator[tuple[str, ast.Module]]:
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield _rel(path), ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _modules(tree: ast.Module) -> set[str]:
    """Every module an import statement names (``from a.b import c`` names a.b and a.b.c)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _tops(tree: ast.Module) -> set[str]:
    return {m.split(".")[0] for m in _modules(tree)}


def _exempt(rel: str) -> bool:
    return rel in ALLOWED or rel.startswith(ALLOWED_DIRS)


# ---------------------------------------------------------------------------- Telegram
def test_core_modules_do_not_import_telegram_or_handlers() -> None:
    offenders = []
    for rel, tree in _sources("bot"):
        if _exempt(rel):
            continue
        bad = _tops(tree) & {"telegram", "handlers"}
        if bad:
            offenders.append(f"{rel}: {', '.join(sorted(bad))}")
    assert not offenders, "core modules importing the Telegram side:\n" + "\n".join(offenders)


# ---------------------------------------------------------------------------- SQL
_SQL = [
    re.compile(r"\bSELECT\b[\s\S]*\bFROM\b"),
    re.compile(r"\bUPDATE\s+\w+\s+SET\b"),
    re.compile(r"\bINSERT\s+(OR\s+\w+\s+)?INTO\b", re.IGNORECASE),
    re.compile(r"\bDELETE\s+FROM\b", re.IGNORECASE),
    re.compile(r"\b(CREATE|DROP|ALTER)\s+(TABLE|INDEX|VIEW|TRIGGER)\b", re.IGNORECASE),
    re.compile(r"\bPRAGMA\s+\w+", re.IGNORECASE),
    re.compile(r"\bWITH\s+\w+(\([^)]*\))?\s+AS\s*\(\s*(SELECT|VALUES)\b"),
    re.compile(r"\bBEGIN\s+(IMMEDIATE|EXCLUSIVE|DEFERRED|TRANSACTION)\b", re.IGNORECASE),
]


def _strings(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Every string literal, f-strings with their holes as ``?`` (so a query built in pieces
    is seen whole, as implicit concatenation already is)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "?"
                for v in node.values
            )
            yield node.lineno, text
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def sql_in(tree: ast.Module) -> list[tuple[int, str]]:
    return [
        (line, text.strip().splitlines()[0][:60])
        for line, text in _strings(tree)
        if any(p.search(text) for p in _SQL)
    ]


def test_no_sql_outside_the_store() -> None:
    offenders = [
        f"{rel}:{line}: {snippet}"
        for rel, tree in _sources("bot", "handlers")
        if not rel.startswith(STORE)
        for line, snippet in sql_in(tree)
    ]
    assert not offenders, "SQL outside bot/store/:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    "source",
    [
        'q = "SELECT id FROM users WHERE active = 1"',
        'q = f"SELECT id FROM {table}"',
        'q = ("SELECT id"\n     " FROM users")',
        'q = "UPDATE users SET active = 0"',
        'q = "insert or ignore into kv (key) values (?)"',
        'q = "DELETE FROM bookmarks"',
        'q = "PRAGMA user_version"',
        'q = """WITH s(id) AS (VALUES (1)) SELECT 1"""',
        'q = "BEGIN IMMEDIATE"',
    ],
)
def test_the_sql_detector_sees_queries(source: str) -> None:
    assert sql_in(ast.parse(source))


@pytest.mark.parametrize(
    "source",
    [
        'text = "Select a day from the list"',
        'text = "Updates set for tomorrow"',
        'text = "We insert the comment into your rating"',
        'text = "Choose with care as (you know) it matters"',
    ],
)
def test_the_sql_detector_lets_sentences_be(source: str) -> None:
    assert not sql_in(ast.parse(source))


def test_the_store_is_where_the_sql_is() -> None:
    """The check above is not vacuous: the detector does find the store's queries."""
    found = sum(len(sql_in(tree)) for rel, tree in _sources("bot/store"))
    assert found > 50


# ---------------------------------------------------------------------------- the database
_CONNECTION_ATTRS = {"db", "conn", "_conn", "connection"}
_DRIVERS = {"aiosqlite", "sqlite3", "asyncpg"}


def reaches_the_database(tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in _CONNECTION_ATTRS:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Name) and node.id == "Database":
            found.append(f"line {node.lineno}: Database")
        elif isinstance(node, ast.alias) and node.name.split(".")[-1] == "Database":
            found.append("imports Database")
    for module in _modules(tree):
        if module.split(".")[0] in _DRIVERS or module.startswith("bot.store.db"):
            found.append(f"imports {module}")
    return found


def test_nothing_outside_the_store_reaches_the_connection() -> None:
    offenders = [
        f"{rel}: {', '.join(found)}"
        for rel, tree in _sources("bot", "handlers")
        if not rel.startswith(STORE) and not rel.startswith(ALLOWED_DIRS)
        for found in [reaches_the_database(tree)]
        if found
    ]
    assert not offenders, "reaching the database outside bot/store/:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    "source",
    [
        "rows = await rt.store.db.fetchall(q)",
        "from bot.store.db import Database",
        "import aiosqlite",
        "async with self.store.conn.execute(q): pass",
    ],
)
def test_the_connection_check_sees_a_reach(source: str) -> None:
    assert reaches_the_database(ast.parse(source))


def test_the_core_sees_only_the_stores_contract() -> None:
    offenders = []
    for rel, tree in _sources("bot", "handlers"):
        if rel.startswith(STORE) or _exempt(rel):
            continue
        allowed = {"bot.store.records"} if rel.startswith("handlers/") else STORE_CONTRACT
        store = {m for m in _modules(tree) if m == "bot.store" or m.startswith("bot.store.")}
        # ``from bot.store import keys`` names bot.store and bot.store.keys: judge the latter.
        named = {m for m in store if m != "bot.store"}
        if "bot.store" in store and not named:
            named = {"bot.store"}
        bad = {m for m in named if not any(m == a or m.startswith(a + ".") for a in allowed)}
        if bad:
            offenders.append(f"{rel}: {', '.join(sorted(bad))}")
    assert not offenders, "importing a store implementation:\n" + "\n".join(offenders)


# ---------------------------------------------------------------------------- feature names
def test_a_feature_has_one_name_in_both_layers() -> None:
    problems = []
    for feature in FEATURES:
        name = feature.name
        if not (ROOT / "handlers" / f"{name}.py").exists():
            problems.append(f"{name}: no handlers/{name}.py")
        core = (ROOT / "bot" / f"{name}.py").exists() or (ROOT / "bot" / name).is_dir()
        if not core and name not in TELEGRAM_ONLY_FEATURES:
            problems.append(f"{name}: no bot/{name}.py or bot/{name}/")
    assert not problems, "\n".join(problems)
