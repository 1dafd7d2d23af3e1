"""Sample arguments for every text function in ``bot.texts``, chosen from the signature.

A new text function is covered without touching this file as long as its parameters use the
annotations below; an unknown annotation fails the test naming the function and parameter, so
the sample is added here instead of the text going unchecked. Each function is called with a
base set of arguments and then with each parameter varied through its alternatives (and every
combination of its booleans), which reaches every branch the wording has.
"""

from __future__ import annotations

import dataclasses
import inspect
import itertools
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot import texts
from bot.agenda.diff import Changes, SessionChange
from bot.agenda.model import Conference, Session, SessionSpeaker, SessionType, Speaker

#: What a user or an agenda could put in any text: markup, entities, quotes, format fields.
HOSTILE = "<b>&\"' {name} {0} %s"

TZ = ZoneInfo("Europe/Brussels")
DAY = date(2024, 11, 27)
WHEN = datetime(2024, 11, 27, 14, 0, tzinfo=TZ)

SP1 = Speaker("sp1", f"Anna {HOSTILE}", affiliation=HOSTILE, bio=HOSTILE * 3)
SP2 = Speaker("sp2", "Péter Sztáray")
SP3 = Speaker("sp3", "Zoë O'Brien", affiliation="EU Commission")

TALK = Session(
    "t1",
    f"Crisis {HOSTILE}",
    WHEN,
    WHEN + timedelta(minutes=45),
    room=f"Room {HOSTILE}",
    track=HOSTILE,
    type=SessionType.PANEL,
    abstract=HOSTILE * 400,
    speakers=(SessionSpeaker("sp1"), SessionSpeaker("sp2", "moderator")),
)
BREAK = Session(
    "b1",
    "Coffee break",
    WHEN + timedelta(hours=1),
    WHEN + timedelta(hours=1, minutes=30),
    type=SessionType.BREAK,
)
BARE = Session("t2", "Opening", WHEN - timedelta(hours=5), WHEN - timedelta(hours=4))
TOMORROW = Session(
    "t3",
    "Day two keynote",
    WHEN + timedelta(days=1),
    WHEN + timedelta(days=1, hours=1),
    room="Hall",
    type=SessionType.KEYNOTE,
)
SESSIONS = (TALK, BREAK, BARE, TOMORROW)


def _replace(session: Session, **changes: Any) -> Session:
    return dataclasses.replace(session, **changes)


def _moved(session: Session, delta: timedelta) -> Session:
    return _replace(session, start=session.start + delta, end=session.end + delta)


def _conf(sessions: tuple[Session, ...], **kw: Any) -> Conference:
    speakers = {s.id: s for s in (SP1, SP2, SP3)}
    return Conference(f"Conf {HOSTILE}", TZ, sessions, speakers, **kw)


CONFERENCES = (
    _conf(
        SESSIONS,
        venue=HOSTILE,
        address=HOSTILE,
        city="Brussels",
        organisers=(HOSTILE, "Council"),
        description=HOSTILE * 300,
        url=f"https://example.org/?a=1&b={HOSTILE}",
    ),
    _conf((TALK,), city="Budapest"),
    _conf((TALK, _moved(TALK, timedelta(days=1))), venue="Hall"),
    _conf((TALK, _moved(TALK, timedelta(days=10)))),
    _conf((TALK, _moved(TALK, timedelta(days=40)))),
    _conf(()),
)

CHANGES = (
    SessionChange(TALK, _moved(TALK, timedelta(minutes=30))),
    SessionChange(TALK, _moved(TALK, timedelta(days=1))),
    SessionChange(TALK, _replace(TALK, room="")),
    SessionChange(_replace(TALK, room=""), TALK),
    SessionChange(TALK, _replace(TALK, title=f"New {HOSTILE}")),
    SessionChange(TALK, _replace(_moved(TALK, timedelta(hours=2)), room="Hall B", title="Renamed")),
    SessionChange(BARE, _replace(BARE, title="Opening!")),
)

PEOPLE = ([], [(SP1, "speaker"), (SP2, "moderator"), (SP3, HOSTILE)], [(SP3, "")])

#: Alternatives by annotation (as written in ``bot/texts.py``); the first is the base value.
BY_ANNOTATION: dict[str, tuple[Any, ...]] = {
    "str": (HOSTILE, "", "speaker"),
    "str | None": (HOSTILE, None),
    "object": (HOSTILE, 42),
    "int": (3, 0, 1, 2, 21, 1000),
    "int | None": (2, None, 1),
    "float": (75.5, 0.0, 1.0, 3725.0, 0.5),
    "bool": (False, True),
    "date": (DAY,),
    "datetime": (WHEN, WHEN + timedelta(days=1, hours=3)),
    "datetime | None": (WHEN, None),
    "Session": SESSIONS,
    "SessionType": tuple(SessionType),
    "Speaker": (SP1, SP2, SP3),
    "Conference": CONFERENCES,
    "SessionChange": CHANGES,
    "Changes": (
        Changes(
            changed=CHANGES,
            added=(TOMORROW,),
            cancelled=(BARE,),
            renamed_conference=(HOSTILE, "New name"),
        ),
        Changes(),
        Changes(changed=CHANGES * 5, added=SESSIONS, cancelled=SESSIONS),
    ),
    "Iterable[tuple[Speaker, str]]": PEOPLE,
    "list[tuple[Speaker, str]]": PEOPLE,
    "list[tuple[Session, str]]": ([(TALK, "speaker"), (TOMORROW, "moderator")], []),
    "list[Session]": ([TALK, BREAK], [], [TOMORROW], [BARE]),
    "set[str]": ({TALK.id}, set()),
    "dict[str, int]": ({"sent": 5, HOSTILE: 1}, {}),
    "list[str]": ([HOSTILE, "Anna"], [], [f"title {i}" for i in range(14)]),
    "Iterable[str]": ([HOSTILE, "Anna"], []),
    "tuple[int, ...]": ((1, 0, 2, 3, 5), (0, 0, 0, 0, 0)),
    "Iterable[tuple[int, str]]": ([(5, HOSTILE), (1, "x" * 400)], []),
}

#: Parameters whose meaning the annotation does not tell: (function, parameter) -> values.
BY_PARAMETER: dict[tuple[str, str], tuple[Any, ...]] = {
    ("answer_header", "intent"): ("what", "when", "where", "who", HOSTILE),
    ("audience_label", "kind"): ("session", "track", "speakers", "everyone"),
    ("broadcasts_line", "state"): ("scheduled", "running", HOSTILE),
    ("my_slot", "role"): ("speaker", "moderator", "", HOSTILE),
    ("rating_saved", "rating"): (4, 1, 5),
    ("next_button", "page"): (2, None),
    ("next_button", "pages"): (3, None),
}

#: Parameters that take HTML the catalogue made itself (escaped already): never raw input.
HTML_PARAMETERS: dict[tuple[str, str], Callable[[], tuple[Any, ...]]] = {
    ("broadcast_summary", "audience"): lambda: _audiences(),
    ("broadcast_empty", "audience"): lambda: _audiences(),
    ("broadcasts_line", "audience"): lambda: _audiences(),
    ("broadcasts_list", "lines"): lambda: (
        [texts.broadcasts_line(1, "running", None, texts.audience_label("x", ""), HOSTILE, 3)],
        [],
    ),
}


def _audiences() -> tuple[str, ...]:
    return (
        texts.audience_label("session", "t1", HOSTILE),
        texts.audience_label("track", HOSTILE),
        texts.audience_label("speakers", ""),
        texts.audience_label("everyone", ""),
    )


class MissingSample(LookupError):
    """A text function has a parameter this module cannot invent a value for."""


def text_functions() -> list[tuple[str, Callable[..., str]]]:
    """Every public function of the catalogue that returns a text."""
    found = []
    for name, value in vars(texts).items():
        if name.startswith("_") or not inspect.isfunction(value):
            continue
        if value.__module__ != texts.__name__:
            continue
        found.append((name, value))
    return found


def _alternatives(name: str, param: inspect.Parameter) -> tuple[Any, ...]:
    key = (name, param.name)
    if key in HTML_PARAMETERS:
        return HTML_PARAMETERS[key]()
    if key in BY_PARAMETER:
        return BY_PARAMETER[key]
    annotation = param.annotation
    if annotation in BY_ANNOTATION:
        return BY_ANNOTATION[annotation]
    raise MissingSample(
        f"texts.{name}: no sample for parameter {param.name!r} ({annotation}); "
        "add one to tests/i18n/samples.py"
    )


def calls(name: str, func: Callable[..., str]) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Argument sets for ``func``: the base, each parameter varied, every boolean combination."""
    params = list(inspect.signature(func).parameters.values())
    options = [_alternatives(name, p) for p in params]

    def build(values: list[Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for p, v in zip(params, values, strict=True):
            if p.kind is inspect.Parameter.KEYWORD_ONLY:
                kwargs[p.name] = v
            else:
                args.append(v)
        return tuple(args), kwargs

    base = [opts[0] for opts in options]
    seen: list[Any] = []
    flags = [i for i, p in enumerate(params) if p.annotation == "bool"]
    for combo in itertools.product((False, True), repeat=len(flags)):
        values = list(base)
        for i, flag in zip(flags, combo, strict=True):
            values[i] = flag
        for i, opts in enumerate(options):
            for alt in opts:
                varied = list(values)
                varied[i] = alt
                if varied not in seen:
                    seen.append(varied)
                    yield build(varied)
        if not options and not seen:
            seen.append([])
            yield build([])
