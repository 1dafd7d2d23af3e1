"""CSV agenda, as saved from a spreadsheet (Excel, LibreOffice, Google Sheets).

The first row is the header. Headers are matched case-insensitively, with surrounding spaces
trimmed, against these aliases (the first matching column wins; other columns are ignored):

===========  ==========================================================================
field        header aliases
===========  ==========================================================================
title        title, session, session title, talk, talk title, titel, name, event
date         date, datum, day (when there is no date column)
day          day, tag (a conference-day number, when a date column exists too)
start        start, start time, begin, begins, time start, starts, starts at, from, time
end          end, end time, time end, ends, ends at, to, until
duration     duration, length, dauer
room         room, location, hall, venue, stage, raum, saal
track        track, category, podcast, topic, theme
type         type, format, kind, session type
speakers     speakers, speaker, presenters, presenter, persons, teilnehmer, referent
abstract     abstract, summary, description, beschreibung (abstract preferred)
id           id, session id, uid, code
language     language, lang, sprache
url          url, link, website
===========  ==========================================================================

Values: the delimiter (``,`` ``;`` tab) is sniffed; UTF-8 with or without BOM (UTF-16 with a
BOM; cp1252 as a fallback, with a warning). Dates ISO ``2014-12-27``, day-first ``27/12/14`` or
``27.12.2014`` (month-first only when a column cannot be day-first), or a full ISO date-time in
the start column. Times 24-hour (``14:30``, ``14.30``, ``14h30``) or 12-hour (``2pm``,
``2:00 p.m.``, ``04:30 PM``, ``0:00 a.m.``). Durations ``H:MM``, ``HH:MM:SS``, minutes (``90``).
Speakers ``Ada, Bob`` (``,`` ``;`` ``|`` or newlines) or ``id:name|id:name``.

Rows: a row without a usable title (empty or ``tbd``/``tba``) or without a usable start is
skipped with a warning naming its line. An end of ``tbd`` (or no end and no duration) means 30
minutes, with a warning; an end earlier than the start is taken to be after midnight. When both
a date and a day-number column exist, date + start is the moment, and an early-morning start
(before 06:00) whose day number is the previous day's keeps that conference day. The file holds
no zone: AGENDA_TIMEZONE is required. Places in messages are physical lines (``row 7``), so
multi-line cells do not shift them.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.agenda.errors import AgendaError, AgendaWarning
from bot.agenda.loaders._common import (
    TZ_VARIABLE,
    ParseError,
    errors_at,
    file_text,
    is_month_first,
    last_resort,
    localize,
    parse_date,
    parse_duration,
    parse_time,
    slugify,
    unique_id,
)
from bot.agenda.loaders.base import LoadResult
from bot.agenda.model import Conference, Session, SessionSpeaker, SessionType, Speaker

ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "session", "session title", "talk", "talk title", "titel", "name", "event"),
    "date": ("date", "datum"),
    "day": ("day", "tag"),
    "start": (
        "start",
        "start time",
        "begin",
        "begins",
        "time start",
        "starts",
        "starts at",
        "from",
        "time",
    ),
    "end": ("end", "end time", "time end", "ends", "ends at", "to", "until"),
    "duration": ("duration", "length", "dauer"),
    "room": ("room", "location", "hall", "venue", "stage", "raum", "saal"),
    "track": ("track", "category", "podcast", "topic", "theme"),
    "type": ("type", "format", "kind", "session type"),
    "speakers": (
        "speakers",
        "speaker",
        "presenters",
        "presenter",
        "persons",
        "teilnehmer",
        "referent",
    ),
    "abstract": ("abstract", "summary"),
    "description": ("description", "beschreibung"),
    "id": ("id", "session id", "uid", "code"),
    "language": ("language", "lang", "sprache"),
    "url": ("url", "link", "website"),
}
_BY_ALIAS = {alias: field for field, aliases in ALIASES.items() for alias in aliases}
_PLACEHOLDERS = frozenset({"", "tbd", "tba", "tbc", "t.b.d.", "t.b.a.", "n/a", "-", "--", "?"})
DEFAULT_LENGTH = timedelta(minutes=30)
#: Starts before this, listed under the previous day number, keep that conference day.
_EARLY = time(6)
_ID_NAME = re.compile(r"^\s*([\w.-]+)\s*:\s*(.+?)\s*$")


def _norm(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").strip().lower().replace("_", " ").split())


def _columns(header: list[str]) -> dict[str, int]:
    """Field name -> column index; ``day`` is the date column when no date column exists."""
    found: dict[str, int] = {}
    for i, name in enumerate(header):
        field = _BY_ALIAS.get(_norm(name))
        if field is not None:
            found.setdefault(field, i)
    if "date" not in found and "day" in found:
        found["date"] = found.pop("day")
    return found


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    """The spreadsheet's delimiter: csv.Sniffer, else the most frequent of , ; tab in line 1."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        first = sample.split("\n", 1)[0]
        counts = {d: first.count(d) for d in ",;\t"}
        delimiter = max(counts, key=lambda d: counts[d])

        class Fallback(csv.excel):
            pass

        Fallback.delimiter = delimiter
        return Fallback


def _header_dialect(text: str) -> tuple[type[csv.Dialect] | csv.Dialect, list[str]]:
    first_line = text.split("\n", 1)[0]
    dialect = _dialect(text[:8192] if "\n" in text[:8192] else first_line)
    header = next(csv.reader([first_line], dialect), [])
    if len(_columns(header)) < 2:
        # The Sniffer can be fooled by commas inside the data; trust the header line instead.
        counts = {d: first_line.count(d) for d in ",;\t"}
        delimiter = max(counts, key=lambda d: counts[d])
        header = next(csv.reader([first_line], delimiter=delimiter), [])

        class Fallback(csv.excel):
            pass

        Fallback.delimiter = delimiter
        dialect = Fallback
    return dialect, header


def _is_usable_header(header: list[str]) -> bool:
    cols = _columns(header)
    return "title" in cols and ("start" in cols or "date" in cols)


class CsvLoader:
    name = "csv"

    def sniff(self, data: bytes, path: Path) -> bool:
        head = data[:16384].removeprefix(b"\xef\xbb\xbf")
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data[:16384].decode("utf-16", errors="replace")
        else:
            text = head.decode("utf-8", errors="replace")
        stripped = text.lstrip()
        if not stripped or stripped[0] in "{[<" or re.match(r"(?m)^sessions\s*:", text):
            return False
        try:
            _, header = _header_dialect(stripped.replace("\r\n", "\n"))
        except csv.Error:
            return False
        return len(header) > 1 and _is_usable_header(header)

    def load(self, data: bytes, path: Path, default_tz: ZoneInfo | None) -> LoadResult:
        text, fallback = file_text(data, path, allow_cp1252=True)
        warnings: list[AgendaWarning] = []
        if fallback:
            warnings.append(AgendaWarning("", "not UTF-8; read as Windows-1252 (cp1252)"))
        if "\x00" in text:
            line = text.count("\n", 0, text.index("\x00")) + 1
            raise AgendaError(path, f"row {line}", "contains NUL bytes: a corrupted or binary file")
        if default_tz is None:
            raise AgendaError(
                path,
                "",
                f"CSV files carry no time zone: set {TZ_VARIABLE} to the conference's "
                "zone (e.g. Europe/Berlin)",
            )
        with last_resort(path, "CSV agenda"):
            return _Reader(path, text, default_tz, warnings).read()


@dataclass(slots=True)
class _Row:
    line: int
    cells: list[str]


#: The per-row cell accessor built in ``_Reader.read``: (row, field) -> trimmed text.
_Cell = Callable[[_Row, str], str]


class _Reader:
    def __init__(
        self, path: Path, text: str, zone: ZoneInfo, warnings: list[AgendaWarning]
    ) -> None:
        self.path = path
        self.text = text
        self.zone = zone
        self.warnings = warnings
        self.speakers: dict[str, Speaker] = {}

    def _rows(self) -> tuple[list[str], list[_Row]]:
        dialect, header = _header_dialect(self.text.replace("\r\n", "\n"))
        reader = csv.reader(io.StringIO(self.text, newline=""), dialect)
        rows: list[_Row] = []
        try:
            next(reader, None)
            line = reader.line_num + 1
            for cells in reader:
                if any(c.strip() for c in cells):
                    rows.append(_Row(line, cells))
                line = reader.line_num + 1
        except csv.Error as exc:
            raise AgendaError(self.path, f"row {line}", f"unreadable CSV: {exc}") from exc
        return header, rows

    def read(self) -> LoadResult:
        header, rows = self._rows()
        cols = _columns(header)
        if not _is_usable_header(header):
            raise AgendaError(
                self.path, "row 1", "the header needs a title column and a start or date column"
            )
        if "end" not in cols and "duration" not in cols:
            self.warnings.append(
                AgendaWarning("row 1", "no end or duration column: every session lasts 30 min")
            )

        def cell(row: _Row, field: str) -> str:
            i = cols.get(field)
            if i is None or i >= len(row.cells):
                return ""
            return row.cells[i].strip()

        month_first = is_month_first(cell(r, "date") for r in rows)
        day_base = self._day_base(rows, cols, cell, month_first)
        sessions: list[Session] = []
        ids: set[str] = set()
        for row in rows:
            place = f"row {row.line}"
            with errors_at(self.path, place):
                session = self._session(row, place, cell, month_first, day_base, ids)
            if session is not None:
                sessions.append(session)
        conference = Conference(
            name=self.path.stem,
            timezone=self.zone,
            sessions=tuple(sessions),
            speakers=self.speakers,
        )
        return LoadResult(conference, CsvLoader.name, tuple(self.warnings))

    def _day_base(
        self, rows: list[_Row], cols: dict[str, int], cell: _Cell, mf: bool
    ) -> date | None:
        """The date of conference day 1, from the most common ``date - (day - 1)``."""
        if "day" not in cols or "date" not in cols:
            return None
        votes: Counter[date] = Counter()
        for row in rows:
            try:
                number = int(cell(row, "day"))
                votes[
                    parse_date(cell(row, "date"), order="mdy" if mf else "dmy")
                    - timedelta(days=number - 1)
                ] += 1
            except (ValueError, OverflowError):
                continue
        return votes.most_common(1)[0][0] if votes else None

    def _session(
        self,
        row: _Row,
        place: str,
        cell: _Cell,
        month_first: bool,
        day_base: date | None,
        ids: set[str],
    ) -> Session | None:
        title = cell(row, "title")
        if len(title) > 1 and title[0] == title[-1] == '"':
            title = title[1:-1].strip()
        if title.lower() in _PLACEHOLDERS:
            why = "no title" if not title else f"title is {title!r}"
            self.warnings.append(AgendaWarning(place, f"skipped: {why}"))
            return None
        start_text, date_text = cell(row, "start"), cell(row, "date")
        for label, value in (("start", start_text), ("date", date_text)):
            if value.lower() in _PLACEHOLDERS - {""}:
                self.warnings.append(AgendaWarning(place, f"skipped: {label} is {value!r}"))
                return None
        start = self._start(place, date_text, start_text, month_first)
        if start is None:
            self.warnings.append(AgendaWarning(place, "skipped: no start date/time"))
            return None
        end = self._end(row, place, cell, start)
        day = start.date()
        number_text = cell(row, "day")
        if day_base is not None and number_text.isdigit() and start.time() < _EARLY:
            listed = day_base + timedelta(days=int(number_text) - 1)
            if listed == day - timedelta(days=1):
                day = listed
        raw_id = cell(row, "id") or slugify(title, fallback=f"row-{row.line}")
        session_id = unique_id(raw_id, ids)
        if session_id != raw_id and cell(row, "id"):
            self.warnings.append(AgendaWarning(place, f"duplicate id {raw_id!r}; renamed"))
        track = cell(row, "track")
        type_text = cell(row, "type")
        if type_text:
            kind = SessionType.parse(type_text)
        else:  # a track such as "Workshop" or "Keynotes" is a hint; then the title
            kind = (
                SessionType.from_title(track) or SessionType.from_title(title) or SessionType.TALK
            )
        return Session(
            id=session_id,
            title=title,
            start=start,
            end=end,
            room=cell(row, "room"),
            track=track,
            type=kind,
            abstract=cell(row, "abstract") or cell(row, "description"),
            speakers=self._speakers(cell(row, "speakers"), place),
            day=day,
            url=cell(row, "url"),
            language=cell(row, "language"),
        )

    def _start(
        self, place: str, date_text: str, start_text: str, month_first: bool
    ) -> datetime | None:
        if start_text and ("T" in start_text or re.match(r"\d{4}-\d\d-\d\d ", start_text)):
            try:
                moment = datetime.fromisoformat(start_text)
            except ValueError as exc:
                raise AgendaError(self.path, place, f"start {start_text!r} is not a time") from exc
            return self._local(place, moment)
        if not start_text or not date_text:
            return None
        try:
            day = parse_date(date_text, order="mdy" if month_first else "dmy")
        except ValueError as exc:
            raise AgendaError(
                self.path, place, f"date {date_text!r} is not a date (2014-12-27, 27/12/2014)"
            ) from exc
        try:
            clock = parse_time(start_text)
        except ValueError as exc:
            raise AgendaError(
                self.path, place, f"start {start_text!r} is not a time (14:30, 2:30 pm)"
            ) from exc
        return self._local(place, datetime.combine(day, clock))

    def _local(self, place: str, moment: datetime) -> datetime:
        """In the conference zone; a wall-clock time the DST change skips is an error."""
        try:
            return localize(moment, self.zone)
        except ParseError as exc:
            raise AgendaError(self.path, place, str(exc)) from exc

    def _end(self, row: _Row, place: str, cell: _Cell, start: datetime) -> datetime:
        end_text, duration_text = cell(row, "end"), cell(row, "duration")
        if end_text and end_text.lower() not in _PLACEHOLDERS:
            try:
                clock = parse_time(end_text)
            except ValueError as exc:
                raise AgendaError(self.path, place, f"end {end_text!r} is not a time") from exc
            end = self._local(place, datetime.combine(start.date(), clock))
            return end + timedelta(days=1) if end < start else end
        if duration_text and duration_text.lower() not in _PLACEHOLDERS:
            try:
                return start + parse_duration(duration_text)
            except ValueError as exc:
                raise AgendaError(
                    self.path, place, f"duration {duration_text!r} is not H:MM"
                ) from exc
        if end_text or duration_text:
            self.warnings.append(
                AgendaWarning(place, f"end is {end_text or duration_text!r}: assumed 30 min")
            )
        return start + DEFAULT_LENGTH

    def _speakers(self, text: str, place: str) -> tuple[SessionSpeaker, ...]:
        if not text or text.lower() in _PLACEHOLDERS:
            return ()
        piped = "|" in text
        parts = [p.strip() for p in re.split(r"[|;\n]" if piped else r"[,;\n]", text)]
        parts = [p for p in parts if p]
        matches = [_ID_NAME.match(p) for p in parts]
        # "id:name|id:name" (GPN/voctosched); a lone "12:Ada" only when the id is numeric.
        id_names = all(matches) and (piped or all(m and m[1].isdigit() for m in matches))
        out: list[SessionSpeaker] = []
        for part, m in zip(parts, matches, strict=True):
            if id_names and m is not None:
                sid, name = m[1], m[2]
            else:
                sid, name = slugify(part, fallback=part), part
            known = self.speakers.get(sid)
            if known is None:
                self.speakers[sid] = Speaker(id=sid, name=name)
            elif known.name != name:
                self.warnings.append(
                    AgendaWarning(place, f"speaker id {sid!r} is {known.name!r}, not {name!r}")
                )
            if all(p.speaker_id != sid for p in out):
                out.append(SessionSpeaker(sid))
        return tuple(out)


LOADER = CsvLoader()
