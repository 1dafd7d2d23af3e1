"""Plain-language questions about the agenda -> an ``Answer``.

The engine is built once per agenda (the search index, the places and the time context are
precomputed) and then answers each question in well under 10 ms of CPU. It never raises:
whatever the input, the handler gets an Answer, ``Intent.UNKNOWN`` with empty results for
gibberish.

A question is read in its own language (told from its words, the user's setting breaking
ties), then taken apart in a fixed order: a room (code, name or description), a track, the
time words, a kind of session and a session language; what is left are the topic words and
perhaps a speaker's name. Every part found is a filter, and filters combine in any order.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from bot.agenda.index import AgendaIndex, Stint
from bot.agenda.model import Session, SessionType, Speaker
from bot.questions.answer import Answer, Intent, TimeWindow, WindowKind
from bot.questions.intent import Cues, detect, is_conference_question
from bot.questions.lang import ENGLISH, Language, languages
from bot.questions.normalize import clean, content_words, fold, stem
from bot.questions.places import Place, Places
from bot.questions.search import MAX_RESULTS, SearchIndex, SpeakerMatch
from bot.questions.timeexpr import TimeContext, TimeParse, parse_time

log = logging.getLogger(__name__)

#: A listing ("what's on tomorrow") shows at most this many sessions on its first page.
LIST_LIMIT = 20
#: "who chairs the panel" finds its moderator: these roles answer for each other.
_ROLE_FAMILY = frozenset({"moderator", "chair", "host", "facilitator", "co-moderator"})
#: Suggestions offered when nothing matched with confidence.
MAX_SUGGESTIONS = 3
#: Two results within this share of each other are "equally relevant": time decides.
_TIER = 0.1
#: A track named as the whole topic ("python talks") weighs its sessions like a title hit.
TRACK_AS_TITLE = 1.5


class QuestionEngine:
    """Answers attendees' questions about one agenda; build a new one when the agenda reloads."""

    def __init__(self, index: AgendaIndex) -> None:
        self.index = index
        self.tz = index.conference.timezone
        self.search = SearchIndex(index)
        self.places = Places(index, self.search)
        self.time = TimeContext.from_index(index)
        self.time.warm_up()
        self._kind_ids: dict[SessionType, frozenset[str]] = {}
        self._room_keys = frozenset(k for rn in index.room_names for k in rn.keys)

    def known(self, word: str) -> bool:
        """Does the agenda use this (folded) word: in a title, a name, a track, a room?"""
        return stem(word) in self.search.text.postings or word in self._room_keys

    # ---- entry point ---------------------------------------------------------------------

    def ask(self, text: str, now: datetime, lang: str | None = None) -> Answer:
        """Answer one question asked at ``now`` (aware; a naive time is the conference's zone).

        ``lang`` is the user's language, used only when the question itself does not tell.
        """
        try:
            return self._ask(text, now, lang)
        except Exception:  # the engine must never take a handler down with it
            log.exception("question engine failed on %r", str(text)[:80])
            return Answer(Intent.UNKNOWN, empty=True)

    def language_of(self, raw: str, folded: str, hint: str | None = None) -> Language:
        """The language a question is written in: the one whose own words and letters it uses
        most; the user's language (then English) when it is a tie."""
        langs = languages()
        tokens = folded.split()
        lowered = raw.casefold()
        best: tuple[float, Language] | None = None
        for lang in langs.values():
            score = float(sum(1 for t in tokens if t in lang.markers))
            # letters only this language has weigh more than those it shares ("ő" vs "é")
            score += sum(
                1.0 if c in lang.letters[:2] else 0.3 for c in lowered if c in lang.letters
            )
            score += 0.01 if lang.code == hint else 0.0
            if best is None or score > best[0]:
                best = (score, lang)
        if best is None or best[0] < 0.25:
            return langs.get(hint or "", ENGLISH)
        return best[1]

    # ---- the pipeline --------------------------------------------------------------------

    def _ask(self, text: str, now: datetime, hint: str | None) -> Answer:
        raw = clean(text)
        folded = fold(raw)
        now = now.replace(tzinfo=self.tz) if now.tzinfo is None else now.astimezone(self.tz)
        if not any(c.isalnum() for c in folded):
            return Answer(Intent.UNKNOWN, empty=True, asked_at=now, lang=hint or "en")
        lang = self.language_of(raw, folded, hint)
        # What the language needs (Hungarian: its lemmatiser's dictionary) loads on its first
        # question, in the background: that question and the next are answered without it.
        lang.warm()
        folded = lang.prepare(folded, self.known)
        cues = detect(folded, lang)
        content = content_words(folded, lang.stop_words, lang.question_words | lang.conference_stop)
        if is_conference_question(folded, content, lang):
            return Answer(Intent.CONFERENCE, conference_info=True, asked_at=now, lang=lang.code)

        room = self.places.room(folded, lang)
        if room is not None:
            same = self.places.track(folded, lang)
            if same is not None and same.strict and same.name.casefold() == room.name.casefold():
                room = None  # "the winterchaos track": a track with its room's name
        after_room = room.rest if room else folded
        track = self.places.track(after_room, lang)
        strict_track = track if track is not None and track.strict else None
        after_track = strict_track.rest if strict_track else after_room
        hint_days = self._days_of(room, strict_track)
        tp = parse_time(after_track, now, self.time, lang=lang, days_hint=hint_days)
        if tp.explicit_date is not None and tp.explicit_date not in self.index.days:
            # "the october 7 panel": a date outside the conference is part of the topic. Alone
            # ("october 7") it is too, if that finds something; else it stays a date, so
            # "what's on 12 december" says nothing is on that day.
            undated = parse_time(
                after_track, now, self.time, dates=False, lang=lang, days_hint=hint_days
            )
            as_topic = self._answer(raw, lang, cues, undated, now, room, track)
            rest_words = content_words(tp.rest, lang.stop_words, lang.question_words)
            if as_topic.sessions or as_topic.card or rest_words:
                return as_topic
        return self._answer(raw, lang, cues, tp, now, room, track)

    def _days_of(self, room: Place | None, track: Place | None) -> list[date]:
        stints: tuple[Stint, ...] = ()
        if track is not None:
            stints = self.index.track_stints(track.name)
        elif room is not None:
            stints = self.index.room_stints(room.name)
        return [st.day for st in stints]

    def _answer(
        self,
        raw: str,
        lang: Language,
        cues: Cues,
        tp: TimeParse,
        now: datetime,
        room: Place | None,
        track: Place | None,
    ) -> Answer:
        kind, rest = self.places.kind(tp.rest, lang)
        language, rest = self.places.language(rest, lang)
        words: list[str] = []
        # "devroom", "track", "room" say where, never what about
        ignored = lang.question_words | lang.place_words
        accented = {fold(w): re.sub(r"[^\w-]+", "", w.casefold()) for w in raw.split()}
        for w in content_words(rest, lang.stop_words, ignored, lang.typo_prone):
            if w in lang.exact_stop:
                continue
            for lemma in lang.lemma(w, accented.get(w, w), self.known):
                if lemma not in lang.stop_words and lemma not in words:
                    words.append(lemma)
        toks = list(dict.fromkeys(stem(w) for w in words))
        q = _Question(self, lang, cues, tp, room, track, kind, language, words, toks, now, raw)
        return q.answer()

    def kind_ids(self, kind: SessionType) -> frozenset[str]:
        """Sessions of a kind, or that say so in their title or track ("Keynotes")."""
        found = self._kind_ids.get(kind)
        if found is None:
            word = kind.value
            found = frozenset(
                s.id
                for s in self.index.sessions
                if s.type is kind or word in fold(s.all_titles_text) or word in fold(s.track)
            )
            self._kind_ids[kind] = found
        return found


class _Question:
    """One question being answered: what was read from it and the steps to an Answer."""

    def __init__(
        self,
        engine: QuestionEngine,
        lang: Language,
        cues: Cues,
        tp: TimeParse,
        room: Place | None,
        track: Place | None,
        kind: SessionType | None,
        language: str | None,
        words: list[str],
        toks: list[str],
        now: datetime,
        raw: str,
    ) -> None:
        self.e = engine
        self.lang = lang
        self.cues = cues
        self.window = tp.window
        self.problem = tp.problem
        self.day_named = tp.day_named
        self.room = room.name if room else None
        #: a track named as a place ("the go devroom"): a filter
        self.track = track.name if track is not None and track.strict else None
        #: a track named without a place word ("python"): the topic may be just that track
        self.soft_track = track if track is not None and not track.strict else None
        self.kind = kind
        self.language = language
        self.words = words
        self.toks = toks
        self.now = now
        self.raw = raw
        self.raw_words = fold(raw).split()

    @property
    def filtered(self) -> bool:
        return bool(self.window or self.room or self.track or self.kind or self.language)

    def base(self, intent: Intent, **fields: object) -> Answer:
        """An Answer carrying every filter understood, plus the given fields."""
        values: dict[str, object] = {
            "window": self.window,
            "room": self.room,
            "track": self.track,
            "kind": self.kind,
            "language": self.language,
            "problem": self.problem,
            "asked_at": self.now,
            "lang": self.lang.code,
            "over": self._over(),
        }
        values.update(fields)
        return Answer(intent, **values)  # type: ignore[arg-type]

    def _over(self) -> bool:
        end = self.e.index.end
        return end is not None and self.now >= end

    # ---- dispatch ------------------------------------------------------------------------

    def answer(self) -> Answer:
        intent = self.cues.intent
        about_first = intent is Intent.ABOUT or (intent is Intent.WHAT_ON and self.cues.also_about)
        person = (
            intent in (Intent.WHEN, Intent.WHERE, Intent.WHO)
            or self.cues.who_is
            or self.cues.yes_no
            or any(w in self.lang.speak_words for w in self.raw_words)
        )
        matches = (
            []
            if about_first or not self.toks
            else self.e.search.find_speakers(self.toks, first_name_alone=person)
        )
        used = frozenset().union(*(m.used for m in matches)) if matches else frozenset()
        topic = [t for t in self.toks if t not in used]
        topic_words = [w for w in self.words if stem(w) not in used]

        place = self._place_question(intent, matches, topic)
        if place is not None:
            return place
        if intent is Intent.WHO:
            return self._who(matches, topic, topic_words)
        if intent in (Intent.WHEN, Intent.WHERE):
            assert intent is not None  # noqa: S101  narrows the type for mypy
            if matches:
                return self._speaker_sessions(intent, matches, topic)
            if topic:
                return self._search(intent, topic, topic_words)
            if self.filtered:
                return self._listing(intent)
            return self._nothing(intent)
        if intent is Intent.WHAT_ON:
            if matches and not topic:
                return self._speaker_sessions(Intent.SPEAKER, matches, topic)
            if topic and (self.cues.also_about or not self.filtered):
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
                if found.sessions or found.card:
                    return found
                matches = self.e.search.find_speakers(self.toks)
                if matches:
                    return self._speaker_sessions(Intent.SPEAKER, matches, [])
                return found
            if self.filtered:
                return self._listing(Intent.WHAT_ON)
            return self._nothing(Intent.ABOUT)
        # No intent words: a name, a topic, or a time/room on its own.
        if matches and not topic:
            intent_for = Intent.WHAT_ON if self.cues.yes_no else Intent.SPEAKER
            return self._speaker_sessions(intent_for, matches, topic)
        if self.toks:
            found = self._search(Intent.ABOUT, self.toks, self.words)
            if found.sessions or found.card or found.suggestions:
                return found
            if not self.filtered:
                return self.base(Intent.UNKNOWN, topic=found.topic)
            return found
        if self.filtered:
            return self._listing(Intent.WHAT_ON)
        return self._nothing(Intent.UNKNOWN)

    # ---- places: "where is the go devroom", "is the perl room today", "where is janson" ----

    def _place_question(
        self, intent: Intent | None, matches: list[SpeakerMatch], topic: list[str]
    ) -> Answer | None:
        asks_place = intent in (Intent.WHERE, Intent.WHEN) or (self.cues.yes_no and intent is None)
        if not asks_place or matches:
            return None
        idx = self.e.index
        track = self.track if not topic else None
        if self.track is None and self.soft_track is not None and not self.room:
            # "where is python": the words left are only the track's name
            left = content_words(
                self.soft_track.rest, self.lang.stop_words, self.lang.question_words
            )
            if not left:
                track = self.soft_track.name
        if track is not None:
            sessions = self._filter(idx.in_track(track), window=False)
            return self._place_answer(intent, idx.track_stints(track), sessions, track=track)
        room_only = self.room is not None and not topic and not self.kind and not self.window
        if room_only and self.room is not None and (intent is Intent.WHERE or self.cues.yes_no):
            sessions = self._filter(idx.in_room(self.room), window=False)
            return self._place_answer(intent, idx.room_stints(self.room), sessions)
        return None

    def _place_answer(
        self,
        intent: Intent | None,
        stints: Sequence[Stint],
        sessions: Sequence[Session],
        track: str | None = None,
    ) -> Answer:
        all_stints = tuple(stints)
        verdict: bool | None = None
        if self.cues.yes_no and intent is None:
            if self.window is not None:
                verdict = any(self._stint_in_window(st, self.window) for st in all_stints)
            else:
                verdict = any(st.end > self.now for st in all_stints)
        upcoming = tuple(s for s in sessions if s.end > self.now) or tuple(sessions)
        return self.base(
            Intent.PLACE,
            track=track or self.track,
            stints=all_stints,
            verdict=verdict,
            sessions=upcoming[:MAX_RESULTS],
            matches=upcoming,
            more=max(0, len(upcoming) - MAX_RESULTS),
        )

    @staticmethod
    def _stint_in_window(stint: Stint, window: TimeWindow) -> bool:
        if window.kind is WindowKind.DAY and window.day is not None:
            return stint.day == window.day
        if window.start == window.end:
            return stint.start <= window.start < stint.end
        return stint.start < window.end and stint.end > window.start

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
            ranked = self.e.search.search(topic, pool, phrase=topic)
            if ranked:
                sessions = self._order(ranked)
                speakers, roles = self._speakers_of(sessions[:1], self.cues.role)
                return self.base(
                    Intent.WHO,
                    sessions=sessions[:MAX_RESULTS],
                    matches=sessions,
                    speakers=speakers,
                    roles=roles,
                    topic=" ".join(words),
                    more=max(0, len(sessions) - MAX_RESULTS),
                )
            if self.cues.who_is:
                described = self.e.search.describe_speakers(self.toks)
                if described:
                    return self._speaker_answer(described)
            return self.base(
                Intent.SPEAKER if self.cues.who_is else Intent.WHO, topic=" ".join(words)
            )
        if self.filtered:
            listed = self._listing(Intent.WHO)
            speakers, roles = self._speakers_of(listed.sessions, self.cues.role)
            return self.base(
                Intent.WHO,
                sessions=listed.sessions,
                matches=listed.matches,
                speakers=speakers,
                roles=roles,
                window=listed.window,
                next_sessions=listed.next_sessions,
                more=listed.more,
            )
        return self._nothing(Intent.WHO)

    def _speaker_answer(self, speakers: Sequence[Speaker]) -> Answer:
        sessions = self._merge(self.e.index.of_speaker(sp.id) for sp in speakers)
        return self.base(
            Intent.SPEAKER,
            sessions=sessions,
            matches=sessions,
            speakers=tuple(speakers),
            roles=_roles(sessions, speakers),
        )

    def _speaker_sessions(
        self, intent: Intent, matches: list[SpeakerMatch], topic: list[str]
    ) -> Answer:
        """A named speaker's sessions, narrowed by time, room and any topic words."""
        speakers = tuple(m.speaker for m in matches)
        if intent is Intent.SPEAKER and not self.filtered:
            return self._speaker_answer(speakers)
        sessions = self._merge(self.e.index.of_speaker(sp.id) for sp in speakers)
        sessions = tuple(self._filter(sessions))
        if topic and sessions:
            ranked = self.e.search.search(topic, sessions, phrase=topic)
            if ranked:
                sessions = self._order(ranked)
        verdict = bool(sessions) if self.cues.yes_no else None
        return self.base(
            intent,
            sessions=sessions,
            matches=sessions,
            speakers=speakers,
            roles=_roles(sessions, speakers),
            verdict=verdict,
        )

    def _search(self, intent: Intent, topic: list[str], words: list[str]) -> Answer:
        pool = self._pool()
        ranked = self.e.search.search_all(topic, pool, phrase=topic, surface=self.words)
        ranked = self._boost_track(ranked, topic)
        if pool is None and intent is Intent.ABOUT and self.cues.intent is Intent.WHAT_ON:
            # "anything about postgres": about what is still to come, if anything is; else
            # what there was (marked as over) rather than nothing
            upcoming = [r for r in ranked if r[0].end > self.now and r[2]]
            ranked = upcoming or ranked
        confident = [(s, score) for s, score, ok in ranked if ok]
        text = " ".join(words)
        if not confident:
            weak = tuple(s for s, _, _ in ranked[:MAX_SUGGESTIONS])
            other = False
            if pool is not None:
                # "perl talks tomorrow" when perl is on today: what matches at another time or
                # place, offered as suggestions, not as the answer
                elsewhere = self.e.search.search(topic, None, phrase=topic, surface=self.words)
                if elsewhere:
                    weak, other = self._order(elsewhere)[:MAX_SUGGESTIONS], True
            return self.base(intent, topic=text, suggestions=weak, suggested_elsewhere=other)
        sessions = self._order(confident)
        card = self._card(intent, sessions, confident, topic, text)
        shown = sessions[:MAX_RESULTS]
        speakers, roles = self._speakers_of(shown[:1], None) if intent is Intent.WHO else ((), {})
        verdict = bool(sessions) if self.cues.yes_no else None
        return self.base(
            intent,
            sessions=shown,
            matches=sessions,
            speakers=speakers,
            roles=roles,
            topic=text,
            more=max(0, len(sessions) - MAX_RESULTS),
            card=card,
            verdict=verdict,
        )

    def _boost_track(
        self, ranked: list[tuple[Session, float, bool]], topic: list[str]
    ) -> list[tuple[Session, float, bool]]:
        """ "python talks": the topic is a track's name, so its sessions rank with the titles
        that say it (the track field alone weighs less than a title)."""
        soft = self.soft_track
        if soft is None or not soft.full or not ranked:
            return ranked
        track_stems = {stem(w) for w in soft.name.casefold().split()}
        if not set(topic) <= track_stems | {t for t in topic if len(t) <= 2}:
            return ranked
        name = soft.name.casefold()
        boosted = [
            (s, score * TRACK_AS_TITLE if s.track.casefold() == name else score, ok)
            for s, score, ok in ranked
        ]
        boosted.sort(key=lambda r: -r[1])
        return boosted

    def _card(
        self,
        intent: Intent,
        sessions: tuple[Session, ...],
        ranked: list[tuple[Session, float]],
        topic: list[str],
        text: str,
    ) -> Session | None:
        """A single exact or near-exact title match: open it, not a list of one."""
        if intent not in (Intent.WHEN, Intent.WHERE, Intent.ABOUT) or self.cues.yes_no:
            return None
        top = sessions[0]
        if not self.e.search.title_match(top, topic, text, self.lang.stop_words):
            return None
        scores = dict((s.id, score) for s, score in ranked)
        others = [s for s in sessions[1:] if scores.get(s.id, 0.0) >= 0.8 * scores.get(top.id, 0.0)]
        if any(self.e.search.title_match(s, topic, text, self.lang.stop_words) for s in others):
            return None  # two sessions of that title (a talk and its stream): list them
        return top

    def _listing(
        self, intent: Intent, topic: Sequence[str] = (), words: Sequence[str] = ()
    ) -> Answer:
        """What runs in a window (default: now) and/or a room, track or kind."""
        idx = self.e.index
        window = self.window
        place = self.room or self.track or self.kind or self.language
        if window is None and not place and self.problem:
            return self._nothing(intent)  # the time asked for was refused: do not guess
        if window is None and not place:
            window = TimeWindow(self.now, self.now, WindowKind.NOW, idx.day_of(self.now))
        next_sessions: tuple[Session, ...] = ()
        if window is not None and window.kind is WindowKind.NEXT:
            sessions = self._next(self.now)
        else:
            pool = self._pool(window)
            sessions = tuple(pool) if pool is not None else idx.sessions
            if window is None:  # a room or track alone: what is still to come
                sessions = self._upcoming_or_all(sessions)
        if window is not None and window.kind is WindowKind.NOW:
            next_sessions = self._next(self.now)
        suggestions: tuple[Session, ...] = ()
        if topic:
            found = self.e.search.search_all(topic, sessions, phrase=topic)
            chosen = [s for s, _, ok in found if ok]
            if not chosen:
                suggestions = tuple(s for s, _, _ in found[:MAX_SUGGESTIONS])
            sessions = tuple(sorted(chosen, key=lambda s: (s.start, s.room)))
        text = " ".join(words) or None
        verdict = bool(sessions) if self.cues.yes_no else None
        return self.base(
            intent,
            sessions=sessions[:LIST_LIMIT],
            matches=sessions,
            window=window,
            topic=text,
            next_sessions=next_sessions,
            more=max(0, len(sessions) - LIST_LIMIT),
            verdict=verdict,
            suggestions=suggestions,
        )

    def _nothing(self, intent: Intent) -> Answer:
        return self.base(intent, topic=" ".join(self.words) or None)

    # ---- helpers -------------------------------------------------------------------------

    def _upcoming_or_all(self, sessions: Iterable[Session]) -> tuple[Session, ...]:
        every = tuple(sessions)
        upcoming = tuple(s for s in every if s.end > self.now)
        return upcoming or every

    def _pool(self, window: TimeWindow | None = None) -> Sequence[Session] | None:
        """Sessions in the asked window, room, track, kind and language (None: no restriction)."""
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
            pool = _within(pool, idx.in_room(self.room))
        if self.track is not None:
            pool = _within(pool, idx.in_track(self.track))
        if self.kind is not None or self.language is not None:
            base = pool if pool is not None else idx.sessions
            pool = tuple(s for s in base if self._fits_kind(s))
        return pool

    def _fits_kind(self, s: Session) -> bool:
        if self.kind is not None and s.id not in self.e.kind_ids(self.kind):
            return False
        return self.language is None or s.language.casefold().startswith(self.language)

    def _filter(self, sessions: Iterable[Session], *, window: bool = True) -> list[Session]:
        out = []
        for s in sessions:
            if self.room is not None and s.room.casefold() != self.room.casefold():
                continue
            if self.track is not None and s.track.casefold() != self.track.casefold():
                continue
            if not self._fits_kind(s):
                continue
            if window and self.window is not None:
                if self.window.kind is WindowKind.NEXT:
                    if s.start <= self.now:
                        continue
                elif not self.window.contains(s):
                    continue
            out.append(s)
        return out

    def _next(self, now: datetime) -> tuple[Session, ...]:
        """What starts next (all that start at that moment), within the room, track and kind."""
        if not (self.room or self.track or self.kind or self.language):
            return self.e.index.next_after(now)
        later = [s for s in self._filter(self.e.index.starting_after(now), window=False)]
        return tuple(s for s in later if s.start == later[0].start) if later else ()

    def _order(self, ranked: list[tuple[Session, float]]) -> tuple[Session, ...]:
        """Best first; equally relevant (within 10%): what is still to come first, by time."""
        if not ranked:
            return ()
        now = self.now
        top = max(score for _, score in ranked) or 1.0

        def key(r: tuple[Session, float]) -> tuple[float, bool, datetime, str]:
            s, score = r
            tier = round((top - score) / top / _TIER)
            return (tier, s.end <= now, s.start, s.room)

        return tuple(s for s, _ in sorted(ranked, key=key))

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


def _within(pool: Sequence[Session] | None, allowed: Sequence[Session]) -> Sequence[Session]:
    if pool is None:
        return allowed
    ids = {s.id for s in allowed}
    return tuple(s for s in pool if s.id in ids)


def _roles(sessions: Sequence[Session], speakers: Sequence[Speaker]) -> dict[str, str]:
    """Each speaker's role in the first listed session they take part in."""
    wanted = {sp.id for sp in speakers}
    roles: dict[str, str] = {}
    for s in sessions:
        for p in s.speakers:
            if p.speaker_id in wanted:
                roles.setdefault(p.speaker_id, p.role)
    return roles
