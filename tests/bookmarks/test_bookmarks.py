"""The personal schedule without Telegram: time order, clashes, sessions a reload removed."""

from __future__ import annotations

from bot.bookmarks import personal_schedule
from tests.core_env import brussels_state


def test_time_order_clashes_and_removed_sessions() -> None:
    index = brussels_state().index
    # keynote-mousnier (12:00-12:45) and crisis-management (12:00-13:00) overlap.
    ids = ["closing", "crisis-management", "gone-in-a-reload", "keynote-mousnier", "welcome"]
    schedule = personal_schedule(index, ids)
    assert [s.id for s in schedule.sessions] == [
        "welcome",
        "keynote-mousnier",
        "crisis-management",
        "closing",
    ]
    assert schedule.clashes == {"keynote-mousnier", "crisis-management"}
    assert not schedule.several_days


def test_nothing_bookmarked() -> None:
    schedule = personal_schedule(brussels_state().index, [])
    assert schedule.sessions == ()
    assert schedule.clashes == frozenset()
