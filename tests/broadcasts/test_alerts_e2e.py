"""Urgent alerts end to end: who may, the preview (reach, ETA, cost), Send, Cancel, Stop, the
alert frame in each recipient's language, and the organiser told when paid sending is refused."""

from __future__ import annotations

from bot import texts
from bot.emulator.users import FakeUser
from handlers.menus import refresh_chat_menu
from tests.conftest import HarnessFactory
from tests.organisers import ORG, org_bot, started, texts_of
from tests.steps import add_users

HEADER_EN = "🚨 Urgent message from the organisers"
HEADER_HU = "🚨 Sürgős üzenet a szervezőktől"


async def alert_preview(org: FakeUser, command: str) -> tuple[str, str]:
    """``/alert ...``: the framed preview and the summary under it (plain text)."""
    await org.send(command)
    preview = await org.next_message()
    summary = await org.next_message()
    return preview.plain_text or "", summary.plain_text or ""


async def test_non_organisers_get_the_unknown_command_answer(make_bot: HarnessFactory) -> None:
    bot = await org_bot(make_bot)
    (eve,) = await started(bot, 1001)
    for command in ("/alert Evacuate hall B", "/alert"):
        await eve.send(command)
        msg = await eve.next_message()
        assert msg.text == texts.unknown_command(), command
    assert await bot.runtime.store.db.scalar("SELECT count(*) FROM batches") == 0
    assert await bot.runtime.store.db.scalar("SELECT count(*) FROM outbox") == 0


async def test_a_bare_alert_explains_itself_and_an_alert_is_never_scheduled(
    make_bot: HarnessFactory,
) -> None:
    bot = await org_bot(make_bot)
    (org,) = await started(bot, ORG)
    await org.send("/alert")
    usage = await org.next_message()
    assert "/alert TEXT" in usage.plain_text
    # The next text is not taken as an alert: it is a question again.
    await org.send("Evacuate hall B")
    answer = await org.next_message()
    assert HEADER_EN not in (answer.plain_text or "")
    await org.send("/alert at 17:30 Evacuate hall B")
    refused = await org.next_message()
    assert "cannot be scheduled" in refused.plain_text
    assert await bot.runtime.store.db.scalar("SELECT count(*) FROM batches") == 0


async def test_the_preview_at_the_free_rate_says_who_and_how_long_and_costs_nothing(
    make_bot: HarnessFactory,
) -> None:
    bot = await org_bot(make_bot, BROADCAST_RATE=2)
    await started(bot, ORG, 1001, 1002, 1003)
    org = bot.user(ORG)
    preview, summary = await alert_preview(org, "/alert Evacuate <hall B> & wait outside")
    assert preview == f"{HEADER_EN}\n\nEvacuate <hall B> & wait outside"
    assert "It reaches everyone who started the bot: 4 people." in summary
    assert "about 2 s" in summary  # 4 people at BROADCAST_RATE=2
    assert "Star" not in summary
    (batch,) = await bot.runtime.store.outbox.batches(["draft"], kind="alert")
    assert batch.created_by == ORG
    assert [e.action for e in await bot.runtime.store.audit.recent(1)] == ["alert_preview"]


async def test_the_preview_with_paid_sending_states_the_most_it_costs(
    make_bot: HarnessFactory,
) -> None:
    bot = await org_bot(make_bot, PAID_BROADCAST_RATE=10)
    (org,) = await started(bot, ORG)
    await add_users(bot, range(20_000, 20_021))  # 22 people with the organiser
    _, summary = await alert_preview(org, "/alert Evacuate hall B")
    assert "22 people" in summary
    assert "about 2 s" in summary  # 22 at PAID_BROADCAST_RATE=10, not 25 a second
    assert "at most 3 Stars" in summary  # ceil(0.1 * 22)
    # One person: one Star at most, in the singular.
    await bot.runtime.store.bookmarks.add(20_000, "keynote-mousnier", bot.runtime.now())
    _, summary = await alert_preview(org, "/alert to:session:keynote-mousnier Keynote cancelled")
    assert "1 person" in summary
    assert "at most 1 Star " in summary


async def test_send_reaches_everyone_in_the_alert_frame_in_their_language(
    make_bot: HarnessFactory,
) -> None:
    bot = await org_bot(make_bot)
    org, ada = await started(bot, ORG, 1001)
    zsofi = bot.user(1002, "Zsófi", language_code="hu")
    await zsofi.send("/start")
    await zsofi.next_message()
    await org.send("/alert Evacuate hall B <now>")
    await org.next_message()
    await org.press(await org.next_message(), "Send to 3")
    await bot.runtime.delivery.drain(timeout=10)
    final = await org.wait_for(lambda m: "finished" in (m.plain_text or ""), timeout=5)
    assert "Alert #" in final.plain_text
    assert "sent 3" in final.plain_text
    assert [t for t in texts_of(ada) if t.startswith("🚨")] == [
        f"{HEADER_EN}\n\nEvacuate hall B <now>"
    ]
    assert [t for t in texts_of(zsofi) if t.startswith("🚨")] == [
        f"{HEADER_HU}\n\nEvacuate hall B <now>"
    ]
    kinds = await bot.runtime.store.db.fetchall("SELECT DISTINCT kind FROM outbox")
    assert [str(r[0]) for r in kinds] == ["alert"]
    assert [e.action for e in await bot.runtime.store.audit.recent(2)] == [
        "alert_send",
        "alert_preview",
    ]


async def test_cancel_on_the_preview_sends_nothing(make_bot: HarnessFactory) -> None:
    bot = await org_bot(make_bot)
    org, ada = await started(bot, ORG, 1001)
    await org.send("/alert Evacuate hall B")
    await org.next_message()
    summary = await org.next_message()
    await org.press(summary, "Cancel")
    await org.wait_for(lambda m: "discarded" in (m.plain_text or ""))
    await bot.runtime.delivery.drain(timeout=5)
    assert not [t for t in texts_of(ada) if t.startswith("🚨")]
    assert [e.action for e in await bot.runtime.store.audit.recent(1)] == ["alert_discard"]


async def test_a_running_alert_shows_its_progress_is_listed_as_an_alert_and_can_be_stopped(
    make_bot: HarnessFactory,
) -> None:
    bot = await org_bot(make_bot, BROADCAST_RATE=1)
    (org,) = await started(bot, ORG)
    await add_users(bot, range(20_000, 20_010))
    await org.send("/alert Evacuate hall B")
    await org.next_message()
    summary = await org.next_message()
    await org.press(summary, "Send to 11")
    progress = await org.wait_for(
        lambda m: "Alert #" in (m.plain_text or "") and "going out" in (m.plain_text or "")
    )
    assert "About" in progress.plain_text
    await org.send("/broadcasts")
    listing = await org.wait_for(lambda m: "Scheduled and running" in (m.plain_text or ""))
    assert "urgent alert" in listing.plain_text
    assert "Evacuate hall B" in listing.plain_text
    await org.press(listing, "Cancel #")
    stopped = await org.wait_for(lambda m: "cancelled" in (m.plain_text or ""), timeout=5)
    assert "Alert #" in stopped.plain_text
    await bot.runtime.delivery.drain(timeout=5)
    got = sum(
        1
        for uid in range(20_000, 20_010)
        for m in bot.emulator.user(uid).messages
        if (m.plain_text or "").startswith("🚨")
    )
    assert got < 10  # at one message a second, the Stop came before the end
    assert [e.action for e in await bot.runtime.store.audit.recent(1)] == ["alert_cancel"]


async def test_a_refused_paid_alert_tells_its_organiser_once_in_their_language(
    make_bot: HarnessFactory,
) -> None:
    bot = await org_bot(make_bot, PAID_BROADCAST_RATE=1000, BROADCAST_RATE=1)
    org = bot.user(ORG, "Org", language_code="hu")
    await org.send("/start")
    await org.next_message()
    await add_users(bot, range(20_000, 20_005))
    await org.send("/alert Evacuate hall B")
    await org.next_message()
    summary = await org.next_message()
    assert "csillag" in summary.plain_text
    await org.callback_answer(await org.press(summary, "6"))
    (batch,) = await bot.runtime.store.outbox.batches(["running", "done"], kind="alert")
    hooks = bot.runtime.delivery.on_paid_refused
    assert hooks, "the alert's hook is registered on the sender"
    reason = "Bad Request: not enough <stars> & more"
    for hook in hooks:  # as Delivery calls it: once per batch, and once again by mistake
        await hook(batch.id, reason)
        await hook(batch.id, reason)
        await hook(None, reason)
    notice = await org.wait_for(lambda m: "Telegram" in (m.plain_text or ""), timeout=5)
    assert f"#{batch.id}" in notice.plain_text
    assert reason in notice.plain_text  # escaped in HTML, shown as Telegram wrote it
    assert "ingyenes sebességgel" in notice.plain_text
    assert "kb." in notice.plain_text  # the new ETA, at the free rate
    # Told once: the second call and the one without a batch add nothing.
    assert sum(1 for m in org.messages if "Telegram" in (m.plain_text or "")) == 1
    refused = await bot.runtime.store.audit.recent(action="alert_paid_refused")
    assert [e.user_id for e in refused] == [ORG]


async def test_alert_is_in_the_organiser_menu_and_help_in_every_language(
    make_bot: HarnessFactory,
) -> None:
    bot = await org_bot(make_bot)
    org = bot.user(ORG, "Olga", language_code="hu")
    await org.send("/help")
    assert "/alert SZÖVEG – sürgős riasztás" in (await org.next_message()).plain_text
    (ada,) = await started(bot, 1001)
    await ada.send("/help")
    assert "/alert" not in (await ada.next_message()).plain_text
    chat = {"type": "chat", "chat_id": ORG}
    for language, description in (
        ("hu", "Sürgős riasztás, minden más előtt"),
        ("en", "Urgent alert, sent ahead of everything"),
    ):
        await bot.runtime.store.users.set_chosen_language(ORG, language)
        await refresh_chat_menu(bot.app.bot, bot.runtime, ORG)
        menu = {c["command"]: c["description"] for c in bot.emulator.commands(chat)}
        assert menu["alert"] == description, language
        assert list(menu).index("alert") == list(menu).index("broadcast") + 1
