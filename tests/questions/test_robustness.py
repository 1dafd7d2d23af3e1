"""The engine answers anything without raising: an Answer comes back for every input."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from bot import texts
from bot.agenda.model import SessionType
from bot.questions import Answer, Intent, QuestionEngine
from bot.questions.normalize import MAX_QUESTION_CHARS, clean, fold, tokens

NOW = datetime(2024, 11, 27, 8, 45)  # naive: the conference's zone

ODD_INPUTS = [
    "",
    " ",
    "\n\t",
    "?!?!",
    "x" * 10_000,
    "when is " * 2_000,
    "🙂🙂🙂 when is lunch 🍕",
    "<b>when</b> is <script>alert(1)</script> lunch",
    "'; DROP TABLE sessions; --",
    "1' OR '1'='1",
    "\x00\x01\x02when\x7f is\u200b lunch\ufeff",
    "\u202eevil right-to-left",
    "at 99:99",
    "at 25",
    "31/02/2024",
    "2024-02-31",
    "on the 45th",
    "day 0",
    "day 999999999999",
    "9" * 500,
    "%s %d {0} ${x}",
    "ÅÄÖ ß ǅ ﬁ ᾧ",
    "日本語の質問",
    "what's on at 0",
    "between 5 and 3",
    "after the tea break",
]


@pytest.mark.parametrize("text", ODD_INPUTS, ids=range(len(ODD_INPUTS)))
def test_odd_input_gives_an_answer(brussels: QuestionEngine, text: str) -> None:
    answer = brussels.ask(text, NOW)
    assert isinstance(answer, Answer)
    assert isinstance(answer.intent, Intent)
    assert len(answer.sessions) <= 20


def test_gibberish_is_unknown_and_empty(brussels: QuestionEngine) -> None:
    for text in ("asdfgh", "qwerty uiop", "zzzz", "🙂"):
        answer = brussels.ask(text, NOW)
        assert answer.intent is Intent.UNKNOWN, text
        assert not answer.sessions
        assert not answer.speakers


def test_random_strings_never_raise(brussels: QuestionEngine) -> None:
    rng = random.Random(20241127)
    alphabet = "abcdefghijklmnopqrstuvwxyz 0123456789:/.-'?!éőü" + '\u0301\u200b🙂<>&;"\\'
    words = [
        "when",
        "where",
        "who",
        "is",
        "the",
        "at",
        "on",
        "after",
        "lunch",
        "day",
        "room",
        "b",
        "11",
        "tomorrow",
        "now",
        "next",
        "panel",
        "crisis",
        "kalenova",
        "10/11",
    ]
    for _ in range(300):
        if rng.random() < 0.5:
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        else:
            text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 10)))
        assert isinstance(brussels.ask(text, NOW), Answer), text


def test_input_is_capped() -> None:
    assert len(clean("y" * 10_000)) == MAX_QUESTION_CHARS
    assert clean("a\x00b\u200bc") == "a b c"


def test_folding_strips_accents_and_case() -> None:
    assert fold("Péter SZTÁRAY") == "peter sztaray"
    assert fold("What’s on?") == "what's on"
    assert tokens("October 7th attacks") == tokens("october 7 attack")
    assert tokens("October 7th attacks")[1] == "7"
    assert tokens("counterterrorism")[0] in tokens("EU Counter-Terrorism Coordinator")
    assert fold("Ødegaard Łódź Straße") == "odegaard lodz strasse"
    assert tokens("Москва 日本") == ["москва", "日本"]  # other scripts stay searchable


def test_now_may_be_naive_or_in_another_zone(brussels: QuestionEngine) -> None:
    from zoneinfo import ZoneInfo

    naive = brussels.ask("what's on now", NOW)
    utc = brussels.ask("what's on now", datetime(2024, 11, 27, 7, 45, tzinfo=ZoneInfo("UTC")))
    assert [s.id for s in naive.sessions] == [s.id for s in utc.sessions] == ["registration"]


def test_nothing_now_still_says_what_is_next(brussels: QuestionEngine) -> None:
    answer = brussels.ask("what's on right now", datetime(2024, 11, 27, 7, 0))
    assert answer.sessions == ()
    assert answer.window is not None
    assert [s.id for s in answer.next_sessions] == ["registration"]
    assert texts.answer_filters(answer) == "right now"


def test_nothing_found_says_what_was_understood(brussels: QuestionEngine) -> None:
    answer = brussels.ask("anything in room b this morning", NOW)
    assert answer.sessions == ()
    assert texts.answer_filters(answer) == "in Room B · this morning"
    missing = brussels.ask("when is the quantum computing workshop", NOW)
    assert missing.topic == "quantum computing"
    assert missing.kind is SessionType.WORKSHOP  # a kind of session is a filter, not a topic
    assert texts.answer_filters(missing) == "workshops · about “quantum computing”"


def test_refused_time_is_reported_not_guessed(brussels: QuestionEngine) -> None:
    answer = brussels.ask("what's on 10/11/12", NOW)
    assert answer.sessions == ()
    assert answer.window is None
    assert answer.problem is not None


def test_engine_is_reused_across_questions(brussels: QuestionEngine) -> None:
    index = brussels.search
    brussels.ask("when is lunch", NOW)
    assert brussels.search is index
