"""The catalogues: complete, compiling, faithful to the English msgids, and up to date."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from bot import i18n, i18n_tools
from bot.i18n import CATALOGUES, LANGUAGES, LOCALES_DIR, use_locale


def _keys(catalog: Catalog) -> set[tuple[object, str | None]]:
    return {
        (m.id if isinstance(m.id, str) else tuple(m.id), m.context)
        for m in i18n_tools.entries(catalog)
    }


def test_every_language_is_complete_and_compiles() -> None:
    problems = i18n_tools.check_all()
    assert not problems, "catalogue problems (run `make messages`, then translate):\n" + "\n".join(
        str(p) for p in problems
    )


def test_the_template_is_up_to_date_with_the_code(capsys: pytest.CaptureFixture[str]) -> None:
    """A new or changed text without `make messages` (and so without translations) fails."""
    extracted = i18n_tools.extract()
    warnings = capsys.readouterr().err
    assert "warning" not in warnings.lower(), f"extraction warnings:\n{warnings}"
    committed = i18n_tools.read(i18n_tools.TEMPLATE)
    new = _keys(extracted) - _keys(committed)
    gone = _keys(committed) - _keys(extracted)
    stale = "bot/locales/confbot.pot is stale: run `make messages` and translate.\n"
    assert not new, stale + f"new in the code: {sorted(map(str, new))}"
    assert not gone, stale + f"no longer in the code: {sorted(map(str, gone))}"


def test_each_catalogue_matches_the_template() -> None:
    template = i18n_tools.read(i18n_tools.TEMPLATE)
    for code, locale in LANGUAGES.items():
        catalog = i18n_tools.read(i18n_tools.po_path(code), locale)
        assert _keys(catalog) == _keys(template), code


def test_there_is_no_catalogue_nobody_can_choose() -> None:
    shipped = {p.parent.parent.name for p in LOCALES_DIR.glob("*/LC_MESSAGES/*.po")}
    assert shipped == set(LANGUAGES)


def test_plural_rules_come_from_the_language() -> None:
    for code in ("en", "hu"):
        catalog = i18n_tools.read(i18n_tools.po_path(code), LANGUAGES[code])
        assert catalog.num_plurals == 2
        assert catalog.plural_expr == "(n != 1)"
        assert any(m.pluralizable for m in i18n_tools.entries(catalog))


def test_languages_are_named_in_themselves() -> None:
    assert CATALOGUES.choices() == [("en", "English"), ("hu", "Magyar")]
    assert i18n.language_name("hu") == "Magyar"


#: What is not a word: placeholders and tags.
_WORDS = re.compile(r"\{[a-z_]+\}|<[^>]*>")


def test_a_catalogue_with_hungarian_actually_translates() -> None:
    """Guard against a catalogue that 'passes' by copying English."""
    catalog = i18n_tools.read(i18n_tools.po_path("hu"), LANGUAGES["hu"])
    same = [
        m.id
        for m in i18n_tools.entries(catalog)
        if not m.pluralizable
        and m.string == m.id
        and any(c.isalpha() for c in _WORDS.sub("", str(m.id)))
        and not (m.context or "").startswith("date")
    ]
    assert same == []  # only layout ({day} {time}, <b>{day}</b>) may stay as it is


# --- the checks find what they should ------------------------------------------------------------


def _catalog(*messages: tuple[object, object], context: str | None = None) -> Catalog:
    catalog = Catalog(locale="hu_HU", domain="confbot")
    for msgid, msgstr in messages:
        catalog.add(msgid, msgstr, context=context)
    return catalog


@pytest.mark.parametrize(
    ("msgid", "msgstr", "finding"),
    [
        ("Hello {name}!", "", "not translated"),
        ("Hello {name}!", "Szia {nev}!", "unknown placeholders"),
        ("Hello {name} at {time}", "Szia {name}", "lacks placeholders"),
        ("<b>{title}</b> starts", "{title} kezdődik", "has tags"),
        ("<b>{title}</b> starts", "<i>{title}</i> kezdődik", "has tags"),
        ("{a} and {b}", "{a} és {b", "not a valid format string"),
        (("{count} day", "{count} days"), ("{count} nap",), "plural forms"),
    ],
)
def test_check_catalog_reports(msgid: object, msgstr: object, finding: str) -> None:
    problems = i18n_tools.check_catalog(_catalog((msgid, msgstr)), "xx.po")
    assert any(finding in p.what for p in problems), problems


def test_check_catalog_reports_fuzzy_and_accepts_a_good_one() -> None:
    catalog = _catalog(
        ("Hello {name}!", "Üdv, {name}!"),
        (("{count} day", "{count} days"), ("{count} nap", "{count} nap")),
    )
    assert i18n_tools.check_catalog(catalog, "xx.po") == []
    catalog.get("Hello {name}!").flags.add("fuzzy")  # type: ignore[union-attr]
    assert [p.what for p in i18n_tools.check_catalog(catalog, "xx.po")] == [
        "is fuzzy (review it, then drop the flag)"
    ]


def test_a_plural_form_may_spell_out_one() -> None:
    catalog = _catalog((("{count} link", "{count} links"), ("a link", "{count} link")))
    assert i18n_tools.check_catalog(catalog, "xx.po") == []


def test_update_keeps_translations_and_marks_changed_msgids_fuzzy(tmp_path: Path) -> None:
    """The `make messages` step on a copy: a reworded msgid keeps a fuzzy translation."""
    template = _catalog(("Good luck to you!", None))
    template.locale = None
    existing = _catalog(("Good luck!", "Sok sikert!"))
    existing.update(template)
    message = existing.get("Good luck to you!")
    assert message is not None
    assert "fuzzy" in message.flags
    assert message.string == "Sok sikert!"
    problems = i18n_tools.check_catalog(existing, "xx.po")
    assert any("fuzzy" in p.what for p in problems)
    with use_locale("en"):
        assert i18n._("Good luck to you!") == "Good luck to you!"


def test_an_incomplete_language_is_checked_for_correctness_only() -> None:
    catalog = _catalog(("Hello {name}!", ""), ("Bye {name}!", "Viszlát, {nev}!"))
    catalog.add("Fuzzy", "Bolyhos", flags=["fuzzy"])
    problems = [p.what for p in i18n_tools.check_catalog(catalog, "xx.po", complete=False)]
    assert problems == ["unknown placeholders ['nev']", "lacks placeholders ['name']"]
