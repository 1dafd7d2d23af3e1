"""Due-time computation: lead times, DST, after-midnight sessions, edited agendas, crowds."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.agenda.model import SessionType
from bot.clock import ManualClock
from bot.reminders import (
    FEEDBACK,
    REMINDER,
    SEND_AHEAD,
    SPEAKER_REMINDER,
    parse_lead_minutes,
    reminder_key,
    spread,
)
from bot.store.db import Database
from tests.reminders.helpers import (
    AgendaBox,
    RecordingOutbox,
    add_user,
    at,
    bookmark,
    conference,
    planner,
    session,
)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "t.sqlite3")
    yield database
    await database.close()


def test_spread_single_crowd_last_is_on_time() -> None:
    due = at(2024, 11, 27, 13, 50)
    slots = spread([due] * 5000, 20.0)
    assert slots[-1] == due
    assert slots[0] == due - timedelta(seconds=4999 / 20)
    # A sender at the full configured rate (25/s) taking rows in due order meets every due time.
    sent: datetime | None = None
    late = 0
    for slot in sorted(slots):
        sent = slot if sent is None else max(slot, sent + timedelta(seconds=1 / 25))
        late += sent > due
    assert late == 0
    assert sent is not None
    assert sent <= due


def test_spread_neighbouring_crowds_do_not_pile_up() -> None:
    a = at(2024, 11, 27, 10, 0)
    b = a + timedelta(seconds=10)
    dues = [a] * 300 + [b] * 300
    slots = spread(dues, 20.0)
    assert max(slots[:300]) <= a
    assert max(slots[300:]) <= b
    ordered = sorted(slots)
    gaps = [(y - x).total_seconds() for x, y in itertools.pairwise(ordered)]
    assert min(gaps) >= 1 / 20 - 1e-5  # microsecond rounding


async def _planned_due(db: Database, start: datetime, lead: int) -> datetime:
    """When the planner would remind a bookmarker of a session at ``start``, ``lead`` ahead."""
    talk = session("talk", start)
    box = AgendaBox(conference(talk))
    p = planner(db, RecordingOutbox(db), box, lambda: start, reminder_minutes=lead)
    await add_user(db, 1)
    await bookmark(db, 1, "talk")
    (planned,) = await p.plan(start.astimezone(UTC) - timedelta(minutes=lead + 5))
    return planned.due


async def test_reminder_due_across_spring_forward(db: Database) -> None:
    # 31 March 2024 in Brussels: 02:00 CET jumps to 03:00 CEST. A 03:05 session, 10 min lead:
    # naive wall-clock arithmetic gives 02:55, a time that does not exist; the real moment is
    # 01:55 CET (00:55 UTC).
    start = at(2024, 3, 31, 3, 5)
    due = await _planned_due(db, start, 10)
    assert due.astimezone(UTC) == datetime(2024, 3, 31, 0, 55, tzinfo=UTC)
    assert start.astimezone(UTC) - due.astimezone(UTC) == timedelta(minutes=10)
    local = due.astimezone(start.tzinfo)
    assert (local.hour, local.minute, local.utcoffset()) == (1, 55, timedelta(hours=1))


async def test_reminder_due_across_fall_back(db: Database) -> None:
    # 27 October 2024: 03:00 CEST falls back to 02:00 CET. A 02:10 CET (second pass) session.
    start = datetime(2024, 10, 27, 2, 10, fold=1, tzinfo=at(2024, 1, 1, 0).tzinfo)
    due = await _planned_due(db, start, 30)
    assert start.astimezone(UTC) - due.astimezone(UTC) == timedelta(minutes=30)
    assert due.astimezone(UTC) == datetime(2024, 10, 27, 0, 40, tzinfo=UTC)


async def test_lead_times_default_own_and_off(db: Database) -> None:
    talk = session("talk", at(2024, 11, 27, 14, 0))
    box = AgendaBox(conference(talk))
    out = RecordingOutbox(db)
    clock = ManualClock(at(2024, 11, 27, 13, 0))
    p = planner(db, out, box, clock.now, reminder_minutes=10, speaker_minutes=0)
    await add_user(db, 1)  # default 10
    await add_user(db, 2, minutes=30)
    await add_user(db, 3, minutes=0)  # off
    for uid in (1, 2, 3):
        await bookmark(db, uid, "talk")

    planned = {x.user_id: x for x in await p.plan(at(2024, 11, 27, 13, 25))}
    assert set(planned) == {1, 2}
    assert planned[1].due == at(2024, 11, 27, 13, 50)
    assert planned[2].due == at(2024, 11, 27, 13, 30)

    assert await p.tick(at(2024, 11, 27, 13, 0)) == 0  # nothing within the look-ahead yet
    assert await p.tick(at(2024, 11, 27, 13, 29, 30)) == 1
    first = out.of(REMINDER)[0]
    assert first.chat_id == 2
    assert first.dedup_key == reminder_key(2, "talk", talk.start)
    assert first.due_at == at(2024, 11, 27, 13, 30) - SEND_AHEAD
    assert first.deadline == talk.start
    assert first.payload["session_id"] == "talk"
    assert first.payload["lead"] == 30
    assert await p.tick(at(2024, 11, 27, 13, 49)) == 1
    assert await p.tick(at(2024, 11, 27, 13, 49, 30)) == 0  # dedup: planned once
    assert sorted(e.chat_id for e in out.of(REMINDER)) == [1, 2]


async def test_overdue_sent_until_start_then_dropped(db: Database) -> None:
    talk = session("talk", at(2024, 11, 27, 14, 0))
    box = AgendaBox(conference(talk))
    out = RecordingOutbox(db)
    p = planner(db, out, box, lambda: at(2024, 1, 1, 0), speaker_minutes=0)
    await add_user(db, 1)
    await add_user(db, 2)
    await bookmark(db, 1, "talk")
    await bookmark(db, 2, "talk")
    # The bot was down at 13:50 and is back at 13:58: still worth sending, at once.
    assert await p.tick(at(2024, 11, 27, 13, 58), user_id=1) == 1
    assert out.added[0].due_at <= at(2024, 11, 27, 13, 58)
    # After the start nothing is planned any more.
    assert await p.tick(at(2024, 11, 27, 14, 0, 1)) == 0


async def test_headline_opt_in_panels_and_keynotes_never_breaks(db: Database) -> None:
    t = at(2024, 11, 27, 10, 0)
    box = AgendaBox(
        conference(
            session("panel", t, kind=SessionType.PANEL),
            session("keynote", t + timedelta(hours=1), kind=SessionType.KEYNOTE),
            session("talk", t + timedelta(hours=1)),
            session("coffee", t + timedelta(hours=1), kind=SessionType.BREAK),
        )
    )
    out = RecordingOutbox(db)
    p = planner(db, out, box, lambda: t, speaker_minutes=0)
    await add_user(db, 1, headline=True)
    await add_user(db, 2)
    await bookmark(db, 1, "panel")  # bookmarked AND opted in: one reminder, not two
    await bookmark(db, 2, "coffee")  # a break bookmark (forged) is ignored
    await p.tick(t - timedelta(minutes=10))
    await p.tick(t + timedelta(minutes=50))
    got = sorted((e.chat_id, e.session_id) for e in out.of(REMINDER))
    assert got == [(1, "keynote"), (1, "panel")]


async def test_session_after_midnight(db: Database) -> None:
    party = session("party", at(2024, 11, 28, 0, 30), day=date(2024, 11, 27))
    box = AgendaBox(conference(session("day", at(2024, 11, 27, 18, 0)), party))
    out = RecordingOutbox(db)
    p = planner(db, out, box, lambda: party.start, speaker_minutes=0)
    await add_user(db, 1)
    await bookmark(db, 1, "party")
    assert await p.tick(at(2024, 11, 28, 0, 19, 45)) == 1
    assert out.added[0].due_at == at(2024, 11, 28, 0, 20) - SEND_AHEAD


async def test_edited_agenda_moves_the_reminder(db: Database) -> None:
    talk = session("talk", at(2024, 11, 27, 14, 0))
    box = AgendaBox(conference(talk))
    out = RecordingOutbox(db)
    clock = ManualClock(at(2024, 11, 27, 13, 49, 30))
    p = planner(db, out, box, clock.now, speaker_minutes=0)
    await add_user(db, 1)
    await bookmark(db, 1, "talk")
    assert await p.tick(clock.now()) == 1
    # The organisers move it to 15:00: the pending reminder is cancelled, a new one planned.
    moved = session("talk", at(2024, 11, 27, 15, 0))
    box.set(conference(moved))
    await p.on_agenda_change()
    assert out.cancelled == [(REMINDER, "talk")]
    clock.set(at(2024, 11, 27, 14, 49, 30))
    assert await p.tick(clock.now()) == 1
    assert out.added[-1].due_at == at(2024, 11, 27, 14, 50) - SEND_AHEAD
    assert out.added[-1].dedup_key == reminder_key(1, "talk", moved.start)
    # And back again to 14:00: the cancelled row gave its key back, so it is planned again.
    box.set(conference(talk))
    await p.on_agenda_change()
    clock.set(at(2024, 11, 27, 13, 49, 45))
    assert await p.tick(clock.now()) == 1
    assert out.added[-1].dedup_key == reminder_key(1, "talk", talk.start)
    # A cancelled session: its reminders are cancelled and nothing is planned.
    box.set(conference(session("other", at(2024, 11, 27, 16, 0))))
    await p.on_agenda_change()
    assert (REMINDER, "talk") in out.cancelled[1:]
    states = await db.fetchall(
        "SELECT state FROM outbox WHERE session_id = 'talk' AND kind = 'reminder'"
    )
    assert {r[0] for r in states} == {"cancelled"}


async def test_crowd_of_5000_is_spread_so_the_last_is_on_time(db: Database) -> None:
    start = at(2024, 11, 27, 14, 0)
    panel = session("panel", start, kind=SessionType.PANEL)
    box = AgendaBox(conference(panel))
    out = RecordingOutbox(db)
    p = planner(db, out, box, lambda: start, rate=25, speaker_minutes=0)
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO users (id, first_name, first_seen, last_seen) VALUES (?, 'U', 'x', 'x')",
            [(i,) for i in range(1, 5001)],
        )
        await conn.executemany(
            "INSERT INTO bookmarks (user_id, session_id, created_at) VALUES (?, 'panel', 'x')",
            [(i,) for i in range(1, 5001)],
        )
    due = start - timedelta(minutes=10)
    # Run the 30-second ticks from well before: the crowd is enqueued as its slots approach.
    t = due - timedelta(minutes=10)
    while t <= due:
        await p.tick(t)
        t += timedelta(seconds=30)
    reminders = out.of(REMINDER)
    assert len(reminders) == 5000
    assert len({e.dedup_key for e in reminders}) == 5000
    slots = sorted(e.due_at for e in reminders)
    assert slots[-1] == due - SEND_AHEAD  # the last is handed over a round trip early
    assert slots[0] <= due - timedelta(seconds=4999 / 25)  # starts early enough for 25/s
    sent: datetime | None = None
    for slot in slots:  # a sender at exactly 25/s, taking rows in due order
        sent = slot if sent is None else max(slot, sent + timedelta(seconds=1 / 25))
    assert sent is not None
    assert sent <= due - SEND_AHEAD


async def test_speaker_reminders_for_linked_speakers(db: Database) -> None:
    start = at(2024, 11, 27, 14, 0)
    box = AgendaBox(conference(session("talk", start, speakers=("ada", "bob"))))
    out = RecordingOutbox(db)
    p = planner(db, out, box, lambda: start, speaker_minutes=30)
    await add_user(db, 7)
    await db.execute(
        "INSERT INTO speaker_links (speaker_id, user_id, via, linked_at)"
        " VALUES ('ada', 7, 'x', 'x')"
    )
    assert await p.tick(at(2024, 11, 27, 13, 29, 30)) == 1
    e = out.of(SPEAKER_REMINDER)[0]
    assert e.chat_id == 7
    assert e.due_at == at(2024, 11, 27, 13, 30) - SEND_AHEAD
    assert e.deadline == start
    assert e.dedup_key is not None
    assert e.dedup_key.startswith("speaker:7:talk:")
    assert await p.tick(at(2024, 11, 27, 13, 31)) == 0


async def test_feedback_prompts_after_the_end(db: Database) -> None:
    t = at(2024, 11, 27, 10, 0)
    box = AgendaBox(
        conference(
            session("talk", t, minutes=30),
            session("panel", t, minutes=60, kind=SessionType.PANEL),
            session("coffee", t, minutes=30, kind=SessionType.BREAK),
        )
    )
    out = RecordingOutbox(db)
    p = planner(db, out, box, lambda: t, speaker_minutes=0, feedback_delay_minutes=5)
    await add_user(db, 1)
    await add_user(db, 2, headline=True, minutes=0)
    await add_user(db, 3)
    await bookmark(db, 1, "talk")
    await bookmark(db, 1, "coffee")
    await bookmark(db, 3, "talk")
    await db.execute(
        "INSERT INTO feedback (user_id, session_id, rating, created_at, updated_at)"
        " VALUES (3, 'talk', 5, 'x', 'x')"
    )
    await p.tick(at(2024, 11, 27, 10, 34))  # before end + delay
    assert out.of(FEEDBACK) == []
    await p.tick(at(2024, 11, 27, 10, 35))
    assert [(e.chat_id, e.session_id) for e in out.of(FEEDBACK)] == [(1, "talk")]
    await p.tick(at(2024, 11, 27, 11, 5))
    got = sorted((e.chat_id, e.session_id) for e in out.of(FEEDBACK))
    assert got == [(1, "talk"), (2, "panel")]
    assert out.of(FEEDBACK)[0].dedup_key == "feedback:1:talk"
    # Long after (beyond the look-back) nothing new is prompted.
    await add_user(db, 4)
    await bookmark(db, 4, "talk")
    await p.tick(at(2024, 11, 27, 18, 0))
    assert len(out.of(FEEDBACK)) == 2


async def test_inactive_users_are_not_planned(db: Database) -> None:
    start = at(2024, 11, 27, 14, 0)
    box = AgendaBox(conference(session("talk", start)))
    out = RecordingOutbox(db)
    p = planner(db, out, box, lambda: start, speaker_minutes=0)
    await add_user(db, 1)
    await bookmark(db, 1, "talk")
    await db.execute("UPDATE users SET active = 0 WHERE id = 1")
    assert await p.tick(at(2024, 11, 27, 13, 50)) == 0


@pytest.mark.parametrize(
    ("arg", "minutes"),
    [("15", 15), ("15m", 15), (" 5 min ", 5), ("30 minutes", 30), ("0", 0), ("1440", 1440)],
)
def test_lead_minutes_as_people_type_them(arg: str, minutes: int) -> None:
    assert parse_lead_minutes(arg) == minutes


@pytest.mark.parametrize("arg", ["", "-5", "1441", "ten", "15h", "1e3", "99999999"])
def test_lead_minutes_refused(arg: str) -> None:
    assert parse_lead_minutes(arg) is None
