"""Live calendar feeds end to end: /calendar gives the address, the web server serves it."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.emulator import BotApiEmulator
from bot.emulator.harness import BotHarness
from bot.emulator.users import FakeUser
from tests.conftest import BRUSSELS, BRUSSELS_TZ, HarnessFactory
from tests.organisers import ORG
from tests.reload.test_reload_e2e import moved_agenda
from tests.steps import bookmark
from tests.web.bots import PUBLIC, Headers, WebBotFactory, get

FEED_LINK = re.compile(re.escape(PUBLIC) + r"/cal/([A-Za-z0-9_-]{32})\.ics")


async def ask_for_link(user: FakeUser) -> tuple[str, str]:
    """/calendar -> (the token, the message's text)."""
    await user.send("/calendar")
    msg = await user.next_message()
    found = FEED_LINK.search(msg.plain_text or "")
    assert found, msg.plain_text
    return found.group(1), msg.plain_text or ""


def events(body: bytes) -> dict[str, tuple[datetime, str]]:
    """UID prefix (the session id) -> (start, location) of every event in a feed."""
    cal = Calendar.from_ical(body)
    out = {}
    for event in cal.walk("VEVENT"):
        uid = str(event["UID"]).split(".", 1)[0]
        room = str(event.get("LOCATION", "")).split(", ", 1)[0]  # (the venue follows)
        out[uid] = (event.decoded("DTSTART"), room)
    return out


async def feed(bot: BotHarness, token: str, **headers: str) -> tuple[int, Headers, bytes]:
    return await get(f"{bot.web_url}/cal/{token}.ics", headers=headers)


async def test_a_feed_follows_a_bookmark_a_moved_session_and_a_revoke(
    web_bot: WebBotFactory, web_emulator: BotApiEmulator, tmp_path: Path
) -> None:
    path = tmp_path / "agenda.yaml"
    path.write_bytes(BRUSSELS.read_bytes())
    bot = await web_bot(AGENDA_PATH=path, ORGANISER_IDS=str(ORG))
    ada = bot.user(1001, "Ada")
    await ada.send("/start")
    await ada.next_message()
    token, text = await ask_for_link(ada)
    assert f"webcal://bot.example.org/cal/{token}.ics" in text
    stored = await bot.runtime.store.calendar_feeds.of_user(1001)
    assert stored is not None  # kept as a hash only: the token is nowhere in the database
    db_dump = "\n".join(str(tuple(r)) for r in await bot.runtime.store.db.fetchall(
        "SELECT * FROM calendar_feeds"
    ))  # fmt: skip
    assert token not in db_dump

    status, headers, body = await feed(bot, token)
    assert status == 200
    assert headers["Content-Type"].startswith("text/calendar")
    assert events(body) == {}
    empty_tag, empty_since = headers["ETag"], headers["Last-Modified"]
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT15M" in body

    # Calendar apps poll with conditional requests: unchanged, they get 304 and no body.
    status, again, body = await feed(bot, token, **{"If-None-Match": empty_tag})
    assert (status, body) == (304, b"")
    assert again["ETag"] == empty_tag
    status, _h, _b = await feed(bot, token, **{"If-Modified-Since": empty_since})
    assert status == 304

    await bookmark(ada, "keynote-mousnier")
    status, headers, body = await feed(bot, token, **{"If-None-Match": empty_tag})
    assert status == 200  # the old ETag no longer matches: the new content comes
    assert events(body) == {
        "keynote-mousnier": (datetime(2024, 11, 27, 12, 0, tzinfo=BRUSSELS_TZ), "Plenary Hall")
    }
    assert headers["Last-Modified"] != empty_since  # later, though the clock stood still
    status, _h, _b = await feed(bot, token, **{"If-Modified-Since": empty_since})
    assert status == 200
    one_tag = headers["ETag"]

    # The session moves (an organiser's /reload): the feed has the new time.
    org = bot.user(ORG, "Org")
    await org.send("/start")
    await org.next_message()
    moved_agenda(tmp_path)
    await org.send("/reload")
    preview = await org.next_message()
    await org.press(preview, "Apply")
    await org.wait_for(lambda m: "new agenda is live" in (m.plain_text or ""))
    status, headers, body = await feed(bot, token, **{"If-None-Match": one_tag})
    assert status == 200
    start, _room = events(body)["keynote-mousnier"]
    assert start == datetime(2024, 11, 27, 14, 30, tzinfo=BRUSSELS_TZ)
    assert headers["ETag"] != one_tag

    # Revoked: a new address, the old one answers 404 like one that never existed.
    link_message = next(m for m in ada.messages if token in (m.plain_text or ""))
    await ada.press(link_message, "🔄 New link (the old one stops working)")
    edited = await ada.wait_for(lambda m: token not in (m.plain_text or "") and bool(
        FEED_LINK.search(m.plain_text or "")
    ))  # fmt: skip
    found = FEED_LINK.search(edited.plain_text or "")
    assert found
    new_token = found.group(1)
    assert new_token != token
    assert (await feed(bot, token))[0] == 404
    assert (await feed(bot, "x" * 32))[0] == 404
    status, _h, body = await feed(bot, new_token)
    assert status == 200
    assert set(events(body)) == {"keynote-mousnier"}

    # Asked again, the bot cannot show the address (it keeps a hash), but can replace it.
    await ada.send("/calendar")
    answer = await ada.wait_for_text("already have a live calendar address")
    assert new_token not in (answer.plain_text or "")
    await ada.press(answer, "🚫 Turn the link off")
    await ada.wait_for(lambda m: "turned off" in (m.plain_text or ""))
    assert (await feed(bot, new_token))[0] == 404


async def test_the_conference_feed_has_every_session_and_answers_304(
    web_bot: WebBotFactory,
) -> None:
    bot = await web_bot()
    status, headers, body = await get(f"{bot.web_url}/cal/conference.ics")
    assert status == 200
    assert len(events(body)) == 10
    assert headers["Cache-Control"].startswith("public")
    etag, since = headers["ETag"], headers["Last-Modified"]
    status, _h, body = await get(
        f"{bot.web_url}/cal/conference.ics", headers={"If-None-Match": f'W/{etag}, "other"'}
    )
    assert (status, body) == (304, b"")
    status, _h, _b = await get(
        f"{bot.web_url}/cal/conference.ics", headers={"If-Modified-Since": since}
    )
    assert status == 304
    # The same content after a restart: the same ETag and Last-Modified (kept in the store).
    await bot.restart()
    status, again, _b = await get(f"{bot.web_url}/cal/conference.ics")
    assert (again["ETag"], again["Last-Modified"]) == (etag, since)


async def test_feed_tokens_never_reach_the_access_log(
    web_bot: WebBotFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="confbot.web.access")
    bot = await web_bot()
    ada = bot.user(1001, "Ada")
    await ada.send("/start")
    await ada.next_message()
    token, _text = await ask_for_link(ada)
    assert (await feed(bot, token))[0] == 200
    assert (await feed(bot, token[::-1]))[0] == 404
    lines = [r.getMessage() for r in caplog.records if r.name == "confbot.web.access"]
    assert any("GET /cal/[token].ics 200" in line for line in lines), lines
    assert any("GET /cal/[token].ics 404" in line for line in lines), lines
    assert not any(token in line or token[::-1] in line for line in lines)


async def test_calendar_without_a_public_address_or_in_a_group(make_bot: HarnessFactory) -> None:
    bot = await make_bot()  # no PUBLIC_URL: no feeds
    ada = bot.user(1001, "Ada")
    await ada.send("/calendar")
    answer = await ada.next_message()
    assert "not set up for this event" in (answer.plain_text or "")
    assert "/my" in (answer.plain_text or "")


async def test_calendar_in_a_group_is_refused(
    web_bot: WebBotFactory, web_emulator: BotApiEmulator
) -> None:
    bot = await web_bot()
    ada = bot.user(1001, "Ada")
    group = web_emulator.group("Attendees", creator=ada)
    await group.add_bot(by=ada, admin=True)
    await ada.send("/calendar", chat=group)
    answer = await group.wait_for(lambda m: "private chat" in (m.plain_text or ""))
    assert not FEED_LINK.search(answer.plain_text or "")
    assert await bot.runtime.store.calendar_feeds.of_user(1001) is None
