"""The one CSV writer behind every export (feedback, questions, speaker links): safe to open
in a spreadsheet, with people pseudonymised the same way in every file.

- UTF-8 with a byte-order mark, so Excel and LibreOffice read non-ASCII names right;
- CRLF line ends and minimal quoting (RFC 4180), so any spreadsheet or script parses it back;
- text that a spreadsheet would run as a formula (a cell starting with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return: "CSV injection") gets a leading apostrophe, the way
  OWASP and pretalx's exports neutralise it. A comment like ``=HYPERLINK(...)`` then shows
  as typed instead of becoming a link. Numbers are written as numbers.

Exports about people and sessions (ratings, questions) share their order and their people:
``in_programme_order`` sorts by the programme, puts rows of removed sessions last, and names
each person by ``pseudonym`` under the one export key, so one person has one pseudonym in
every file.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any, Protocol, TypeVar

from bot.agenda.model import Session

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


# ---------------------------------------------------------------- rows about people and sessions
def pseudonym(secret: bytes, user_id: int) -> str:
    """A stable, keyed, non-reversible stand-in for a Telegram id (64 bits of HMAC-SHA256)."""
    digest = hmac.new(secret, str(user_id).encode("ascii"), hashlib.sha256).hexdigest()
    return "u-" + digest[:16]


class PersonRow(Protocol):
    """A stored row about one person and one session (a rating, a question)."""

    @property
    def session_id(self) -> str: ...

    @property
    def user_id(self) -> int: ...


Row = TypeVar("Row", bound=PersonRow)


def in_programme_order(
    records: Iterable[tuple[Session | None, Row]],
    secret: bytes,
    then: Callable[[Row], tuple[Any, ...]],
) -> list[tuple[Session | None, Row, str]]:
    """(session, row, the person's pseudonym) by the session's start, then its id, then
    ``then``; rows of sessions no longer in the agenda go last. Each person is hashed once."""
    latest = datetime.max.replace(tzinfo=UTC)
    ordered = sorted(
        records,
        key=lambda p: (
            p[0] is None,
            p[0].start if p[0] is not None else latest,
            p[1].session_id,
            *then(p[1]),
        ),
    )
    names: dict[int, str] = {}
    out = []
    for session, row in ordered:
        name = names.get(row.user_id)
        if name is None:
            name = names[row.user_id] = pseudonym(secret, row.user_id)
        out.append((session, row, name))
    return out


def session_cells(session_id: str, session: Session | None) -> tuple[str, str, str]:
    """The first three columns of every such export: id, title, start (blank once removed)."""
    if session is None:
        return session_id, "", ""
    return session_id, session.title, session.start.isoformat()


def stamp(when: datetime | None, tz: tzinfo) -> str:
    """A moment in the conference's zone, to the second ("" for none)."""
    return when.astimezone(tz).isoformat(timespec="seconds") if when is not None else ""
