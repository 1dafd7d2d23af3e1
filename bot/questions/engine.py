"""Plain-language questions about the agenda -> an ``Answer``.

The engine is built once per agenda (the search index and the time context are precomputed)
and then answers each question in well under 10 ms of CPU. It never raises: whatever the input,
the handler gets an Answer, ``Intent.UNKNOWN`` with empty results for gibberish.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.agenda.index import AgendaIndex
from bot.agenda.model import Session, Speaker
from bot.questions.answer import Answer, Intent, TimeWindow, WindowKind
from bot.questions.intent import (
    CONFERENCE_STOP,
    QUESTION_WORDS,
    Cues,
    detect,
    is_conference_question,
)
from bot.questions.normalize import clean, content_words, fold, stem
from bot.questions.search import MAX_RESULTS, SearchIndex, SpeakerMatch
from bot.questions.timeexpr import TimeContext, TimeParse, parse_time

log = logging.getLogger(__name__)

#: A listing ("what's on tomorrow") shows at most this many sessions; ``Answer.more`` the rest.
LIST_LIMIT = 20
#: "who chairs the panel" finds its moderator: these roles answer for each other.
_ROLE_FAMILY = frozenset({"moderator", "chair", "host", "facilitator", "co-moderator"})
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class QuestionEngine:
    """Answers attendees' questions about one agenda; build a new one when the agenda reloads."""

    def __init__(self, index: AgendaIndex) -> None:
        self.index = index
        self.tz = index.conference.timezone
        self.search = SearchIndex(index)
        self.time = TimeContext.from_index(index)
        self.time.warm_up()

    # ---- entry point ---------------------------------------------------------------------

    def ask(self, text: str, now: datetime) -> Answer:
        """Answer one question asked at ``now`` (aware; a naive time is the conference's zone)."""
        try:
            return self._ask(text, now)
        except Exception:  # the engine must never take a handler down with it
            log.exception("question engine failed on %r", str(text)[:80])
            return Answer(Intent.UNKNOWN, understood="the question")

    # ---- the pipeline --------------------------------------------------------------------

    def _ask(self, text: str, now: datetime) -> Answer:
        raw = clean(text)
        folded = fold(raw)
        if not any(c.isalnum() for c in folded):
            return Answer(
                Intent.UNKNOWN,
                understood="an empty question"
                if not raw.strip()
                else f"matching “{raw.strip()[:40]}”",
            )
        now = now.replace(tzinfo=self.tz) if now.tzinfo is None else now.astimezone(self.tz)
        cues = detect(folded)

        if is_conference_question(folded, content_words(folded, QUESTION_WORDS | CONFERENCE_STOP)):
            return Answer(
                Intent.CONFERENCE, conference_info=True, understood="about the conference"
            )

        tp = parse_time(folded, now, self.time)
        if tp.explicit_date is not None and tp.explicit_date not in self.index.days:
            # "the october 7 panel": a date outside the conference is part of the topic. Alone
            # ("october 7") it is too, if that finds something; else it stays a date, so
            # "what's on 12 december" says nothing is on that day.
            as_topic = self._answer(
                raw, folded, cues, parse_time(folded, now, self.time, dates=False), now
            )
            if as_topic.sessions or content_words(tp.rest, QUESTION_WORDS):
                return as_topic
        return self._answer(raw, folded, cues, tp, now)

    def _answer(self, raw: str, folded: str, cues: Cues, tp: TimeParse, now: datetime) -> Answer:
        room_match = self.search.find_room(tp.rest)
        rest = room_match.rest if room_match else tp.rest
        room = room_match.room if room_match else None
        words = content_words(rest, QUESTION_WORDS)
        toks = list(dict.fromkeys(stem(w) for w in words))
        q = _Question(self, cues, tp, room, words, toks, now, raw)
        return q.answer()


class _Question:
    """One question being answered: what was read from it and the steps to an Answer."""

    def __init__(
        self,
        engine: QuestionEngine,
        cues: Cues,
        tp: TimeParse,
        room: str | None,
        words: list[str],
        toks: list[str],
        now: datetime,
        raw: str,
    ) -> None:
        self.e = engine
        self.cues = cues
        self.window = tp.window
        self.problem = tp.problem
        self.room = room
        self.words = words
        self.toks = toks
        self.now = now
        self.raw = raw

    # ---- dispatch ------------------------------------------------------------------------

    def answer(self) -> Answer:
        intent = self.cues.intent
        about_first = intent is Intent.ABOUT or (intent is Intent.WHAT_ON and self.cues.also_about)
        matches = [] if about_first or not self.toks else self.e.search.find_speakers(self.toks)
        used = frozenset().union(*(m.used for m in matches)) if matches else frozenset()
        topic = [t for t in self.toks if t not in used]
        topic_words = [w for w in self.words if stem(w) not in used]

        if intent is Intent.WHO:
            return self._who(matches, topic, topic_words)
        if intent in (Intent.WHEN, Intent.WHERE):
            assert intent is not None  # noqa: S101  narrows the type for mypy
            if matches:
                return self._speaker_sessions(intent, matches, topic)
            if topic:
                return self._search(intent, topic, topic_words)
            if self.window or self.room:
                return self._listing(intent)
            return self._nothing(intent)
        if intent is Intent.WHAT_ON:
            if matches and not topic:
                return self._speaker_sessions(Intent.SPEAKER, matches, topic)
            if topic and (self.cues.also_about or not (self.window or self.room)):
                return self._search(Intent.ABOUT, topic, topic_words)
            return self._listing(Intent.WHAT_ON, topic, topic_words)
        if intent is Intent.ABOUT:
            named = self.e.search.find_speakers(self.toks) if self.toks else []
            named_all = frozenset().union(*(m.used for m in named)) if named else frozenset()
            if named and set(self.toks) <= named_all and (self.cues.who_is or len(named_all) > 1):
                # "tell me about ophir revach": a person, not a topic
                return self._speaker_sessions(Intent.SPEAKER, named, [])
            if self.toks:
                found = self._search(Intent.ABOUT, self.toks, self.words)
                if found.sessions:
                    return found
                matches = self.e.search.find_speakers(self.toks)
                if matches:
                    return self._speaker_sessions(Intent.SPEAKER, matches, [])
                return found
            if self.window or self.room:
                return self._listing(Intent.WHAT_ON)
            return self._nothing(Intent.ABOUT)
        # No intent words: a name, a topic, or a time/room on its own.
        if matches and not topic:
            return self._speaker_sessions(Intent.SPEAKER, matches, topic)
        if self.toks:
            found = self._search(Intent.ABOUT, self.toks, self.words)
            if found.sessions:
                return found
            if not self.window and not self.room:
                return Answer(
                    Intent.UNKNOWN,
                    topic=found.topic,
                    understood=f"matching “{found.topic}”",
                    problem=self.problem,
                )
            return found
        if self.window or self.room:
            return self._listing(Intent.WHAT_ON)
        return self._nothing(Intent.UNKNOWN)

    # ---- answers -------------------------------------------------------------------------

    def _who(self, matches: list[SpeakerMatch], topic: list[str], words: list[str]) -> Answer:
        if matches and not topic:
            return self._speaker_sessions(Intent.SPEAKER, matches, topic)
        if topic and self.cues.who_is_the and not matches:
            described = self.e.search.describe_speakers(topic)
            if described:
                return self._speaker_answer(described)
        if topic:
            pool = self._pool()
            if matches:
                own = {s.id for m in matches for s in self.e.index.of_speaker(m.speaker.id)}
                narrowed = [
                    s for s in (pool if pool is not None else self.e.index.sessions) if s.id in own
                ]
                pool = narrowed or pool
            ranked = self.e.search.search(topic, pool)
            if ranked:
                sessions = self._order(ranked)
                speakers, roles = self._speakers_of(sessions[:1], self.cues.role)
                return Answer(
                    Intent.WHO,
                    sessions=sessions[:MAX_RESULTS],
                    speakers=speakers,
                    roles=roles,
                    window=self.window,
                    room=self.room,
                    topic=" ".join(words),
                    understood=self._describe(speakers_of=" ".join(words)),
                    more=max(0, len(sessions) - MAX_RESULTS),
                    problem=self.problem,
                )
            if self.cues.who_is:
                described = self.e.search.describe_speakers(self.toks)
                if described:
                    return self._speaker_answer(described)
            return Answer(
                Intent.SPEAKER if self.cues.who_is else Intent.WHO,
                window=self.window,
                room=self.room,
                topic=" ".join(words),
                understood=self._describe(topic=" ".join(words)),
                problem=self.problem,
            )
        if self.window or self.room:
            listed = self._listing(Intent.WHO)
            speakers, roles = self._speakers_of(listed.sessions, self.cues.role)
            return Answer(
                Intent.WHO,
                sessions=listed.sessions,
                speakers=speakers,
                roles=roles,
                window=listed.window,
                room=listed.room,
                understood=listed.understood,
                next_sessions=listed.next_sessions,
                more=listed.more,
                problem=self.problem,
            )
        return self._nothing(Intent.WHO)

    def _speaker_answer(self, speakers: Sequence[Speaker]) -> Answer:
        sessions = self._merge(self.e.index.of_speaker(sp.id) for sp in speakers)
        return Answer(
            Intent.SPEAKER,
            sessions=sessions,
            speakers=tuple(speakers),
            roles=_roles(sessions, speakers),
            understood=self._describe(by=speakers),
            problem=self.problem,
        )

    def _speaker_sessions(
        self, intent: Intent, matches: list[SpeakerMatch], topic: list[str]
    ) -> Answer:
        """A named speaker's sessions, narrowed by time, room and any topic words."""
        speakers = tuple(m.speaker for m in matches)
        if intent is Intent.SPEAKER and not (self.window or self.room):
            return self._speaker_answer(speakers)
        sessions = self._merge(self.e.index.of_speaker(sp.id) for sp in speakers)
        sessions = tuple(s for s in sessions if self._fits(s))
        if topic and sessions:
            ranked = self.e.search.search(topic, sessions)
            if ranked:
                sessions = self._order(ranked)
        return Answer(
            intent,
            sessions=sessions,
            speakers=speakers,
            roles=_roles(sessions, speakers),
            window=self.window,
            room=self.room,
            understood=self._describe(by=speakers),
            problem=self.problem,
        )

    def _search(self, intent: Intent, topic: list[str], words: list[str]) -> Answer:
        ranked = self.e.search.search(topic, self._pool())
        sessions = self._order(ranked)
        shown = sessions[:MAX_RESULTS]
        speakers, roles = self._speakers_of(shown[:1], None) if intent is Intent.WHO else ((), {})
        text = " ".join(words)
        return Answer(
            intent,
            sessions=shown,
            speakers=speakers,
            roles=roles,
            window=self.window,
            room=self.room,
            topic=text,
            understood=self._describe(topic=text),
            more=max(0, len(sessions) - MAX_RESULTS),
            problem=self.problem,
        )

    def _listing(
        self, intent: Intent, topic: Sequence[str] = (), words: Sequence[str] = ()
    ) -> Answer:
        """What runs in a window (default: now) and/or a room."""
        idx = self.e.index
        window = self.window
        if window is None and self.room is None and self.problem:
            return self._nothing(intent)  # the time asked for was refused: do not guess
        if window is None and self.room is None:
            window = TimeWindow(self.now, self.now, "now", WindowKind.NOW, idx.day_of(self.now))
        next_sessions: tuple[Session, ...] = ()
        if window is not None and window.kind is WindowKind.NEXT:
            sessions = self._next(self.now)
        else:
            pool = self._pool(window)
            sessions = tuple(pool) if pool is not None else idx.sessions
            if window is None and self.room is not None:  # a room alone: what is still to come
                upcoming = tuple(s for s in sessions if s.end > self.now)
                sessions = upcoming or sessions
        if window is not None and window.kind is WindowKind.NOW:
            next_sessions = self._next(self.now)
        if topic:
            sessions = tuple(s for s, _ in self.e.search.search(topic, sessions))
            sessions = tuple(sorted(sessions, key=lambda s: (s.start, s.room)))
        text = " ".join(words) or None
        return Answer(
            intent,
            sessions=sessions[:LIST_LIMIT],
            window=window,
            room=self.room,
            topic=text,
            understood=self._describe(topic=text, window=window),
            next_sessions=next_sessions,
            more=max(0, len(sessions) - LIST_LIMIT),
            problem=self.problem,
        )

    def _nothing(self, intent: Intent) -> Answer:
        shown = self.raw.strip()[:40]
        return Answer(
            intent,
            window=self.window,
            room=self.room,
            understood=f"matching “{shown}”" if shown else "an empty question",
            problem=self.problem,
        )

    # ---- helpers -------------------------------------------------------------------------

    def _pool(self, window: TimeWindow | None = None) -> Sequence[Session] | None:
        """Sessions in the asked window and room (None: no restriction), via the index."""
        idx = self.e.index
        window = window or self.window
        pool: Sequence[Session] | None = None
        if window is not None:
            if window.kind is WindowKind.DAY and window.day is not None:
                pool = idx.on_day(window.day)
            elif window.kind is WindowKind.NOW:
                pool = idx.running_at(window.start)
            elif window.kind is WindowKind.NEXT:
                pool = tuple(s for s in idx.sessions if s.start > window.start)
            else:
                pool = idx.overlapping(window.start, window.end)
        if self.room is not None:
            in_room = idx.in_room(self.room)
            if pool is None:
                pool = in_room
            else:
                ids = {s.id for s in in_room}
                pool = tuple(s for s in pool if s.id in ids)
        return pool

    def _fits(self, s: Session) -> bool:
        if self.room is not None and s.room.casefold() != self.room.casefold():
            return False
        if self.window is None:
            return True
        if self.window.kind is WindowKind.NEXT:
            return s.start > self.now
        return self.window.contains(s)

    def _next(self, now: datetime) -> tuple[Session, ...]:
        if self.room is None:
            return self.e.index.next_after(now)
        later = [s for s in self.e.index.in_room(self.room) if s.start > now]
        return tuple(s for s in later if s.start == later[0].start) if later else ()

    def _order(self, ranked: list[tuple[Session, float]]) -> tuple[Session, ...]:
        """Best first; equal scores: what is still to come first, then by time."""
        now = self.now
        return tuple(
            s
            for s, _ in sorted(
                ranked, key=lambda r: (-round(r[1], 6), r[0].end <= now, r[0].start, r[0].room)
            )
        )

    def _merge(self, groups: Iterable[Iterable[Session]]) -> tuple[Session, ...]:
        seen: dict[str, Session] = {}
        for group in groups:
            for s in group:
                seen.setdefault(s.id, s)
        return tuple(sorted(seen.values(), key=lambda s: (s.start, s.room)))

    def _speakers_of(
        self, sessions: Sequence[Session], role: str | None
    ) -> tuple[tuple[Speaker, ...], dict[str, str]]:
        """Speakers of these sessions with their roles; only those with ``role`` if any has it."""
        parts = [p for s in sessions for p in s.speakers]
        if role is not None:
            family = _ROLE_FAMILY if role in _ROLE_FAMILY else frozenset({role})
            wanted = [p for p in parts if p.role.casefold() in family]
            parts = wanted or parts
        speakers: list[Speaker] = []
        roles: dict[str, str] = {}
        for p in parts:
            sp = self.e.index.speaker(p.speaker_id)
            if sp is not None and p.speaker_id not in roles:
                speakers.append(sp)
                roles[p.speaker_id] = p.role
        return tuple(speakers), roles

    def _describe(
        self,
        *,
        topic: str | None = None,
        by: Sequence[Speaker] = (),
        window: TimeWindow | None = None,
        speakers_of: str | None = None,
    ) -> str:
        """A qualifier that reads after "Nothing"/"Sessions": "in Room B this afternoon"."""
        parts: list[str] = [f"speakers of “{speakers_of}”"] if speakers_of else []
        if by:
            parts.append("by " + ", ".join(sp.name for sp in by))
        if topic:
            parts.append(f"about “{topic}”")
        if self.room:
            parts.append(f"in {self.room}")
        window = window or self.window
        if window is not None:
            if window.kind is WindowKind.NOW:
                parts.append("right now")
            elif window.kind is WindowKind.NEXT:
                parts.append("coming up next")
            elif window.label.startswith(_WEEKDAY_NAMES):
                parts.append(f"on {window.label}")
            else:
                parts.append(window.label)
        return " ".join(parts)


def _roles(sessions: Sequence[Session], speakers: Sequence[Speaker]) -> dict[str, str]:
    """Each speaker's role in the first listed session they take part in."""
    wanted = {sp.id for sp in speakers}
    roles: dict[str, str] = {}
    for s in sessions:
        for p in s.speakers:
            if p.speaker_id in wanted:
                roles.setdefault(p.speaker_id, p.role)
    return roles
