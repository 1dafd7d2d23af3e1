"""CSV agenda, as saved from a spreadsheet (Excel, LibreOffice, Google Sheets) or exported by
pretalx (Organiser area -> Sessions -> Export, CSV).

The first row is the header. Headers are matched case-insensitively, with surrounding spaces
trimmed, against the aliases in ``ALIASES`` (the first matching column wins; other columns are
ignored). pretalx's own column names are aliases too, in English and in the languages pretalx
is most used in (its labels are translated into the organiser's language): ``Proposal title``,
``Session type``, ``Speaker IDs``, ``Speaker names``, ``Room``, ``Start``, ``End``,
``Duration``, ``Proposal state``, ``Abstract``, ``Description``, ``Language``, ``Track`` and
``ID`` (German: ``Titel``, ``Einreichungsart``, ``IDs der Vortragenden``, ``Beginn``...). A
header ``X (date)`` / ``X (time)`` with X a start or end alias (pretalx's ``Start (date)``,
``End (time)``, German ``Beginn (Datum)``) is the date or the clock of that start or end.

Values: the delimiter (``,`` ``;`` tab) is sniffed; UTF-8 with or without BOM (UTF-16 with a
BOM; cp1252 as a fallback, with a warning). Dates ISO ``2014-12-27``, day-first ``27/12/14`` or
``27.12.2014`` (month-first only when a column cannot be day-first), or a full ISO date-time in
the start or end column, with or without an offset (``2024-11-27T09:00:00+01:00``). Times
24-hour (``14:30``, ``14.30``, ``14h30``) or 12-hour (``2pm``, ``2:00 p.m.``, ``04:30 PM``).
Durations ``H:MM``, ``HH:MM:SS``, minutes (``90``). Speakers ``Ada, Bob`` (``,`` ``;`` ``|`` or
newlines) or ``id:name|id:name``; with a speaker-ids column (pretalx) the ids and the names
pair up in order, and the id is the speaker's identity.

Rows: a row without a usable title (empty or ``tbd``/``tba``) or without a usable start is
skipped with a warning naming its line, and so is a proposal whose state says it is not on the
programme (``rejected``, ``withdrawn``, ``canceled``, ``deleted``, ``draft``). An end of ``tbd``
(or no end and no duration) means 30 minutes, with a warning; a clock end earlier than the
start is taken to be after midnight. When both a date and a day-number column exist, date +
start is the moment, and an early-morning start (before 06:00) whose day number is the previous
day's keeps that conference day.

Zone: times with an offset are exact instants. The conference is shown in AGENDA_TIMEZONE
when it is set (a warning shows a converted time when the file's offsets are not that
zone's), else at the file's one UTC offset as a fixed zone (with a warning); a file with
neither needs AGENDA_TIMEZONE. Places in messages are physical lines (``row 7``), so
multi-line cells do not shift them.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.agenda.errors import AgendaError, AgendaWarning
from bot.agenda.loaders._common import (
    TZ_VARIABLE,
    ParseError,
    People,
    conference_zone,
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
from bot.agenda.loaders.base import Diagnosis, LoadResult
from bot.agenda.model import Conference, Session, SessionSpeaker, SessionType

#: Field -> header aliases, lower-case. The first alias of each is how messages name the field.
ALIASES: dict[str, tuple[str, ...]] = {
    "title": (
        "title",
        "proposal title",
        "session",
        "session title",
        "talk",
        "talk title",
        "titel",
        "name",
        "event",
        # pretalx in French, Spanish, Dutch, Italian, Portuguese
        "titre de la proposition",
        "título de la propuesta",
        "voorstel titel",
        "titolo della proposta",
        "título da proposta",
    ),
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
        "beginn",
        "début",
        "comienzo",
        "inizio",
        "início",
        "começar",
    ),
    "end": (
        "end",
        "end time",
        "time end",
        "ends",
        "ends at",
        "to",
        "until",
        "ende",
        "fin",
        "einde",
        "fine",
        "término",
        "fim",
    ),
    "end_date": ("end date",),
    "duration": ("duration", "length", "dauer", "durée", "duración", "duur", "durata", "duração"),
    "room": ("room", "location", "hall", "venue", "stage", "raum", "saal", "salle", "sala", "zaal"),
    "track": ("track", "category", "podcast", "topic", "theme", "parcours", "línea temática"),
    "type": (
        "type",
        "format",
        "kind",
        "session type",
        "einreichungsart",
        "type de proposition",
        "tipo de sesión",
        "sessie type",
        "tipologia di sessione",
        "tipo de sessão",
    ),
    "speakers": (
        "speakers",
        "speaker",
        "speaker names",
        "presenters",
        "presenter",
        "persons",
        "teilnehmer",
        "referent",
        "namen der vortragenden",
        "noms des intervenants",
        "nombres de los ponentes",
        "sprekers namen",
        "nomi dei relatori",
        "nomes de palestrantes",
        "nomes de oradores",
    ),
    "speaker_ids": (
        "speaker ids",
        "speaker id",
        "ids der vortragenden",
        "identifiant de l'intervenant",
        "id de altavoz",
        "spreker id's",
        "id del relatore",
        "ids de palestrantes",
        "ids do orador",
    ),
    "abstract": (
        "abstract",
        "summary",
        "zusammenfassung",
        "résumé",
        "resumen",
        "samenvatting",
        "riassunto",
        "resumo",
    ),
    "description": (
        "description",
        "beschreibung",
        "descripción",
        "beschrijving",
        "descrizione",
        "descrição",
    ),
    "id": ("id", "session id", "uid", "code"),
    "language": ("language", "lang", "sprache", "langue", "idioma", "taal", "linguaggio"),
    "url": ("url", "link", "website"),
    "state": (
        "proposal state",
        "state",
        "status",
        "einreichungsstatus",
        "statut de la proposition",
        "estado de la propuesta",
        "voorstel status",
        "stato della proposta",
        "estado da proposta",
    ),
}
_BY_ALIAS = {alias: field for field, aliases in ALIASES.items() for alias in aliases}
#: The second word of ``Start (date)`` / ``Beginn (Uhrzeit)``, in pretalx's languages.
_DATE_WORDS = frozenset({"date", "datum", "fecha", "data"})
_TIME_WORDS = frozenset({"time", "uhrzeit", "heure", "hora", "tijd", "ora"})
_SPLIT_HEADER = re.compile(r"^(.*?)\s*\((.+)\)$")
#: Headers only a pretalx export has: such a file is read with pretalx's conventions.
_PRETALX_FIELDS = frozenset({"speaker_ids", "state"})
_PRETALX_HEADERS = frozenset(
    {"proposal title", "speaker names", "speaker ids", "proposal state"}
    | set(ALIASES["speaker_ids"])
)
#: pretalx states of proposals that are not (or no longer) on the programme.
_OFF_PROGRAMME = frozenset({"rejected", "withdrawn", "canceled", "cancelled", "deleted", "draft"})
_PLACEHOLDERS = frozenset({"", "tbd", "tba", "tbc", "t.b.d.", "t.b.a.", "n/a", "-", "--", "?"})
DEFAULT_LENGTH = timedelta(minutes=30)
#: Starts before this, listed under the previous day number, keep that conference day.
_EARLY = time(6)
_ID_NAME = re.compile(r"^\s*([\w.-]+)\s*:\s*(.+?)\s*$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d")
#: defusedcsv (which pretalx writes with) prefixes a quote to cells that could be formulas.
_DEFUSED = re.compile(r"^'[=+\-@|%]")


def _norm(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").strip().lower().replace("_", " ").split())


def _field_of(header: str) -> str | None:
    """The field a header names: an alias, or ``Start (date)``-style parts of a start or end."""
    name = _norm(header)
    field = _BY_ALIAS.get(name)
    if field is not None:
        return field
    m = _SPLIT_HEADER.match(name)
    if not m:
        return None
    base, part = _BY_ALIAS.get(m[1]), m[2].strip()
    if base == "start":
        return "date" if part in _DATE_WORDS else "start" if part in _TIME_WORDS else None
    if base == "end":
        return "end_date" if part in _DATE_WORDS else "end" if part in _TIME_WORDS else None
    return None


def _columns(header: list[str]) -> dict[str, int]:
    """Field name -> column index; ``day`` is the date column when no date column exists."""
    found: dict[str, int] = {}
    for i, name in enumerate(header):
        field = _field_of(name)
        if field is not None:
            found.setdefault(field, i)
    if "date" not in found and "day" in found:
        found["date"] = found.pop("day")
    return found


def _is_pretalx(header: list[str], cols: dict[str, int]) -> bool:
    return bool(_PRETALX_FIELDS & set(cols)) or any(_norm(h) in _PRETALX_HEADERS for h in header)


def _fallback_dialect(delimiter: str) -> type[csv.Dialect]:
    class Fallback(csv.excel):
        pass

    Fallback.delimiter = delimiter
    return Fallback


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    """The spreadsheet's delimiter: csv.Sniffer, else the most frequent of , ; tab in line 1."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        first = sample.split("\n", 1)[0]
        counts = {d: first.count(d) for d in ",;\t"}
        return _fallback_dialect(max(counts, key=lambda d: counts[d]))


def _header_dialect(text: str) -> tuple[type[csv.Dialect] | csv.Dialect, list[str]]:
    first_line = text.split("\n", 1)[0]
    dialect = _dialect(text[:8192] if "\n" in text[:8192] else first_line)
    header = next(csv.reader([first_line], dialect), [])
    if len(_columns(header)) < 2:
        # The Sniffer can be fooled by commas inside the data; trust the header line instead.
        counts = {d: first_line.count(d) for d in ",;\t"}
        delimiter = max(counts, key=lambda d: counts[d])
        header = next(csv.reader([first_line], delimiter=delimiter), [])
        dialect = _fallback_dialect(delimiter)
    return dialect, header


def _is_usable_header(header: list[str]) -> bool:
    cols = _columns(header)
    return "title" in cols and ("start" in cols or "date" in cols)


def _head_text(data: bytes) -> str:
    head = data[:16384].removeprefix(b"\xef\xbb\xbf")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data[:16384].decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace")


def _names(field: str, limit: int = 6) -> str:
    """``Title, Proposal title, Session, ...``: how a missing column is asked for."""
    aliases = ALIASES[field]
    shown = ", ".join(a[:1].upper() + a[1:] for a in aliases[:limit])
    return shown + (", ..." if len(aliases) > limit else "")


def diagnose(data: bytes, path: Path) -> Diagnosis | None:
    """For a file no loader took: if it is a table, say which column is missing."""
    text = _head_text(data).lstrip()
    if not text or text[0] in "{[<" or "\n" not in text.strip():
        return None
    try:
        _, header = _header_dialect(text.replace("\r\n", "\n"))
    except csv.Error:
        return None
    header = [h.strip() for h in header]
    if len(header) < 2:
        return None
    cols = _columns(header)
    found = ", ".join(repr(h) for h in header[:8] if h) + (", ..." if len(header) > 8 else "")
    if "title" not in cols:
        message = f"a CSV with no title column: expected one of {_names('title')} (found {found})"
    else:
        start_names = "Start, Start time, Begin, Time, Date, Beginn, ..."
        message = f"a CSV with no start column: expected one of {start_names} (found {found})"
    return Diagnosis(2 + len(cols), "row 1", message)


class CsvLoader:
    name = "csv"

    def sniff(self, data: bytes, path: Path) -> bool:
        text = _head_text(data)
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
        with last_resort(path, "CSV agenda"):
            return _Reader(path, text, default_tz, warnings).read()


@dataclass(slots=True)
class _Row:
    line: int
    cells: list[str]


#: The per-row cell accessor built in ``_Reader.read``: (row, field) -> trimmed text.
_Cell = Callable[[_Row, str], str]


def _undefuse(cell: str) -> str:
    """pretalx's ``'=1+1`` (defusedcsv's guard against formulas) back to ``=1+1``."""
    if _DEFUSED.match(cell):
        return cell[1:].replace("\\|", "|")
    return cell


def _split_multi(text: str) -> list[str]:
    """A pretalx multi-value cell: one value a line, or joined with ", "."""
    parts = text.split("\n") if "\n" in text else text.split(", ")
    return [p.strip() for p in parts if p.strip()]


class _Reader:
    def __init__(
        self, path: Path, text: str, default_tz: ZoneInfo | None, warnings: list[AgendaWarning]
    ) -> None:
        self.path = path
        self.text = text
        self.default_tz = default_tz
        self.zone: ZoneInfo = ZoneInfo("UTC")
        self.warnings = warnings
        self.people = People()

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
            hint = diagnose(self.text.encode("utf-8"), self.path)
            raise AgendaError(
                self.path,
                "row 1",
                hint.message if hint else "the header needs a title column and a start column",
            )
        pretalx = _is_pretalx(header, cols)
        if pretalx:
            rows = [_Row(r.line, [_undefuse(c) for c in r.cells]) for r in rows]
        if "end" not in cols and "duration" not in cols:
            self.warnings.append(
                AgendaWarning("row 1", "no end or duration column: every session lasts 30 min")
            )

        def cell(row: _Row, field: str) -> str:
            i = cols.get(field)
            if i is None or i >= len(row.cells):
                return ""
            return row.cells[i].strip()

        self.zone = self._zone(rows, cell)
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
        name = self.path.stem
        if pretalx:  # pretalx names the file "<event>_sessions.csv"
            name = re.sub(r"[_-]sessions$", "", name) or name
        conference = Conference(
            name=name,
            timezone=self.zone,
            sessions=tuple(sessions),
            speakers=self.people.speakers,
        )
        return LoadResult(conference, CsvLoader.name, tuple(self.warnings))

    def _zone(self, rows: list[_Row], cell: _Cell) -> ZoneInfo:
        """AGENDA_TIMEZONE, else the one UTC offset of the file's ISO start and end times."""
        moments = list(self._written_moments(rows, cell))
        zone, warnings = conference_zone(
            self.path,
            file_zone=None,
            default_tz=self.default_tz,
            moments=moments,
            what="CSV files carry no time zone",
        )
        if self.default_tz is None and any(m.utcoffset() is None for m in moments):
            # Some times are wall-clock only: one offset elsewhere says nothing about them.
            raise AgendaError(
                self.path,
                "",
                f"the file mixes times with and without UTC offsets: set {TZ_VARIABLE} to the "
                "conference's zone (e.g. Europe/Berlin)",
            )
        self.warnings.extend(warnings)
        return zone

    @staticmethod
    def _written_moments(rows: list[_Row], cell: _Cell) -> Iterator[datetime]:
        """ISO date-times as written in the start and end columns (naive ones too)."""
        for row in rows:
            for field in ("start", "end"):
                text = cell(row, field)
                if _ISO_MOMENT.match(text):
                    try:
                        yield datetime.fromisoformat(text.replace("Z", "+00:00"))
                    except ValueError:
                        continue  # reported with its row when the session is read

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
        state = cell(row, "state").lower()
        if state in _OFF_PROGRAMME:
            self.warnings.append(AgendaWarning(place, f"skipped: {title[:40]!r} is {state}"))
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
        end = self._end(row, place, cell, start, month_first)
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
            speakers=self._speakers(cell(row, "speakers"), cell(row, "speaker_ids"), place),
            day=day,
            url=cell(row, "url"),
            language=cell(row, "language"),
        )

    def _moment(self, place: str, label: str, text: str) -> datetime:
        """A full ISO date-time cell, with or without an offset, in the conference zone."""
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as exc:
            raise AgendaError(
                self.path, place, f"{label} {text!r} is not a date and time (2024-11-27T09:00)"
            ) from exc
        return self._local(place, moment)

    def _start(
        self, place: str, date_text: str, start_text: str, month_first: bool
    ) -> datetime | None:
        if start_text and _ISO_MOMENT.match(start_text):
            return self._moment(place, "start", start_text)
        if not start_text or not date_text:
            return None
        day = self._date(place, "date", date_text, month_first)
        try:
            clock = parse_time(start_text)
        except ValueError as exc:
            raise AgendaError(
                self.path, place, f"start {start_text!r} is not a time (14:30, 2:30 pm)"
            ) from exc
        return self._local(place, datetime.combine(day, clock))

    def _date(self, place: str, label: str, text: str, month_first: bool) -> date:
        try:
            return parse_date(text, order="mdy" if month_first else "dmy")
        except ValueError as exc:
            raise AgendaError(
                self.path, place, f"{label} {text!r} is not a date (2014-12-27, 27/12/2014)"
            ) from exc

    def _local(self, place: str, moment: datetime) -> datetime:
        """In the conference zone; a wall-clock time the DST change skips is an error."""
        try:
            return localize(moment, self.zone)
        except ParseError as exc:
            raise AgendaError(self.path, place, str(exc)) from exc

    def _end(
        self, row: _Row, place: str, cell: _Cell, start: datetime, month_first: bool
    ) -> datetime:
        end_text, duration_text = cell(row, "end"), cell(row, "duration")
        if end_text and _ISO_MOMENT.match(end_text):
            end = self._moment(place, "end", end_text)
            if end < start:
                raise AgendaError(self.path, place, f"end {end_text!r} is before the start")
            return end
        if end_text and end_text.lower() not in _PLACEHOLDERS:
            try:
                clock = parse_time(end_text)
            except ValueError as exc:
                raise AgendaError(self.path, place, f"end {end_text!r} is not a time") from exc
            end_date_text = cell(row, "end_date")
            if end_date_text:
                day = self._date(place, "end date", end_date_text, month_first)
                return self._local(place, datetime.combine(day, clock))
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

    def _speakers(self, names: str, codes: str, place: str) -> tuple[SessionSpeaker, ...]:
        if codes and codes.lower() not in _PLACEHOLDERS:
            return self._paired_speakers(names, codes, place)
        if not names or names.lower() in _PLACEHOLDERS:
            return ()
        piped = "|" in names
        parts = [p.strip() for p in re.split(r"[|;\n]" if piped else r"[,;\n]", names)]
        parts = [p for p in parts if p]
        matches = [_ID_NAME.match(p) for p in parts]
        # "id:name|id:name" (GPN/voctosched); a lone "12:Ada" only when the id is numeric.
        id_names = all(matches) and (piped or all(m and m[1].isdigit() for m in matches))
        out: list[SessionSpeaker] = []
        for part, m in zip(parts, matches, strict=True):
            if id_names and m is not None:
                sid = self._person(m[2], m[1], place)
            else:
                sid = self.people.add(part)
            if sid and all(p.speaker_id != sid for p in out):
                out.append(SessionSpeaker(sid))
        return tuple(out)

    def _person(self, name: str, pid: str, place: str) -> str | None:
        sid = self.people.add(name, [("id", pid)])
        if sid is not None and sid != pid and self.people.speakers.get(pid) is not None:
            known = self.people.speakers[pid].name
            self.warnings.append(
                AgendaWarning(place, f"speaker id {pid!r} is {known!r}, not {name!r}: kept apart")
            )
        return sid

    def _paired_speakers(self, names: str, codes: str, place: str) -> tuple[SessionSpeaker, ...]:
        """pretalx's ``Speaker IDs`` and ``Speaker names``, in the same order in both cells."""
        code_list = [c for c in re.split(r"[\s,;|]+", codes) if c]
        name_list = _split_multi(names) if len(code_list) > 1 else [names.strip()]
        if len(name_list) != len(code_list):
            self.warnings.append(
                AgendaWarning(
                    place,
                    f"{len(code_list)} speaker ids but {len(name_list)} speaker names: "
                    "the names are used without their ids",
                )
            )
            pairs = [(name, "") for name in name_list]
        else:
            pairs = list(zip(name_list, code_list, strict=True))
        out: list[SessionSpeaker] = []
        for name, code in pairs:
            sid = self.people.add(name or code, [("code", code)])
            if sid and all(p.speaker_id != sid for p in out):
                out.append(SessionSpeaker(sid))
        return tuple(out)


LOADER = CsvLoader()
