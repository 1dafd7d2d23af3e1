"""The one CSV writer: spreadsheet-safe cells, UTF-8 with BOM, CRLF, parses back as written."""

from __future__ import annotations

import csv
import io

import pytest

from bot.csv_export import csv_bytes, safe_cell


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
