"""Parse helpers every agenda loader shares: text, times, dates, durations, zones, ids, errors.

Each value helper raises :class:`ParseError` (a ``ValueError``) with a message that quotes the
bad value but does not know *where* it came from; the loader catches it and raises
``AgendaError(path, place, str(exc))``, so every format reports errors the same way, e.g.
``data/x.yaml: sessions[4].start: '25:00' is not a time``.

One function per job: where formats differ (three-part durations, day- or month-first dates) a
parameter says which reading the caller wants. The few helpers at the end (``conference_zone``,
``DATA_ERRORS``, ``last_resort``) know the file and raise :class:`AgendaError` themselves; they
serve the loaders built on third-party parsers (XML, Sessionize, CSV, iCalendar).
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import html
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.agenda.errors import AgendaError, AgendaWarning
from bot.agenda.model import Speaker, Translations, language_tag

__all__ = [
    "DATA_ERRORS",
    "TZ_VARIABLE",
    "ParseError",
    "People",
    "button_safe",
    "conference_zone",
    "decode_text",
    "describe_value",
    "did_you_mean",
    "errors_at",
    "file_text",
    "html_to_text",
    "is_month_first",
    "json_key",
    "last_resort",
    "localize",
    "normalise_name",
    "parse_date",
    "parse_datetime",
    "parse_duration",
    "parse_json",
    "parse_time",
    "resolve_zone",
    "slugify",
    "unique_id",
    "zone_for_offset",
]

#: The environment variable users set when a file carries no zone; named in every such error.
TZ_VARIABLE = "AGENDA_TIMEZONE"


class ParseError(ValueError):
    """A value that cannot be read; the message quotes the value, the caller adds the place."""


# --- text -------------------------------------------------------------------------------------


def decode_text(data: bytes, *, allow_cp1252: bool = False) -> tuple[str, bool]:
    """Bytes to text: UTF-8 (a BOM is dropped), or UTF-16 when it starts with a UTF-16 BOM.

    Exports from spreadsheets and Windows tools often carry a BOM. With ``allow_cp1252`` (CSV
    saved by Excel) text that is not UTF-8 is read as Windows-1252; otherwise it is refused with
    the offset and line of the first bad byte rather than guessed at. Returns the text and
    whether the cp1252 fallback was used.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), False
        except UnicodeDecodeError as exc:
            raise ParseError(f"not valid UTF-16 text ({exc.reason} at byte {exc.start})") from exc
    body = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError as exc:
        if allow_cp1252:
            try:
                return body.decode("cp1252"), True
            except UnicodeDecodeError:
                pass
        offset = exc.start + len(data) - len(body)
        line = body.count(b"\n", 0, exc.start) + 1
        raise ParseError(
            f"not UTF-8 text: byte 0x{body[exc.start]:02x} at offset {offset} (line {line}); "
            "save the file as UTF-8"
        ) from exc


#: How a wrong value is named in an error, in the words of the file's own format.
_KIND_WORDS = {
    "json": {"none": "null", "bool": "true/false", "dict": "an object"},
    "yaml": {"none": "nothing", "bool": "a yes/no value", "dict": "a mapping"},
}


def describe_value(value: object, fmt: Literal["json", "yaml"]) -> str:
    """The kind of a wrong value in a reader's words ("a list", "a number (4)")."""
    words = _KIND_WORDS[fmt]
    if value is None:
        return words["none"]
    if isinstance(value, bool):
        return f"{words['bool']} ({value})" if fmt == "yaml" else words["bool"]
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return words["dict"]
    return type(value).__name__


def file_text(data: bytes, path: Path, *, allow_cp1252: bool = False) -> tuple[str, bool]:
    """``decode_text`` for a loader: an undecodable file is an AgendaError naming it."""
    try:
        return decode_text(data, allow_cp1252=allow_cp1252)
    except ParseError as exc:
        raise AgendaError(path, "", str(exc)) from exc


def parse_json(text: str, path: Path) -> Any:
    """JSON text to values; a syntax error names its line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise AgendaError(
            path, f"line {exc.lineno}, column {exc.colno}", f"{exc.msg} (invalid JSON)"
        ) from exc
    except RecursionError as exc:
        raise AgendaError(path, "", "nested too deeply (invalid JSON)") from exc


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


#: A key of a text given in several languages: "en", "de", "pt-BR", "zh_Hant".
LANGUAGE_KEY = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")


def localized_text(value: object, text: Callable[[object], str]) -> tuple[str, Translations] | None:
    """A text given as ``{"en": ..., "de": ...}`` (pretalx exports, native YAML) ->
    (the first language's text, every language's), each read with ``text``.

    None when ``value`` is not such a mapping (the caller reads it as plain text). The first
    language is the event's own: the text shown when the reader's language is not there.
    Empty texts are left out; one language alone is a plain text (no variants).
    """
    if not isinstance(value, dict) or not value:
        return None
    if not all(isinstance(k, str) and LANGUAGE_KEY.match(k.strip()) for k in value):
        return None
    pairs: dict[str, str] = {}
    for key, raw in value.items():
        found = text(raw)
        tag = language_tag(key)
        if found and tag not in pairs:
            pairs[tag] = found
    if not pairs:
        return "", ()
    first = next(iter(pairs.values()))
    return first, (tuple(pairs.items()) if len(pairs) > 1 else ())


def join_localized(
    pieces: Sequence[tuple[str, Translations]], sep: str = "\n\n"
) -> tuple[str, Translations]:
    """Several localized texts joined (subtitle + abstract + description), language by language;
    a piece missing a language contributes its own text. A piece equal to an earlier one is
    left out, as in one language."""

    def joined(texts: Iterable[str]) -> str:
        parts: list[str] = []
        for t in texts:
            if t and t not in parts:
                parts.append(t)
        return sep.join(parts)

    default = joined(t for t, _ in pieces)
    tags = list(dict.fromkeys(tag for _, variants in pieces for tag, _ in variants))
    if not tags:
        return default, ()
    variants = tuple((tag, joined(dict(v).get(tag, t) for t, v in pieces)) for tag in tags)
    return default, variants


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


# --- times, dates, durations --------------------------------------------------------------------

_CLOCK = re.compile(
    r"""^\s*(?P<h>\d{1,2})
        (?:\s*[:.h]\s*(?P<m>\d{2}))?
        (?::(?P<s>\d{2}))?
        \s*(?:(?P<ap>[ap])\.?\s*(?:m\.?)?)?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


def parse_time(value: object) -> time:
    """A wall-clock time, 24-hour or 12-hour.

    ``"09:00"``, ``"9:00"``, ``"09:00:30"``, ``"14.30"``, ``"14h30"``, ``"2pm"``, ``"2:00 p.m."``,
    ``"0:00 a.m."``; a bare hour (``"14"``) is refused, since it is as likely a day or a room.
    """
    if isinstance(value, time) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ParseError(f'{value!r} is not a time (write it as "HH:MM")')
    bad = ParseError(f'{value!r} is not a time (write it as "HH:MM", 24-hour)')
    m = _CLOCK.match(value)
    if not m or (m["m"] is None and m["ap"] is None and "h" not in value.lower()):
        raise bad
    hour, minute, second = int(m["h"]), int(m["m"] or 0), int(m["s"] or 0)
    marker = (m["ap"] or "").lower()
    if marker:
        if hour > 12 and marker == "p":
            pass  # "14:00 pm": already 24-hour, the marker is redundant
        elif hour > 12:
            raise bad
        elif marker == "a":
            hour = 0 if hour == 12 else hour
        else:
            hour = 12 if hour in (0, 12) else hour + 12
    if hour > 23 or minute > 59 or second > 59:
        raise bad
    return time(hour, minute, second)


_ISO_DURATION = re.compile(
    r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$", re.IGNORECASE
)
_MINUTES = re.compile(r"^(\d{1,4})\s*(?:m|min|mins|minutes?)?$", re.IGNORECASE)
_HOURS_MINUTES = re.compile(r"^(?:(\d{1,2})\s*h)?\s*(?:(\d{1,3})\s*(?:m|min|mins)?)?$", re.I)
_CLOCK_PARTS = re.compile(r"^\d+(?::\d+){1,3}$")


def parse_duration(value: object, *, three_parts: Literal["hms", "dhm"] = "hms") -> timedelta:
    """A length of time, in any spelling agenda exports use.

    * an integer: minutes (``45``), also as text with a unit (``"90"``, ``"90 min"``);
    * hours and minutes (``"1h30"``, ``"2h"``);
    * ``"H:MM"`` / ``"HH:MM"`` (frab, CSV: ``"1:00"``, ``"00:45"``);
    * three parts: ``"HH:MM:SS"`` by default (pentabarf ``timeslot_duration``), or ``"D:HH:MM"``
      with ``three_parts="dhm"`` (some frab exports of multi-day events);
    * four parts ``"D:HH:MM:SS"``;
    * ISO 8601 ``"PT1H30M"`` (iCal, Sessionize).

    Negative durations are refused; zero is allowed (a marker such as "doors open").
    """
    if isinstance(value, bool):
        raise ParseError(f"{value!r} is not a duration")
    if isinstance(value, timedelta):
        result = value
    elif isinstance(value, int):
        result = timedelta(minutes=value)
    elif isinstance(value, float) and value.is_integer():
        result = timedelta(minutes=int(value))
    elif isinstance(value, str):
        result = _duration_text(value.strip(), three_parts)
    else:
        raise ParseError(f'{value!r} is not a duration (write minutes, or "H:MM")')
    if result < timedelta(0):
        raise ParseError(f"{value!r} is a negative duration")
    return result


def _duration_text(text: str, three_parts: Literal["hms", "dhm"]) -> timedelta:
    bad = ParseError(f'{text!r} is not a duration (write minutes, or "H:MM")')
    if text.isdecimal():
        return timedelta(minutes=int(text))
    iso = _ISO_DURATION.match(text)
    if iso and any(iso.groupdict().values()):
        d, h, m, s = (int(iso[k] or 0) for k in "dhms")
        return timedelta(days=d, hours=h, minutes=m, seconds=s)
    if _CLOCK_PARTS.match(text):
        return _clock_parts([int(p) for p in text.split(":")], three_parts, bad)
    minutes = _MINUTES.match(text)
    if minutes:
        return timedelta(minutes=int(minutes[1]))
    hm = _HOURS_MINUTES.match(text)
    if hm and (hm[1] or hm[2]):
        return timedelta(hours=int(hm[1] or 0), minutes=int(hm[2] or 0))
    raise bad


def _clock_parts(nums: list[int], three_parts: Literal["hms", "dhm"], bad: ParseError) -> timedelta:
    """``[H, MM]``, ``[H, MM, SS]`` or ``[D, HH, MM]``, ``[D, HH, MM, SS]`` as a duration."""
    if any(n >= 60 for n in nums[1:]):
        raise bad
    if len(nums) == 2:
        return timedelta(hours=nums[0], minutes=nums[1])
    if len(nums) == 3 and three_parts == "hms":
        return timedelta(hours=nums[0], minutes=nums[1], seconds=nums[2])
    if nums[1] >= 24:
        raise bad
    seconds = nums[3] if len(nums) == 4 else 0
    return timedelta(days=nums[0], hours=nums[1], minutes=nums[2], seconds=seconds)


_ISO_DATE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\s*$")
_DMY = re.compile(r"^\s*(\d{1,2})([./-])(\d{1,2})\2(\d{2}|\d{4})\.?\s*$")


def parse_date(value: object, *, order: Literal["iso", "dmy", "mdy"] = "iso") -> date:
    """A calendar date (a ``date`` object is taken as is).

    ``order="iso"`` (the default) takes ISO 8601 only, ``"2024-11-27"``: structured formats
    (YAML, JSON) have no excuse for anything else. Spreadsheet columns (CSV) also hold day-first
    ``"27/12/14"``, ``"27.12.2014"`` (``order="dmy"``) or US month-first ``"12/27/2014"``
    (``order="mdy"``, see :func:`is_month_first`), and ISO with ``/`` or ``.`` separators.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            if order == "iso":
                return date.fromisoformat(value.strip())
            return _spreadsheet_date(value, month_first=order == "mdy")
        except ValueError:
            pass
    raise ParseError(f"{value!r} is not a date (write it as YYYY-MM-DD)")


def _spreadsheet_date(text: str, *, month_first: bool) -> date:
    m = _ISO_DATE.match(text)
    if m:
        return date(int(m[1]), int(m[2]), int(m[3]))
    m = _DMY.match(text)
    if not m:
        raise ValueError(text)
    first, second, year = int(m[1]), int(m[3]), int(m[4])
    if year < 100:
        year += 2000
    day, month = (second, first) if month_first else (first, second)
    return date(year, month, day)


def is_month_first(values: Iterable[str]) -> bool:
    """True when a column of ``a/b/y`` dates only makes sense month-first (some ``b`` > 12)."""
    second_over_12 = first_over_12 = False
    for value in values:
        m = _DMY.match(value)
        if m:
            first_over_12 |= int(m[1]) > 12
            second_over_12 |= int(m[3]) > 12
    return second_over_12 and not first_over_12


def parse_datetime(value: object) -> datetime:
    """An ISO 8601 date and time, with or without an offset (``Z`` is UTC).

    Returns it as written: naive when the text has no offset, so the caller decides the zone.
    """
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    raise ParseError(f"{value!r} is not a date and time (write it as YYYY-MM-DDTHH:MM)")


# --- zones --------------------------------------------------------------------------------------


def resolve_zone(name: object) -> ZoneInfo:
    """An IANA zone by name (``"Europe/Brussels"``); unknown names are refused, not guessed.

    Callers that merely try a name (an iCalendar TZID may be a Windows name) catch ParseError.
    """
    if isinstance(name, ZoneInfo):
        return name
    if not isinstance(name, str) or not name.strip():
        raise ParseError(f'{name!r} is not a time zone name (such as "Europe/Brussels")')
    key = name.strip()
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    hint = did_you_mean(key, _zone_names())
    raise ParseError(f"unknown time zone {key!r}{hint}; use an IANA name such as Europe/Brussels")


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def zone_for_offset(offset: timedelta | None) -> ZoneInfo | None:
    """A fixed zone for a whole-hour UTC offset (``+01:00`` -> ``Etc/GMT-1``), else ``None``.

    For files that carry offsets but no zone name; the result is right for the file's own times
    but knows no daylight saving, so callers should say so and suggest ``AGENDA_TIMEZONE``.
    """
    if offset is None:
        return None
    if offset == timedelta(0):
        return ZoneInfo("UTC")
    hours, rest = divmod(offset, timedelta(hours=1))
    if rest or not -12 <= hours <= 14:
        return None
    # The Etc zones are named with the POSIX sign convention: UTC+1 is "Etc/GMT-1".
    return ZoneInfo(f"Etc/GMT{-hours:+d}")


def localize(moment: datetime, tz: tzinfo) -> datetime:
    """A datetime in ``tz``: converted when it has an offset, else taken as ``tz``'s wall clock.

    A naive time in a daylight-saving gap (02:30 on a spring-forward night) does not exist,
    which is almost certainly a typo, so it is an error. In a fold (02:30 on a fall-back night,
    twice) the first, earlier occurrence is taken.
    """
    if moment.tzinfo is not None:
        return moment.astimezone(tz)
    aware = moment.replace(tzinfo=tz, fold=0)
    back = aware.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) != moment:
        raise ParseError(
            f"{moment:%Y-%m-%d %H:%M} does not exist in {tz} "
            "(the clocks skip it for daylight saving)"
        )
    return aware


# --- ids and names ------------------------------------------------------------------------------


def slugify(text: str, *, fallback: str = "item") -> str:
    """An ASCII id from a name: ``"Dr Péter Sztáray"`` -> ``"dr-peter-sztaray"``.

    Accents are folded so ids are stable and easy to type in ``/session`` or ``/speaker``;
    ``fallback`` stands in when nothing is left (a title in another script).
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug or fallback


def unique_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``... the first not yet in ``taken`` (which it joins)."""
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


#: What a speaker id may look like to travel in a Telegram button unchanged (see handlers).
_BUTTON_SAFE = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")


def button_safe(value: str) -> bool:
    """True for an id that can go into callback data as is (ASCII word characters, <= 40)."""
    return _BUTTON_SAFE.match(value) is not None


def normalise_name(name: str) -> str:
    """A name as written, minus the noise: NFC, runs of spaces collapsed, ends trimmed.

    Case and punctuation are kept on purpose: "anna" and "Anna", "Raketen.Papa" and
    "Raketen Papa" can be two people (38C3 has both pairs), so only the id can merge them.
    """
    return " ".join(unicodedata.normalize("NFC", name).split())


def json_key(key: object) -> str:
    """A dict key as it reads in a JSON path: ``rooms["Room B"]``, quotes escaped."""
    return json.dumps(str(key), ensure_ascii=False)


class People:
    """The speakers of one file, one per person, by the identity rule every format shares.

    A person is who the file's id says they are: the first id of ``ids`` that is present (the
    caller lists them in the format's order, e.g. frab XML ``id`` then ``guid``), else, and only
    then, their name as written. So two people called "Andreas" with two guids stay two
    speakers, and "anna" and "Anna" are not merged by a slug.

    One plain ``id`` (a database number) under two clearly different names is two people:
    merged exports (c3voc) join several pretalx instances whose numeric ids collide. Global ids
    (a guid, a pretalx code, an e-mail hash) are trusted whatever the spelling.

    The speaker id kept in the agenda is the file's id when it is button-safe (stable across
    reloads, which matters for linked speakers), else a slug of the name; clashes get ``-2``.
    """

    def __init__(self) -> None:
        self.speakers: dict[str, Speaker] = {}
        self._by_key: dict[tuple[str, ...], str] = {}
        self._taken: set[str] = set()

    def add(
        self,
        name: str,
        ids: Iterable[tuple[str, object]] = (),
        *,
        affiliation: str = "",
        bio: str = "",
        telegram: str = "",
    ) -> str | None:
        """The speaker id for this person (created on first sight), or None without a name."""
        name = normalise_name(name)
        if not name:
            return None
        found = next(((kind, str(v).strip()) for kind, v in ids if _present(v)), None)
        if found is None:
            key: tuple[str, ...] = ("name", name)
        else:
            key = found
            known = self._by_key.get(key)
            weak = found[0] == "id"  # a database number, unique only inside one instance
            if weak and known is not None and _fold(self.speakers[known].name) != _fold(name):
                key = (*found, _fold(name))
        sid = self._by_key.get(key)
        if sid is None:
            base = found[1] if found is not None and button_safe(found[1]) else ""
            if found is not None and len(key) == 3:
                base = f"{base or 'speaker'}-{slugify(name, fallback='speaker')}"[:40]
            sid = unique_id(base or slugify(name, fallback="speaker")[:36], self._taken)
            if not button_safe(sid):  # a 40-character id that had to take a "-2"
                self._taken.discard(sid)
                digest = hashlib.blake2b(repr(key).encode(), digest_size=6).hexdigest()
                sid = unique_id(f"p-{digest}", self._taken)
            self._by_key[key] = sid
            self.speakers[sid] = Speaker(
                id=sid, name=name, affiliation=affiliation, bio=bio, telegram=telegram
            )
            return sid
        known_speaker = self.speakers[sid]
        if (affiliation and not known_speaker.affiliation) or (bio and not known_speaker.bio):
            self.speakers[sid] = Speaker(
                id=sid,
                name=known_speaker.name,
                affiliation=known_speaker.affiliation or affiliation,
                bio=known_speaker.bio or bio,
                telegram=known_speaker.telegram or telegram,
            )
        return sid


def _present(value: object) -> bool:
    if value is None or isinstance(value, bool):
        return False
    return bool(str(value).strip())


def _fold(name: str) -> str:
    """Case- and accent-blind form, to tell a re-spelt name from another person's."""
    decomposed = unicodedata.normalize("NFKD", name)
    return " ".join("".join(c for c in decomposed if c.isalnum() or c.isspace()).casefold().split())


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """``" (did you mean 'title'?)"`` for a near-miss key or name, else ``""``."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.7)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --- file-level helpers: these know the path and raise AgendaError ------------------------------

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


@contextmanager
def errors_at(path: Path, place: str) -> Iterator[None]:
    """Inside, a data error (a wrong type, a missing key, a bad value) becomes an AgendaError
    naming this place; an AgendaError raised with a finer place passes through."""
    try:
        yield
    except AgendaError:
        raise
    except DATA_ERRORS as exc:
        raise AgendaError(path, place, str(exc)) from exc


@contextmanager
def last_resort(path: Path, what: str) -> Iterator[None]:
    """Around a whole loader: a failure no finer place caught is still an AgendaError that
    names the file, never a traceback in front of an organiser."""
    try:
        yield
    except AgendaError:
        raise
    except DATA_ERRORS as exc:
        raise AgendaError(path, "", f"not a readable {what}: {type(exc).__name__}: {exc}") from exc


def conference_zone(
    path: Path,
    *,
    file_zone: str | None,
    default_tz: ZoneInfo | None,
    offsets: Iterable[timedelta] = (),
    moments: Iterable[datetime] = (),
    what: str = "the file names no time zone",
) -> tuple[ZoneInfo, list[AgendaWarning]]:
    """Pick the zone the conference is shown in: the file's zone name, else AGENDA_TIMEZONE,
    else one consistent UTC offset of the file, else an error naming AGENDA_TIMEZONE.

    Offsets in the file always pin the instants; the zone only decides the wall clock shown.
    So the choice is said out loud: a fixed ``Etc/GMT`` zone from the offsets comes with a
    warning (no daylight saving known), and when AGENDA_TIMEZONE is used but the file's times
    (``moments``, aware datetimes as written) were written at other offsets, a warning shows
    one converted, so nobody is surprised that 10:00+01:00 reads 09:00 in Europe/London.
    Mixed offsets with no zone (a daylight-saving change inside the file) need AGENDA_TIMEZONE.
    """
    warnings: list[AgendaWarning] = []
    if file_zone and file_zone.strip():
        try:
            return resolve_zone(file_zone), warnings
        except ParseError:
            pass
        if default_tz is None:
            raise AgendaError(
                path, "", f"unknown time zone {file_zone!r} in the file; set {TZ_VARIABLE}"
            )
        warnings.append(
            AgendaWarning("", f"unknown time zone {file_zone!r} in the file; using {default_tz}")
        )
        return default_tz, warnings
    written = [m for m in moments if m.utcoffset() is not None]
    seen = set(offsets)
    for m in written:
        offset = m.utcoffset()
        if offset is not None:
            seen.add(offset)
    distinct = sorted(seen)
    if default_tz is not None:
        other = next(
            (m for m in written if m.astimezone(default_tz).utcoffset() != m.utcoffset()), None
        )
        if other is not None:
            shown = other.astimezone(default_tz)
            warnings.append(
                AgendaWarning(
                    "",
                    f"the file's times carry UTC offsets ({_offsets_text(distinct)}) that are "
                    f"not {TZ_VARIABLE} {default_tz.key}'s: they are converted and shown in "
                    f"{default_tz.key}, e.g. {other:%Y-%m-%d %H:%M}{_offset_text(other)} as "
                    f"{shown:%H:%M}",
                )
            )
        return default_tz, warnings
    if len(distinct) == 1:
        zone = zone_for_offset(distinct[0])
        if zone is not None:
            warnings.append(
                AgendaWarning(
                    "",
                    f"the file gives only UTC offsets, so times are shown at UTC"
                    f"{_offsets_text(distinct)} (the fixed zone {zone.key}) and local "
                    f"daylight-saving changes are unknown; set {TZ_VARIABLE} to the "
                    "conference's zone (e.g. Europe/Berlin)",
                )
            )
            return zone, warnings
    if distinct:
        what = (
            f"the file gives only UTC offsets ({_offsets_text(distinct)}) that do not map to "
            "one zone"
        )
    raise AgendaError(
        path, "", f"{what}: set {TZ_VARIABLE} to the conference's zone (e.g. Europe/Berlin)"
    )


def _offset_text(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    hours, rest = divmod(abs(offset), timedelta(hours=1))
    return f"{sign}{hours:02d}:{rest // timedelta(minutes=1):02d}"


def _offsets_text(offsets: Iterable[timedelta]) -> str:
    return ", ".join(_offset_text(datetime(2000, 1, 1, tzinfo=timezone(o))) for o in offsets)
