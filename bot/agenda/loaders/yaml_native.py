"""confbot's own agenda format: one YAML file an organiser can write by hand.

The format is documented with a full example in ``docs/agenda-format.md``. Times are wall-clock
in the conference's zone. Every problem is reported as ``AgendaError(path, place, message)``
with a place such as ``sessions[4].start`` (indexes count from 0), and YAML syntax errors as
``line N, column M``; unknown keys are warnings with a "did you mean" hint, because a typo in an
optional key should not take the whole agenda down.

YAML 1.1 quirks are switched off on purpose: ``start: 14:30`` stays the text ``"14:30"``
(PyYAML would read a base-60 integer, 870), ``no``/``on`` stay words, and dates stay text until
this module parses them, so every value is checked in one place.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

import yaml

from bot.agenda.errors import AgendaError, AgendaWarning
from bot.agenda.loaders._common import (
    LANGUAGE_KEY,
    ParseError,
    decode_text,
    describe_value,
    did_you_mean,
    file_text,
    localize,
    localized_text,
    parse_date,
    parse_datetime,
    parse_duration,
    parse_time,
    resolve_zone,
)
from bot.agenda.loaders.base import LoadResult
from bot.agenda.model import (
    Conference,
    Session,
    SessionSpeaker,
    SessionType,
    Speaker,
    Translations,
)

FORMAT_NAME = "yaml"

TOP_KEYS = ("conference", "rooms", "speakers", "sessions")
CONFERENCE_KEYS = (
    "name",
    "timezone",
    "venue",
    "address",
    "city",
    "organisers",
    "description",
    "url",
)
SPEAKER_KEYS = ("id", "name", "affiliation", "bio", "telegram")
SESSION_KEYS = (
    "id",
    "title",
    "date",
    "start",
    "end",
    "duration",
    "room",
    "track",
    "type",
    "abstract",
    "speakers",
    "day",
    "url",
    "language",
)
SESSION_SPEAKER_KEYS = ("id", "role")
#: Spellings accepted silently as another key (US English is common in organisers' files).
_ALIASES = {"organizers": "organisers", "time_zone": "timezone", "tz": "timezone"}

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _YamlLoader(_BaseLoader):  # type: ignore[valid-type, misc]
    """A safe loader with YAML 1.2-like scalars and no silently overwritten duplicate keys."""


_REPLACED_TAGS = frozenset(
    f"tag:yaml.org,2002:{kind}" for kind in ("bool", "int", "float", "timestamp")
)
_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _REPLACED_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
# The YAML 1.1 integer and float patterns minus their base-60 branches ("14:30" -> 870).
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?"
        r"|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Hashable, Any]:
    """Like the default, but a key written twice is an error, not a silent overwrite.

    Keys brought in by a merge (``<<: *defaults``) may still be overridden, as YAML intends.
    """
    seen: set[Hashable] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=False)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "in the mapping that starts",
                node.start_mark,
                f"the key {key!r} is written twice",
                key_node.start_mark,
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_YamlLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def parse_yaml(text: str, path: Path) -> Any:
    """YAML text to Python values; a syntax error names its line and column (1-based)."""
    try:
        return yaml.load(text, Loader=_YamlLoader)  # noqa: S506  a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        start = exc.context_mark
        if exc.problem and exc.context and start is not None and start is not mark:
            problem += f" ({exc.context} at line {start.line + 1}, column {start.column + 1})"
        if mark is None:
            raise AgendaError(path, "", f"invalid YAML: {problem}") from exc
        raise AgendaError(
            path, f"line {mark.line + 1}, column {mark.column + 1}", f"invalid YAML: {problem}"
        ) from exc
    except yaml.YAMLError as exc:
        raise AgendaError(path, "", f"invalid YAML: {exc}") from exc
    except RecursionError as exc:
        raise AgendaError(path, "", "invalid YAML: nested too deeply") from exc


def _describe(value: object) -> str:
    return describe_value(value, "yaml")


@dataclass
class _Reader:
    """Reads one file's values, knowing where it is, and gathers warnings as it goes."""

    path: Path
    warnings: list[AgendaWarning] = field(default_factory=list)

    def fail(self, place: str, message: str) -> NoReturn:
        raise AgendaError(self.path, place, message)

    def warn(self, place: str, message: str) -> None:
        self.warnings.append(AgendaWarning(place, message))

    def mapping(self, value: object, place: str, what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(place, f"must be a mapping ({what}), not {_describe(value)}")
        return {str(k): v for k, v in value.items()}

    def seq(self, value: object, place: str, what: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(place, f"must be a list ({what}), not {_describe(value)}")
        return value

    def known_keys(self, data: dict[str, Any], known: tuple[str, ...], place: str) -> None:
        for alias, key in _ALIASES.items():
            if alias in data and key in known and key not in data:
                data[key] = data.pop(alias)
        for key in data:
            if key not in known and not key.startswith("x-"):  # x-: anchors, own notes
                where = f"{place}.{key}" if place else key
                hint = did_you_mean(key, known) or f" (known keys: {', '.join(known)})"
                self.warn(where, f"unknown key {key!r} ignored{hint}")

    def text(self, data: dict[str, Any], key: str, place: str, *, required: bool = False) -> str:
        value = data.get(key)
        where = f"{place}.{key}"
        if value is None or value == "":
            if required:
                self.fail(where, f"{key!r} is required" if key not in data else "must not be empty")
            return ""
        if not isinstance(value, str):
            self.fail(where, f"must be text, not {_describe(value)} (put it in quotes)")
        return value.strip()

    def texts(
        self, data: dict[str, Any], key: str, place: str, *, required: bool = False
    ) -> tuple[str, Translations]:
        """A text, or one in several languages: ``title: {en: ..., hu: ...}`` (the first
        language is the event's own, shown to readers of a language it lacks)."""
        value = data.get(key)
        if not isinstance(value, dict):
            return self.text(data, key, place, required=required), ()
        where = f"{place}.{key}"
        for lang, text in value.items():
            if not isinstance(lang, str) or not LANGUAGE_KEY.match(lang.strip()):
                self.fail(
                    f"{where}.{lang}",
                    f"{str(lang)!r} is not a language code (such as en, hu, pt-BR): a text in "
                    "several languages maps each language's code to its text",
                )
            if text is not None and not isinstance(text, str):
                self.fail(f"{where}.{lang}", f"must be text, not {_describe(text)}")
        found = localized_text(value, lambda v: v.strip() if isinstance(v, str) else "")
        text, variants = found if found is not None else ("", ())
        if required and not text:
            self.fail(where, "must not be empty (give the text in at least one language)")
        return text, variants

    def ident(self, data: dict[str, Any], place: str) -> str:
        value = data.get("id")
        where = f"{place}.id"
        if value is None or value == "":
            self.fail(where, "'id' is required")
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.fail(where, f"must be text or a number, not {_describe(value)}")
        ident = str(value).strip()
        if not ident:
            self.fail(where, "must not be empty")
        return ident

    def parse(self, fn: Any, value: object, place: str) -> Any:
        """``fn(value)``, with a ParseError turned into an AgendaError at ``place``."""
        try:
            return fn(value)
        except ParseError as exc:
            self.fail(place, str(exc))


def _zone(reader: _Reader, conf: dict[str, Any], default_tz: ZoneInfo | None) -> ZoneInfo:
    if conf.get("timezone") not in (None, ""):
        zone: ZoneInfo = reader.parse(resolve_zone, conf["timezone"], "conference.timezone")
        return zone
    if default_tz is not None:
        return default_tz
    reader.fail(
        "conference.timezone",
        "no time zone: add 'timezone: Europe/Brussels' (an IANA name) under conference, "
        "or set AGENDA_TIMEZONE",
    )


def _conference_fields(reader: _Reader, raw: object) -> dict[str, Any]:
    conf = reader.mapping(raw, "conference", "name, timezone, venue, ...")
    reader.known_keys(conf, CONFERENCE_KEYS, "conference")
    return conf


def _organisers(reader: _Reader, conf: dict[str, Any]) -> tuple[str, ...]:
    raw = conf.get("organisers")
    if raw is None:
        return ()
    if isinstance(raw, str):
        return (raw.strip(),) if raw.strip() else ()
    items = reader.seq(raw, "conference.organisers", "of names")
    out: list[str] = []
    for i, item in enumerate(items):
        if not isinstance(item, str):
            reader.fail(f"conference.organisers[{i}]", f"must be text, not {_describe(item)}")
        if item.strip():
            out.append(item.strip())
    return tuple(out)


def _rooms(reader: _Reader, raw: object) -> tuple[str, ...]:
    out: list[str] = []
    for i, item in enumerate(reader.seq(raw, "rooms", "of room names")):
        if not isinstance(item, str | int) or isinstance(item, bool):
            reader.fail(f"rooms[{i}]", f"must be a room name, not {_describe(item)}")
        name = str(item).strip()
        if name in out:
            reader.warn(f"rooms[{i}]", f"room {name!r} is listed twice")
        elif name:
            out.append(name)
    return tuple(out)


_TELEGRAM_RE = re.compile(r"^[a-z][a-z0-9_]{4,31}$")  # 5-32 characters


def normalise_telegram(value: str) -> str:
    """``"@Raya_K"`` and ``"https://t.me/Raya_K"`` -> ``"raya_k"`` (usernames ignore case)."""
    name = value.strip()
    for prefix in ("https://t.me/", "http://t.me/", "t.me/", "@"):
        if name.lower().startswith(prefix):
            name = name[len(prefix) :]
    return name.lower()


def _speakers(reader: _Reader, raw: object) -> dict[str, Speaker]:
    speakers: dict[str, Speaker] = {}
    for i, item in enumerate(reader.seq(raw, "speakers", "of speakers")):
        place = f"speakers[{i}]"
        data = reader.mapping(item, place, "id, name, affiliation, bio, telegram")
        reader.known_keys(data, SPEAKER_KEYS, place)
        sid = reader.ident(data, place)
        if sid in speakers:
            reader.fail(f"{place}.id", f"duplicate speaker id {sid!r}")
        telegram = normalise_telegram(reader.text(data, "telegram", place))
        if telegram and not _TELEGRAM_RE.match(telegram):
            reader.warn(f"{place}.telegram", f"{telegram!r} does not look like a Telegram username")
        speakers[sid] = Speaker(
            id=sid,
            name=reader.text(data, "name", place, required=True),
            affiliation=reader.text(data, "affiliation", place),
            bio=reader.text(data, "bio", place),
            telegram=telegram,
        )
    return speakers


def _session_speakers(
    reader: _Reader, raw: object, place: str, speakers: Mapping[str, Speaker]
) -> tuple[SessionSpeaker, ...]:
    if isinstance(raw, str | int) and not isinstance(raw, bool):
        raw = [raw]
    out: list[SessionSpeaker] = []
    for j, item in enumerate(reader.seq(raw, place, "of speaker ids")):
        where = f"{place}[{j}]"
        role = "speaker"
        if isinstance(item, dict):
            data = reader.mapping(item, where, "id, role")
            reader.known_keys(data, SESSION_SPEAKER_KEYS, where)
            sid = reader.ident(data, where)
            role = reader.text(data, "role", where) or "speaker"
        elif isinstance(item, str | int) and not isinstance(item, bool):
            sid = str(item).strip()
        else:
            reader.fail(where, f"must be a speaker id or {{id, role}}, not {_describe(item)}")
        if sid not in speakers:
            hint = did_you_mean(sid, speakers) or " (list the speaker under 'speakers' first)"
            reader.fail(where, f"unknown speaker id {sid!r}{hint}")
        if any(s.speaker_id == sid for s in out):
            reader.warn(where, f"speaker {sid!r} is listed twice in this session")
            continue
        out.append(SessionSpeaker(sid, role))
    return tuple(out)


def _is_clock_time(value: object) -> bool:
    return isinstance(value, str) and bool(re.fullmatch(r"\s*\d{1,2}:\d{2}(?::\d{2})?\s*", value))


def _times(
    reader: _Reader, data: dict[str, Any], place: str, tz: ZoneInfo
) -> tuple[datetime, datetime]:
    """Start and end from ``date`` + ``start`` (a time) or ``start`` (a full date and time), and
    ``end`` (a time or a date and time) or ``duration``."""
    raw_start = data.get("start")
    if raw_start is None or raw_start == "":
        reader.fail(f"{place}.start", "'start' is required (a time such as \"09:00\")")
    the_date: date | None = None
    if data.get("date") not in (None, ""):
        the_date = reader.parse(parse_date, data["date"], f"{place}.date")

    def wall(day: date, value: object, where: str) -> datetime:
        clock = reader.parse(parse_time, value, where)
        moment: datetime = reader.parse(
            lambda d: localize(d, tz), datetime.combine(day, clock), where
        )
        return moment

    if _is_clock_time(raw_start) or not isinstance(raw_start, str):
        if the_date is None:
            reader.fail(
                f"{place}.date",
                "'date' is required when 'start' is a time (or write start as 2024-11-27T09:00)",
            )
        start = wall(the_date, raw_start, f"{place}.start")
    else:
        naive_or_aware: datetime = reader.parse(parse_datetime, raw_start, f"{place}.start")
        start = reader.parse(lambda d: localize(d, tz), naive_or_aware, f"{place}.start")
        if the_date is not None and the_date != start.date():
            reader.fail(f"{place}.date", f"{the_date} is not the date in start ({start.date()})")

    raw_end, raw_duration = data.get("end"), data.get("duration")
    end: datetime | None = None
    if raw_end not in (None, ""):
        if _is_clock_time(raw_end) or not isinstance(raw_end, str):
            end = wall(start.date(), raw_end, f"{place}.end")
        else:
            value: datetime = reader.parse(parse_datetime, raw_end, f"{place}.end")
            end = reader.parse(lambda d: localize(d, tz), value, f"{place}.end")
        if end < start:
            reader.fail(
                f"{place}.end",
                f"{raw_end!r} is before the start ({start:%H:%M}); for a session that runs "
                "past midnight give a duration or a full date and time",
            )
    if raw_duration not in (None, ""):
        length: timedelta = reader.parse(parse_duration, raw_duration, f"{place}.duration")
        if end is not None and end - start != length:
            reader.fail(
                f"{place}.duration",
                f"{raw_duration!r} does not match start {start:%H:%M} and end {end:%H:%M}; "
                "give one of end or duration",
            )
        end = start + length
    if end is None:
        reader.fail(f"{place}.end", "'end' or 'duration' is required")
    return start, end


def _sessions(
    reader: _Reader,
    raw: object,
    tz: ZoneInfo,
    speakers: Mapping[str, Speaker],
    rooms: tuple[str, ...],
) -> tuple[Session, ...]:
    if raw is None:
        reader.fail("sessions", "'sessions' must list at least one session")
    items = reader.seq(raw, "sessions", "of sessions")
    sessions: list[Session] = []
    first_at: dict[str, int] = {}
    for i, item in enumerate(items):
        place = f"sessions[{i}]"
        data = reader.mapping(item, place, "id, title, date, start, end, ...")
        reader.known_keys(data, SESSION_KEYS, place)
        sid = reader.ident(data, place)
        if sid in first_at:
            reader.fail(
                f"{place}.id",
                f"duplicate session id {sid!r} (first used at sessions[{first_at[sid]}])",
            )
        first_at[sid] = i
        title, titles = reader.texts(data, "title", place, required=True)
        start, end = _times(reader, data, place, tz)
        if isinstance(data.get("room"), int) and not isinstance(data["room"], bool):
            data["room"] = str(data["room"])  # "room: 101" is a room name, not a number
        room = reader.text(data, "room", place)
        if rooms and room and room not in rooms:
            hint = did_you_mean(room, rooms) or " (it is not in 'rooms')"
            reader.warn(f"{place}.room", f"room {room!r} is not listed in 'rooms'{hint}")
        day = start.date()
        if data.get("day") not in (None, ""):
            day = reader.parse(parse_date, data["day"], f"{place}.day")
        abstract, abstracts = reader.texts(data, "abstract", place)
        sessions.append(
            Session(
                id=sid,
                title=title,
                titles=titles,
                start=start,
                end=end,
                room=room,
                track=reader.text(data, "track", place),
                type=SessionType.parse(reader.text(data, "type", place) or None),
                abstract=abstract,
                abstracts=abstracts,
                speakers=_session_speakers(
                    reader, data.get("speakers"), f"{place}.speakers", speakers
                ),
                day=day,
                url=reader.text(data, "url", place),
                language=reader.text(data, "language", place),
            )
        )
    if not sessions:
        reader.fail("sessions", "'sessions' must list at least one session")
    return tuple(sessions)


def load_document(
    doc: object, path: Path, default_tz: ZoneInfo | None
) -> tuple[Conference, list[AgendaWarning]]:
    """A parsed native-YAML document (as Python values) to a Conference."""
    reader = _Reader(path)
    if not isinstance(doc, dict):
        reader.fail("", f"must be a mapping with {', '.join(TOP_KEYS)}, not {_describe(doc)}")
    top = reader.mapping(doc, "", "conference, rooms, speakers, sessions")
    reader.known_keys(top, TOP_KEYS, "")
    if "conference" not in top:
        reader.fail("conference", "'conference' is required (name and timezone at least)")
    conf = _conference_fields(reader, top["conference"])
    tz = _zone(reader, conf, default_tz)
    rooms = _rooms(reader, top.get("rooms"))
    speakers = _speakers(reader, top.get("speakers"))
    sessions = _sessions(reader, top.get("sessions"), tz, speakers, rooms)
    name, names = reader.texts(conf, "name", "conference", required=True)
    description, descriptions = reader.texts(conf, "description", "conference")
    conference = Conference(
        name=name,
        names=names,
        timezone=tz,
        sessions=sessions,
        speakers=speakers,
        venue=reader.text(conf, "venue", "conference"),
        address=reader.text(conf, "address", "conference"),
        city=reader.text(conf, "city", "conference"),
        organisers=_organisers(reader, conf),
        description=description,
        descriptions=descriptions,
        url=reader.text(conf, "url", "conference"),
        declared_rooms=rooms,
    )
    return conference, reader.warnings


class YamlNativeLoader:
    """The native YAML format (see docs/agenda-format.md)."""

    name = FORMAT_NAME

    def sniff(self, data: bytes, path: Path) -> bool:
        """A YAML mapping with ``sessions`` that is not a frab/pretalx or Sessionize export.

        A file named ``.yaml``/``.yml`` is claimed even when broken, so that its author gets
        the YAML error (line and column) rather than "not an agenda format".
        """
        named_yaml = path.suffix.lower() in (".yaml", ".yml")
        if b"sessions" not in data and not named_yaml:
            return False
        try:
            doc = parse_yaml(decode_text(data)[0], path)
        except (AgendaError, ParseError):
            return named_yaml
        if not isinstance(doc, dict):
            return named_yaml
        if "schedule" in doc or "categories" in doc or "questions" in doc:
            return False  # frab/pretalx schedule.json, Sessionize "All data"
        sessions = doc.get("sessions")
        first = sessions[0] if isinstance(sessions, list) and sessions else None
        if isinstance(first, dict) and "startsAt" in first:  # Sessionize sessions-only export
            return False
        return "sessions" in doc or named_yaml

    def load(self, data: bytes, path: Path, default_tz: ZoneInfo | None) -> LoadResult:
        text, _ = file_text(data, path)
        doc = parse_yaml(text, path)
        conference, warnings = load_document(doc, path, default_tz)
        return LoadResult(conference, FORMAT_NAME, tuple(warnings))


LOADER = YamlNativeLoader()
