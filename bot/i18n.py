"""The interface language: gettext catalogues read through Babel, and the current language.

Every text function in ``bot.texts`` translates with ``_``/``ngettext``/``pgettext`` from here.
They look the language up in a context variable, so no call site passes a locale: a handler
(or the outbox, at send time) wraps its work in ``with use_locale(code):`` and everything
rendered inside speaks that language. English is the default and the fallback, message by
message: a catalogue that lacks a message shows the English one.

Catalogues are the ``.po`` files under ``bot/locales/<code>/LC_MESSAGES/confbot.po``, read and
compiled in memory the first time a language is used (then cached), so a fresh clone runs with
no build step. ``make messages`` re-extracts the template and updates them; docs/i18n.md says
how to add a language.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal
from gettext import NullTranslations
from pathlib import Path
from typing import ParamSpec, Protocol, TypeVar

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.dates import format_interval as _babel_interval
from babel.lists import format_list as _babel_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal as _babel_decimal
from babel.support import Translations

#: The interface languages: catalogue code -> the CLDR locale its dates and lists follow.
#: Adding a language is one entry here plus bot/locales/<code>/LC_MESSAGES/confbot.po.
LANGUAGES: dict[str, str] = {"en": "en_GB", "hu": "hu_HU"}

#: Languages offered while their translation is under way: ``make test`` checks that what is
#: translated is correct, not that all is; the rest shows in English, message by message.
INCOMPLETE: frozenset[str] = frozenset()

#: The source language of every msgid, and the answer when nothing else fits.
DEFAULT = "en"
DOMAIN = "confbot"
LOCALES_DIR = Path(__file__).resolve().parent / "locales"

log = logging.getLogger("confbot.i18n")

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True, eq=False)
class Language:
    """One interface language, ready to translate and format."""

    code: str
    locale: Locale
    translations: NullTranslations

    @property
    def name(self) -> str:
        """The language's name in itself ("English", "Magyar"), for the /language buttons."""
        name = self.locale.get_language_name(self.locale) or self.code
        return name[:1].upper() + name[1:]


def _tag(code: str) -> str:
    return code.strip().replace("_", "-").casefold()


class Catalogues:
    """The languages of one locale directory, each loaded once and cached."""

    def __init__(
        self,
        directory: Path = LOCALES_DIR,
        languages: Mapping[str, str] = LANGUAGES,
        default: str = DEFAULT,
    ) -> None:
        if default not in languages:
            raise ValueError(f"the default language {default!r} is not among {list(languages)}")
        self.directory = directory
        self.languages = dict(languages)
        self.default = default
        self._by_tag = {_tag(code): code for code in self.languages}
        self._loaded: dict[str, Language] = {}

    def path(self, code: str) -> Path:
        return self.directory / code / "LC_MESSAGES" / f"{DOMAIN}.po"

    def negotiate(self, code: str | None) -> str:
        """A Telegram ``language_code`` (``hu``, ``hu-HU``, ``pt-br``, None) -> a catalogue code.

        The full tag wins (``pt-br`` when there is a Brazilian catalogue), then its language
        (``hu-HU`` -> ``hu``), then the default: an unknown language gets English, not an error.
        """
        if not code:
            return self.default
        tag = _tag(code)
        found = self._by_tag.get(tag) or self._by_tag.get(tag.split("-", 1)[0])
        return found or self.default

    def get(self, code: str | None) -> Language:
        """The language for any code, negotiated; loaded (and compiled) on first use."""
        chosen = self.negotiate(code)
        language = self._loaded.get(chosen)
        if language is None:
            language = self._load(chosen)
            self._loaded[chosen] = language
        return language

    def choices(self) -> list[tuple[str, str]]:
        """``(code, name in itself)`` of every language, in configuration order."""
        return [(code, self.get(code).name) for code in self.languages]

    def _load(self, code: str) -> Language:
        locale = Locale.parse(self.languages[code])
        try:
            translations: NullTranslations = load_po(self.path(code), locale)
        except Exception:  # a broken catalogue must not silence the bot: English it is
            log.exception("cannot read the %s catalogue %s; using English", code, self.path(code))
            translations = NullTranslations()
        if code != self.default:
            translations.add_fallback(self.get(self.default).translations)
        return Language(code, locale, translations)


def load_po(path: Path, locale: Locale | str | None = None) -> NullTranslations:
    """A ``.po`` file compiled in memory; a missing file is an empty catalogue (msgids show).

    Fuzzy and untranslated entries are left out, which is what makes the fallback work
    message by message.
    """
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


#: The catalogues shipped with the package.
CATALOGUES = Catalogues()


@dataclass(frozen=True, slots=True)
class Speaking:
    """What the current update (or outbox row) is rendered in.

    ``language`` is the catalogue the words come from; ``wanted`` the languages asked for, most
    wanted first (the tag as Telegram or /language gave it, its base language, the catalogue):
    agenda texts given in several languages pick by it, so a German speaker sees a German title
    even while the interface, with no German catalogue, speaks English.
    """

    language: Language
    wanted: tuple[str, ...]


def _speaking(language: Language | str | None) -> Speaking:
    chosen = _resolve(language)
    asked = language if isinstance(language, str) else None
    wanted: list[str] = []
    if asked and asked.strip():
        tag = _tag(asked)
        wanted += [tag, tag.split("-", 1)[0]]
    wanted.append(_tag(chosen.code))
    return Speaking(chosen, tuple(dict.fromkeys(wanted)))


_current: ContextVar[Speaking | None] = ContextVar("confbot_language", default=None)


def current() -> Language:
    """The language texts are rendered in right now (English outside any ``use_locale``)."""
    speaking = _current.get()
    return speaking.language if speaking is not None else CATALOGUES.get(DEFAULT)


def current_code() -> str:
    return current().code


def content_languages() -> tuple[str, ...]:
    """The languages agenda texts are wanted in now, most wanted first (see ``Speaking``)."""
    speaking = _current.get()
    return speaking.wanted if speaking is not None else (DEFAULT,)


def _resolve(language: Language | str | None) -> Language:
    return language if isinstance(language, Language) else CATALOGUES.get(language)


@contextmanager
def use_locale(language: Language | str | None) -> Iterator[Language]:
    """Render everything inside in ``language`` (any code: it is negotiated; None = English)."""
    speaking = _speaking(language)
    token = _current.set(speaking)
    try:
        yield speaking.language
    finally:
        _current.reset(token)


def set_locale(language: Language | str | None) -> Token[Speaking | None]:
    """Set the language for the rest of this task (a per-update hook); ``reset_locale`` undoes."""
    return _current.set(_speaking(language))


def reset_locale(token: Token[Speaking | None]) -> None:
    _current.reset(token)


def render_in(
    language: Language | str | None, func: Callable[P, R], *a: P.args, **kw: P.kwargs
) -> R:
    """``func(*a, **kw)`` rendered in ``language``: one text for someone else than the sender."""
    with use_locale(language):
        return func(*a, **kw)


class Addressed(Protocol):
    """Something rendered for one recipient: an outbox row carries its recipient's language."""

    @property
    def language(self) -> str | None: ...


A = TypeVar("A", bound=Addressed)


def localized(renderer: Callable[[A], Awaitable[R]]) -> Callable[[A], Awaitable[R]]:
    """An outbox renderer that renders each row in its recipient's language at send time.

    ``row.language`` is the recipient's /language choice, else Telegram's ``language_code``,
    read when the row is claimed: a change of language between queueing and sending is
    honoured, and whatever the sender's own context holds never leaks into the message.
    """

    async def render(row: A) -> R:
        with use_locale(row.language):
            return await renderer(row)

    return render


# --- translating ---------------------------------------------------------------------------------
# Values are substituted after translation with str.format, so a translator moves {name} freely
# and a value (already escaped by the caller) is never parsed as a format string itself.


def _fill(text: str, source: str, values: dict[str, object]) -> str:
    """``text.format(**values)``; a translation with a broken placeholder shows the English."""
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        log.error("bad placeholders in the %s translation of %r", current().code, source)
        return source.format(**values)


def _(message: str, /, **values: object) -> str:
    """Translate ``message`` and fill its ``{placeholders}``."""
    text = current().translations.gettext(message)
    return _fill(text, message, values) if values else text


def ngettext(singular: str, plural: str, n: int, /, **values: object) -> str:
    """The plural form for ``n`` in the current language; ``{count}`` is ``n`` unless given."""
    text = current().translations.ngettext(singular, plural, n)
    values.setdefault("count", n)
    return _fill(text, singular if n == 1 else plural, values)


def pgettext(context: str, message: str, /, **values: object) -> str:
    """Translate ``message`` in ``context``: the same English word with two meanings."""
    text = current().translations.pgettext(context, message)
    return _fill(text, message, values) if values else text


def npgettext(context: str, singular: str, plural: str, n: int, /, **values: object) -> str:
    text = current().translations.npgettext(context, singular, plural, n)
    values.setdefault("count", n)
    return _fill(text, singular if n == 1 else plural, values)


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined; translate it where it is shown."""
    return message


def NP_(context: str, message: str) -> tuple[str, str]:
    """``N_`` with a context: translate the pair later with ``pgettext(*pair)``."""
    return context, message


# --- formatting: dates, times, lists in the current language -----------------------------------


def format_date(value: date, pattern: str) -> str:
    """A date by a CLDR pattern (``EEE d MMM``) with the current language's names."""
    return _babel_date(value, pattern, locale=current().locale)


def format_datetime(value: datetime, pattern: str, tz: tzinfo | None = None) -> str:
    """A moment by a CLDR pattern, in its own zone (the conference's) unless ``tz`` is given."""
    if tz is not None:
        value = value.astimezone(tz)
    if pattern == "HH:mm":  # the commonest by far, on every line of every list
        return f"{value.hour:02d}:{value.minute:02d}"
    if pattern == "H:mm":
        return f"{value.hour}:{value.minute:02d}"
    return _babel_datetime(value, pattern, tzinfo=value.tzinfo, locale=current().locale)


def format_interval(first: date, last: date, skeleton: str) -> str:
    """``27–28 November 2024`` / ``2024. november 27–28.``: a range in the language's way."""
    return _babel_interval(first, last, skeleton, locale=current().locale)


def format_number(value: float | Decimal, decimals: int | None = None) -> str:
    """``1.5`` / ``1,5``: a number with the current language's decimal sign; ``decimals``
    fixes the digits after it (``4.0`` stays ``4.0``, ``4,0``)."""
    if decimals is None:
        return _babel_decimal(value, locale=current().locale)
    pattern = "#,##0." + "0" * decimals if decimals > 0 else "#,##0"
    return _babel_decimal(value, pattern, locale=current().locale, decimal_quantization=True)


def format_list(items: Iterable[str], style: str = "standard") -> str:
    """``A, B and C`` / ``A, B és C``; ``style="unit-short"`` for a plain comma list."""
    seq = list(items)
    if not seq:
        return ""
    try:
        return _babel_list(seq, style=style, locale=current().locale)  # type: ignore[arg-type]
    except KeyError:  # CLDR data without this style for the locale (seen for de "unit-short")
        return _babel_list(seq, locale=current().locale)


# --- checking catalogues (used by the tests and ``make messages``) ------------------------------

_FIELD = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)[^{}]*\}(?!\})")
_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)[^>]*>")


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a message fills."""
    return set(_FIELD.findall(text))


def tags(text: str) -> list[str]:
    """The HTML tags of a message, sorted (their order may change in a translation)."""
    return sorted(m.group(0) for m in _TAG.finditer(text))


def language_name(code: str | None) -> str:
    """A language's name in itself, for any code (negotiated)."""
    return CATALOGUES.get(code).name


def language_in_current(code: str) -> str:
    """Any language's name in the current language ("de" -> "German", "német"), as CLDR has it;
    a code CLDR does not know is shown as it is."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_language_name(current().locale)
    except (ValueError, TypeError, LookupError, UnknownLocaleError):
        return code
    return name or code
