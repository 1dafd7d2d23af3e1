"""English: question words, stop words, kinds, places and time words."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.agenda.model import SessionType
from bot.questions.answer import Intent, Problem, ProblemKind, Relation
from bot.questions.lang import Language
from bot.questions.timeexpr import (
    Scan,
    TimeContext,
    TimeSpec,
    hour_of,
    in_a_while,
    now_next_later,
    numeric_date,
)

# ---- intents -------------------------------------------------------------------------------

_ABOUT = re.compile(
    r"\babout\b|\bregarding\b|\bconcerning\b|\brelated to\b|\btopics?\b"
    r"|\b(?:session|sessions|talk|talks|panel|panels|workshops?|lectures?|keynotes?) on\b"
    r"|\b(?:anything|something|everything) (?:on|about)\b"
)
RULES: tuple[tuple[Intent, re.Pattern[str]], ...] = (
    (Intent.WHO, re.compile(r"\bwho(?:s|se|m)?\b")),
    (Intent.WHERE, re.compile(r"\bwhere(?:s)?\b|\b(?:which|what) (?:room|hall|floor|stage)\b")),
    (
        Intent.WHEN,
        re.compile(
            r"\bwhen(?:s)?\b|\b(?:what|which) (?:time|day|hour)\b|\bwhat date\b|\bhow long\b"
            r"|\bstart(?:s|ing)? at what\b|\bwhat time\b"
        ),
    ),
    (
        Intent.WHAT_ON,
        re.compile(
            r"\bwhat(?:'s| is|s| are)? (?:on|in|happening|running|going on|there|scheduled"
            r"|planned)\b|\bwhat(?:'s| is|s)? next\b|\banything\b|\bsomething\b"
            r"|\bwhat can i (?:see|attend)\b|\b(?:agenda|schedule|programme|program)\b"
            r"|\bnow\b|\bnext\b|\bis there\b|\bare there\b|\bany\b|\blist\b|\bshow\b"
        ),
    ),
    (Intent.ABOUT, _ABOUT),
)

_CONFERENCE_STRONG = re.compile(
    r"\b(?:venue|address|wi ?fi|wifi|organi[sz](?:e|es|ed|er|ers|ing|ation|ations)"
    r"|how do i get there|how to get there|directions|dress code|registration desk)\b"
    r"|\bwhat are the dates\b|\bwhich dates\b|\bwhere is (?:it|this)\b"
)
_CONFERENCE_WORDS = re.compile(r"\b(?:conference|event|summit|forum|congress|meeting)\b")
_CONFERENCE_STOP = frozenset(
    [
        "conference",
        "event",
        "summit",
        "forum",
        "congress",
        "meeting",
        "dates",
        "date",
        "held",
        "take",
        "place",
        "end",
        "ends",
        "finish",
        "last",
        "long",
        "how",
        "begin",
    ]
)
_ROLES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bmoderat\w*"), "moderator"),
    (re.compile(r"\bchair\w*"), "chair"),
    (re.compile(r"\bhost(?:s|ed|ing)?\b"), "host"),
    (re.compile(r"\bfacilitat\w*"), "facilitator"),
    (re.compile(r"\bintroduc\w*"), "introduction"),
)
_WHO_IS = re.compile(
    r"\bwho(?:s| is| was| are)\b|\btell me about\b|\b(?:profile|bio|biography) of\b|\bwho'?s\b"
)
_WHO_IS_THE = re.compile(r"\bwho(?:s| is| was)(?: the| a| an| our)\b")
_YES_NO = re.compile(
    r"^(?:(?:and|so|but|hey|hi|ok|okay|please) )?(?:is|are|does|do|will|was|were|can|has|have)"
    r"\b|\bis (?:there|it) (?:a|an|any)\b"
)

_QUESTION_WORDS = frozenset(
    [
        "moderate",
        "moderates",
        "moderated",
        "moderating",
        "moderator",
        "moderators",
        "chair",
        "chairs",
        "chaired",
        "chairing",
        "chairman",
        "chairperson",
        "host",
        "hosts",
        "hosted",
        "hosting",
        "facilitate",
        "facilitates",
        "facilitator",
        "introduce",
        "introduces",
        "introducing",
        "bio",
        "biography",
        "profile",
        "happening",
        "running",
        "going",
        "scheduled",
        "planned",
        "day",
        "days",
        "date",
        "dates",
        "hour",
        "hours",
        "long",
        "located",
        "location",
        "floor",
        "attend",
        "see",
        "present",
        "agenda",
        "whose",
        "whom",
        "who",
        "where",
        "when",
        "right",
        "conference",
        "summit",
        "congress",
        "held",
        "end",
        "ends",
        "ending",
        "finish",
        "finishes",
        "begins",
    ]
)

_STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "anybody",
        "anyone",
        "anything",
        "anywhere",
        "are",
        "around",
        "as",
        "ask",
        "at",
        "be",
        "been",
        "before",
        "begin",
        "begins",
        "being",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "during",
        "each",
        "either",
        "else",
        "event",
        "events",
        "ever",
        "every",
        "find",
        "for",
        "from",
        "get",
        "give",
        "gives",
        "giving",
        "go",
        "going",
        "happen",
        "happening",
        "happens",
        "has",
        "have",
        "having",
        "he",
        "held",
        "hello",
        "her",
        "here",
        "hey",
        "hi",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "info",
        "information",
        "into",
        "is",
        "it",
        "its",
        "just",
        "kind",
        "know",
        "let",
        "like",
        "list",
        "looking",
        "me",
        "more",
        "most",
        "my",
        "need",
        "of",
        "on",
        "one",
        "or",
        "other",
        "our",
        "please",
        "presentation",
        "presentations",
        "presented",
        "presenting",
        "presents",
        "programme",
        "program",
        "s",
        "schedule",
        "scheduled",
        "see",
        "session",
        "sessions",
        "she",
        "show",
        "should",
        "so",
        "some",
        "something",
        "speak",
        "speaker",
        "speakers",
        "speaking",
        "speaks",
        "start",
        "starts",
        "starting",
        "take",
        "takes",
        "taking",
        "talk",
        "talks",
        "tell",
        "than",
        "thank",
        "thanks",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "thx",
        "time",
        "to",
        "up",
        "us",
        "want",
        "was",
        "we",
        "were",
        "what",
        "whats",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "room",
        "rooms",
        "hall",
        "give",
        "given",
        "held",
        "place",
        "o",
        "clock",
        "oclock",
        "ok",
        "okay",
        "today",
        "tomorrow",
        "yes",
        "no",
        "any",
        "anything",
        "talking",
        "lecture",
        "lectures",
        "happens",
        "happening",
        "interesting",
        "good",
        "best",
        "cool",
        "nice",
    ]
) | {"whos", "wheres", "whens", "hows", "theres", "lets", "im", "ive", "id", "youre"}
_TYPO_PRONE = tuple(
    sorted(
        [
            "session",
            "sessions",
            "presentation",
            "presentations",
            "speaking",
            "speaker",
            "speakers",
            "schedule",
            "scheduled",
            "programme",
            "program",
            "happening",
            "anything",
            "something",
            "please",
            "starting",
            "information",
        ]
    )
)
_PLACE_WORDS = frozenset(
    [
        "devroom",
        "devrooms",
        "dev-room",
        "track",
        "tracks",
        "room",
        "rooms",
        "stage",
        "stages",
        "hall",
        "halls",
        "auditorium",
        "theatre",
        "theater",
        "saal",
    ]
)
_MAIN_ROOM = re.compile(
    r"\b(?:the )?(?:main|big|biggest|largest|large|central|plenary|keynote|great)"
    r" (?:hall|room|stage|auditorium|theatre|theater|saal|session room)\b|\bthe plenary\b"
)
_KINDS: dict[str, SessionType] = {
    "keynote": SessionType.KEYNOTE,
    "keynotes": SessionType.KEYNOTE,
    "workshop": SessionType.WORKSHOP,
    "workshops": SessionType.WORKSHOP,
    "tutorial": SessionType.WORKSHOP,
    "tutorials": SessionType.WORKSHOP,
    "hands-on": SessionType.WORKSHOP,
    "panel": SessionType.PANEL,
    "panels": SessionType.PANEL,
    "roundtable": SessionType.PANEL,
    "discussion": SessionType.PANEL,
    "discussions": SessionType.PANEL,
}
_LANGUAGES = {
    "english": "en",
    "german": "de",
    "deutsch": "de",
    "french": "fr",
    "francais": "fr",
    "dutch": "nl",
    "spanish": "es",
    "italian": "it",
    "hungarian": "hu",
    "magyar": "hu",
    "polish": "pl",
}

# ---- time words ----------------------------------------------------------------------------

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_WEEKDAYS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tues": 1,
    "tue": 1,
    "wednesday": 2,
    "weds": 2,
    "wed": 2,
    "thursday": 3,
    "thurs": 3,
    "thu": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
_ORDINALS = {
    "first": 1,
    "1st": 1,
    "one": 1,
    "opening": 1,
    "second": 2,
    "2nd": 2,
    "two": 2,
    "third": 3,
    "3rd": 3,
    "three": 3,
    "fourth": 4,
    "4th": 4,
    "four": 4,
    "fifth": 5,
    "5th": 5,
    "five": 5,
    "sixth": 6,
    "6th": 6,
    "six": 6,
    "seventh": 7,
    "7th": 7,
    "seven": 7,
    "last": -1,
    "final": -1,
    "closing": -1,
}
_ORD_WORDS = "|".join(sorted(_ORDINALS, key=len, reverse=True))
_AMPM = r"(?:\s*(am|pm|a\.m\.?|p\.m\.?))"
_CLOCK = r"(\d{1,2})(?:[:.h](\d{2}))?" + _AMPM + "?"

_RE_DAY_MONTH = re.compile(
    rf"\b(?:on )?(?:the )?(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({_MONTHS})\b(?:,? (\d{{4}})\b)?"
)
_RE_MONTH_DAY = re.compile(
    rf"\b(?:on )?({_MONTHS}) (?:the )?(\d{{1,2}})(?:st|nd|rd|th)?(?![\d:.])\b(?:,? (\d{{4}})\b)?"
)
_RE_DAY_OF_MONTH = re.compile(r"\b(?:on )?the (\d{1,2})(?:st|nd|rd|th)\b(?! day)")
_RE_REL_DAY = re.compile(
    r"\b(?:the )?(day after tomorrow|tomorrow|tmrw?|tmw|next day|today|tonight|yesterday)\b"
)
_PREFIX_ORDS = "|".join(
    w
    for w in sorted(_ORDINALS, key=len, reverse=True)
    if w not in ("one", "two", "three", "four", "five", "six", "seven")
)
_RE_CONF_DAY = re.compile(
    rf"\b(?:on )?(?:the )?(?:day ({_ORD_WORDS}|\d{{1,2}})|({_PREFIX_ORDS})(?: conference)? day)\b"
)
_RE_WEEKDAY = re.compile(
    r"\b(?:on |next |this )?(" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + r")\b"
)
_RE_PART = re.compile(
    r"\b(?:(this|in the|tomorrow|during the) )?(morning|afternoon|evening|night)\b"
)
_RE_BREAK = re.compile(
    r"\b(after|before|during|at|until|till)(?: the)? (lunch|coffee|tea|break|dinner|registration)"
    r"(?: break)?\b"
)
_RE_LUNCHTIME = re.compile(r"\b(?:at |around )?lunch ?time\b")
_RE_RANGE = re.compile(
    rf"\b(?:(?:from|between) )?{_CLOCK}\s*(?:-|to|and|until|till)\s*{_CLOCK}(?![\d:])"
)
_RE_PREP_CLOCK = re.compile(
    rf"\b(at|around|about|by|from|after|before|until|till|since|starting|starts|start)\s+"
    rf"(?:about |around )?{_CLOCK}(?:\s*(?:h|o'?clock|oclock))?(?![\d:./])"
)
_RE_CLOCK_COLON = re.compile(rf"\b(\d{{1,2}})[:h](\d{{2}}){_AMPM}?(?![\d:])")
_RE_CLOCK_AMPM = re.compile(rf"\b(\d{{1,2}}){_AMPM}(?![\w])")
_RE_NOON = re.compile(r"\b(?:(at|around|after|before|until|from) )?(noon|midday)\b")
_RE_NOW = re.compile(
    r"\b(?:right now|just now|now|currently|at the moment|at this moment|ongoing|in progress"
    r"|going on|happening)\b"
)
_RE_NEXT = re.compile(r"\b(?:up next|next up|next|coming up|after this|soon|upcoming)\b")
_RE_LATER = re.compile(r"\b(?:later(?: today| on)?|rest of the day|for the rest of today)\b")
_RE_IN = re.compile(
    r"\b(?:in|within) (?:(\d{1,3})|(an|a|one|half an|half a|two|three)) ?"
    r"(minutes?|mins?|hours?|hrs?)\b"
)
_AMOUNTS = {"an": 1, "a": 1, "one": 1, "half an": 0.5, "half a": 0.5, "two": 2, "three": 3}
_RELATIONS = {
    "from": Relation.AFTER,
    "after": Relation.AFTER,
    "since": Relation.AFTER,
    "starting": Relation.AFTER,
    "before": Relation.BEFORE,
    "until": Relation.BEFORE,
    "till": Relation.BEFORE,
}


def read_time(folded: str, now: datetime, ctx: TimeContext, dates: bool) -> TimeSpec:
    """English time words: "tomorrow at 11", "after lunch", "day 2", "this afternoon"."""
    scan = Scan(folded)
    this_day = False

    explicit, problem = numeric_date(scan, dates)

    if dates and explicit is None:
        m = scan.take(_RE_DAY_MONTH) or scan.take(_RE_MONTH_DAY)
        if m:
            explicit = ctx.parse_date_fragment(m.group(0).removeprefix("on ").strip())
            if explicit is None:
                problem = Problem(ProblemKind.NOT_A_DATE, m.group(0).strip())
    if dates and explicit is None and (m := scan.take(_RE_DAY_OF_MONTH)):
        explicit, problem = ctx.day_of_month(int(m.group(1)), m.group(0).strip())
        problem = problem if explicit is None else None
    day = explicit

    part: str | None = None
    tonight = False
    if day is None and (m := scan.take(_RE_REL_DAY)):
        word = m.group(1)
        offset = {"day after tomorrow": 2, "yesterday": -1, "today": 0, "tonight": 0}.get(word, 1)
        day = now.date() + timedelta(days=offset)
        this_day = offset == 0
        if word == "tonight":
            part, tonight = "evening", True
    if day is None and (m := scan.take(_RE_CONF_DAY)):
        word = m.group(1) or m.group(2)
        n = int(word) if word.isdigit() else _ORDINALS[word]
        day, problem = ctx.conference_day(n, m.group(0).strip())
    if day is None and (m := scan.take(_RE_WEEKDAY)):
        day = ctx.weekday(_WEEKDAYS[m.group(1)], now)

    if part is None and (m := scan.take(_RE_PART)):
        part = m.group(2)
        if m.group(1) == "this" and day is None:
            day, this_day = now.date(), True
        elif m.group(1) == "tomorrow" and day is None:
            day = now.date() + timedelta(days=1)

    brk: tuple[Relation, str] | None = None
    if m := scan.take(_RE_BREAK):
        rel = {"at": "during", "until": "before", "till": "before"}.get(m.group(1), m.group(1))
        brk = (Relation(rel), m.group(2))
    elif scan.take(_RE_LUNCHTIME):
        brk = (Relation.DURING, "lunch")

    clock: tuple[Relation, tuple[int, int], tuple[int, int] | None] | None = None
    if m := scan.take(_RE_IN):  # "in half an hour", "in 20 minutes": from the clock
        amount = float(m.group(1)) if m.group(1) else _AMOUNTS[m.group(2)]
        minutes = amount * (60 if m.group(3).startswith("h") else 1)
        clock, day = in_a_while(now, minutes, day)
    if clock is None and (m := scan.take(_RE_RANGE)):
        a = hour_of(m.group(1), m.group(2), m.group(3) or m.group(6))
        b = hour_of(m.group(4), m.group(5), m.group(6))
        explicit_clock = bool(m.group(2) or m.group(3) or m.group(5) or m.group(6))
        if a and b and (explicit_clock or re.match(r"\s*(from|between)", m.group(0))):
            if b <= a and b[0] + 12 < 24 and not m.group(6):
                b = (b[0] + 12, b[1])
            clock = (Relation.BETWEEN, a, b)
        else:  # "10-12" alone is not a time range: give it back to the topic
            scan.give_back(m)
    if clock is None and (m := scan.take(_RE_PREP_CLOCK)):
        t = hour_of(m.group(2), m.group(3), m.group(4))
        if t:
            clock = (_RELATIONS.get(m.group(1), Relation.AT), t, None)
    if clock is None and (m := scan.take(_RE_CLOCK_COLON)):
        t = hour_of(m.group(1), m.group(2), m.group(3))
        clock = (Relation.AT, t, None) if t else None
    if clock is None and (m := scan.take(_RE_CLOCK_AMPM)):
        t = hour_of(m.group(1), None, m.group(2))
        clock = (Relation.AT, t, None) if t else None
    if clock is None and (m := scan.take(_RE_NOON)):
        clock = (_RELATIONS.get(m.group(1) or "", Relation.AT), (12, 0), None)

    flag = now_next_later(scan, _RE_NOW, _RE_NEXT, _RE_LATER)
    return TimeSpec(
        rest=scan.rest(),
        day=day,
        explicit=explicit,
        this_day=this_day,
        part=part,
        tonight=tonight,
        brk=brk,
        clock=clock,
        flag=flag,
        problem=problem,
    )


LANGUAGE = Language(
    code="en",
    rules=RULES,
    about=_ABOUT,
    roles=_ROLES,
    who_is=_WHO_IS,
    who_is_the=_WHO_IS_THE,
    yes_no=_YES_NO,
    conference_strong=_CONFERENCE_STRONG,
    conference_words=_CONFERENCE_WORDS,
    conference_stop=_CONFERENCE_STOP,
    stop_words=_STOP_WORDS,
    question_words=_QUESTION_WORDS,
    typo_prone=_TYPO_PRONE,
    place_words=_PLACE_WORDS,
    main_room=_MAIN_ROOM,
    kinds=_KINDS,
    languages=_LANGUAGES,
    read_time=read_time,
    exact_stop=frozenset({"close", "closes", "closed", "opens", "over"}),
    speak_words=frozenset(
        {
            "speak",
            "speaks",
            "speaking",
            "talk",
            "talks",
            "talking",
            "present",
            "presents",
            "presenting",
            "giving",
            "gives",
            "lecture",
            "lecturing",
            "keynoting",
        }
    ),
    markers=frozenset(
        [
            "what",
            "when",
            "where",
            "who",
            "whats",
            "is",
            "are",
            "the",
            "on",
            "in",
            "at",
            "about",
            "next",
            "now",
            "today",
            "tomorrow",
            "which",
            "talk",
            "talks",
            "anything",
            "any",
            "there",
        ]
    ),
)
