"""Time expressions in questions, read against the conference and the bot's clock.

Common phrases ("now", "tomorrow", "day 2", "this afternoon", "after lunch", "at 11", "14:30")
are matched with small regexes: fast and predictable. dateparser is called only for explicit
date fragments with a month name ("7 november", "nov 8"), with its traps guarded:

- a bare number is never a date or an hour ("9" is not September); an hour needs "at",
  "around", "from", "after", "before", "until" or am/pm;
- numeric dates with slashes ("10/11/12") are ambiguous and refused, never read as 2112;
- a local time that does not exist (the DST gap, e.g. 02:30 on 2024-03-31 in Brussels) is
  refused with a reason instead of being shifted silently.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.agenda.index import AgendaIndex
from bot.agenda.model import Session, SessionType
from bot.questions.answer import TimeWindow, WindowKind
from bot.questions.normalize import fold

#: A conference "day" runs past midnight: late socials belong to the evening before.
DAY_END_HOUR = 4
#: A point in time ("at 11") lists what runs then and what starts within this margin.
POINT_MARGIN = timedelta(minutes=30)
#: Hours written without am/pm at or below this are read as afternoon ("at 2" -> 14:00).
PM_IF_AT_MOST = 7

_PARTS: dict[str, tuple[int, int]] = {  # name -> (start hour, end hour, may exceed 24)
    "morning": (0, 12),
    "afternoon": (12, 18),
    "evening": (18, 24 + DAY_END_HOUR),
    "night": (18, 24 + DAY_END_HOUR),
}
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "tues": 1,
    "wednesday": 2,
    "weds": 2,
    "thursday": 3,
    "thurs": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
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

_RE_SLASH_DATE = re.compile(r"(?<![\w/])\d{1,4}/\d{1,2}(?:/\d{1,4})?(?![\w/])")
_RE_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
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
_RE_WEEKDAY = re.compile(r"\b(?:on |next |this )?(" + "|".join(_WEEKDAYS) + r")\b")
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
    r"|going on)\b"
)
_RE_NEXT = re.compile(r"\b(?:up next|next up|next|coming up|after this|soon)\b")
_RE_LATER = re.compile(r"\b(?:later(?: today| on)?|rest of the day|for the rest of today)\b")


@dataclass(frozen=True, slots=True)
class TimeParse:
    """What the time words of a question meant, and the question without them."""

    window: TimeWindow | None
    #: the folded question with the time words blanked out, for intent and topic matching
    rest: str
    #: why a time was refused (DST gap, ambiguous numeric date); the window is then None
    problem: str | None = None
    #: a date given with a month name or ISO form (the engine drops it if it is not a
    #: conference day and the question has a topic: "the october 7 panel")
    explicit_date: date | None = None


def _exists(naive: datetime, tz: ZoneInfo) -> bool:
    """False for wall times skipped by a DST change: the round trip through UTC moves them."""
    aware = naive.replace(tzinfo=tz)
    return aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive


class TimeContext:
    """Per-agenda facts time expressions need: zone, conference days and the breaks."""

    def __init__(self, tz: ZoneInfo, days: tuple[date, ...], breaks: tuple[Session, ...] = ()):
        self.tz = tz
        self.days = days
        by_day: dict[date, list[Session]] = defaultdict(list)
        for s in sorted(breaks, key=lambda s: s.start):
            by_day[s.listed_day].append(s)
        self._breaks = {d: tuple(v) for d, v in by_day.items()}
        self._break_titles = {s.id: fold(s.title) for s in breaks}
        first = days[0] if days else date(2000, 1, 1)
        # Built once: dateparser re-reads its settings on every call otherwise.
        self._dateparser: Any = None
        self._base = datetime.combine(first - timedelta(days=1), time(0))

    @classmethod
    def from_index(cls, index: AgendaIndex) -> TimeContext:
        breaks = tuple(
            s
            for s in index.sessions
            if s.type is SessionType.BREAK or re.search(r"lunch|coffee|break", s.title, re.I)
        )
        return cls(index.conference.timezone, index.days, breaks)

    # ---- helpers -------------------------------------------------------------------------

    def parse_date_fragment(self, fragment: str) -> date | None:
        """dateparser on a short, already isolated fragment such as "7 november"."""
        if self._dateparser is None:
            from dateparser.date import DateDataParser

            self._dateparser = DateDataParser(
                languages=["en"],
                settings={
                    "TIMEZONE": self.tz.key,
                    "RETURN_AS_TIMEZONE_AWARE": True,
                    "RELATIVE_BASE": self._base,
                    "PREFER_DATES_FROM": "future",
                    "REQUIRE_PARTS": ["day", "month"],
                    "PARSERS": ["absolute-time"],
                    "DATE_ORDER": "DMY",
                },
            )
        try:
            found = self._dateparser.get_date_data(fragment).date_obj
        except Exception:  # dateparser raises assorted errors on odd input; a miss is fine
            return None
        if found is None:
            return None
        day: date = found.date()
        return self._snap_year(day)

    def warm_up(self) -> None:
        """dateparser loads its language data on first use (~100 ms): pay it at build time."""
        self.parse_date_fragment("7 november")

    def _snap_year(self, day: date) -> date:
        """A month and day without a year mean the conference's year when it has that day."""
        for d in self.days:
            if (d.month, d.day) == (day.month, day.day):
                return d
        return day

    def default_day(self, now: datetime) -> date:
        """The day a time without a day refers to: today, else the next conference day."""
        today = now.date()
        if not self.days or today in self.days:
            return today
        upcoming = [d for d in self.days if d >= today]
        return upcoming[0] if upcoming else today

    def breaks_on(self, day: date) -> tuple[Session, ...]:
        return self._breaks.get(day, ())

    def find_break(self, day: date, word: str, now: datetime) -> Session | None:
        """The lunch/coffee break that day; of several, the next one if the day is today.

        "the coffee break" prefers a slot called "Coffee break" over "Registration and welcome
        coffee"; "the break" is any break but lunch, then lunch.
        """
        titled = [(b, self._break_titles[b.id]) for b in self.breaks_on(day)]
        if word in ("coffee", "tea", "break"):
            tiers = [
                [b for b, t in titled if f"{word} break" in t],
                [b for b, t in titled if "break" in t and "lunch" not in t],
                [b for b, t in titled if word in t],
                [b for b, t in titled if word == "break"],
            ]
        else:
            tiers = [[b for b, t in titled if word in t]]
        pool = next((tier for tier in tiers if tier), [])
        if not pool:
            return None
        if day == now.date():
            for b in pool:
                if b.end > now:
                    return b
        return pool[0]

    def at(self, day: date, hour: int, minute: int = 0) -> datetime | None:
        """Local wall time on a day (hour may exceed 23 for after midnight); None in a DST gap."""
        extra, hour = divmod(hour, 24)
        naive = datetime.combine(day + timedelta(days=extra), time(hour, minute))
        if not _exists(naive, self.tz):
            return None
        return naive.replace(tzinfo=self.tz)

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        start = datetime.combine(day, time(0), tzinfo=self.tz)
        end = datetime.combine(day + timedelta(days=1), time(DAY_END_HOUR), tzinfo=self.tz)
        return start, end


def day_label(day: date, now: datetime) -> str:
    """ "today", "tomorrow" or "Thursday 7 November"."""
    delta = (day - now.date()).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    return f"{day:%A} {day.day} {day:%B}"


def _hour(h: str, m: str | None, ampm: str | None) -> tuple[int, int] | None:
    """Validate an hour (and am/pm); small hours without am/pm are read as afternoon.

    "at 2" and "2:30" at a conference mean 14:00 and 14:30; "02:30" and "2am" are taken as
    written.
    """
    hour, minute = int(h), int(m) if m else 0
    if minute > 59:
        return None
    if ampm:
        if not 1 <= hour <= 12:
            return None
        pm = ampm.startswith("p")
        hour = hour % 12 + (12 if pm else 0)
    else:
        if hour > 23:
            return None
        if 1 <= hour <= PM_IF_AT_MOST and not h.startswith("0"):
            hour += 12
    return hour, minute


def _hhmm(hour: int, minute: int) -> str:
    return f"{hour % 24:02d}:{minute:02d}"


class _Scan:
    """Matches regexes against the question and blanks out what each one consumed."""

    def __init__(self, text: str) -> None:
        self.text = text

    def take(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        m = pattern.search(self.text)
        if m:
            self.text = self.text[: m.start()] + " " * (m.end() - m.start()) + self.text[m.end() :]
        return m


def parse_time(folded: str, now: datetime, ctx: TimeContext, *, dates: bool = True) -> TimeParse:
    """Read the time expressions of a folded question.

    ``now`` is the bot's clock (aware; converted to the conference zone). With ``dates`` False
    explicit month-name dates are left in the text (for "the october 7 panel").
    """
    now = now.astimezone(ctx.tz)
    scan = _Scan(folded)
    problem: str | None = None
    day: date | None = None
    explicit: date | None = None
    this_day = False  # "today", "this afternoon", "tonight": the day was said, and it is today

    if m := scan.take(_RE_SLASH_DATE):
        problem = f"“{m.group(0)}” is ambiguous: please write the date with the month's name"

    # ---- the day -----------------------------------------------------------------------
    if dates and (m := scan.take(_RE_ISO_DATE)):
        try:
            explicit = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            problem = f"“{m.group(0)}” is not a date"
    if dates and explicit is None:
        m = scan.take(_RE_DAY_MONTH) or scan.take(_RE_MONTH_DAY)
        if m:
            explicit = ctx.parse_date_fragment(m.group(0).removeprefix("on ").strip())
            if explicit is None:
                problem = f"“{m.group(0).strip()}” is not a date"
    if dates and explicit is None and (m := scan.take(_RE_DAY_OF_MONTH)):
        n = int(m.group(1))
        candidates = [d for d in ctx.days if d.day == n]
        if candidates:
            explicit = candidates[0]
        elif 1 <= n <= 31:
            problem = f"the conference has no day on the {m.group(1)}th"
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
        if ctx.days and (n == -1 or 1 <= n <= len(ctx.days)):
            day = ctx.days[n - 1] if n > 0 else ctx.days[-1]
        else:
            problem = f"the conference has {len(ctx.days)} day(s)"
    if day is None and (m := scan.take(_RE_WEEKDAY)):
        wd = _WEEKDAYS[m.group(1)]
        same = [d for d in ctx.days if d.weekday() == wd]
        day = same[0] if same else now.date() + timedelta(days=(wd - now.weekday()) % 7)

    # ---- the part of the day -------------------------------------------------------------
    if part is None and (m := scan.take(_RE_PART)):
        part = m.group(2)
        if m.group(1) == "this" and day is None:
            day, this_day = now.date(), True
        elif m.group(1) == "tomorrow" and day is None:
            day = now.date() + timedelta(days=1)

    brk: tuple[str, str] | None = None
    if m := scan.take(_RE_BREAK):
        rel, word = m.group(1), m.group(2)
        brk = ({"at": "during", "until": "before", "till": "before"}.get(rel, rel), word)
    elif scan.take(_RE_LUNCHTIME):
        brk = ("during", "lunch")

    # ---- the clock -----------------------------------------------------------------------
    clock: tuple[str, tuple[int, int], tuple[int, int] | None] | None = None  # (how, t1, t2)
    if m := scan.take(_RE_RANGE):
        a = _hour(m.group(1), m.group(2), m.group(3) or m.group(6))
        b = _hour(m.group(4), m.group(5), m.group(6))
        explicit_clock = bool(m.group(2) or m.group(3) or m.group(5) or m.group(6))
        if a and b and (explicit_clock or re.match(r"\s*(from|between)", m.group(0))):
            if b <= a and b[0] + 12 < 24 and not m.group(6):
                b = (b[0] + 12, b[1])
            clock = ("range", a, b)
        else:  # "10-12" alone is not a time range: give it back to the topic
            scan.text = scan.text[: m.start()] + m.group(0) + scan.text[m.end() :]
    if clock is None and (m := scan.take(_RE_PREP_CLOCK)):
        t = _hour(m.group(2), m.group(3), m.group(4))
        if t:
            prep = m.group(1)
            how = {
                "from": "after",
                "after": "after",
                "since": "after",
                "starting": "after",
                "before": "before",
                "until": "before",
                "till": "before",
            }.get(prep, "at")
            clock = (how, t, None)
    if clock is None and (m := scan.take(_RE_CLOCK_COLON)):
        t = _hour(m.group(1), m.group(2), m.group(3))
        clock = ("at", t, None) if t else None
    if clock is None and (m := scan.take(_RE_CLOCK_AMPM)):
        t = _hour(m.group(1), None, m.group(2))
        clock = ("at", t, None) if t else None
    if clock is None and (m := scan.take(_RE_NOON)):
        how = {"after": "after", "from": "after", "before": "before", "until": "before"}.get(
            m.group(1) or "", "at"
        )
        clock = (how, (12, 0), None)

    # ---- now / next / later --------------------------------------------------------------
    flag: str | None = None
    if m := scan.take(_RE_NOW):
        flag = "now"
    if m := scan.take(_RE_NEXT):
        flag = flag or "next"
    if m := scan.take(_RE_LATER):
        flag = flag or "later"

    rest = re.sub(r"\s+", " ", scan.text).strip()
    has_time = day is not None or part is not None or brk is not None or clock is not None
    if problem and not has_time:
        return TimeParse(None, rest, problem, explicit)
    if not has_time:
        if flag == "now":
            return TimeParse(TimeWindow(now, now, "now", WindowKind.NOW, ctx_day(ctx, now)), rest)
        if flag == "next":
            return TimeParse(TimeWindow(now, now, "next", WindowKind.NEXT, ctx_day(ctx, now)), rest)
        if flag == "later":
            end = ctx.day_bounds(now.date())[1]
            return TimeParse(TimeWindow(now, end, "later today", WindowKind.PART, now.date()), rest)
        return TimeParse(None, rest, problem, explicit)

    the_day = day if day is not None else ctx.default_day(now)
    label = day_label(the_day, now)
    day_start, day_end = ctx.day_bounds(the_day)

    def make(
        start: datetime | None, end: datetime | None, text: str, kind: WindowKind
    ) -> TimeParse:
        if start is None or end is None:
            return TimeParse(None, rest, _gap_problem(clock, the_day, ctx), explicit)
        return TimeParse(TimeWindow(start, end, text, kind, the_day), rest, None, explicit)

    if clock is not None:
        how, t1, t2 = clock
        start = ctx.at(the_day, *t1)
        if how == "range" and t2 is not None:
            return make(
                start, ctx.at(the_day, *t2), f"{label} {_hhmm(*t1)}–{_hhmm(*t2)}", WindowKind.PART
            )
        if how == "after":
            return make(start, day_end, f"{label} after {_hhmm(*t1)}", WindowKind.PART)
        if how == "before":
            return make(day_start, start, f"{label} before {_hhmm(*t1)}", WindowKind.PART)
        until = start + POINT_MARGIN if start is not None else None
        return make(start, until, f"{label} at {_hhmm(*t1)}", WindowKind.POINT)

    if brk is not None:
        rel, word = brk
        found = ctx.find_break(the_day, word, now)
        name = {"coffee": "the coffee break", "tea": "the tea break", "break": "the break"}.get(
            word, word
        )
        if found is None:
            if word != "lunch":
                return TimeParse(None, rest, f"there is no {word} break {label}", explicit)
            # No lunch in the agenda: assume the usual 12:30-13:30.
            b_start, b_end = ctx.at(the_day, 12, 30), ctx.at(the_day, 13, 30)
        else:
            b_start, b_end = found.start, found.end
        if b_start is None or b_end is None:
            return TimeParse(None, rest, _gap_problem(None, the_day, ctx), explicit)
        if rel == "after":
            return make(b_end, day_end, f"{label} after {name} ({b_end:%H:%M})", WindowKind.PART)
        if rel == "before":
            return make(
                day_start, b_start, f"{label} before {name} ({b_start:%H:%M})", WindowKind.PART
            )
        return make(b_start, b_end, f"{label} during {name}", WindowKind.PART)

    if part is not None:
        h1, h2 = _PARTS[part]
        if this_day or label == "today":
            text = "tonight" if tonight or part == "night" else f"this {part}"
        else:
            text = f"{label} {part}"
        return make(ctx.at(the_day, h1), ctx.at(the_day, h2), text, WindowKind.PART)

    return TimeParse(
        TimeWindow(day_start, day_end, label, WindowKind.DAY, the_day), rest, problem, explicit
    )


def ctx_day(ctx: TimeContext, now: datetime) -> date | None:
    return now.date() if now.date() in ctx.days else None


def _gap_problem(clock: object, day: date, ctx: TimeContext) -> str:
    when = f"{day:%A} {day.day} {day:%B} {day.year}"
    if isinstance(clock, tuple) and len(clock) == 3:
        t = clock[1]
        return f"{_hhmm(*t)} does not exist on {when} in {ctx.tz.key} (the clocks go forward)"
    return f"that time does not exist on {when} in {ctx.tz.key} (the clocks change)"
