"""Every text function, in every language, with hostile input: valid Telegram HTML, escaped.

Arguments come from ``samples.py`` by signature, so a text added to ``bot/texts.py`` is
checked here without a new test.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot import texts
from bot.agenda.model import Session
from bot.emulator.markup import EntityParseError, parse_html
from bot.i18n import LANGUAGES, use_locale
from tests.i18n import samples

#: Texts with no words to translate: the same in every language is right for them.
WORDLESS = frozenset(
    {
        "h",
        "hm",
        "span",
        "and_list",
        "comma_list",
        "role_label",  # a role the agenda invented is shown as written (known ones are tested)
        "state_label",
        "rating_label",
        "language_button",
        "speaker_link_line",
        "day_header",
        "slot_line",
        "answer_line",
        "feedback_stats_entry",
        "broadcasts_line",  # "#1 · state · …": the state is tested through state_label
        "title_of",  # the agenda's own words (tests/agenda/test_translations.py)
        "conference_name",
        "qa_item",  # rank, question, 👍 votes and labels translated by their own functions
        "qa_vote_button",  # "#2 👍 5"
    }
)
#: Texts that take agenda objects but show none of their free text (only times, counts).
SHOWS_NO_TEXT = frozenset({"span", "date_range", "next_up", "answer_nothing_now"})
UNFILLED = re.compile(r"\{[a-z_]+\}")
CORE = "<b>&\"' {name} {0} %s"  # what HOSTILE carries, as a reader must see it


def _plain(name: str) -> bool:
    return name in texts.PLAIN_TEXT or name.endswith(("_button", "_toast"))


def _outputs(name: str, func: Callable[..., str]) -> Iterator[tuple[Any, str]]:
    for args, kwargs in samples.calls(name, func):
        yield (args, kwargs), func(*args, **kwargs)


FUNCTIONS = [(name, f) for name, f in samples.text_functions() if name != "h"]


def test_every_text_function_has_samples() -> None:
    missing = []
    for name, func in FUNCTIONS:
        try:
            list(samples.calls(name, func))
        except samples.MissingSample as exc:
            missing.append(str(exc))
    assert not missing, "\n".join(missing)
    assert len(FUNCTIONS) > 150


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize(("name", "func"), FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_renders_valid_escaped_html(language: str, name: str, func: Callable[..., str]) -> None:
    shown_hostile = False
    with use_locale(language):
        for call, out in _outputs(name, func):
            assert isinstance(out, str), (name, call)
            if _plain(name):
                text = out
                assert "&lt;" not in text, f"{name} escaped plain text"
                assert "&amp;" not in text, f"{name} escaped plain text"
            else:
                try:
                    text, _entities = parse_html(out)
                except EntityParseError as exc:
                    pytest.fail(f"texts.{name}{call} in {language}: {exc}\n{out[:500]}")
                assert "&lt;" not in text, f"{name} escaped twice: {text}"
                assert "&amp;" not in text, f"{name} escaped twice: {text}"
            shown_hostile = shown_hostile or CORE in text
            leftover = UNFILLED.findall(text.replace(CORE, ""))
            assert not leftover, f"texts.{name} left placeholders {leftover} in {language}: {text}"
    takes_text = any(
        p.annotation
        in {
            "str",
            "str | None",
            "Session",
            "Speaker",
            "Conference",
            "SessionChange",
            "Changes",
            "list[str]",
            "Iterable[str]",
            "list[Session]",
            "list[tuple[Speaker, str]]",
            "Iterable[tuple[Speaker, str]]",
            "list[tuple[Session, str]]",
            "Iterable[tuple[int, str]]",
            "object",
        }
        for p in inspect.signature(func).parameters.values()
        if (name, p.name) not in samples.HTML_PARAMETERS
    )
    if takes_text and name not in SHOWS_NO_TEXT:
        assert shown_hostile, f"texts.{name} never showed the hostile sample as a reader sees it"


@pytest.mark.parametrize(("name", "func"), FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_hungarian_differs_from_english(name: str, func: Callable[..., str]) -> None:
    """A word left in English inside texts.py (outside the catalogue) shows up here."""
    if name in WORDLESS:
        pytest.skip("no words")
    differs = False
    for args, kwargs in samples.calls(name, func):
        with use_locale("en"):
            en = func(*args, **kwargs)
        with use_locale("hu"):
            hu = func(*args, **kwargs)
        differs = differs or en != hu
    assert differs, f"texts.{name} says the same in Hungarian as in English"


def test_hostile_text_cannot_inject_markup() -> None:
    """The sample's <b> arrives as text, never as a bold entity of its own."""
    session = samples.TALK
    for language in LANGUAGES:
        with use_locale(language):
            out = texts.session_card(session, samples.PEOPLE[1])
        text, entities = parse_html(out)
        bold = [text_of(text, e) for e in entities if e["type"] == "bold"]
        assert bold == [session.title]


def text_of(text: str, entity: dict[str, Any]) -> str:
    data = text.encode("utf-16-le")
    start, length = entity["offset"] * 2, entity["length"] * 2
    return data[start : start + length].decode("utf-16-le")


def _in_two_languages(value: Any) -> Any:
    """A sample session with a Hungarian title beside its own (as pretalx exports it)."""
    if isinstance(value, Session) and not value.titles:
        return dataclasses.replace(
            value, titles=(("en", value.title), ("hu", f"Magyar cím {value.id}"))
        )
    return value


@pytest.mark.parametrize(("name", "func"), FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_a_session_title_is_shown_in_the_readers_language(
    name: str, func: Callable[..., str]
) -> None:
    """Every text that shows a session's title shows the one in the reader's language, when
    the agenda has it (``texts.title_of``), never the agenda's first one regardless."""
    for args, kwargs in samples.calls(name, func):
        args = tuple(_in_two_languages(a) for a in args)
        kwargs = {k: _in_two_languages(v) for k, v in kwargs.items()}
        sessions = [v for v in (*args, *kwargs.values()) if isinstance(v, Session)]
        if not sessions:
            return
        with use_locale("hu"):
            out = func(*args, **kwargs)
        for session in sessions:
            english = texts.h(session.title) if not _plain(name) else session.title
            assert english not in out or f"Magyar cím {session.id}" in out, (
                f"texts.{name} shows {session.id}'s first title to a Hungarian reader: {out}"
            )
