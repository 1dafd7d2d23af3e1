"""The languages questions can be asked in: one module each, all of the same shape.

A language is data plus one time reader: its question words and intent patterns, its stop
words, its words for session kinds, rooms and languages, and how it writes days and times
(``read_time`` returns a ``TimeSpec`` the shared ``timeexpr.build_window`` turns into a
window; what every language writes alike, ISO and slashed dates and the precedence of
now/next/later, is read by ``timeexpr.numeric_date`` and ``timeexpr.now_next_later``).
``lemma`` folds an inflected word to the form the agenda would use ("teremben" -> "terem")
and may translate the handful of conference words ("kávészünet" -> "coffee break").
Adding a language is one module that builds a ``Language`` and one line in ``LANGUAGES``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot.agenda.model import SessionType
from bot.questions.answer import Intent

if TYPE_CHECKING:
    from bot.questions.timeexpr import TimeContext, TimeSpec

Pattern = re.Pattern[str]


Known = Callable[[str], bool]


def _identity(word: str, accented: str, known: Known) -> tuple[str, ...]:
    return (word,)


def _unchanged(folded: str, known: Known) -> str:
    return folded


def _itself(word: str) -> tuple[str, ...]:
    return (word,)


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Language:
    """Everything the engine needs to read questions in one language."""

    code: str
    #: (intent, pattern) checked in order on the folded question; the first match wins
    rules: tuple[tuple[Intent, Pattern], ...]
    #: "anything on ...", "sessions about ...": a topic follows even after a listing cue
    about: Pattern
    #: role words ("moderates") -> the role they ask for
    roles: tuple[tuple[Pattern, str], ...]
    who_is: Pattern
    who_is_the: Pattern
    #: yes/no questions: "is there ...", "is the go devroom today"
    yes_no: Pattern
    conference_strong: Pattern
    conference_words: Pattern
    conference_stop: frozenset[str]
    #: words that carry no topic (after folding; unstemmed)
    stop_words: frozenset[str]
    #: words that say what is asked, not what about ("moderates", "located")
    question_words: frozenset[str]
    #: stop words a typo can still be recognised in ("sesion")
    typo_prone: tuple[str, ...]
    #: words that make a track or room name a place: "devroom", "track", "room"
    place_words: frozenset[str]
    #: "the main hall", "the plenary": the main room, whatever it is called
    main_room: Pattern
    #: words for kinds of session -> the kind ("keynotes" -> KEYNOTE)
    kinds: dict[str, SessionType]
    #: "in german", "english talks": words for the language of a session -> its code
    languages: dict[str, str]
    #: reads the time words of a folded question
    read_time: Callable[[str, datetime, TimeContext, bool], TimeSpec]
    #: words that carry no topic as written, though their stem may ("close" but not "closing")
    exact_stop: frozenset[str] = field(default_factory=frozenset)
    #: nouns for a room, after a room's letter or number in this language ("a B teremben")
    room_nouns: frozenset[str] = field(default_factory=frozenset)
    #: verbs of speaking ("speak", "talking"): a lone first name then names a person
    speak_words: frozenset[str] = field(default_factory=frozenset)
    #: a topic word (folded, as typed with accents, whether the agenda knows a word) -> the
    #: word(s) the agenda would use for it
    lemma: Callable[[str, str, Known], tuple[str, ...]] = _identity
    #: the folded question with inflected words put back to a base the agenda knows
    prepare: Callable[[str, Known], str] = _unchanged
    #: the forms a word may stand for (itself, without case endings): for kinds and places
    variants: Callable[[str], tuple[str, ...]] = _itself
    #: load what the language needs (in the background) before the first question
    warm: Callable[[], None] = _nothing
    #: words only this language uses, to tell the language of a question from the question
    markers: frozenset[str] = field(default_factory=frozenset)
    #: accented letters typical of this language (folded text loses them: check the raw text)
    letters: str = ""


def _english() -> Language:
    from bot.questions.lang.en import LANGUAGE

    return LANGUAGE


ENGLISH: Language = _english()


def _all() -> dict[str, Language]:
    from bot.questions.lang.hu import LANGUAGE as HUNGARIAN

    return {ENGLISH.code: ENGLISH, HUNGARIAN.code: HUNGARIAN}


LANGUAGES: dict[str, Language] = {}


def languages() -> dict[str, Language]:
    """Every language questions are understood in, by code (loaded on first use)."""
    if not LANGUAGES:
        LANGUAGES.update(_all())
    return LANGUAGES
