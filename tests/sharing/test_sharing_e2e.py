"""Sharing a schedule end to end: /my → Share → link; a friend opens it, bookmarks all, gets
reminded; the link stops working when revoked, and a new link replaces the old."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from bot.clock import ManualClock
from bot.emulator.harness import BotHarness
from bot.emulator.users import BotMessage, FakeUser
from tests.conftest import HarnessFactory, brussels
from tests.steps import at, bookmark

BOT = "confbot_test_bot"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "agenda"
MULTILINGUAL = FIXTURES / "json_pretalx_multilingual.json"


async def press(user: FakeUser, msg: BotMessage, label: str) -> str:
    qid = await user.press(msg, label)
    return (await user.callback_answer(qid)).text or ""


def url_of(msg: BotMessage, label: str) -> str:
    found = [url for row in msg.buttons for text, url in row if text == label]
    assert len(found) == 1, msg.buttons
    return str(found[0])


async def make_link(user: FakeUser) -> tuple[str, BotMessage]:
    """/my → Share my schedule → Make the link; returns the link and the message with it."""
    await user.send("/my")
    my = await user.next_message()
    await press(user, my, "🔗 Share my schedule")
    panel = await user.wait_for(lambda m: "Make the link" in " ".join(m.button_texts))
    await press(user, panel, "🔗 Make the link")
    shown = await user.wait_for(lambda m: "t.me/" in (m.plain_text or ""))
    link = next(w for w in (shown.plain_text or "").split() if w.startswith("https://t.me/"))
    return link, shown


def payload_of(link: str) -> str:
    parts = urlsplit(link)
    assert parts.netloc == "t.me"
    assert parts.path == f"/{BOT}"
    (payload,) = parse_qs(parts.query)["start"]
    return payload


async def test_share_preview_link_and_the_friends_view(bot: BotHarness) -> None:
    anna = bot.user(1001, "Anna", last_name="Kovács", username="anna_k")
    bob = bot.user(1002, "Bob")
    await bookmark(anna, "panel-october-7")
    await bookmark(anna, "keynote-mousnier")
    await anna.send("/my")
    my = await anna.next_message()
    await press(anna, my, "🔗 Share my schedule")
    preview = await anna.wait_for(lambda m: "Share your schedule" in (m.plain_text or ""))
    text = preview.plain_text or ""
    assert "Anna's schedule" in text
    assert "now 2 sessions" in text
    assert "first name and nothing else" in text
    link, shown = await make_link(anna)
    payload = payload_of(link)
    assert payload.startswith("sh_")
    assert len(payload) <= 64
    assert "1001" not in link
    assert "anna" not in link.casefold()
    share = urlsplit(url_of(shown, "📤 Send it to a friend"))
    assert share.netloc == "t.me"
    assert share.path == "/share/url"
    assert parse_qs(share.query)["url"] == [link]
    assert "🚫 Stop sharing" in shown.button_texts

    await bob.send(f"/start {payload}")
    view = await bob.next_message()
    seen = view.plain_text or ""
    assert seen.startswith("Anna's schedule (2)")
    assert seen.index("12:00") < seen.index("14:00")
    for private in ("Kovács", "anna_k", "1001"):
        assert private not in seen
        assert private not in repr(view.buttons)
    assert "⭐ Bookmark all" in view.button_texts
    await bob.press(view, "14:00 Challenges")  # each session opens as its card
    card = await bob.next_message()
    assert "October 7th" in (card.plain_text or "")
    assert "⭐ Bookmark" in card.button_texts
    # The link shows Anna's bookmarks as they are now, not as they were when it was made.
    await bookmark(anna, "closing")
    await bob.send(f"/start {payload}")
    assert (await bob.next_message()).plain_text.startswith("Anna's schedule (3)")  # type: ignore[union-attr]


async def test_bookmark_all_then_reminders_reach_the_friend(
    bot: BotHarness, clock: ManualClock
) -> None:
    anna = bot.user(1001, "Anna")
    bob = bot.user(1002, "Bob")
    for sid in ("welcome", "panel-october-7", "closing"):
        await bookmark(anna, sid)
    link, _ = await make_link(anna)
    clock.set(brussels(10, 30))  # the welcome is over by now
    await bob.send(f"/start {payload_of(link)}")
    view = await bob.next_message()
    toast = await press(bob, view, "⭐ Bookmark all")
    assert toast == "Added 2 sessions to your bookmarks. I'll remind you before each."
    rt = bot.runtime
    assert sorted(await rt.store.bookmarks.of_user(1002)) == ["closing", "panel-october-7"]
    refreshed = await bob.wait_for(
        lambda m: m.message_id == view.message_id and "⭐ Bookmark all" not in m.button_texts
    )
    assert (refreshed.plain_text or "").count("⭐") == 2
    # Bob now gets Anna's sessions' reminders, like any bookmark of his own.
    await at(bot, 13, 50)
    reminder = await bob.wait_for(lambda m: "⏰" in (m.text or ""))
    assert "October 7th" in (reminder.plain_text or "")


async def test_a_revoked_link_says_so_and_a_new_link_replaces_the_old(bot: BotHarness) -> None:
    anna = bot.user(1001, "Anna")
    bob = bot.user(1002, "Bob")
    await bookmark(anna, "closing")
    old_link, shown = await make_link(anna)
    old = payload_of(old_link)
    await bob.send(f"/start {old}")
    old_view = await bob.next_message()

    await press(anna, shown, "🚫 Stop sharing")
    stopped = await anna.wait_for(lambda m: "Sharing stopped" in (m.plain_text or ""))
    assert "🔗 Share my schedule" in stopped.button_texts

    await bob.send(f"/start {old}")
    note = await bob.next_message()
    welcome = await bob.next_message()
    assert "no longer works" in (note.plain_text or "")
    assert (welcome.plain_text or "").startswith("Hello Bob!")
    alert = await bob.callback_answer(await bob.press(old_view, "⭐ Bookmark all"))
    assert alert.show_alert
    assert await bot.runtime.store.bookmarks.of_user(1002) == []

    new_link, _ = await make_link(anna)
    assert payload_of(new_link) != old
    await bob.send(f"/start {payload_of(new_link)}")
    assert (await bob.next_message()).plain_text.startswith("Anna's schedule (1)")  # type: ignore[union-attr]
    # Making a link while one is active: the panel says so, and a new one revokes the other.
    await anna.send("/my")
    my = await anna.next_message()
    await press(anna, my, "🔗 Share my schedule")
    panel = await anna.wait_for(lambda m: "Your schedule is shared" in (m.plain_text or ""))
    await press(anna, panel, "🔄 Make a new link")
    newest = await anna.wait_for(
        lambda m: "t.me/" in (m.plain_text or "") and new_link not in (m.plain_text or "")
    )
    assert newest.message_id == panel.message_id
    await bob.send(f"/start {payload_of(new_link)}")
    assert "no longer works" in ((await bob.next_message()).plain_text or "")
    await bob.next_message()  # the welcome


async def test_forged_share_links_get_the_plain_welcome(bot: BotHarness) -> None:
    bob = bot.user(1002, "Bob")
    for payload in ("sh_" + "A" * 22, "sh_" + "x" * 61, "sh_", "sh_<b>"):
        await bob.send(f"/start {payload}")
        welcome = await bob.next_message()
        assert (welcome.plain_text or "").startswith("Hello Bob!")
        assert bob.unread == []
    for data in ("sha:" + "A" * 22, "sha:", "shl:steal", "shl:new:1", "shr:1"):
        answer = await bob.callback_answer(await bob.press_data(welcome.message_id, data))
        assert answer.show_alert, data
    assert await bot.runtime.store.bookmarks.of_user(1002) == []
    assert await bot.runtime.sharing.active(1002) is None
    assert bot.emulator.unanswered_callbacks == []


async def test_my_offers_sharing_only_with_something_to_share(
    bot: BotHarness, clock: ManualClock
) -> None:
    carol = bot.user(1003, "Carol")
    await carol.send("/my")
    assert "🔗 Share my schedule" not in (await carol.next_message()).button_texts
    await bookmark(carol, "closing")
    link, _ = await make_link(carol)
    # with the bookmark gone, the button stays while a link is active (to stop sharing)
    await bookmark(carol, "closing", "Remove bookmark")
    await carol.send("/my")
    my = await carol.next_message()
    assert "🔗 Share my schedule" in my.button_texts
    await press(carol, my, "🔗 Share my schedule")
    panel = await carol.wait_for(lambda m: "Your schedule is shared" in (m.plain_text or ""))
    await press(carol, panel, "🚫 Stop sharing")
    await carol.wait_for(lambda m: "Sharing stopped" in (m.plain_text or ""))
    # a second tap of Stop sharing (from an older copy of the panel): nothing to stop
    again = await carol.callback_answer(await carol.press_data(panel.message_id, "shl:off"))
    assert again.text == "Your schedule is not shared at the moment."
    clock.advance(timedelta(minutes=1))
    await carol.send("/my")
    assert "🔗 Share my schedule" not in (await carol.next_message()).button_texts
    assert payload_of(link).startswith("sh_")


async def test_the_invitation_names_the_conference_in_the_sharers_language(
    make_bot: HarnessFactory,
) -> None:
    """A multilingual agenda and a German app (English interface, German agenda texts)."""
    bot = await make_bot(AGENDA_PATH=MULTILINGUAL)
    hans = bot.user(1001, "Hans", language_code="de")
    await hans.send("/start")
    await hans.next_message()
    rt = bot.runtime
    opening = rt.agenda.conference.sessions[0].id
    await rt.store.bookmarks.add(1001, opening, rt.now())
    _link, shown = await make_link(hans)
    share = urlsplit(url_of(shown, "📤 Send it to a friend"))
    (invitation,) = parse_qs(share.query)["text"]
    assert invitation == "Hans's schedule at Konferenz Wassersicherheit"
