"""Speakers end to end: links from organisers, linking by code or username, /myslots,
/myfeedback, unlinking, and the speaker reminder on the driven clock."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.delivery import Delivery, Envelope
from bot.emulator import BotMessage, FakeUser
from bot.emulator.harness import BotHarness
from bot.reminders import ReminderPlanner
from bot.store.db import ts
from tests.conftest import BRUSSELS, HarnessFactory, brussels

ORGANISER = 42
LINK = re.compile(r"^• (?P<name>.+): https://t\.me/(?P<bot>\w+)\?start=(?P<code>sp_[\w-]+)$")


async def _links(bot: BotHarness, query: str = "") -> tuple[dict[str, str], BotMessage]:
    """/speakerlinks as the organiser: {speaker name: code} parsed from the message, and the
    CSV document."""
    org = bot.user(ORGANISER, "Olga")
    await org.send(f"/speakerlinks {query}".strip())
    codes: dict[str, str] = {}
    docs: list[BotMessage] = []
    while True:  # link lines (one or more messages), the CSV, then who is linked
        msg = await org.next_message()
        if msg.kind == "document":
            docs.append(msg)
            continue
        text = msg.plain_text or ""
        if "Linked speakers" in text or "No speaker has linked" in text:
            break
        for line in text.splitlines():
            m = LINK.match(line)
            if m:
                assert m["bot"] == "confbot_test_bot"  # the username comes from getMe
                codes[m["name"]] = m["code"]
    assert len(docs) == 1
    return codes, docs[0]


async def _start(user: FakeUser, code: str) -> str:
    await user.send(f"/start {code}")
    first = await user.next_message()
    await user.next_message()  # the welcome follows
    return first.plain_text or ""


async def test_organiser_gets_links_text_and_csv(make_bot: HarnessFactory) -> None:
    bot = await make_bot(ORGANISER_IDS=str(ORGANISER))
    codes, doc = await _links(bot)
    assert len(codes) == 9
    assert "Ophir Revach" in codes
    assert "Dr Péter Sztáray" in codes
    assert all(len(code) <= 64 for code in codes.values())
    assert doc.document_name == "speaker-links.csv"
    assert doc.document_bytes is not None
    rows = list(csv.DictReader(io.StringIO(doc.document_bytes.decode("utf-8-sig"))))
    assert [r["name"] for r in rows] == sorted(codes, key=str.casefold)
    revach = next(r for r in rows if r["speaker_id"] == "ophir-revach")
    assert revach["link"] == f"https://t.me/confbot_test_bot?start={codes['Ophir Revach']}"
    assert revach["expires_at"].startswith("2024-11-30T08:00")  # 72 hours on the driven clock
    audit = await bot.runtime.store.db.fetchall("SELECT user_id, action FROM audit_log")
    assert [(r["user_id"], r["action"]) for r in audit] == [(ORGANISER, "speakerlinks")]


async def test_non_organiser_gets_no_links(make_bot: HarnessFactory) -> None:
    bot = await make_bot(ORGANISER_IDS=str(ORGANISER))
    eve = bot.user(666, "Eve")
    for command in ("/speakerlinks", "/speakerlinks Revach", "/unlink Revach"):
        await eve.send(command)
        msg = await eve.next_message()
        assert "don't know that command" in (msg.plain_text or "")
        assert "t.me" not in (msg.text or "")
    count = await bot.runtime.store.db.scalar("SELECT count(*) FROM speaker_codes")
    assert count == 0


async def test_codes_link_once_and_only_when_right(make_bot: HarnessFactory) -> None:
    bot = await make_bot(ORGANISER_IDS=str(ORGANISER))
    codes, _ = await _links(bot)
    code = codes["Ophir Revach"]
    stranger = bot.user(666, "Eve")
    last = code[-1]
    altered = code[:-1] + ("x" if last != "x" else "y")
    guessed = "sp_" + "A" * 22
    answers = {await _start(stranger, attempt) for attempt in (altered, guessed, "sp_nope")}
    assert len(answers) == 1
    assert "not valid" in answers.pop()
    await stranger.send("/myslots")
    assert "not linked" in ((await stranger.next_message()).plain_text or "")

    ophir = bot.user(501, "Ophir")
    assert "linked as the speaker Ophir Revach" in await _start(ophir, code)
    await ophir.send("/whoami")
    assert "Ophir Revach" in ((await ophir.next_message()).plain_text or "")
    # A second account cannot reuse the code: same answer as any bad code.
    again = await _start(stranger, code)
    assert "not valid" in again
    await stranger.send("/whoami")
    assert "speaker" not in ((await stranger.next_message()).plain_text or "")
    # The speaker tapping their link twice is told they are already linked.
    assert "already linked" in await _start(ophir, code)
    # The link is private: the public profile does not change.
    await stranger.send("/speaker Revach")
    profile = await stranger.next_message()
    assert "501" not in (profile.text or "")
    assert "linked" not in (profile.text or "")


async def test_myslots_lists_sessions_with_time_room_and_people(make_bot: HarnessFactory) -> None:
    bot = await make_bot(ORGANISER_IDS=str(ORGANISER))
    codes, _ = await _links(bot)
    ophir = bot.user(501, "Ophir")
    await _start(ophir, codes["Ophir Revach"])
    await ophir.send("/myslots")
    msg = await ophir.next_message()
    text = msg.plain_text or ""
    crisis = text.index("12:00–13:00 · 📍 Room B")
    panel = text.index("14:00–15:15 · 📍 Plenary Hall")
    assert crisis < panel  # time order
    assert "Wed 27 Nov" in text
    assert "(you: moderator)" in text
    assert "With: Katharina von Schnurbein, Bartjan Wegter, Dr Andor Grósz" in text
    assert "Keynote" not in text  # nobody else's sessions
    assert len(msg.button_texts) == 2
    await ophir.press(msg, msg.buttons[1][0][0])
    card = await ophir.wait_for(lambda m: "📍 Plenary Hall" in (m.plain_text or "") and m != msg)
    assert "Ophir Revach (moderator)" in (card.plain_text or "")

    # A co-speaker sees the moderator.
    _, doc = await _links(bot, "Wegter")
    assert doc.document_bytes is not None
    wegter = list(csv.DictReader(io.StringIO(doc.document_bytes.decode("utf-8-sig"))))
    bart = bot.user(502, "Bart")
    await _start(bart, wegter[0]["link"].split("start=")[1])
    await bart.send("/myslots")
    text = (await bart.next_message()).plain_text or ""
    assert "Moderator: Ophir Revach" in text


async def test_myfeedback_shows_only_their_sessions(make_bot: HarnessFactory) -> None:
    bot = await make_bot(ORGANISER_IDS=str(ORGANISER))
    codes, _ = await _links(bot)
    ophir = bot.user(501, "Ophir")
    await ophir.send("/myfeedback")
    assert "not linked" in ((await ophir.next_message()).plain_text or "")
    await _start(ophir, codes["Ophir Revach"])
    rt = bot.runtime
    now = rt.now()
    for uid in (1, 2, 3):
        await rt.store.users.seen(uid, f"U{uid}", None, None, now)
    rows = [
        (1, "crisis-management", 5, "Very <b>practical</b> & clear"),
        (2, "crisis-management", 4, None),
        (3, "keynote-sztaray", 2, "A comment on someone else's keynote"),
    ]
    for uid, sid, rating, comment in rows:
        await rt.store.db.execute(
            "INSERT INTO feedback (user_id, session_id, rating, comment, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (uid, sid, rating, comment, ts(now), ts(now)),
        )
    await ophir.send("/myfeedback")
    msg = await ophir.next_message()
    text = msg.plain_text or ""
    assert "Average 4.5 / 5 from 2 ratings" in text
    assert "Very <b>practical</b> & clear" in text  # escaped, shown as typed
    assert "No ratings yet" in text  # the panel
    assert "someone else" not in text
    assert "Sztáray" not in text


async def test_username_in_the_agenda_links_once(make_bot: HarnessFactory, tmp_path: Path) -> None:
    source = BRUSSELS.read_text(encoding="utf-8")
    anchor = "  - id: ophir-revach\n    name: Ophir Revach\n"
    assert anchor in source
    agenda = tmp_path / "agenda.yaml"
    agenda.write_text(source.replace(anchor, anchor + '    telegram: "@revach_test"\n'), "utf-8")
    bot = await make_bot(AGENDA_PATH=agenda, ORGANISER_IDS=str(ORGANISER))

    ophir = bot.user(501, "Ophir", username="Revach_Test")
    await ophir.send("/start")
    assert "linked as the speaker Ophir Revach" in ((await ophir.next_message()).plain_text or "")
    assert "Security and Resilience" in ((await ophir.next_message()).plain_text or "")
    await ophir.send("/myslots")
    assert "Room B" in ((await ophir.next_message()).plain_text or "")

    # Someone who later holds the username gets nothing: the numeric id counts.
    taker = bot.user(777, "Mallory", username="revach_test")
    await taker.send("/start")
    assert "Hello Mallory" in ((await taker.next_message()).plain_text or "")
    await taker.send("/myslots")
    assert "not linked" in ((await taker.next_message()).plain_text or "")
    assert await bot.runtime.speakers.user_of("ophir-revach") == 501


async def test_organiser_unlinks_and_forged_unlink_changes_nothing(
    make_bot: HarnessFactory,
) -> None:
    bot = await make_bot(ORGANISER_IDS=str(ORGANISER))
    codes, _ = await _links(bot)
    ophir = bot.user(501, "Ophir")
    await _start(ophir, codes["Ophir Revach"])

    eve = bot.user(666, "Eve")
    await eve.send("/agenda")
    days = await eve.next_message()
    forged = await eve.press_data(days.message_id, "ul:ophir-revach")
    answer = await eve.callback_answer(forged)
    assert answer.show_alert
    assert "no longer valid" in (answer.text or "")
    assert await bot.runtime.speakers.user_of("ophir-revach") == 501

    org = bot.user(ORGANISER)
    await org.send("/speakerlinks Revach")
    listing = await org.wait_for(lambda m: "Unlink Ophir Revach" in m.button_texts)
    assert "Linked speakers" in (listing.plain_text or "")
    # Reissuing revoked the code Ophir had not used... his link stays until unlinked.
    qid = await org.press(listing, "Unlink Ophir Revach")
    assert "no longer linked" in ((await org.callback_answer(qid)).text or "")
    await org.wait_for(lambda m: "No speaker has linked" in (m.plain_text or ""))
    await ophir.send("/myslots")
    assert "not linked" in ((await ophir.next_message()).plain_text or "")
    # A stale button pressed again is answered politely.
    again = await org.press_data(listing.message_id, "ul:ophir-revach")
    assert (await org.callback_answer(again)).show_alert
    actions = await bot.runtime.store.db.fetchall("SELECT action FROM audit_log ORDER BY id")
    assert [r["action"] for r in actions][-1] == "speaker_unlink"
    assert not bot.emulator.unanswered_callbacks


async def test_unlink_command(make_bot: HarnessFactory) -> None:
    bot = await make_bot(ORGANISER_IDS=str(ORGANISER))
    codes, _ = await _links(bot)
    await _start(bot.user(501, "Ophir"), codes["Ophir Revach"])
    org = bot.user(ORGANISER)
    await org.send("/unlink")
    assert "/unlink NAME" in ((await org.next_message()).plain_text or "")
    await org.send("/unlink revach")
    assert "no longer linked" in ((await org.next_message()).plain_text or "")
    await org.send("/unlink revach")
    assert "is not linked" in ((await org.next_message()).plain_text or "")
    await org.send("/unlink Nobody At All")
    assert "I know no speaker" in ((await org.next_message()).plain_text or "")


async def _delivery(bot: BotHarness) -> Delivery:
    """The bot's delivery outbox."""
    return bot.runtime.delivery


def _planner(bot: BotHarness, delivery: Delivery) -> ReminderPlanner:
    """The bot's reminder planner (it enqueues into ``delivery``)."""
    return bot.runtime.reminders.planner


async def test_speaker_reminder_arrives_once_on_the_driven_clock(
    make_bot: HarnessFactory, clock: ManualClock
) -> None:
    bot = await make_bot(ORGANISER_IDS=str(ORGANISER), SPEAKER_REMINDER_MINUTES=30)
    codes, _ = await _links(bot)
    ophir = bot.user(501, "Ophir")
    await _start(ophir, codes["Ophir Revach"])
    delivery = await _delivery(bot)
    planner = _planner(bot, delivery)

    clock.set(brussels(11, 25))
    await planner.tick(bot.runtime.now())
    delivery.wake()
    await delivery.drain()
    assert not any("Your session" in (m.plain_text or "") for m in ophir.messages)

    clock.set(brussels(11, 30))
    await planner.tick(bot.runtime.now())
    delivery.wake()
    await delivery.drain()
    msg = await ophir.wait_for_text("Your session")
    text = msg.plain_text or ""
    assert "Your session Crisis management for Jewish communities" in text
    assert "starts at 12:00 in Room B" in text
    assert msg.buttons
    assert msg.buttons[0][0][1] == "s:crisis-management"

    clock.advance(minutes=1)  # ticking again sends nothing new: once
    await planner.tick(bot.runtime.now())
    delivery.wake()
    await delivery.drain()
    assert sum("Your session" in (m.plain_text or "") for m in ophir.messages) == 1


async def test_speaker_reminder_rendering_guards(make_bot: HarnessFactory) -> None:
    """Enqueued directly: co-speakers named; skipped once the account is unlinked."""
    bot = await make_bot(ORGANISER_IDS=str(ORGANISER))
    codes, _ = await _links(bot)
    ophir = bot.user(501, "Ophir")
    await _start(ophir, codes["Ophir Revach"])
    delivery = await _delivery(bot)
    now = bot.runtime.clock.now()
    await delivery.enqueue(
        [
            Envelope(
                501,
                "speaker_reminder",
                {"session_id": "panel-october-7"},
                now,
                dedup_key="t:1",
                session_id="panel-october-7",
            ),
            Envelope(501, "speaker_reminder", {"session_id": "gone"}, now, dedup_key="t:2"),
        ]
    )
    await delivery.drain()
    msg = await ophir.wait_for_text("Your session")
    text = msg.plain_text or ""
    assert "starts at 14:00 in Plenary Hall" in text
    assert "Katharina von Schnurbein, Bartjan Wegter and Dr Andor Grósz" in text
    await bot.runtime.speakers.unlink("ophir-revach")
    later = now + timedelta(seconds=1)
    await delivery.enqueue(
        [
            Envelope(
                501, "speaker_reminder", {"session_id": "crisis-management"}, later, dedup_key="t:3"
            )
        ]
    )
    bot.runtime.clock.advance(seconds=2)  # type: ignore[attr-defined]
    delivery.wake()
    await delivery.drain()
    states = await bot.runtime.store.db.fetchall(
        "SELECT dedup_key, state FROM outbox ORDER BY dedup_key"
    )
    assert [(r["dedup_key"], r["state"]) for r in states] == [
        ("t:1", "sent"),
        ("t:2", "skipped"),
        ("t:3", "skipped"),
    ]
