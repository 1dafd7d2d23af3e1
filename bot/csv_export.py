"""The one CSV writer behind every export (feedback, speaker links): safe to open in a spreadsheet.

- UTF-8 with a byte-order mark, so Excel and LibreOffice read non-ASCII names right;
- CRLF line ends and minimal quoting (RFC 4180), so any spreadsheet or script parses it back;
- text that a spreadsheet would run as a formula (a cell starting with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return: "CSV injection") gets a leading apostrophe, the way
  OWASP and pretalx's exports neutralise it. A comment like ``=HYPERLINK(...)`` then shows
  as typed instead of becoming a link. Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

#: The first characters that make a spreadsheet evaluate a cell.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | None


def safe_cell(value: Cell) -> str | int | float:
    """A cell as written: text that looks like a formula is defused, numbers are kept."""
    if isinstance(value, str):  # first: nearly every cell is text
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if value is None:
        return ""
    return int(value) if isinstance(value, bool) else value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """The whole file: a header row, then each row with every cell passed through ``safe_cell``."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(c) for c in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")
