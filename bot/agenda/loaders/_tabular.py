"""Parse helpers shared by the XML, Sessionize, CSV and iCalendar loaders.

Kept apart from ``_common.py`` (owned by the YAML/JSON loaders) so the two sets of loaders can
evolve without stepping on each other; everything here is small, pure and tested through the
loaders that use it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.agenda.errors import AgendaError, AgendaWarning
from bot.agenda.model import SessionType

#: The environment variable users set when a file carries no zone; named in every such error.
TZ_VARIABLE = "AGENDA_TIMEZONE"

#: Errors a parser raises on a truncated or corrupted file; loaders turn them into AgendaError.
DATA_ERRORS: tuple[type[Exception], ...] = (
    UnicodeDecodeError,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    LookupError,  # also an unknown encoding named in an XML declaration
    AttributeError,
    OverflowError,
)


def zone_named(name: str) -> ZoneInfo | None:
    """The IANA zone called ``name``, or None for an unknown or malformed name."""
    name = name.strip()
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def offset_zone(offset: timedelta) -> ZoneInfo | None:
    """A whole-hour UTC offset as an ``Etc/GMT`` zone (POSIX signs: +01:00 is ``Etc/GMT-1``)."""
    seconds = int(offset.total_seconds())
    if seconds % 3600 or not -14 * 3600 <= seconds <= 12 * 3600:
        return None
    hours = seconds // 3600
    if hours == 0:
        return ZoneInfo("Etc/UTC")
    return ZoneInfo(f"Etc/GMT{-hours:+d}")


def resolve_zone(
    path: Path,
    *,
    file_zone: str | None,
    default_tz: ZoneInfo | None,
    offsets: Iterable[timedelta] = (),
    what: str = "the file names no time zone",
) -> tuple[ZoneInfo, list[AgendaWarning]]:
    """Pick the conference zone: the file's named zone, else AGENDA_TIMEZONE, else offsets.

    A file that only carries UTC offsets (``+01:00``) pins instants but not the local rules,
    so one consistent whole-hour offset becomes a fixed ``Etc/GMT`` zone with a warning; mixed
    offsets (a DST change inside the file) cannot be mapped and need AGENDA_TIMEZONE.
    """
    warnings: list[AgendaWarning] = []
    if file_zone and file_zone.strip():
        zone = zone_named(file_zone)
        if zone is not None:
            return zone, warnings
        if default_tz is None:
            raise AgendaError(
                path, "", f"unknown time zone {file_zone!r} in the file; set {TZ_VARIABLE}"
            )
        warnings.append(
            AgendaWarning("", f"unknown time zone {file_zone!r} in the file; using {default_tz}")
        )
        return default_tz, warnings
    if default_tz is not None:
        return default_tz, warnings
    distinct = sorted(set(offsets))
    if len(distinct) == 1:
        zone = offset_zone(distinct[0])
        if zone is not None:
            warnings.append(
                AgendaWarning(
                    "",
                    f"the file gives only UTC offsets, so times use the fixed zone {zone.key} "
                    f"and local daylight-saving changes are unknown; set {TZ_VARIABLE} to the "
                    "conference's zone (e.g. Europe/Berlin)",
                )
            )
            return zone, warnings
    if distinct:
        what = "the file gives only UTC offsets that do not map to one zone"
    raise AgendaError(
        path, "", f"{what}: set {TZ_VARIABLE} to the conference's zone (e.g. Europe/Berlin)"
    )


def localise(moment: datetime, zone: ZoneInfo) -> datetime:
    """Naive means the conference's wall clock; aware is converted to the conference zone."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


_DURATION = re.compile(r"^\s*(\d{1,3}):(\d{1,2})(?::(\d{1,2}))?\s*$")
_MINUTES = re.compile(r"^\s*(\d{1,4})\s*(?:m|min|mins|minutes?)?\s*$", re.IGNORECASE)
_HOURS_MINUTES = re.compile(r"^\s*(?:(\d{1,2})\s*h)?\s*(?:(\d{1,3})\s*(?:m|min|mins)?)?\s*$", re.I)


def parse_duration(text: str) -> timedelta:
    """``HH:MM``, ``H:MM``, ``HH:MM:SS``, plain minutes (``90``, ``90 min``) or ``1h30``."""
    m = _DURATION.match(text)
    if m:
        hours, minutes, seconds = int(m[1]), int(m[2]), int(m[3] or 0)
        if minutes >= 60 or seconds >= 60:
            raise ValueError(f"not a duration: {text!r}")
        return timedelta(hours=hours, minutes=minutes, seconds=seconds)
    m = _MINUTES.match(text)
    if m:
        return timedelta(minutes=int(m[1]))
    m = _HOURS_MINUTES.match(text)
    if m and (m[1] or m[2]):
        return timedelta(hours=int(m[1] or 0), minutes=int(m[2] or 0))
    raise ValueError(f"not a duration: {text!r}")


_CLOCK = re.compile(
    r"""^\s*(?P<h>\d{1,2})
        (?:\s*[:.h]\s*(?P<m>\d{2}))?
        (?::(?P<s>\d{2}))?
        \s*(?:(?P<ap>[ap])\.?\s*(?:m\.?)?)?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


def parse_clock(text: str) -> time:
    """A wall-clock time: ``14:30``, ``14.30``, ``14h30``, ``2pm``, ``2:00 p.m.``, ``0:00 a.m.``."""
    m = _CLOCK.match(text)
    if not m or (m["m"] is None and m["ap"] is None and "h" not in text.lower()):
        raise ValueError(f"not a time: {text!r}")
    hour, minute, second = int(m["h"]), int(m["m"] or 0), int(m["s"] or 0)
    marker = (m["ap"] or "").lower()
    if marker:
        if hour > 12 and marker == "p":
            pass  # "14:00 pm": already 24-hour, the marker is redundant
        elif hour > 12:
            raise ValueError(f"not a time: {text!r}")
        elif marker == "a":
            hour = 0 if hour == 12 else hour
        else:
            hour = 12 if hour in (0, 12) else hour + 12
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"not a time: {text!r}")
    return time(hour, minute, second)


_ISO_DATE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\s*$")
_DMY = re.compile(r"^\s*(\d{1,2})([./-])(\d{1,2})\2(\d{2}|\d{4})\.?\s*$")


def parse_date(text: str, *, month_first: bool = False) -> date:
    """ISO ``2014-12-27``, day-first ``27/12/14``, ``27.12.2014`` (``month_first`` for US files)."""
    m = _ISO_DATE.match(text)
    if m:
        return date(int(m[1]), int(m[2]), int(m[3]))
    m = _DMY.match(text)
    if m:
        first, second, year = int(m[1]), int(m[3]), int(m[4])
        if year < 100:
            year += 2000
        day, month = (second, first) if month_first else (first, second)
        return date(year, month, day)
    raise ValueError(f"not a date: {text!r}")


def is_month_first(values: Iterable[str]) -> bool:
    """True when a column of ``a/b/y`` dates only makes sense month-first (some ``b`` > 12)."""
    second_over_12 = first_over_12 = False
    for value in values:
        m = _DMY.match(value)
        if m:
            first_over_12 |= int(m[1]) > 12
            second_over_12 |= int(m[3]) > 12
    return second_over_12 and not first_over_12


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML fragment; block elements become line breaks."""

    _BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "pre", "tr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


_LOOKS_HTML = re.compile(r"<(?:p|br|div|ul|ol|li|a|em|strong|b|i|code|pre|h\d|span)\b[^>]*>", re.I)


def html_to_text(text: str) -> str:
    """Plain text from an HTML abstract: tags stripped, entities decoded, paragraphs kept."""
    if not text:
        return ""
    if "<" in text and _LOOKS_HTML.search(text):
        parser = _TextExtractor()
        parser.feed(text)
        parser.close()
        text = "".join(parser.parts)
    else:
        text = html.unescape(text)
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return out.strip()


def slugify(text: str) -> str:
    """A stable ASCII id from a name or title: ``"Jörg Meyer"`` -> ``"jorg-meyer"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def unique_id(base: str, seen: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``... the first not yet in ``seen`` (which it joins)."""
    candidate, n = base, 1
    while candidate in seen:
        n += 1
        candidate = f"{base}-{n}"
    seen.add(candidate)
    return candidate


_START_WORDS: tuple[tuple[str, SessionType], ...] = (
    ("welcome", SessionType.OPENING),
    ("opening", SessionType.OPENING),
    ("closing", SessionType.CLOSING),
    ("lunch", SessionType.BREAK),
    ("coffee", SessionType.BREAK),
    ("tea", SessionType.BREAK),
    ("break", SessionType.BREAK),
    ("breakfast", SessionType.BREAK),
    ("registration", SessionType.BREAK),
    ("snacks", SessionType.BREAK),
)
_ANY_WORDS: tuple[tuple[str, SessionType], ...] = (
    ("keynote", SessionType.KEYNOTE),
    ("panel", SessionType.PANEL),
    ("workshop", SessionType.WORKSHOP),
    ("tutorial", SessionType.WORKSHOP),
    ("hands on", SessionType.WORKSHOP),
    ("social", SessionType.SOCIAL),
    ("party", SessionType.SOCIAL),
    ("dinner", SessionType.SOCIAL),
    ("reception", SessionType.SOCIAL),
)


def _word(words: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(words)}(?![\w-])")


_ANY_PATTERNS = tuple((_word(w), kind) for w, kind in _ANY_WORDS)
_END_BREAK = re.compile(r"(?<![\w-])break$")


def type_from_title(title: str) -> SessionType | None:
    """Best-effort kind for formats with no type field (iCal, CSV, Sessionize service slots).

    Deliberately conservative: break words only count at the start (or "... Break" at the end),
    so "Breaking the build" stays a talk; other words must be whole, unhyphenated words, so
    "third-party" is not a party. None means "no idea", and the caller picks its default.
    """
    words = re.sub(r"[^\w\s-]", " ", title.lower()).replace("hands-on", "hands on").split()
    if not words:
        return None
    for needle, kind in _START_WORDS:
        if words[0] == needle:
            return kind
    flat = " ".join(words)
    if _END_BREAK.search(flat):
        return SessionType.BREAK
    for pattern, kind in _ANY_PATTERNS:
        if pattern.search(flat):
            return kind
    return None


def decode_text(data: bytes, path: Path, *, allow_cp1252: bool = False) -> tuple[str, bool]:
    """Decode UTF-8 (BOM or not; UTF-16 with a BOM), optionally falling back to cp1252.

    Returns the text and whether the cp1252 fallback was used. A byte neither encoding accepts
    is reported with its line, since it usually means a corrupted file.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), False
        except UnicodeDecodeError as exc:
            raise AgendaError(path, f"byte {exc.start}", "not valid UTF-16 text") from exc
    body = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError as exc:
        if allow_cp1252:
            try:
                return body.decode("cp1252"), True
            except UnicodeDecodeError:
                pass
        line = body.count(b"\n", 0, exc.start) + 1
        raise AgendaError(
            path, f"line {line}", f"byte 0x{body[exc.start]:02x} is not UTF-8 text"
        ) from exc


def last_resort(path: Path, what: str, exc: Exception) -> AgendaError:
    """An AgendaError for a failure no finer place caught: never let a traceback reach users."""
    return AgendaError(path, "", f"not a readable {what}: {type(exc).__name__}: {exc}")
