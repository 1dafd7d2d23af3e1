"""The one CSV writer: spreadsheet-safe cells, UTF-8 with BOM, CRLF, parses back as written."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest

from bot.agenda.model import Session
from bot.csv_export import csv_bytes, in_programme_order, pseudonym, safe_cell, session_cells
from tests.conftest import brussels


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://evil.example","click")',
        "+1+1",
        "-2+3",
        "@SUM(A1:A9)",
        "\tleading tab",
        "\rcarriage return",
    ],
)
def test_formula_like_text_gets_a_leading_apostrophe(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Great talk", "5 = 5", "e-mail me", "", "'already quoted", "é"])
def test_ordinary_text_is_kept(value: str) -> None:
    assert safe_cell(value) == value


def test_numbers_stay_numbers_and_none_is_empty() -> None:
    assert safe_cell(-3) == -3
    assert safe_cell(4.5) == 4.5
    assert safe_cell(True) == 1
    assert safe_cell(None) == ""


def test_the_file_parses_back_with_every_cell_as_written() -> None:
    rows = [
        ("=cmd|' /C calc'!A0", 'quotes " and, commas', 5),
        ("multi\nline", "ünïcödé ✓", -1),
    ]
    data = csv_bytes(("a", "b", "n"), rows)
    assert data.startswith(b"\xef\xbb\xbf")  # spreadsheets then read UTF-8
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed == [
        ["a", "b", "n"],
        ["'=cmd|' /C calc'!A0", 'quotes " and, commas', "5"],
        ["multi\nline", "ünïcödé ✓", "-1"],
    ]


@dataclass(frozen=True)
class _Row:
    session_id: str
    user_id: int
    n: int


def test_rows_in_programme_order_removed_sessions_last_one_pseudonym_a_person() -> None:
    early = Session("b-early", "Early", brussels(9, 0), brussels(10, 0))
    late = Session("a-late", "Late", brussels(11, 0), brussels(12, 0))
    records = [
        (None, _Row("gone", 7, 1)),
        (late, _Row("a-late", 7, 2)),
        (early, _Row("b-early", 8, 3)),
        (late, _Row("a-late", 8, 1)),
    ]
    ordered = in_programme_order(records, b"key", lambda r: (r.n,))
    assert [(r.session_id, r.n) for _, r, _ in ordered] == [
        ("b-early", 3),
        ("a-late", 1),
        ("a-late", 2),
        ("gone", 1),
    ]
    names = {r.user_id: name for _, r, name in ordered}
    assert names == {7: pseudonym(b"key", 7), 8: pseudonym(b"key", 8)}
    assert names[7] != names[8]
    assert pseudonym(b"other key", 7) != names[7]
    assert session_cells("gone", None) == ("gone", "", "")
    assert session_cells("b-early", early) == ("b-early", "Early", early.start.isoformat())
