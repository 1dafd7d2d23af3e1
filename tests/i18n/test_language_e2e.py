"""Languages end to end, through the real Application against the emulator: a Hungarian user
from /start to a reminder and a feedback prompt, /language to English and the next outbox
message in English; menus per language; questions answered in their own language; agenda
titles in several languages; a third, partial catalogue falling back message by message."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import i18n, texts
from bot.agenda.diff import SessionChange
from bot.agenda.loaders import load_agenda
from bot.clock import ManualClock
from bot.emulator.harness import BotHarness
from bot.emulator.users import BotMessage, FakeUser
from bot.i18n import Catalogues, render_in
from bot.reload import notice_payload
from bot.store.records import OutboxRow
from handlers.menus import ATTENDEE_COMMANDS, ORGANISER_COMMANDS
from tests.conftest import HarnessFactory, brussels
from tests.steps import at

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "agenda"
PRETALX = FIXTURES / "json_pretalx_multilingual.json"


async def ask(user: FakeUser, text: str) -> BotMessage:
    await user.send(text)
    return await user.next_message()


def descriptions(commands: list[dict[str, Any]]) -> dict[str, str]:
    return {c["command"]: c["description"] for c in commands}


def menu_in(code: str, pairs: tuple[tuple[str, str], ...] = ATTENDEE_COMMANDS) -> dict[str, str]:
    return {c: render_in(code, i18n._, d) for c, d in pairs}


async def test_hungarian_from_start_to_reminder_and_prompt_then_english_with_language(
    bot: BotHarness,
) -> None:
    rt = bot.runtime
    conf = rt.agenda.conference
    eva = bot.user(1003, "Éva", language_code="hu")

    welcome = await ask(eva, "/start")
    assert welcome.text == render_in("hu", texts.welcome, conf, "Éva")
    assert render_in("hu", texts.day_label, conf.days[0]) in welcome.button_texts

    help_text = await ask(eva, "/help")
    assert help_text.text.startswith(
        render_in("hu", texts.help_text, organiser=False, speaker=False)
    )
    assert help_text.text.endswith(render_in("hu", texts.help_language, ["English", "Magyar"]))

    page = await ask(eva, "/agenda")  # a one-day conference: its day at once
    header = render_in("hu", texts.day_header, conf.days[0], 0, 1)
    assert page.text.startswith(header.split(" (")[0])

    keynote = rt.agenda.index.session("keynote-mousnier")
    panel = rt.agenda.index.session("panel-october-7")
    assert keynote is not None
    assert panel is not None
    card = await ask(eva, "/session keynote-mousnier")
    people = rt.agenda.speakers_of(keynote)
    assert card.text == render_in("hu", texts.session_card, keynote, people)
    assert render_in("hu", texts.bookmark_label, False) in card.button_texts
    assert render_in("hu", texts.calendar_button) in card.button_texts
    toast = await eva.callback_answer(
        await eva.press(card, render_in("hu", texts.bookmark_label, False))
    )
    assert toast.text == render_in("hu", texts.bookmarked_toast, 10)
    card = await ask(eva, "/session panel-october-7")
    await eva.callback_answer(await eva.press(card, render_in("hu", texts.bookmark_label, False)))

    await at(bot, 11, 49, 59)  # the keynote's reminder, ten minutes ahead
    reminder = await eva.next_message()
    assert reminder.text == render_in("hu", texts.reminder, keynote, people, 10)
    assert render_in("hu", texts.open_card_button) in reminder.button_texts
    await at(bot, 12, 46)  # it ended: the feedback prompt
    prompt = await eva.next_message()
    assert prompt.text == render_in("hu", texts.feedback_prompt, keynote)
    assert render_in("hu", texts.rating_skip_label) in prompt.button_texts

    # The panel's reminder is queued before she changes her language (due in a minute).
    await at(bot, 13, 48, 45)
    queued = await rt.store.db.fetchall(
        "SELECT state FROM outbox WHERE chat_id = 1003 AND kind = 'reminder' AND session_id = ?",
        (panel.id,),
    )
    assert [r[0] for r in queued] == ["pending"]
    assert eva.unread == []

    # The menu Telegram shows her is the Hungarian one, /language among its commands.
    menu = descriptions(bot.emulator.visible_commands(1003, language_code="hu"))
    assert menu == menu_in("hu")
    assert "language" in menu

    # /language: each language named in itself, hers ticked; English chosen.
    choose = await ask(eva, "/language")
    assert choose.text == render_in("hu", texts.language_prompt, "Magyar")
    assert choose.button_texts == ["English", "✅ Magyar"]
    await eva.press(choose, "English")
    done = await eva.wait_for(lambda m: m.message_id == choose.message_id and m.edited)
    assert done.text == texts.language_set("English")
    assert done.button_texts == ["✅ English", "Magyar"]
    assert (await rt.store.users.get(1003)).chosen_language == "en"  # type: ignore[union-attr]
    # Her phone still says Hungarian: her own chat menu now speaks English.
    await bot.emulator.wait_idle()
    assert descriptions(bot.emulator.visible_commands(1003, language_code="hu")) == menu_in("en")
    assert (await ask(eva, "/help")).text.startswith(
        texts.help_text(organiser=False, speaker=False)
    )

    # The next outbox messages, the panel's reminder (queued while she spoke Hungarian) and
    # its prompt, arrive in English: rows are worded when they are sent.
    await at(bot, 13, 49, 59)
    reminder = await eva.next_message()
    assert reminder.text == texts.reminder(panel, rt.agenda.speakers_of(panel), 10)
    await at(bot, 15, 16)
    assert (await eva.next_message()).text == texts.feedback_prompt(panel)

    # And back: Magyar again, menus follow (her app's language needs no menu of her own).
    choose = await ask(eva, "/language")
    await eva.press(choose, "Magyar")
    await eva.wait_for(lambda m: m.text == render_in("hu", texts.language_set, "Magyar"))
    await bot.emulator.wait_idle()
    assert bot.emulator.commands({"type": "chat", "chat_id": 1003}) == []
    assert (await ask(eva, "/whoami")).text == render_in(
        "hu", texts.whoami, 1003, organiser=False, speaker_name=None
    )


async def test_a_forged_language_is_refused_and_changes_nothing(bot: BotHarness) -> None:
    ada = bot.user(1001, "Ada", language_code="en")
    choose = await ask(ada, "/language")
    for data in ("lang:de", "lang:", "lang:../hu", "lang:" + "h" * 60):
        qid = await ada.press_data(choose.message_id, data)
        answer = await ada.callback_answer(qid)
        assert answer.show_alert
    user = await bot.runtime.store.users.get(1001)
    assert user is not None
    assert user.chosen_language is None


async def test_menus_are_registered_per_language_and_for_organisers_in_theirs(
    make_bot: HarnessFactory,
) -> None:
    bot = await make_bot(ORGANISER_IDS="4242")
    emu = bot.emulator
    default = {"type": "default"}
    assert descriptions(emu.commands(default)) == menu_in("en")
    assert descriptions(emu.commands(default, "hu")) == menu_in("hu")
    assert descriptions(emu.commands(default, "en")) == menu_in("en")
    bot.user(5555, "Hans", language_code="de")
    assert descriptions(emu.visible_commands(5555, language_code="de")) == menu_in("en")

    org = bot.user(4242, "Olga", language_code="hu")
    choose = await ask(org, "/language")  # an organiser's menu follows their language too
    await org.press(choose, "Magyar")
    await org.wait_for(lambda m: m.text == render_in("hu", texts.language_set, "Magyar"))
    await emu.wait_idle()
    own = descriptions(emu.commands({"type": "chat", "chat_id": 4242}))
    assert own["broadcast"] == render_in("hu", i18n._, dict(ORGANISER_COMMANDS)["broadcast"])
    assert own["language"] == menu_in("hu")["language"]
    await org.press(choose, "English")
    await org.wait_for(lambda m: m.text == texts.language_set("English"))
    await emu.wait_idle()
    own = descriptions(emu.commands({"type": "chat", "chat_id": 4242}))
    assert own["broadcast"] == "Message attendees"


async def test_questions_are_answered_in_their_own_language(
    bot: BotHarness, clock: ManualClock
) -> None:
    clock.set(brussels(12, 10))
    ada = bot.user(1001, "Ada", language_code="en")
    answer = await ask(ada, "Mi van most a B teremben?")
    assert "Crisis management for Jewish communities" in answer.text
    assert "helyszín: Room B" in answer.plain_text  # Hungarian words for a Hungarian question
    eva = bot.user(1003, "Éva", language_code="hu")
    answer = await ask(eva, "what's on in room b now")
    assert "in Room B" in answer.plain_text
    nothing = await ask(eva, "mi van ma este a B teremben?")
    assert "Nem találtam" in nothing.plain_text or "Most" in nothing.plain_text
    assert (await ask(eva, "/help")).text.startswith(  # her own language is untouched
        render_in("hu", texts.help_text, organiser=False, speaker=False)
    )


async def test_change_notices_are_worded_at_send_time_in_each_readers_language(
    bot: BotHarness,
) -> None:
    rt = bot.runtime
    old = rt.agenda.index.session("crisis-management")
    assert old is not None
    hour = timedelta(hours=1)
    moved = dataclasses.replace(old, start=old.start + hour, end=old.end + hour, room="Hall")
    payload = notice_payload(old, moved)
    assert "html" not in payload
    render = rt.delivery.renderers["change"]

    def row(language: str | None, data: dict[str, Any]) -> OutboxRow:
        return OutboxRow(1, None, "change", 1001, old.id, data, rt.now(), None, 0, True, language)

    hu = await render(row("hu", payload))
    en = await render(row("en-GB", payload))
    assert hu is not None
    assert en is not None
    with i18n.use_locale("hu"):
        assert hu.html == texts.change_notice(SessionChange(old, moved))
    assert en.html == texts.change_notice(SessionChange(old, moved))
    assert hu.buttons[0][0].text == render_in("hu", texts.open_session)
    cancelled = await render(row("hu", notice_payload(old, None)))
    assert cancelled is not None
    assert cancelled.html == render_in("hu", texts.change_cancelled, old)
    legacy = await render(row("hu", {"html": "<b>as it was</b>", "session_id": old.id}))
    assert legacy is not None
    assert legacy.html == "<b>as it was</b>"  # rows queued before still go out as they were
    # A broadcast is the organiser's text as written, whatever its reader's language.
    words = {"html": "Kedves résztvevők, <b>welcome</b>!"}
    for language in ("hu", "en", None):
        sent = await rt.delivery.renderers["broadcast"](
            OutboxRow(2, 1, "broadcast", 1001, None, words, rt.now(), None, 0, True, language)
        )
        assert sent is not None
        assert sent.html == words["html"]


async def test_multilingual_pretalx_titles_in_each_users_language(
    make_bot: HarnessFactory,
) -> None:
    bot = await make_bot(AGENDA_PATH=PRETALX)
    conf = load_agenda(PRETALX).conference
    day = render_in("hu", texts.day_label, conf.days[0])
    eva = bot.user(1003, "Éva", language_code="hu")
    welcome = await ask(eva, "/start")
    assert "Vízbiztonsági konferencia" in welcome.text
    await eva.press(welcome, day)
    page = await eva.wait_for(lambda m: m.edited and "Megnyitó" in m.text)
    assert "Aszály és a Duna" in page.text
    assert "Cyber attacks on waterworks" in page.text  # given in one language only
    assert any("Megnyitó" in b for b in page.button_texts)
    card = await ask(eva, "Aszály és a Duna")
    assert "Mit tesz egy száraz nyár egy folyóval." in card.text

    hans = bot.user(1004, "Hans", language_code="de")  # no German catalogue: English words,
    welcome = await ask(hans, "/start")  # German titles where the agenda has them
    assert "Konferenz Wassersicherheit" in welcome.text
    await hans.press(welcome, texts.day_label(conf.days[0]))
    page = await hans.wait_for(lambda m: m.edited and "Eröffnung" in m.text)
    assert "Drought and the Danube" in page.text
    assert texts.day_header(conf.days[0], 0, 1) in page.text

    ada = bot.user(1001, "Ada", language_code="en")
    page = await ask(ada, "/agenda")  # a one-day conference: its day at once
    assert "Opening" in page.text
    assert "Megnyitó" not in page.text


PARTIAL_DE = r"""
msgid ""
msgstr ""
"Language: de_DE\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"
"Content-Type: text/plain; charset=utf-8\n"

msgid "<b>{conference}</b>\n{dates}\n\nWhich day?"
msgstr "<b>{conference}</b>\n{dates}\n\nWelcher Tag?"

msgid "The programme, day by day"
msgstr "Das Programm, Tag für Tag"

msgid "Done: I speak <b>{language}</b> with you from now on."
msgstr "Erledigt: Ab jetzt spreche ich <b>{language}</b> mit Ihnen."

#, fuzzy
msgid "What is on right now"
msgstr "Was läuft vielleicht gerade"
"""


@pytest.fixture
def with_german(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Catalogues:
    """The shipped catalogues plus a German one with three messages: one file, one line."""
    root = tmp_path / "locales"
    for code in ("en", "hu"):
        target = root / code / "LC_MESSAGES"
        target.mkdir(parents=True)
        shutil.copy(i18n.LOCALES_DIR / code / "LC_MESSAGES" / "confbot.po", target)
    german = root / "de" / "LC_MESSAGES"
    german.mkdir(parents=True)
    (german / "confbot.po").write_text(PARTIAL_DE, encoding="utf-8")
    cats = Catalogues(root, {**i18n.LANGUAGES, "de": "de_DE"})
    monkeypatch.setattr(i18n, "CATALOGUES", cats)
    return cats


async def test_a_partial_third_catalogue_falls_back_to_english_message_by_message(
    with_german: Catalogues, make_bot: HarnessFactory
) -> None:
    bot = await make_bot()
    conf = bot.runtime.agenda.conference
    hans = bot.user(1004, "Hans", language_code="de-AT")
    day = await ask(hans, "/agenda")  # the one day at once, its date in German
    assert "Mittwoch" in day.text
    assert render_in("en", texts.day_header, conf.days[0], 0, 1) not in day.text
    welcome = await ask(hans, "/start")
    # Not translated: the English sentence (with German names of days and months).
    assert welcome.text.startswith("Hello Hans! I am the assistant of")
    assert welcome.text == render_in(with_german.get("de"), texts.welcome, conf, "Hans")
    assert "Mittwoch" in welcome.text

    menu = descriptions(bot.emulator.visible_commands(1004, language_code="de"))
    assert menu["agenda"] == "Das Programm, Tag für Tag"
    assert menu["now"] == "What is on right now"  # fuzzy: English
    assert menu["help"] == "What I can do"

    choose = await ask(hans, "/language")
    assert choose.button_texts == ["English", "Magyar", "✅ Deutsch"]
    await hans.press(choose, "Magyar")
    await hans.wait_for(lambda m: m.text == render_in("hu", texts.language_set, "Magyar"))
    await hans.press(choose, "Deutsch")
    done = await hans.wait_for(lambda m: "Erledigt" in (m.text or ""))
    assert done.text == "Erledigt: Ab jetzt spreche ich <b>Deutsch</b> mit Ihnen."


async def test_speaker_reminders_and_live_agenda_notices_in_their_readers_language(
    bot: BotHarness,
) -> None:
    """The outbox kinds no other test here drives: each worded in its row's language."""
    rt = bot.runtime
    session = rt.agenda.index.session("panel-october-7")
    assert session is not None
    speaker = session.speaker_ids[0]
    await rt.store.users.seen(1001, "Ophir", None, "hu", rt.now())
    assert await rt.store.speakers.link_username(speaker, 1001, rt.now())

    def row(kind: str, payload: dict[str, Any], language: str | None) -> OutboxRow:
        return OutboxRow(3, None, kind, 1001, None, payload, rt.now(), None, 0, True, language)

    said = {}
    for language in ("hu", "en"):
        reminder = await rt.delivery.renderers["speaker_reminder"](
            row("speaker_reminder", {"session_id": session.id}, language)
        )
        notice = await rt.delivery.renderers["agenda_notice"](
            row(
                "agenda_notice",
                {"event": "failing", "url": "https://x.org/a.json", "since": rt.now().isoformat()},
                language,
            )
        )
        assert reminder is not None
        assert notice is not None
        said[language] = (reminder.html, notice.html)
    assert said["en"][1] == texts.live_agenda_failing("https://x.org/a.json", "", rt.now())
    with i18n.use_locale("hu"):
        assert said["hu"][1] == texts.live_agenda_failing("https://x.org/a.json", "", rt.now())
    assert all(hu != en for hu, en in zip(said["hu"], said["en"], strict=True))
