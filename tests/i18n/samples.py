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
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot import texts
from bot.agenda.diff import Changes, SessionChange
from bot.agenda.index import Stint
from bot.agenda.model import Conference, Session, SessionSpeaker, SessionType, Speaker
from bot.questions.answer import (
    Answer,
    Intent,
    Problem,
    ProblemKind,
    Relation,
    TimeWindow,
    WindowKind,
)

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


def _window(**kw: Any) -> TimeWindow:
    return TimeWindow(WHEN, WHEN + timedelta(hours=2), **kw)


#: A window of every shape the question engine makes, today, tomorrow and on a named day.
WINDOWS = (
    _window(day=DAY, part="afternoon"),
    _window(kind=WindowKind.NOW),
    _window(kind=WindowKind.NEXT),
    _window(),
    _window(day=DAY, part="later"),
    _window(day=DAY, part="tonight"),
    _window(day=DAY, part="morning"),
    _window(day=DAY, part="evening"),
    _window(day=DAY + timedelta(days=1), part="morning"),
    _window(day=DAY + timedelta(days=1), part="afternoon"),
    _window(day=DAY + timedelta(days=2), part="evening"),
    _window(day=DAY - timedelta(days=1), part="night"),
    _window(day=DAY, relation=Relation.AFTER, anchor="lunch", clock=(14, 0)),
    _window(day=DAY, relation=Relation.BEFORE, anchor="coffee", clock=(10, 30)),
    _window(day=DAY, relation=Relation.DURING, anchor="registration"),
    _window(day=DAY, relation=Relation.DURING, anchor=HOSTILE),
    _window(day=DAY, relation=Relation.BETWEEN, clock=(10, 0), clock_end=(12, 30)),
    _window(day=DAY, relation=Relation.AFTER, clock=(15, 0)),
    _window(day=DAY, relation=Relation.BEFORE, clock=(9, 5)),
    _window(
        day=DAY + timedelta(days=1), kind=WindowKind.POINT, relation=Relation.AT, clock=(11, 0)
    ),
    _window(day=DAY, kind=WindowKind.DAY),
)


def _answer(**kw: Any) -> Answer:
    kw.setdefault("intent", Intent.WHAT_ON)
    kw.setdefault("asked_at", WHEN)
    return Answer(**kw)


#: Answers of every shape the handlers word, with hostile filters.
ANSWERS = (
    _answer(sessions=(TALK, TOMORROW), matches=SESSIONS, topic=HOSTILE, room=HOSTILE),
    _answer(),
    _answer(asked_at=None),
    _answer(kind=SessionType.KEYNOTE, sessions=(TOMORROW,), window=WINDOWS[8]),
    _answer(intent=Intent.WHEN, sessions=(TALK,)),
    _answer(intent=Intent.WHEN, sessions=(TALK, BARE)),
    _answer(intent=Intent.WHERE, sessions=(TALK,)),
    _answer(intent=Intent.WHO, topic=HOSTILE, sessions=(TALK,)),
    _answer(speakers=(SP1, SP2), sessions=(TALK,), track=HOSTILE),
    _answer(language="de", window=WINDOWS[1], track="Security"),
    _answer(language="xx-" + "q" * 3, kind=SessionType.WORKSHOP, topic="quantum"),
    _answer(window=WINDOWS[2], room="Room B", over=True),
    _answer(window=WINDOWS[12], room=HOSTILE, kind=SessionType.PANEL),
    *(_answer(kind=kind, room="Hall", window=WINDOWS[0]) for kind in SessionType),
)

STINTS = (
    [
        Stint(HOSTILE, DAY, WHEN, WHEN + timedelta(hours=3), 5, track=HOSTILE),
        Stint("Hall", DAY + timedelta(days=1), WHEN, WHEN + timedelta(hours=1), 1),
        Stint("", DAY + timedelta(days=5), WHEN, WHEN + timedelta(hours=1), 2, track="Go"),
    ],
    [],
)

PROBLEMS = (
    Problem(ProblemKind.AMBIGUOUS_DATE, text=HOSTILE),
    Problem(ProblemKind.NOT_A_DATE, text="31 february"),
    Problem(ProblemKind.NO_SUCH_DAY_OF_MONTH, number=15),
    Problem(ProblemKind.DAY_COUNT, number=1),
    Problem(ProblemKind.DAY_COUNT, number=3),
    Problem(ProblemKind.NO_BREAK, text="coffee", day=DAY),
    Problem(ProblemKind.NO_BREAK, text=HOSTILE),
    Problem(ProblemKind.CLOCK_GAP, day=DAY, clock=(2, 30), zone="Europe/Brussels"),
    Problem(ProblemKind.CLOCK_GAP, day=DAY, zone=HOSTILE),
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
    "TimeWindow": WINDOWS,
    "TimeWindow | None": (WINDOWS[0], None, *WINDOWS[1:]),
    "Answer": ANSWERS,
    "Iterable[Stint]": STINTS,
    "Problem": PROBLEMS,
    "Decimal | None": (Decimal("4.3"), None, Decimal("1.0"), Decimal("1234.5")),
}

#: Parameters whose meaning the annotation does not tell: (function, parameter) -> values.
BY_PARAMETER: dict[tuple[str, str], tuple[Any, ...]] = {
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
    ("alert_summary", "audience"): lambda: _audiences(),
    # The organiser's own text, as the adapter made it from their message (escaped HTML).
    ("alert_message", "html"): lambda: (texts.h(HOSTILE), "<b>Evacuate</b> hall B &amp; C"),
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
