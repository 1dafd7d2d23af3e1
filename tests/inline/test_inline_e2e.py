"""Inline mode and session deep links end to end: the real bot, the emulator, a driven clock.

The emulator validates ``answerInlineQuery`` as Telegram does (at most 50 results, unique
ids of at most 64 bytes, ``next_offset`` of at most 64 bytes, article titles and HTML, the
buttons' deep links), so every answer below is one Telegram would have taken.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.deeplinks import session_payload
from bot.emulator.harness import BotHarness
from bot.emulator.users import FakeUser, InlineAnswer
from tests.conftest import SHARED_SCHEDULES, HarnessFactory

FOSDEM = SHARED_SCHEDULES / "fosdem-2014-pentabarf.xml"
PYCONUK = SHARED_SCHEDULES / "pyconuk-2015.ics"
BRU = ZoneInfo("Europe/Brussels")
SATURDAY = datetime(2014, 2, 1, 11, 0, tzinfo=BRU)
BOT = "confbot_test_bot"

pytestmark = pytest.mark.skipif(not FOSDEM.exists(), reason="../shared is not beside the clone")


@pytest.fixture
async def fosdem(make_bot: HarnessFactory, clock: ManualClock) -> BotHarness:
    clock.set(SATURDAY)
    return await make_bot(AGENDA_PATH=FOSDEM, AGENDA_TIMEZONE="Europe/Brussels")


async def ask(user: FakeUser, query: str, offset: str = "") -> InlineAnswer:
    return await user.inline_answer(await user.inline_query(query, offset=offset))


def _no_refusals(bot: BotHarness) -> None:
    refused = [c for c in bot.emulator.calls_of("answerInlineQuery") if c.status != 200]
    assert not refused, [c.response for c in refused]


def _url(result: dict[str, Any]) -> str:
    (row,) = result["reply_markup"]["inline_keyboard"]
    (button,) = row
    assert set(button) == {"text", "url"}  # no callback: the posted card works anywhere
    return str(button["url"])


async def test_inline_queries_page_through_a_large_programme(fosdem: BotHarness) -> None:
    ada = fosdem.user(1001, "Ada")
    first = await ask(ada, "")
    assert len(first.results) == 50
    assert first.is_personal
    assert 0 < first.cache_time <= 60
    assert first.button == {
        "text": "📅 The whole programme in the bot",
        "start_parameter": "inline",
    }
    answers = [first]
    while answers[-1].next_offset:
        assert len(answers[-1].next_offset.encode()) <= 64
        answers.append(await ask(ada, "", answers[-1].next_offset))
        assert len(answers) < 20
    ids = [i for a in answers for i in a.ids]
    assert len(ids) == len(set(ids)) == 510  # 18 talks on now and 492 to come
    assert all(len(a.results) <= 50 for a in answers)
    _no_refusals(fosdem)
    rt = fosdem.runtime
    running = {s.id for s in rt.agenda.index.running_at(SATURDAY)}
    assert {session_payload(i) for i in running} == set(first.ids[: len(running)])
    for result in first.results:
        assert result["type"] == "article"
        assert result["input_message_content"]["parse_mode"] == "HTML"
        assert _url(result) == f"https://t.me/{BOT}?start={result['id']}"


async def test_a_query_pages_and_a_forged_offset_gives_the_first_page(fosdem: BotHarness) -> None:
    ada = fosdem.user(1001, "Ada")
    first = await ask(ada, "tomorrow")
    assert len(first.results) == 50
    assert first.next_offset
    second = await ask(ada, "tomorrow", first.next_offset)
    assert not set(first.ids) & set(second.ids)
    for forged in ("garbage", "49.1", "50.99999999999", "-1", "1" * 64):
        again = await ask(ada, "tomorrow", forged)
        assert again.ids == first.ids
    _no_refusals(fosdem)


async def test_the_empty_query_is_what_is_on_now_by_the_clock(
    fosdem: BotHarness, clock: ManualClock
) -> None:
    ada = fosdem.user(1001, "Ada")
    rt = fosdem.runtime
    for when in (SATURDAY, datetime(2014, 2, 2, 15, 10, tzinfo=BRU)):
        clock.set(when)
        answer = await ask(ada, "")
        running = rt.agenda.index.running_at(when)
        assert running
        assert set(answer.ids[: len(running)]) == {session_payload(s.id) for s in running}
        top = answer.results[0]
        assert str(top["description"]).startswith("On now, until ")
        later = rt.agenda.index.session_by_key(answer.ids[len(running)].removeprefix("s_"))
        assert later is not None
        assert later.start > when
    clock.set(datetime(2014, 2, 3, 9, 0, tzinfo=BRU))  # the day after: the whole programme
    assert len((await ask(ada, "")).results) == 50


async def test_hostile_query_text_is_answered(fosdem: BotHarness) -> None:
    ada = fosdem.user(1001, "Ada")
    for query in ("<b>" * 1700, "<script>alert(1)</script> &amp; python", "'; DROP TABLE users"):
        answer = await ask(ada, query)
        assert len(answer.results) <= 50
    nothing = await ask(ada, "zzqxj wvvkp")
    assert nothing.results == []
    assert nothing.button == {
        "text": "No session matches: ask me in the chat",
        "start_parameter": "inline",
    }
    _no_refusals(fosdem)
    # someone seen only through inline mode has not started the bot: no broadcast audience
    assert await fosdem.runtime.store.users.get(1001) is None


async def test_a_chosen_result_posts_the_card_and_its_link_opens_the_session(
    fosdem: BotHarness,
) -> None:
    ada = fosdem.user(1001, "Ada")
    bob = fosdem.user(1002, "Bob")
    answer = await ask(ada, "postgresql")
    chosen = answer.results[0]
    session = fosdem.runtime.agenda.index.session_by_key(str(chosen["id"]).removeprefix("s_"))
    assert session is not None
    posted = await ada.choose_inline_result(answer.inline_query_id, str(chosen["id"]))
    assert posted.is_inline
    assert (posted.plain_text or "").startswith(session.title)
    ((label, url),) = [b for row in posted.buttons for b in row]
    assert label == "⭐ Open in the bot"
    assert url == f"https://t.me/{BOT}?start={session_payload(session.id)}"
    # Bob, in the chat where Ada posted it, taps the button: Telegram sends /start PAYLOAD
    await bob.send("/start " + url.split("start=", 1)[1])
    card = await bob.next_message()
    assert (card.plain_text or "").startswith(session.title)
    assert "⭐ Bookmark" in card.button_texts
    assert "Hello" not in (card.plain_text or "")
    qid = await bob.press(card, "⭐ Bookmark")
    await bob.callback_answer(qid)
    assert await fosdem.runtime.store.bookmarks.has(1002, session.id)


async def test_help_tells_about_inline_mode(fosdem: BotHarness) -> None:
    ada = fosdem.user(1001, "Ada")
    await ada.send("/help")
    text = (await ada.next_message()).plain_text or ""
    assert f"@{BOT} keynote" in text


@pytest.mark.skipif(not PYCONUK.exists(), reason="../shared is not beside the clone")
async def test_deep_links_open_sessions_with_odd_ids(
    make_bot: HarnessFactory, clock: ManualClock
) -> None:
    """PyCon UK 2015's ids are iCal UIDs (``…@testing-worker-…``, 74 characters): too long
    and not start-safe, so their links carry the hash, and still open the right session."""
    clock.set(datetime(2015, 9, 18, 9, 0, tzinfo=ZoneInfo("Europe/London")))
    bot = await make_bot(AGENDA_PATH=PYCONUK, AGENDA_TIMEZONE="Europe/London")
    ada = bot.user(1001, "Ada")
    index = bot.runtime.agenda.index
    odd = [s for s in index.sessions if "@" in s.id and not s.is_break][:3]
    assert len(odd) == 3
    for session in odd:
        payload = session_payload(session.id)
        assert payload.startswith("s__")
        await ada.send(f"/start {payload}")
        card = await ada.next_message()
        assert (card.plain_text or "").startswith(session.title), session.id
    answer = await ask(ada, odd[0].title)
    assert session_payload(odd[0].id) in answer.ids
    _no_refusals(bot)


@pytest.mark.parametrize(
    "payload",
    [
        "s_nope",
        "s__AAAAAAAAAA",
        "s_" + "x" * 62,
        "s_2077.x",
        "sh_" + "A" * 22,
        "sh_short",
        "inline",
        "<script>",
        "s_2077 s_2078",
        "%00",
    ],
)
async def test_unknown_or_forged_payloads_get_the_welcome(fosdem: BotHarness, payload: str) -> None:
    ada = fosdem.user(1001, "Ada")
    await ada.send(f"/start {payload}")
    welcome = await ada.next_message()
    assert (welcome.plain_text or "").startswith("Hello Ada!")
    assert "went wrong" not in (welcome.plain_text or "")
    await ada.send("/start s_2077")  # a real one still opens its card
    card = await ada.next_message()
    assert "Hello" not in (card.plain_text or "")
    assert "⭐ Bookmark" in card.button_texts


async def test_the_speaker_link_flow_is_untouched(fosdem: BotHarness) -> None:
    ada = fosdem.user(1001, "Ada")
    await ada.send("/start sp_" + "A" * 22)
    refused = await ada.next_message()
    welcome = await ada.next_message()
    assert "Hello Ada!" not in (refused.plain_text or "")
    assert (welcome.plain_text or "").startswith("Hello Ada!")
    assert ada.unread == []


async def test_the_session_link_survives_a_restart(fosdem: BotHarness, clock: ManualClock) -> None:
    ada = fosdem.user(1001, "Ada")
    answer = await ask(ada, "python")
    payload = answer.ids[0]
    await fosdem.restart()
    clock.advance(timedelta(hours=3))
    await ada.send(f"/start {payload}")
    card = await ada.next_message()
    assert "⭐ Bookmark" in card.button_texts
