"""Maintaining the catalogues: extract the template, update each language, check them all.

``make messages`` runs ``python -m bot.i18n_tools update``; the tests call the same functions,
so what ``make test`` checks is exactly what the workflow produces. Files are written without
line numbers and with a fixed date, so re-running changes nothing unless a message changed
(and parallel branches adding texts merge without conflicts in every reference).
"""

from __future__ import annotations

import argparse
import copy
import io
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.i18n import DEFAULT, DOMAIN, INCOMPLETE, LANGUAGES, LOCALES_DIR, placeholders, tags

ROOT = Path(__file__).resolve().parents[1]
#: Where texts live: the catalogue, and the few labels defined beside their feature.
SOURCES = ("bot", "handlers")
TEMPLATE = LOCALES_DIR / f"{DOMAIN}.pot"
#: Fixed so that the files only change when a message does.
STAMP = datetime(2024, 11, 27, tzinfo=UTC)
KEYWORDS = {**DEFAULT_KEYWORDS, "npgettext": ((1, "c"), 2, 3), "NP_": ((1, "c"), 2)}
COMMENT_TAGS = ("Translators:",)
WIDTH = 100


def _new_catalog(locale: str | None = None) -> Catalog:
    return Catalog(
        locale=locale,
        domain=DOMAIN,
        project="confbot",
        version="1",
        copyright_holder="the confbot authors",
        msgid_bugs_address="",
        creation_date=STAMP,
        revision_date=STAMP,
        fuzzy=False,
    )


def extract(root: Path = ROOT) -> Catalog:
    """The template as the current code defines it."""
    catalog = _new_catalog()
    for source in SOURCES:
        found = extract_from_dir(
            root / source,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
            comment_tags=COMMENT_TAGS,
            strip_comment_tags=True,
        )
        for filename, lineno, message, comments, context in found:
            path = f"{source}/{Path(filename).as_posix()}"
            catalog.add(message, None, [(path, lineno)], auto_comments=comments, context=context)
    return catalog


def _dump(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(
        buffer,
        catalog,
        width=WIDTH,
        include_lineno=False,
        ignore_obsolete=True,
        include_previous=False,
    )
    return buffer.getvalue()


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale, domain=DOMAIN)


def po_path(code: str) -> Path:
    return LOCALES_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def key(message: Message) -> tuple[str, str | None]:
    """A message's identity: its (singular) msgid and context."""
    msgid = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
    return str(msgid), message.context


def entries(catalog: Catalog) -> Iterator[Message]:
    """The messages of a catalogue, without the header entry."""
    return (m for m in catalog if m.id)


def updated(template: Catalog, code: str) -> Catalog:
    """``code``'s catalogue brought to the template: new msgids empty, changed ones fuzzy.

    The source language's catalogue is the template with each msgstr its msgid, so English is
    complete by construction and is the fallback of every other language.
    """
    locale = LANGUAGES[code]
    path = po_path(code)
    catalog = read(path, locale) if path.exists() else _new_catalog(locale)
    catalog.locale = Locale.parse(locale)
    catalog.revision_date = STAMP
    catalog.creation_date = STAMP
    catalog.update(template, update_header_comment=False, update_creation_date=False)
    catalog.obsolete.clear()
    if code == DEFAULT:
        for message in entries(catalog):
            message.string = message.id
            message.flags.discard("fuzzy")
    return catalog


def update(root: Path = ROOT) -> list[Path]:
    """Re-extract the template and update every language; the files that changed."""
    changed: list[Path] = []
    template = extract(root)
    outputs = [(TEMPLATE, _dump(template))]
    for code in LANGUAGES:  # each from its own copy: updating shares Message objects
        outputs.append((po_path(code), _dump(updated(copy.deepcopy(template), code))))
    for path, data in outputs:
        if not path.exists() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            changed.append(path)
    return changed


# --- checks --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    where: str
    msgid: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.msgid!r}: {self.what}"


def _forms(message: Message) -> list[str]:
    if isinstance(message.string, (tuple, list)):
        return [str(s or "") for s in message.string]
    return [str(message.string or "")]


def _sources(message: Message) -> list[str]:
    if isinstance(message.id, (tuple, list)):
        return [str(s) for s in message.id]
    return [str(message.id)]


def check_catalog(catalog: Catalog, where: str, *, complete: bool = True) -> list[Problem]:
    """What is wrong with one language's catalogue.

    Every message translated and reviewed (not fuzzy) when ``complete``; in any case every
    plural form there, the same ``{placeholders}`` and HTML tags as the English msgid, and it
    compiles.
    """
    problems: list[Problem] = []
    for message, errors in catalog.check():
        for error in errors:
            problems.append(Problem(where, key(message)[0], f"does not check: {error}"))
    nplurals = catalog.num_plurals
    for message in entries(catalog):
        msgid = key(message)[0]
        forms = _forms(message)
        if "fuzzy" in message.flags and complete:
            problems.append(Problem(where, msgid, "is fuzzy (review it, then drop the flag)"))
        if message.pluralizable and len(forms) != nplurals:
            problems.append(Problem(where, msgid, f"has {len(forms)} plural forms, not {nplurals}"))
        if not all(forms):
            if complete:
                problems.append(Problem(where, msgid, "is not translated"))
            continue
        wanted = set().union(*(placeholders(s) for s in _sources(message)))
        wanted_tags = tags(_sources(message)[0])
        for form in forms:
            if placeholders(form) - wanted:
                extra = sorted(placeholders(form) - wanted)
                problems.append(Problem(where, msgid, f"unknown placeholders {extra}"))
            missing = wanted - placeholders(form)
            # A plural form may leave {count} out ("one session" instead of "1 session").
            if message.pluralizable:
                missing -= {"count"}
            if missing:
                problems.append(Problem(where, msgid, f"lacks placeholders {sorted(missing)}"))
            if tags(form) != wanted_tags:
                problems.append(
                    Problem(where, msgid, f"has tags {tags(form)}, the msgid {wanted_tags}")
                )
            try:
                form.format(**{name: "x" for name in wanted | placeholders(form)})
            except (ValueError, IndexError, KeyError) as exc:
                problems.append(Problem(where, msgid, f"is not a valid format string: {exc}"))
    try:
        write_mo(io.BytesIO(), catalog, use_fuzzy=False)
    except Exception as exc:  # any failure to compile is the finding
        problems.append(Problem(where, "", f"does not compile: {exc}"))
    return problems


def stale(template: Catalog, catalog: Catalog) -> tuple[set[tuple[str, str | None]], ...]:
    """(msgids the template has and the catalogue lacks, msgids only the catalogue has)."""
    wanted = {key(m) for m in entries(template)}
    have = {key(m) for m in entries(catalog)}
    return wanted - have, have - wanted


def check_all(codes: Iterable[str] = LANGUAGES) -> list[Problem]:
    """Every configured language against the committed template (complete unless INCOMPLETE)."""
    problems: list[Problem] = []
    template = read(TEMPLATE)
    for code in codes:
        path = po_path(code)
        where = str(path.relative_to(ROOT))
        if not path.exists():
            problems.append(Problem(where, "", "is missing"))
            continue
        catalog = read(path, LANGUAGES[code])
        missing, extra = stale(template, catalog)
        for msgid, _context in sorted(missing, key=str):
            problems.append(Problem(where, msgid, "is in the template but not here"))
        for msgid, _context in sorted(extra, key=str):
            problems.append(Problem(where, msgid, "is here but no longer in the template"))
        problems += check_catalog(catalog, where, complete=code not in INCOMPLETE)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.i18n_tools", description=__doc__)
    parser.add_argument("verb", choices=("update", "check"))
    args = parser.parse_args(argv)
    if args.verb == "update":
        for path in update():
            print(f"updated {path.relative_to(ROOT)}")
    problems = check_all()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problems: translate, then run make messages again", file=sys.stderr)
    return 1 if problems and args.verb == "check" else 0


if __name__ == "__main__":
    raise SystemExit(main())
