"""Time expressions in questions, read against the conference and the bot's clock.

Each language module reads its own time words into a ``TimeSpec`` (which day, which part of
it, which break, which clock time, now/next/later); this module turns a spec into a
``TimeWindow`` the same way for every language, with the traps guarded once:

- a bare number is never a date or an hour ("9" is not September): the readers only take an
  hour with a preposition or a clock form;
- numeric dates with slashes ("10/11/12") are ambiguous and refused, never read as 2112;
- a local time that does not exist (the DST gap, e.g. 02:30 on 2024-03-31 in Brussels) is
  refused with a reason instead of being shifted silently;
- with no day named, a time means today, or the next day the asked-about room or track runs.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.agenda.index import AgendaIndex
from bot.agenda.model import Session, SessionType
from bot.questions.answer import Problem, ProblemKind, Relation, TimeWindow, WindowKind
from bot.questions.normalize import fold

if TYPE_CHECKING:
    from bot.questions.lang import Language

#: A conference "day" runs past midnight: late socials belong to the evening before.
DAY_END_HOUR = 4
#: A point in time ("at 11") lists what runs then and what starts within this margin.
POINT_MARGIN = timedelta(minutes=30)
#: Hours written without am/pm at or below this are read as afternoon ("at 2" -> 14:00).
PM_IF_AT_MOST = 7

#: part of the day -> (start hour, end hour; may exceed 24)
PARTS: dict[str, tuple[int, int]] = {
    "morning": (0, 12),
    "afternoon": (12, 18),
    "evening": (18, 24 + DAY_END_HOUR),
    "night": (18, 24 + DAY_END_HOUR),
}


@dataclass(frozen=True, slots=True)
class TimeSpec:
    """What a language module read from a question's time words, before any arithmetic."""

    #: the folded question with the time words blanked out
    rest: str
    day: date | None = None
    #: the day was given as a date (month name or ISO): may be a topic ("the october 7 panel")
    explicit: date | None = None
    #: "today", "this afternoon", "tonight": the day was said, and it is today
    this_day: bool = False
    part: str | None = None
    tonight: bool = False
    #: (relation, break word): ("after", "lunch"), ("during", "coffee")
    brk: tuple[Relation, str] | None = None
    #: (relation, first clock, second clock for BETWEEN)
    clock: tuple[Relation, tuple[int, int], tuple[int, int] | None] | None = None
    #: "now", "next" or "later" when no other time was given
    flag: str | None = None
    problem: Problem | None = None


@dataclass(frozen=True, slots=True)
class TimeParse:
    """What the time words of a question meant, and the question without them."""

    window: TimeWindow | None
    #: the folded question with the time words blanked out, for intent and topic matching
    rest: str
    #: why a time was refused (DST gap, ambiguous numeric date); the window is then None
    problem: Problem | None = None
    #: a date given with a month name or ISO form (the engine drops it if it is not a
    #: conference day and the question has a topic: "the october 7 panel")
    explicit_date: date | None = None
    #: a day was named (so a room's or track's own day must not replace it)
    day_named: bool = False


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
        self._break_titles = {s.id: fold(s.all_titles_text) for s in breaks}
        first = days[0] if days else date(2000, 1, 1)
        # Built once per language: dateparser re-reads its settings on every call otherwise.
        self._dateparsers: dict[str, Any] = {}
        self.base = datetime.combine(first - timedelta(days=1), time(0))

    @classmethod
    def from_index(cls, index: AgendaIndex) -> TimeContext:
        breaks = tuple(
            s
            for s in index.sessions
            if s.type is SessionType.BREAK
            or re.search(r"lunch|coffee|break", s.all_titles_text, re.I)
        )
        return cls(index.conference.timezone, index.days, breaks)

    # ---- helpers -------------------------------------------------------------------------

    def parse_date_fragment(self, fragment: str, lang: str = "en") -> date | None:
        """dateparser on a short, already isolated fragment such as "7 november"."""
        parser = self._dateparsers.get(lang)
        if parser is None:
            from dateparser.date import DateDataParser

            parser = DateDataParser(
                languages=[lang],
                settings={
                    "TIMEZONE": self.tz.key,
                    "RETURN_AS_TIMEZONE_AWARE": True,
                    "RELATIVE_BASE": self.base,
                    "PREFER_DATES_FROM": "future",
                    "REQUIRE_PARTS": ["day", "month"],
                    "PARSERS": ["absolute-time"],
                    "DATE_ORDER": "DMY" if lang == "en" else "YMD",
                },
            )
            self._dateparsers[lang] = parser
        try:
            found = parser.get_date_data(fragment).date_obj
        except Exception:  # dateparser raises assorted errors on odd input; a miss is fine
            return None
        if found is None:
            return None
        day: date = found.date()
        return self.snap_year(day)

    def warm_up(self) -> None:
        """dateparser loads its language data on first use (~100 ms): pay it at build time."""
        self.parse_date_fragment("7 november")

    def snap_year(self, day: date) -> date:
        """A month and day without a year mean the conference's year when it has that day."""
        for d in self.days:
            if (d.month, d.day) == (day.month, day.day):
                return d
        return day

    def month_day(self, month: int, day: int) -> date | None:
        """A day of a month, in the conference's year (None if there is no such date)."""
        year = self.days[0].year if self.days else self.base.year
        try:
            return self.snap_year(date(year, month, day))
        except ValueError:
            return None

    def default_day(self, now: datetime, hint: Iterable[date] = ()) -> date:
        """The day a time without a day refers to: today, else the next conference day.

        ``hint`` are the days the asked-about room or track runs: "at 3 in the perl room"
        asked on a day the perl room is closed means the perl room's day.
        """
        today = now.date()
        hinted = sorted(set(hint))
        if hinted:
            if today in hinted:
                return today
            upcoming = [d for d in hinted if d >= today]
            return upcoming[0] if upcoming else hinted[-1]
        if not self.days or today in self.days:
            return today
        upcoming = [d for d in self.days if d >= today]
        return upcoming[0] if upcoming else today

    def weekday(self, wd: int, now: datetime) -> date:
        """The conference day on that weekday, else the next such date."""
        same = [d for d in self.days if d.weekday() == wd]
        return same[0] if same else now.date() + timedelta(days=(wd - now.weekday()) % 7)

    def conference_day(self, n: int, text: str = "") -> tuple[date | None, Problem | None]:
        """Day ``n`` of the conference (-1: the last), or why there is none."""
        if self.days and (n == -1 or 1 <= n <= len(self.days)):
            return (self.days[n - 1] if n > 0 else self.days[-1]), None
        return None, Problem(ProblemKind.DAY_COUNT, text, number=len(self.days))

    def day_of_month(self, n: int, text: str = "") -> tuple[date | None, Problem | None]:
        candidates = [d for d in self.days if d.day == n]
        if candidates:
            return candidates[0], None
        if 1 <= n <= 31:
            return None, Problem(ProblemKind.NO_SUCH_DAY_OF_MONTH, text, number=n)
        return None, None

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


def hour_of(h: str, m: str | None, ampm: str | None) -> tuple[int, int] | None:
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


def in_a_while(
    now: datetime, minutes: float, day: date | None
) -> tuple[tuple[Relation, tuple[int, int], None] | None, date | None]:
    """ "in half an hour": the clock time then, on that day (only within the next day)."""
    if not 0 < minutes <= 24 * 60:
        return None, day
    then = now + timedelta(minutes=minutes)
    return (Relation.AT, (then.hour, then.minute), None), day or then.date()


class Scan:
    """Matches regexes against the question and blanks out what each one consumed."""

    def __init__(self, text: str) -> None:
        self.text = text

    def take(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        m = pattern.search(self.text)
        if m:
            self.blank(m)
        return m

    def blank(self, m: re.Match[str]) -> None:
        self.text = self.text[: m.start()] + " " * (m.end() - m.start()) + self.text[m.end() :]

    def give_back(self, m: re.Match[str]) -> None:
        self.text = self.text[: m.start()] + m.group(0) + self.text[m.end() :]

    def rest(self) -> str:
        return re.sub(r"\s+", " ", self.text).strip()


# ---- what every language writes alike -------------------------------------------------------
#: "10/11", "10/11/12": day/month or month/day? Refused as ambiguous, in any language.
RE_SLASH_DATE = re.compile(r"(?<![\w/])\d{1,4}/\d{1,2}(?:/\d{1,4})?(?![\w/])")
RE_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def numeric_date(scan: Scan, dates: bool) -> tuple[date | None, Problem | None]:
    """The dates written the same in every language, taken from the question first: an ISO
    date (when ``dates``), and a slashed one, which is a problem, not a date."""
    problem: Problem | None = None
    explicit: date | None = None
    if m := scan.take(RE_SLASH_DATE):
        problem = Problem(ProblemKind.AMBIGUOUS_DATE, m.group(0))
    if dates and (m := scan.take(RE_ISO_DATE)):
        try:
            explicit = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            problem = Problem(ProblemKind.NOT_A_DATE, m.group(0))
    return explicit, problem


def now_next_later(
    scan: Scan, now: re.Pattern[str], next_: re.Pattern[str], later: re.Pattern[str]
) -> str | None:
    """ "now", else "next", else "later", from a language's words for them. Every occurrence
    is taken out of the topic: "what is happening in janson right now" says "now" twice."""
    flag: str | None = None
    for name, pattern in (("now", now), ("next", next_), ("later", later)):
        while scan.take(pattern):
            flag = flag or name
    return flag


def parse_time(
    folded: str,
    now: datetime,
    ctx: TimeContext,
    *,
    dates: bool = True,
    lang: Language | None = None,
    days_hint: Iterable[date] = (),
) -> TimeParse:
    """Read the time expressions of a folded question in one language (English by default).

    ``now`` is the bot's clock (aware; converted to the conference zone). With ``dates`` False
    explicit month-name dates are left in the text (for "the october 7 panel").
    """
    if lang is None:
        from bot.questions.lang import ENGLISH

        lang = ENGLISH
    now = now.astimezone(ctx.tz)
    spec = lang.read_time(folded, now, ctx, dates)
    return build_window(spec, now, ctx, days_hint)


def build_window(
    spec: TimeSpec, now: datetime, ctx: TimeContext, days_hint: Iterable[date] = ()
) -> TimeParse:
    """Turn what was read into a window in the conference's zone (language-neutral)."""
    rest, problem, explicit = spec.rest, spec.problem, spec.explicit
    day = spec.day
    has_time = day is not None or spec.part is not None or spec.brk or spec.clock is not None
    if problem and not has_time:
        return TimeParse(None, rest, problem, explicit)
    if not has_time:
        today = now.date() if now.date() in ctx.days else None
        if spec.flag == "now":
            return TimeParse(TimeWindow(now, now, WindowKind.NOW, today), rest)
        if spec.flag == "next":
            return TimeParse(TimeWindow(now, now, WindowKind.NEXT, today), rest)
        if spec.flag == "later":
            end = ctx.day_bounds(now.date())[1]
            return TimeParse(TimeWindow(now, end, WindowKind.PART, now.date(), part="later"), rest)
        return TimeParse(None, rest, problem, explicit)

    the_day = day if day is not None else ctx.default_day(now, days_hint)
    day_start, day_end = ctx.day_bounds(the_day)
    named = day is not None

    def make(start: datetime | None, end: datetime | None, window: TimeWindow) -> TimeParse:
        if start is None or end is None:
            return TimeParse(None, rest, _gap_problem(spec, the_day, ctx), explicit, named)
        return TimeParse(replace(window, start=start, end=end), rest, None, explicit, named)

    base = TimeWindow(day_start, day_end, WindowKind.PART, the_day)
    if spec.clock is not None:
        how, t1, t2 = spec.clock
        start = ctx.at(the_day, *t1)
        if how is Relation.BETWEEN and t2 is not None:
            w = replace(base, relation=how, clock=t1, clock_end=t2)
            return make(start, ctx.at(the_day, *t2), w)
        if how is Relation.AFTER:
            return make(start, day_end, replace(base, relation=how, clock=t1))
        if how is Relation.BEFORE:
            return make(day_start, start, replace(base, relation=how, clock=t1))
        until = start + POINT_MARGIN if start is not None else None
        w = replace(base, kind=WindowKind.POINT, relation=Relation.AT, clock=t1)
        return make(start, until, w)

    if spec.brk is not None:
        rel, word = spec.brk
        found = ctx.find_break(the_day, word, now)
        if found is None:
            if word != "lunch":
                return TimeParse(
                    None, rest, Problem(ProblemKind.NO_BREAK, word, day=the_day), explicit, named
                )
            # No lunch in the agenda: assume the usual 12:30-13:30.
            b_start, b_end = ctx.at(the_day, 12, 30), ctx.at(the_day, 13, 30)
        else:
            b_start, b_end = found.start, found.end
        if b_start is None or b_end is None:
            return TimeParse(None, rest, _gap_problem(spec, the_day, ctx), explicit, named)
        w = replace(base, relation=rel, anchor=word)
        if rel is Relation.AFTER:
            return make(b_end, day_end, replace(w, clock=(b_end.hour, b_end.minute)))
        if rel is Relation.BEFORE:
            return make(day_start, b_start, replace(w, clock=(b_start.hour, b_start.minute)))
        return make(b_start, b_end, replace(w, relation=Relation.DURING))

    if spec.part is not None:
        h1, h2 = PARTS[spec.part]
        part = "tonight" if spec.tonight or (spec.part == "night" and spec.this_day) else spec.part
        w = replace(base, part=part)
        return make(ctx.at(the_day, h1), ctx.at(the_day, h2), w)

    return TimeParse(
        TimeWindow(day_start, day_end, WindowKind.DAY, the_day), rest, problem, explicit, named
    )


def _gap_problem(spec: TimeSpec, day: date, ctx: TimeContext) -> Problem:
    clock = spec.clock[1] if spec.clock is not None else None
    return Problem(ProblemKind.CLOCK_GAP, day=day, clock=clock, zone=ctx.tz.key)
