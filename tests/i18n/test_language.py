"""Choosing the language, rendering in it, localised dates, and a partial third catalogue."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import i18n, i18n_tools, texts
from bot.agenda.model import Conference, Session
from bot.i18n import CATALOGUES, Catalogues, current_code, localized, render_in, use_locale
from handlers.menus import ATTENDEE_COMMANDS, ORGANISER_COMMANDS, SPEAKER_COMMANDS, _commands

BRUSSELS = ZoneInfo("Europe/Brussels")
BUDAPEST = ZoneInfo("Europe/Budapest")


@pytest.mark.parametrize(
    ("telegram", "expected"),
    [
        ("hu", "hu"),
        ("hu-HU", "hu"),
        ("HU_hu", "hu"),
        ("en", "en"),
        ("en-GB", "en"),
        ("en-US", "en"),
        ("pt-br", "en"),  # no catalogue: English
        ("de", "en"),
        ("zz-Latn-XX", "en"),
        ("", "en"),
        (None, "en"),
        ("  hu  ", "hu"),
    ],
)
def test_negotiation(telegram: str | None, expected: str) -> None:
    assert CATALOGUES.negotiate(telegram) == expected


def test_a_regional_catalogue_wins_over_its_language(tmp_path: Path) -> None:
    cats = Catalogues(tmp_path, {"en": "en_GB", "pt": "pt_PT", "pt_BR": "pt_BR"})
    assert cats.negotiate("pt-br") == "pt_BR"
    assert cats.negotiate("pt-PT") == "pt"
    assert cats.negotiate("pt") == "pt"


def test_use_locale_nests_and_restores() -> None:
    assert current_code() == "en"
    with use_locale("hu-HU"):
        assert current_code() == "hu"
        with use_locale("xx"):
            assert current_code() == "en"
        assert current_code() == "hu"
        assert texts.unknown_command().startswith("Ezt a parancsot")
    assert current_code() == "en"
    assert texts.unknown_command().startswith("I don't know")


def test_set_locale_lasts_until_reset() -> None:
    token = i18n.set_locale("hu")
    try:
        assert texts.cancel_button() == "✖️ Mégse"
    finally:
        i18n.reset_locale(token)
    assert texts.cancel_button() == "✖️ Cancel"


async def test_concurrent_tasks_keep_their_own_language() -> None:
    """Two chats handled at once (concurrent updates) never see each other's language."""

    async def speak(code: str) -> list[str]:
        seen = []
        with use_locale(code):
            for _ in range(5):
                await asyncio.sleep(0)
                seen.append(texts.conference_over())
        return seen

    hu, en = await asyncio.gather(speak("hu"), speak("en"))
    assert set(hu) == {"A konferencia véget ért. Köszönjük, hogy eljött!"}
    assert set(en) == {"The conference is over. Thank you for coming!"}


def test_render_in() -> None:
    assert (
        render_in("hu", texts.remind_set, 1)
        == "Kész: előadásai előtt <b>1 perccel</b> emlékeztetem."
    )
    assert (
        render_in(None, texts.remind_set, 1)
        == "Done: I'll remind you <b>1 minute</b> before your sessions."
    )


@dataclasses.dataclass
class _Row:
    language: str | None
    rating: int = 4


async def test_localized_renders_each_row_in_its_recipients_language_at_send_time() -> None:
    async def renderer(row: _Row) -> str:
        await asyncio.sleep(0)
        return texts.rating_thanks_toast(row.rating)

    render = localized(renderer)
    with use_locale("hu"):  # the sender's own context never leaks into a row
        assert await render(_Row("hu")) == "Köszönjük! Mentve: 4/5."
        assert await render(_Row("en-GB")) == "Thanks! Saved 4/5."
        assert await render(_Row(None)) == "Thanks! Saved 4/5."
        assert await render(_Row("de")) == "Thanks! Saved 4/5."
        assert current_code() == "hu"
    assert current_code() == "en"


def test_content_languages_follow_the_tag_asked_for() -> None:
    """Agenda texts in several languages are picked by the language asked for, even one
    without a catalogue (a German title for a German speaker in an English interface)."""
    assert i18n.content_languages() == ("en",)
    with use_locale("de-AT"):
        assert current_code() == "en"
        assert i18n.content_languages() == ("de-at", "de", "en")
    with use_locale("hu"):
        assert i18n.content_languages() == ("hu",)
    with use_locale(CATALOGUES.get("hu")):
        assert i18n.content_languages() == ("hu",)
    with use_locale(None):
        assert i18n.content_languages() == ("en",)


# --- dates and times -----------------------------------------------------------------------------


def _conf(*days: date) -> Conference:
    sessions = tuple(
        Session(
            f"s{i}",
            "x",
            datetime(d.year, d.month, d.day, 9, tzinfo=BUDAPEST),
            datetime(d.year, d.month, d.day, 10, tzinfo=BUDAPEST),
        )
        for i, d in enumerate(days)
    )
    return Conference("C", BUDAPEST, sessions)


WED = datetime(2024, 11, 27, 14, 0, tzinfo=BUDAPEST)


def test_english_dates() -> None:
    with use_locale("en"):
        assert texts.day_label(WED.date()) == "Wed 27 Nov"
        assert texts.day_long(WED.date()) == "Wednesday 27 November 2024"
        assert texts.hm(WED) == "14:00"
        assert texts.hm(WED.replace(hour=9, minute=5)) == "09:05"
        assert texts.day_time(WED) == "Wed 27 Nov 14:00"
        assert texts.date_range(_conf(date(2024, 11, 27))) == "Wednesday 27 November 2024"
        assert (
            texts.date_range(_conf(date(2024, 11, 27), date(2024, 11, 28))) == "27–28 November 2024"
        )
        assert (
            texts.date_range(_conf(date(2024, 11, 27), date(2024, 12, 2)))
            == "27 November – 2 December 2024"
        )
        assert texts.date_range(_conf(date(2024, 12, 30), date(2025, 1, 2))) == (
            "Monday 30 December 2024 – Thursday 2 January 2025"
        )


def test_hungarian_dates() -> None:
    with use_locale("hu"):
        assert texts.day_label(WED.date()) == "nov. 27., szerda"
        assert texts.day_long(WED.date()) == "2024. november 27., szerda"
        assert texts.hm(WED) == "14:00"
        assert texts.hm(WED.replace(hour=9, minute=5)) == "9:05"
        assert texts.day_time(WED) == "nov. 27., szerda 14:00"
        assert texts.broadcast_time_too_far(WED).startswith("2024. november 27., szerda 14:00 ")
        assert (
            texts.date_range(_conf(date(2024, 11, 27), date(2024, 11, 28)))
            == "2024. november 27–28."
        )
        assert texts.date_range(_conf(date(2024, 11, 27), date(2024, 12, 2))) == (
            "2024. november 27. – december 2."
        )
        assert texts.date_range(_conf(date(2024, 12, 30), date(2025, 1, 2))) == (
            "2024. december 30., hétfő – 2025. január 2., csütörtök"
        )


def test_times_are_shown_in_the_conference_zone_across_a_clock_change() -> None:
    """A moment is shown on the conference's wall clock (its own zone), 24-hour, in any language."""
    before = datetime(2024, 10, 27, 1, 30, tzinfo=BRUSSELS)
    # Two real hours later: 03:00 CEST became 02:00 CET in between, so the wall clock says 02:30.
    after = (before.astimezone(ZoneInfo("UTC")) + timedelta(hours=2)).astimezone(BRUSSELS)
    for code in ("en", "hu"):
        with use_locale(code):
            assert texts.hm(after) == ("02:30" if code == "en" else "2:30")
            utc = after.astimezone(ZoneInfo("UTC"))
            assert i18n.format_datetime(utc, "HH:mm", BRUSSELS) == "02:30"
            assert texts.day_label(after.date()) in ("Sun 27 Oct", "okt. 27., vasárnap")


def test_lists_and_numbers_follow_the_language() -> None:
    with use_locale("en"):
        assert texts.and_list(["A", "B", "C"]) == "A, B and C"
        assert texts.comma_list(["A", "B", "C"]) == "A, B, C"
        assert i18n.format_number(1.5) == "1.5"
    with use_locale("hu"):
        assert texts.and_list(["A", "B", "C"]) == "A, B és C"
        assert i18n.format_number(1.5) == "1,5"


def test_hungarian_plurals_and_labels() -> None:
    with use_locale("hu"):
        assert texts.minutes_phrase(1) == "1 perc"
        assert texts.minutes_phrase(5) == "5 perc"
        assert texts.my_slots_header("Anna", 1) == "<b>Az Ön előadása</b>, Anna:"
        assert texts.my_slots_header("Anna", 2) == "<b>Az Ön előadásai</b>, Anna:"
        assert texts.TYPE_LABEL[texts.SessionType.PANEL] == "Panelbeszélgetés"
        assert texts.role_label("Moderator") == "moderátor"
        assert texts.role_label("rapporteur") == "rapporteur"  # the agenda's own word
        assert texts.state_label("sent") == "elküldve"
    with use_locale("en"):
        assert texts.TYPE_LABEL[texts.SessionType.PANEL] == "Panel"
        assert dict(texts.TYPE_LABEL)[texts.SessionType.OTHER] == "Session"


def test_command_menus_in_every_language() -> None:
    """setMyCommands per language_code: each role's menu exists and fits Telegram's limits."""
    every = ATTENDEE_COMMANDS + SPEAKER_COMMANDS + ORGANISER_COMMANDS
    menus = {}
    for code in i18n.LANGUAGES:
        with use_locale(code):
            commands = _commands(every)
        menus[code] = [c.description for c in commands]
        for command in commands:
            assert 1 <= len(command.description) <= 256
            assert command.command.islower()
            assert len(command.command) <= 32
    assert menus["hu"][0] == "A program napról napra"
    assert all(en != hu for en, hu in zip(menus["en"], menus["hu"], strict=True))


@pytest.mark.parametrize("code", sorted(i18n.LANGUAGES))
def test_help_explains_every_command_its_reader_has_in_the_menu(code: str) -> None:
    """/help and the command menus offer the same commands, for each role, in every language
    (/help is where the reader is; /start is the welcome)."""
    menus = {
        (False, False): ATTENDEE_COMMANDS,
        (False, True): ATTENDEE_COMMANDS + SPEAKER_COMMANDS,
        (True, False): ATTENDEE_COMMANDS + ORGANISER_COMMANDS,
    }
    with use_locale(code):
        for (organiser, speaker), menu in menus.items():
            shown = texts.help_text(organiser=organiser, speaker=speaker)
            shown += "\n\n" + texts.help_language(["English", "Magyar"])
            missing = [
                c
                for c, _ in menu
                if c not in ("help", "start") and not re.search(rf"/{c}\b", shown)
            ]
            assert not missing, (organiser, speaker, missing)


# --- a third language, shipped half done ---------------------------------------------------------

PARTIAL_DE = r"""
msgid ""
msgstr ""
"Language: de_DE\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"
"Content-Type: text/plain; charset=utf-8\n"

msgid "The conference is over. Thank you for coming!"
msgstr "Die Konferenz ist vorbei. Danke fürs Kommen!"

msgid "{count} minute"
msgid_plural "{count} minutes"
msgstr[0] "{count} Minute"
msgstr[1] "{count} Minuten"

msgctxt "date format: short day"
msgid "EEE d MMM"
msgstr "EEE, d. MMM"

#, fuzzy
msgid "Good luck!"
msgstr "Viel Glück, vielleicht!"

msgid "Skipped."
msgstr ""
"""


def test_a_partial_catalogue_falls_back_to_english_message_by_message(tmp_path: Path) -> None:
    """Adding a language is one .po file and one line: this one has only a few messages."""
    english = tmp_path / "en" / "LC_MESSAGES"
    english.mkdir(parents=True)
    shutil.copy(i18n.LOCALES_DIR / "en" / "LC_MESSAGES" / "confbot.po", english)
    german = tmp_path / "de" / "LC_MESSAGES"
    german.mkdir(parents=True)
    (german / "confbot.po").write_text(PARTIAL_DE, encoding="utf-8")
    cats = Catalogues(tmp_path, {"en": "en_GB", "de": "de_DE"})

    assert cats.negotiate("de-AT") == "de"
    assert cats.choices() == [("en", "English"), ("de", "Deutsch")]
    with use_locale(cats.get("de-DE")):
        assert texts.conference_over() == "Die Konferenz ist vorbei. Danke fürs Kommen!"
        assert texts.minutes_phrase(1) == "1 Minute"
        assert texts.minutes_phrase(3) == "3 Minuten"
        assert texts.day_label(WED.date()) == "Mi., 27. Nov."  # pattern and names in German
        assert texts.day_long(WED.date()) == "Mittwoch 27 November 2024"  # English pattern
        assert "Good luck!" in texts.speaker_reminder(_session(), 0, [], [])  # fuzzy: English
        assert texts.rating_skipped_toast() == "Skipped."  # empty: English
        assert texts.unknown_command() == "I don't know that command. /help lists what I can do."
    problems = [
        str(p)
        for p in i18n_tools.check_catalog(i18n_tools.read(german / "confbot.po", "de_DE"), "de")
    ]
    assert any("is fuzzy" in p for p in problems)
    assert any("not translated" in p for p in problems)


def test_a_language_without_a_file_is_english(tmp_path: Path) -> None:
    cats = Catalogues(tmp_path, {"en": "en_GB", "fr": "fr_FR"})
    with use_locale(cats.get("fr")):
        assert texts.cancel_button() == "✖️ Cancel"
        assert texts.day_label(WED.date()) == "mer. 27 nov."


def test_the_default_must_be_configured() -> None:
    with pytest.raises(ValueError, match="default"):
        Catalogues(Path("."), {"hu": "hu_HU"})


def _session() -> Session:
    return Session("s", "Talk", WED, WED + timedelta(hours=1))


def test_a_broken_catalogue_falls_back_to_english(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "de" / "LC_MESSAGES"
    broken.mkdir(parents=True)
    (broken / "confbot.po").write_bytes(b'msgid "x"\nmsgstr[0] "unterminated\n\x00\xff')
    cats = Catalogues(tmp_path, {"en": "en_GB", "de": "de_DE"})
    with use_locale(cats.get("de")):
        assert texts.cancel_button() == "✖️ Cancel"
    assert "cannot read the de catalogue" in caplog.text


def test_a_translation_with_broken_placeholders_shows_english(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """make test refuses such a catalogue; at run time the message still goes out."""
    german = tmp_path / "de" / "LC_MESSAGES"
    german.mkdir(parents=True)
    (german / "confbot.po").write_text(
        'msgid "Thanks! Saved {rating}/5."\nmsgstr "Danke! {note"\n\n'
        'msgid "{count} minute"\nmsgid_plural "{count} minutes"\n'
        'msgstr[0] "{anzahl} Minute"\nmsgstr[1] "{anzahl} Minuten"\n',
        encoding="utf-8",
    )
    cats = Catalogues(tmp_path, {"en": "en_GB", "de": "de_DE"})
    with use_locale(cats.get("de")):
        assert texts.rating_thanks_toast(4) == "Thanks! Saved 4/5."
        assert texts.minutes_phrase(2) == "2 minutes"
    assert "bad placeholders in the de translation" in caplog.text
