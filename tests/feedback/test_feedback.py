"""The feedback repository and rules: ratings, comments, statistics, export, speakers' view."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from bot.agenda.loaders import load_agenda
from bot.agenda.state import AgendaState, CurrentAgenda
from bot.clock import ManualClock
from bot.feedback import (
    CSV_HEADER,
    MAX_COMMENT,
    FeedbackRefused,
    FeedbackService,
    Refusal,
    chart_png,
    one_decimal,
    rateable_sessions,
)
from bot.store import Store
from tests.conftest import BRUSSELS, brussels


@dataclass
class Env:
    """What the feedback core runs on: the store and the agenda served (with the clock)."""

    store: Store
    current: CurrentAgenda

    @property
    def agenda(self) -> AgendaState:
        return self.current.state

    def now(self) -> datetime:
        return self.current.now()


@pytest.fixture
async def rt(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Env]:
    store = await Store.open(str(tmp_path / "fb.sqlite3"))
    state = AgendaState(result=load_agenda(BRUSSELS, None), source=str(BRUSSELS))
    env = Env(store, CurrentAgenda(state, clock))
    for uid in range(1, 21):
        await store.users.seen(uid, f"U{uid}", None, "en", clock.now())
    yield env
    await store.close()


def svc(rt: Env) -> FeedbackService:
    return FeedbackService(rt.store.feedback, rt.store.users, rt.current)


# ------------------------------------------------------------------ repository
async def test_last_rating_wins_and_keeps_the_comment(rt: Env) -> None:
    repo = rt.store.feedback
    now = rt.now()
    assert await repo.rate(1, "welcome", 3, now) is None
    assert await repo.set_comment(1, "welcome", "good", now)
    assert await repo.rate(1, "welcome", 5, now + timedelta(minutes=1)) == 3
    assert await repo.get(1, "welcome") == (5, "good")
    assert await repo.count() == 1


async def test_comment_needs_a_rating_and_rating_range_is_enforced(rt: Env) -> None:
    repo = rt.store.feedback
    assert not await repo.set_comment(1, "welcome", "orphan", rt.now())
    assert await repo.count() == 0
    for bad in (0, 6, -1):
        with pytest.raises(ValueError, match="between 1 and 5"):
            await repo.rate(1, "welcome", bad, rt.now())
    assert await repo.count() == 0


async def test_aggregates_distribution_and_filter(rt: Env) -> None:
    repo = rt.store.feedback
    for uid, r in zip(range(1, 6), (5, 5, 4, 1, 5), strict=True):
        await repo.rate(uid, "welcome", r, rt.now())
    await repo.rate(1, "closing", 2, rt.now())
    aggs = {a.session_id: a for a in await repo.aggregates()}
    assert aggs["welcome"].count == 5
    assert aggs["welcome"].total == 20
    assert aggs["welcome"].distribution == (1, 0, 0, 1, 3)
    only = await repo.aggregates(["closing", "nonexistent"])
    assert [a.session_id for a in only] == ["closing"]
    assert await repo.aggregates([]) == []


async def test_latest_comments_per_session_newest_first(rt: Env, clock: ManualClock) -> None:
    repo = rt.store.feedback
    for uid in range(1, 6):
        await repo.rate(uid, "welcome", 4, clock.now())
        await repo.set_comment(uid, "welcome", f"c{uid}", clock.now())
        clock.advance(minutes=1)
    await repo.rate(6, "welcome", 4, clock.now())  # no comment: not listed
    got = await repo.latest_comments(3)
    assert [c.comment for c in got] == ["c5", "c4", "c3"]


async def test_pseudonym_secret_is_created_once(rt: Env) -> None:
    first = await rt.store.feedback.pseudonym_secret()
    assert len(first) == 32
    assert await rt.store.feedback.pseudonym_secret() == first


# ------------------------------------------------------------------ rules
def test_one_decimal_rounds_half_up_exactly() -> None:
    assert one_decimal(17, 4) == Decimal("4.3")  # 4.25, which float formatting rounds to 4.2
    assert one_decimal(10, 3) == Decimal("3.3")
    assert one_decimal(5, 1) == Decimal("5.0")


async def test_rate_validates_session_start_break_and_range(rt: Env, clock: ManualClock) -> None:
    s = svc(rt)
    clock.set(brussels(12, 10))
    cases = {
        "nope": Refusal.UNKNOWN,
        "coffee-break": Refusal.BREAK,
        "panel-october-7": Refusal.NOT_STARTED,  # starts at 14:00
    }
    for key, reason in cases.items():
        with pytest.raises(FeedbackRefused) as info:
            await s.rate(1, key, 4)
        assert info.value.reason is reason
    for bad in (0, 6):
        with pytest.raises(FeedbackRefused) as info:
            await s.rate(1, "welcome", bad)
        assert info.value.reason is Refusal.BAD_RATING
    assert await rt.store.feedback.count() == 0
    assert await rt.store.users.pending(1) is None
    # A running session can be rated.
    session, previous = await s.rate(1, "keynote-mousnier", 4)
    assert session.id == "keynote-mousnier"
    assert previous is None


async def test_comment_window_edit_and_expiry(rt: Env, clock: ManualClock) -> None:
    s = svc(rt)
    clock.set(brussels(11, 0))
    assert await s.take_comment(1, "not waiting") is None
    await s.rate(1, "welcome", 5)
    first = await s.take_comment(1, "first <b>&")
    assert first is not None
    assert first.saved
    clock.advance(minutes=2)
    second = await s.take_comment(1, 'second "quoted" <i>')
    assert second is not None
    assert second.saved
    assert await rt.store.feedback.get(1, "welcome") == (5, 'second "quoted" <i>')
    clock.advance(minutes=6)  # past the edit window: the text is a question again
    assert await s.take_comment(1, "what's next?") is None
    assert await rt.store.users.pending(1) is None
    assert await rt.store.feedback.get(1, "welcome") == (5, 'second "quoted" <i>')


async def test_comment_wait_expires_after_ten_minutes(rt: Env, clock: ManualClock) -> None:
    s = svc(rt)
    clock.set(brussels(11, 0))
    await s.rate(2, "welcome", 3)
    clock.advance(minutes=10, seconds=1)
    assert await s.take_comment(2, "late") is None
    assert await rt.store.feedback.get(2, "welcome") == (3, None)


async def test_too_long_comment_is_refused_and_window_stays(rt: Env, clock: ManualClock) -> None:
    s = svc(rt)
    clock.set(brussels(11, 0))
    await s.rate(1, "welcome", 4)
    long = await s.take_comment(1, "x" * (MAX_COMMENT + 1))
    assert long is not None
    assert not long.saved
    assert long.refusal == "too_long"
    assert long.length == MAX_COMMENT + 1
    assert await rt.store.feedback.get(1, "welcome") == (4, None)
    ok = await s.take_comment(1, "é" * MAX_COMMENT)
    assert ok is not None
    assert ok.saved


async def test_finish_closes_only_its_window(rt: Env, clock: ManualClock) -> None:
    s = svc(rt)
    clock.set(brussels(13, 0))
    await s.rate(1, "welcome", 4)
    await s.rate(1, "crisis-management", 2)  # the window moves to the newer rating
    await s.finish(1, "welcome")
    assert (await rt.store.users.pending(1) or {}).get("session_id") == "crisis-management"
    session, rating, commented = await s.finish(1, "crisis-management")
    assert (session.id, rating, commented) == ("crisis-management", 2, False)
    assert await rt.store.users.pending(1) is None
    with pytest.raises(FeedbackRefused) as info:
        await s.finish(2, "welcome")  # user 2 never rated it
    assert info.value.reason is Refusal.NO_RATING


async def test_pending_of_another_feature_is_left_alone(rt: Env) -> None:
    await rt.store.users.set_pending(1, {"kind": "broadcast", "until": "x"})
    assert await svc(rt).take_comment(1, "hello") is None
    assert await rt.store.users.pending(1) == {"kind": "broadcast", "until": "x"}


def test_rateable_sessions_most_recent_first_without_breaks(rt: Env) -> None:
    got = [s.id for s in rateable_sessions(rt.agenda, brussels(12, 30))]
    assert got == [
        "crisis-management",
        "keynote-mousnier",
        "panel-security-landscape",
        "keynote-sztaray",
        "welcome",
    ]
    assert "coffee-break" not in got
    assert rateable_sessions(rt.agenda, brussels(8, 0)) == []


# ------------------------------------------------------------------ statistics
async def _rate_all(rt: Env, ratings: dict[str, list[int]]) -> None:
    for session_id, values in ratings.items():
        for uid, r in enumerate(values, start=1):
            await rt.store.feedback.rate(uid, session_id, r, rt.now())


async def test_stats_best_first_ties_and_empty_sessions(rt: Env, clock: ManualClock) -> None:
    clock.set(brussels(16, 0))
    await _rate_all(
        rt,
        {
            "welcome": [4, 4],  # 4.0 with 2 ratings
            "keynote-sztaray": [5, 4, 3, 4],  # 4.0 with 4: ranks above the tie
            "panel-october-7": [5],
            "closing": [1, 2],
        },
    )
    stats = await svc(rt).stats()
    order = [s.session_id for s in stats]
    assert order[:4] == ["panel-october-7", "keynote-sztaray", "welcome", "closing"]
    assert [s.average_text for s in stats[:4]] == ["5.0", "4.0", "4.0", "1.5"]
    empty = stats[4:]
    assert {s.session_id for s in empty} == {
        "panel-security-landscape",
        "keynote-mousnier",
        "crisis-management",
    }
    assert all(s.count == 0 and s.average is None and s.average_text == "–" for s in empty)
    assert "coffee-break" not in order


async def test_stats_equal_average_and_count_fall_back_to_programme_order(
    rt: Env, clock: ManualClock
) -> None:
    clock.set(brussels(16, 0))
    await _rate_all(rt, {"closing": [3], "welcome": [3]})
    stats = await svc(rt).stats(include_unrated=False)
    assert [s.session_id for s in stats] == ["welcome", "closing"]


async def test_stats_with_no_feedback_at_all(rt: Env, clock: ManualClock) -> None:
    s = svc(rt)
    assert await s.stats() == []  # 08:00: nothing started, nothing rated
    clock.set(brussels(16, 0))
    assert all(x.count == 0 for x in await s.stats())
    pages = s.stats_pages(await s.stats())
    assert pages == ["<b>Feedback</b>\nNo ratings yet."]
    assert await s.stats_section() == pages[0]


async def test_stats_pages_escape_and_fit(rt: Env, clock: ManualClock) -> None:
    clock.set(brussels(16, 0))
    s = svc(rt)
    for uid in range(1, 21):
        await rt.store.feedback.rate(uid, "welcome", 1 + uid % 5, clock.now())
        await rt.store.feedback.set_comment(uid, "welcome", "<script>&" * 40, clock.now())
    pages = s.stats_pages(await s.stats())
    assert len(pages) == 1
    assert "&lt;script&gt;&amp;" in pages[0]
    assert "<script>" not in pages[0]
    assert all(len(p) < 4096 for p in pages)


async def test_stats_paginate_when_long(rt: Env, clock: ManualClock) -> None:
    clock.set(brussels(16, 0))
    s = svc(rt)
    many = [s_.id for s_ in rateable_sessions(rt.agenda, clock.now())]
    fake = []
    for i in range(25):  # ratings of sessions a reload removed are kept and labelled
        fake.append(f"old-{i}")
    for sid in many + fake:
        await rt.store.feedback.rate(1, sid, 3, clock.now())
    stats = await s.stats()
    assert any("no longer in the agenda" in x.title for x in stats)
    pages = s.stats_pages(stats)
    assert len(pages) == 4
    assert "(1/4)" in pages[0]
    assert await s.stats_section(page=3) == pages[3]
    assert await s.stats_section(page=99) == pages[3]


async def test_for_speaker_sees_only_their_sessions(rt: Env, clock: ManualClock) -> None:
    clock.set(brussels(16, 0))
    await _rate_all(rt, {"crisis-management": [5, 4], "welcome": [2], "panel-october-7": [3]})
    await rt.store.feedback.set_comment(1, "crisis-management", "useful", clock.now())
    mine = await svc(rt).for_speaker("ophir-revach")  # crisis-management and the Oct 7 panel
    assert [s.session_id for s in mine] == ["crisis-management", "panel-october-7"]
    assert mine[0].average_text == "4.5"
    assert [c.comment for c in mine[0].comments] == ["useful"]
    assert await svc(rt).for_speaker("nobody") == []
    raya = await svc(rt).for_speaker("raya-kalenova")  # her closing remarks are not rated yet
    assert [(s.session_id, s.count) for s in raya] == [("welcome", 1), ("closing", 0)]


# ------------------------------------------------------------------ export
async def test_export_csv_bom_rows_and_pseudonyms(rt: Env, clock: ManualClock) -> None:
    clock.set(brussels(16, 0))
    s = svc(rt)
    tricky = 'He said "<b>great</b>" & left,\nthen: =SUM(A1) — ok ✓'
    ada, bob = 987654321, 555444333
    for uid in (ada, bob):
        await rt.store.users.seen(uid, "x", None, None, clock.now())
    await s.rate(ada, "welcome", 5)
    await s.take_comment(ada, tricky)
    clock.advance(minutes=1)
    await s.rate(bob, "welcome", 2)
    await s.rate(ada, "panel-october-7", 4)
    data, ratings, sessions = await s.export_csv()
    assert data.startswith(b"\xef\xbb\xbf")
    assert (ratings, sessions) == (3, 2)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == CSV_HEADER
    body = rows[1:]
    assert [r[0] for r in body] == ["welcome", "welcome", "panel-october-7"]
    assert body[0][1] == "Welcoming remarks"
    assert body[0][2] == "2024-11-27T09:15:00+01:00"
    assert body[0][4] == tricky
    assert body[0][5] == "2024-11-27T16:00:00+01:00"
    assert body[1][5] == "2024-11-27T16:01:00+01:00"
    users = {r[6] for r in body}
    assert len(users) == 2
    assert body[0][6] == body[2][6]  # the same person, pseudonymised consistently
    assert b"987654321" not in data
    assert b"555444333" not in data
    again, _, _ = await s.export_csv()
    assert again == data


async def test_export_png_is_a_png(rt: Env, clock: ManualClock) -> None:
    clock.set(brussels(16, 0))
    await _rate_all(rt, {"welcome": [5, 4], "closing": [3]})
    export = await svc(rt).export()
    assert export.png is not None
    assert export.png.startswith(b"\x89PNG\r\n\x1a\n")
    assert export.ratings == 3


def test_chart_handles_many_sessions_and_odd_titles() -> None:
    from bot.feedback import SessionStats

    stats = [
        SessionStats(f"s{i}", f"Title {i} 🚀 " + "x" * 80, None, 2, 7, (0, 0, 1, 0, 1))
        for i in range(60)
    ]
    png = chart_png(stats, "Conf <&>")
    assert png.startswith(b"\x89PNG")
