"""Inline mode's core on a large real programme (FOSDEM 2014, 513 talks): pages, offsets."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest

from bot import inline
from bot.agenda.loaders import load_agenda
from bot.agenda.state import AgendaState
from bot.deeplinks import session_payload
from bot.emulator.markup import parse_html
from bot.outgoing import MAX_TEXT
from tests.conftest import SHARED_SCHEDULES
from tests.core_env import brussels_state

FOSDEM = SHARED_SCHEDULES / "fosdem-2014-pentabarf.xml"
BRU = ZoneInfo("Europe/Brussels")
#: Saturday of FOSDEM 2014, mid-morning: 18 talks running, 492 still to come.
SATURDAY = datetime(2014, 2, 1, 11, 0, tzinfo=BRU)

pytestmark = pytest.mark.skipif(not FOSDEM.exists(), reason="../shared is not beside the clone")


@cache
def fosdem() -> AgendaState:
    return AgendaState(load_agenda(FOSDEM, BRU), str(FOSDEM)).prepare()


def all_pages(
    state: AgendaState, query: str, now: datetime, *, step: timedelta = timedelta(0)
) -> list[inline.InlinePage]:
    """Page through a query as Telegram does, the clock moving ``step`` between pages."""
    pages = [inline.page(state, query, "", now)]
    while pages[-1].next_offset:
        now += step
        pages.append(inline.page(state, query, pages[-1].next_offset, now))
        assert len(pages) < 100
    return pages


def test_the_empty_query_pages_through_now_then_next() -> None:
    state = fosdem()
    running = state.index.running_at(SATURDAY)
    pages = all_pages(state, "", SATURDAY)
    ids = [r.session_id for p in pages for r in p.results]
    assert all(len(p.results) == inline.PAGE_SIZE for p in pages[:-1])
    assert 0 < len(pages[-1].results) <= inline.PAGE_SIZE
    assert pages[-1].next_offset == ""
    assert len(ids) == len(set(ids)) == pages[0].total
    # what is on now comes first, then everything still to come, in time order
    assert set(ids[: len(running)]) == {s.id for s in running}
    later = [state.index.session(i) for i in ids[len(running) :]]
    assert all(s is not None and s.start > SATURDAY for s in later)
    starts = [s.start for s in later if s is not None]
    assert starts == sorted(starts)
    expected = len(running) + len(state.index.starting_after(SATURDAY))
    assert len(ids) == expected == 510


def test_pages_do_not_shift_while_the_clock_moves_on() -> None:
    """Scrolling takes time; the second page is asked as of the first, so nothing is
    skipped or shown twice although talks started and ended in between."""
    state = fosdem()
    still = [r.session_id for p in all_pages(state, "", SATURDAY) for r in p.results]
    moving = [
        r.session_id
        for p in all_pages(state, "", SATURDAY, step=timedelta(minutes=4))
        for r in p.results
    ]
    assert moving == still
    # whereas asking afresh 45 minutes later is another list
    fresh = [
        r.session_id for r in inline.page(state, "", "", SATURDAY + timedelta(minutes=45)).results
    ]
    assert fresh != still[: len(fresh)]


def test_a_query_with_many_matches_pages_too() -> None:
    state = fosdem()
    pages = all_pages(state, "tomorrow", SATURDAY)
    ids = [r.session_id for p in pages for r in p.results]
    assert len(pages) >= 5
    assert len(ids) == len(set(ids)) == pages[0].total
    sunday = {s.id for s in state.index.on_day(SATURDAY.date() + timedelta(days=1))}
    assert set(ids) == sunday


def test_results_are_what_telegram_accepts() -> None:
    state = fosdem()
    for query in ("", "python", "postgresql", "go devroom", "keynote", "tomorrow afternoon"):
        page = inline.page(state, query, "", SATURDAY)
        assert page.results, query
        ids = [r.id for r in page.results]
        assert len(ids) == len(set(ids))
        for r in page.results:
            assert r.id == session_payload(r.session_id)
            assert 0 < len(r.id.encode()) <= 64
            assert 0 < len(r.title) <= inline.TITLE_CHARS
            assert "<" not in r.description or "&lt;" not in r.description  # plain text
            assert len(r.description) <= inline.DESCRIPTION_CHARS
            assert len(r.html) <= MAX_TEXT
            text, _entities = parse_html(r.html)
            assert text.startswith(state.index.session(r.session_id).title)  # type: ignore[union-attr]


def test_a_query_goes_through_the_question_engine() -> None:
    state = fosdem()
    page = inline.page(state, "python", "", SATURDAY)
    answer = state.questions.ask("python", SATURDAY)
    assert [r.session_id for r in page.results] == [s.id for s in answer.matches][:50]
    track = [r for r in inline.page(state, "go devroom", "", SATURDAY).results]
    assert track
    assert all(state.index.session(r.session_id).track == "Go" for r in track)


def test_words_the_engine_cannot_read_are_still_searched_as_words() -> None:
    """ "devroom" is a place word to the engine ("the go devroom"); alone, it is a word to
    look for, as in a search box: the titles that say it."""
    state = fosdem()
    assert not state.questions.ask("devroom", SATURDAY).matches
    page = inline.page(state, "devroom", "", SATURDAY)
    titles = [state.index.session(r.session_id).title for r in page.results]  # type: ignore[union-attr]
    assert len(titles) == 14
    assert all("devroom" in t.casefold() for t in titles)


def test_descriptions_say_on_now_and_over() -> None:
    state = fosdem()
    now = inline.page(state, "", "", SATURDAY).results[0]
    assert now.description.startswith("On now, until ")
    over = inline.page(state, "welcome to fosdem", "", SATURDAY).results[0]
    assert "(over)" in over.description
    assert "Janson" in over.description


@pytest.mark.parametrize(
    "offset",
    [
        "abc",
        "50",
        "-50.1391248000",
        "49.{now}",  # not a page boundary
        "0.{now}",
        "50.{future}",
        "50.{old}",
        "100000.{now}",  # past the end
        "50.999999999999",
        "50.{now}.x",
        "５０.{now}",
        "50.{now}" + "0" * 100,
        "' OR 1=1 --",
    ],
)
def test_a_forged_or_stale_offset_gives_the_first_page(offset: str) -> None:
    state = fosdem()
    stamps = {
        "now": int(SATURDAY.timestamp()),
        "future": int((SATURDAY + timedelta(hours=2)).timestamp()),
        "old": int((SATURDAY - inline.OFFSET_TTL - timedelta(minutes=1)).timestamp()),
    }
    first = inline.page(state, "", "", SATURDAY)
    got = inline.page(state, "", offset.format(**stamps), SATURDAY)
    assert got.start == 0
    assert [r.id for r in got.results] == [r.id for r in first.results]
    assert got.next_offset == first.next_offset


def test_hostile_queries_are_cut_and_answered() -> None:
    state = fosdem()
    for query in ("<b>" * 1700, "&amp;" * 1000, "a" * 5000, "\x00\u202e" * 2500, "{0} %s {name}"):
        page = inline.page(state, query, "", SATURDAY)
        assert len(page.results) <= inline.PAGE_SIZE
        for r in page.results:
            parse_html(r.html)
    assert len(inline.normalise_query("x " * 5000)) == inline.MAX_QUERY


def test_after_the_conference_the_empty_query_lists_the_programme() -> None:
    state = brussels_state()
    over = datetime(2024, 11, 28, 9, 0, tzinfo=BRU)
    page = inline.page(state, "", "", over)
    sessions = [state.index.session(r.session_id) for r in page.results]
    assert [s.id for s in sessions if s] == [s.id for s in state.index.sessions if not s.is_break]


def test_breaks_are_never_results() -> None:
    state = brussels_state()
    morning = datetime(2024, 11, 27, 8, 0, tzinfo=BRU)
    for query in ("", "coffee", "lunch", "break"):
        for r in inline.page(state, query, "", morning).results:
            s = state.index.session(r.session_id)
            assert s is not None
            assert not s.is_break, (query, s)
