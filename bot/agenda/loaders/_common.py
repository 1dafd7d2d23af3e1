"""Parse helpers every agenda loader shares: text decoding, times, durations, zones, ids.

Each helper raises :class:`ParseError` (a ``ValueError``) with a message that quotes the bad
value but does not know *where* it came from; the loader catches it and raises
``AgendaError(path, place, str(exc))``, so every format reports errors the same way, e.g.
``data/x.yaml: sessions[4].start: '25:00' is not a time``.

Nothing here depends on a particular format, so new loaders (CSV, iCal, Sessionize, XML) can use
it freely.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "ParseError",
    "decode_text",
    "did_you_mean",
    "localize",
    "parse_date",
    "parse_datetime",
    "parse_duration",
    "parse_time",
    "resolve_zone",
    "slugify",
    "to_zone",
    "unique_slug",
    "zone_for_offset",
]


class ParseError(ValueError):
    """A value that cannot be read; the message quotes the value, the caller adds the place."""


def decode_text(data: bytes) -> str:
    """Bytes to text: UTF-8 (a BOM is dropped), or UTF-16 when it starts with a UTF-16 BOM.

    Exports from spreadsheets and Windows tools often carry a BOM; anything else that is not
    UTF-8 is refused with the offset of the first bad byte rather than guessed at.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ParseError(f"not valid UTF-16 text ({exc.reason} at byte {exc.start})") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        line = data.count(b"\n", 0, exc.start) + 1
        raise ParseError(
            f"not UTF-8 text: byte 0x{bad} at offset {exc.start} (line {line}); "
            "save the file as UTF-8"
        ) from exc


_TIME_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
_ISO_DURATION_RE = re.compile(
    r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$", re.IGNORECASE
)


def parse_time(value: object) -> time:
    """A wall-clock time: ``"09:00"``, ``"9:00"``, ``"09:00:30"`` (24-hour)."""
    if isinstance(value, time) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ParseError(f'{value!r} is not a time (write it as "HH:MM")')
    m = _TIME_RE.match(value)
    if m:
        hour, minute, second = int(m[1]), int(m[2]), int(m[3] or 0)
        if hour < 24 and minute < 60 and second < 60:
            return time(hour, minute, second)
    raise ParseError(f'{value!r} is not a time (write it as "HH:MM", 24-hour)')


def parse_duration(value: object, *, three_parts: Literal["hms", "dhm"] = "hms") -> timedelta:
    """A length of time, in any spelling agenda exports use.

    * an integer: minutes (``45``);
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
    if text.isdigit():
        return timedelta(minutes=int(text))
    iso = _ISO_DURATION_RE.match(text)
    if iso and any(iso.groupdict().values()):
        d, h, m, s = (int(iso[k] or 0) for k in "dhms")
        return timedelta(days=d, hours=h, minutes=m, seconds=s)
    parts = text.split(":")
    if not all(p.isdigit() for p in parts) or len(parts) not in (2, 3, 4):
        raise bad
    nums = [int(p) for p in parts]
    if any(n >= 60 for n in nums[1:]):
        raise bad
    if len(parts) == 2:
        return timedelta(hours=nums[0], minutes=nums[1])
    if len(parts) == 3:
        if three_parts == "dhm":
            if nums[1] >= 24:
                raise bad
            return timedelta(days=nums[0], hours=nums[1], minutes=nums[2])
        return timedelta(hours=nums[0], minutes=nums[1], seconds=nums[2])
    if nums[1] >= 24:
        raise bad
    return timedelta(days=nums[0], hours=nums[1], minutes=nums[2], seconds=nums[3])


def parse_date(value: object) -> date:
    """A calendar date, ``"2024-11-27"`` (a ``date`` object is taken as is)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ParseError(f"{value!r} is not a date (write it as YYYY-MM-DD)")


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


def resolve_zone(name: object) -> ZoneInfo:
    """An IANA zone by name (``"Europe/Brussels"``); unknown names are refused, not guessed."""
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


def _zone_names() -> Iterable[str]:
    from zoneinfo import available_timezones

    return available_timezones()


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


def localize(naive: datetime, tz: tzinfo) -> datetime:
    """Attach a zone to a wall-clock time, refusing times that do not exist there.

    In a daylight-saving gap (02:30 on a spring-forward night) there is no such moment, which is
    almost certainly a typo, so it is an error. In a fold (02:30 on a fall-back night, twice) the
    first, earlier occurrence is taken.
    """
    if naive.tzinfo is not None:
        return naive.astimezone(tz)
    aware = naive.replace(tzinfo=tz, fold=0)
    back = aware.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) != naive:
        raise ParseError(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {tz} "
            "(the clocks skip it for daylight saving)"
        )
    return aware


def to_zone(value: datetime, tz: tzinfo) -> datetime:
    """A datetime in ``tz``: converted when it has an offset, localized when it is naive."""
    if value.tzinfo is None:
        return localize(value, tz)
    return value.astimezone(tz)


def slugify(text: str, *, fallback: str = "item") -> str:
    """An ASCII id from a name: ``"Dr Péter Sztáray"`` -> ``"dr-peter-sztaray"``.

    Accents are folded so ids are stable and easy to type in ``/session`` or ``/speaker``.
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug or fallback


def unique_slug(text: str, taken: set[str], *, fallback: str = "item") -> str:
    """``slugify`` plus ``-2``, ``-3``... until it is not in ``taken``; adds it to ``taken``."""
    base = slugify(text, fallback=fallback)
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """``" (did you mean 'title'?)"`` for a near-miss key or name, else ``""``."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.7)
    return f" (did you mean {close[0]!r}?)" if close else ""
