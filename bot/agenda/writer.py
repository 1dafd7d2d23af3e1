"""Conference -> native YAML text, for ``confbot convert``.

The output is meant to be edited by hand afterwards, so it is laid out like the documented
example (docs/agenda-format.md): one block per section, a blank line between sessions, times
as quoted ``"HH:MM"`` in the conference's zone, long texts as literal blocks. Loading it back
with the native loader gives an equal agenda: every value the model holds is written, and where
a wall-clock time alone would be ambiguous (the repeated hour when clocks go back) the full time
with its offset is written instead.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import yaml

from bot.agenda.loaders._common import ParseError, localize
from bot.agenda.model import Conference, Session, Speaker, Translations

__all__ = ["conference_to_dict", "to_yaml"]


class _Clock(str):
    """A time of day, always quoted so other YAML 1.1 tools do not read 14:30 as 870."""

    __slots__ = ()


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent lists under their key ("sessions:\n  - id: ..."), as people write them.
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_clock(dumper: yaml.SafeDumper, value: _Clock) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Clock, _represent_clock)


def _is_plain_wall_time(moment: datetime) -> bool:
    """Whether the wall-clock time alone brings back this exact moment when loaded."""
    naive = moment.replace(tzinfo=None, fold=0)
    try:
        again = localize(naive, moment.tzinfo) if moment.tzinfo else naive
    except ParseError:
        return False
    return again == moment and again.utcoffset() == moment.utcoffset()


def _clock(moment: datetime) -> str:
    return f"{moment:%H:%M:%S}" if moment.second else f"{moment:%H:%M}"


def _session_dict(s: Session) -> dict[str, Any]:
    out: dict[str, Any] = {"id": s.id, "title": _texts(s.title, s.titles), "type": s.type.value}
    if _is_plain_wall_time(s.start):
        out["date"] = s.start.date()
        out["start"] = _Clock(_clock(s.start))
    else:
        out["start"] = s.start.isoformat()
    if not _is_plain_wall_time(s.end):
        out["end"] = s.end.isoformat()
    elif s.end.date() == s.start.date() and "date" in out:
        out["end"] = _Clock(_clock(s.end))
    else:
        out["end"] = s.end.replace(tzinfo=None).isoformat(
            timespec="minutes" if not s.end.second else "seconds"
        )
    if s.day is not None and s.day != s.start.date():
        out["day"] = s.day
    for key in ("room", "track"):
        if getattr(s, key):
            out[key] = getattr(s, key)
    if s.speakers:
        out["speakers"] = [
            p.speaker_id if p.role == "speaker" else {"id": p.speaker_id, "role": p.role}
            for p in s.speakers
        ]
    for key in ("url", "language"):
        if getattr(s, key):
            out[key] = getattr(s, key)
    if s.abstract or s.abstracts:
        out["abstract"] = _texts(s.abstract, s.abstracts)
    return out


def _texts(text: str, variants: Translations) -> str | dict[str, str]:
    """A text, or ``{language: text}`` when the agenda gives it in several (first = own)."""
    return dict(variants) if variants else text


def _speaker_dict(sp: Speaker) -> dict[str, Any]:
    out: dict[str, Any] = {"id": sp.id, "name": sp.name}
    for key in ("affiliation", "telegram", "bio"):
        if getattr(sp, key):
            out[key] = getattr(sp, key)
    return out


def conference_to_dict(conference: Conference) -> dict[str, Any]:
    """The native-YAML document as plain values (dates as ``date``, times as text)."""
    conf: dict[str, Any] = {
        "name": _texts(conference.name, conference.names),
        "timezone": conference.timezone.key,
    }
    for key in ("venue", "address", "city"):
        if getattr(conference, key):
            conf[key] = getattr(conference, key)
    if conference.organisers:
        conf["organisers"] = list(conference.organisers)
    if conference.url:
        conf["url"] = conference.url
    if conference.description or conference.descriptions:
        conf["description"] = _texts(conference.description, conference.descriptions)
    doc: dict[str, Any] = {"conference": conf}
    if conference.declared_rooms:
        doc["rooms"] = list(conference.declared_rooms)
    if conference.speakers:
        doc["speakers"] = [_speaker_dict(sp) for sp in conference.speakers.values()]
    doc["sessions"] = [_session_dict(s) for s in conference.sessions]
    return doc


_SECTION_RE = re.compile(r"^(rooms|speakers|sessions):", re.MULTILINE)


def to_yaml(conference: Conference, *, source: str = "") -> str:
    """The agenda as native YAML text; ``source`` (a file name) is noted in the header."""
    body = yaml.dump(
        conference_to_dict(conference),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    body = _SECTION_RE.sub(lambda m: "\n" + m.group(0), body)
    head, sep, sessions = body.partition("\nsessions:\n")
    sessions = re.sub(r"\n(  - id: )", r"\n\n\1", sessions)
    origin = f" from {source}" if source else ""
    header = (
        f"# confbot agenda in the native YAML format (docs/agenda-format.md){origin}.\n"
        "# Times are wall-clock in the conference's time zone.\n"
    )
    return header + head + sep + sessions
