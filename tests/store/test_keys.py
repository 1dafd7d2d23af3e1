"""Dedup keys: one definition, and SQL renders exactly what Python builds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.store import keys
from bot.store.db import Database

START = datetime(2024, 11, 27, 14, 0, tzinfo=ZoneInfo("Europe/Brussels"))


def test_start_key_is_utc_to_the_second_whatever_the_zone() -> None:
    assert keys.start_key(START) == "2024-11-27T13:00:00Z"
    assert keys.start_key(START.astimezone(UTC)) == keys.start_key(START)


def test_keys_name_what_a_message_is_about() -> None:
    assert keys.reminder_key(7, "panel", START) == "reminder:7:panel:2024-11-27T13:00:00Z"
    assert keys.speaker_key(7, "panel", START) == "speaker:7:panel:2024-11-27T13:00:00Z"
    assert keys.feedback_key(7, "panel") == "feedback:7:panel"
    assert keys.broadcast_key(3, 7) == "bc:3:7"
    assert keys.change_key(7, "panel", "abc") == "change:7:panel:abc"
    assert keys.agenda_notice_key("failing", START, 9) == (
        "live-agenda:failing:2024-11-27T14:00:00+01:00:9"
    )
    assert keys.qa_top_key(12, 7) == "qa-top:12:7"
    assert keys.qa_followup_key("panel", 7) == "qa-followup:panel:7"


def test_a_format_takes_exactly_its_fields() -> None:
    with pytest.raises(ValueError, match="user_id, session_id"):
        keys.FEEDBACK_KEY.build(1)
    with pytest.raises(ValueError, match="user_id, session_id"):
        keys.FEEDBACK_KEY.sql("a", "b", "c")


@pytest.mark.parametrize(
    ("fmt", "values"),
    [
        (keys.REMINDER_KEY, (1001, "keynote-mousnier", "2024-11-27T11:00:00Z")),
        (keys.SPEAKER_KEY, (501, "odd:id with spaces", "2024-11-27T11:00:00Z")),
        (keys.FEEDBACK_KEY, (42, "welcome")),
        (keys.QA_TOP_KEY, (12, 7)),
        (keys.QA_FOLLOWUP_KEY, ("panel-october-7", 7)),
    ],
)
async def test_sql_builds_the_same_text_as_python(
    tmp_path: Path, fmt: keys.KeyFormat, values: tuple[object, ...]
) -> None:
    db = await Database.open(tmp_path / "k.sqlite3")
    try:
        columns = [f"c{i}" for i in range(len(values))]
        select = ", ".join(f"? AS {c}" for c in columns)
        got = await db.scalar(f"SELECT {fmt.sql(*columns)} FROM (SELECT {select})", values)
    finally:
        await db.close()
    assert got == fmt.build(*values)


def test_every_kind_is_listed_once() -> None:
    assert len(set(keys.KINDS)) == len(keys.KINDS) == 9
