"""Text folding shared by the question side and the search index, so both see the same tokens.

People type without accents, in any case, with typos and stray punctuation; the agenda has
"Péter Sztáray" and "October 7th". Folding both sides the same way (NFKD, combining marks
stripped, casefold, ordinals reduced, inflections stemmed) lets exact lookups do most of the
work and leaves fuzzy matching for real typos. Stop words are per language
(``bot.questions.lang``); folding is the same for all.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer  # PyStemmer: the Snowball stemmers in C
from rapidfuzz import process
from rapidfuzz.distance import OSA

#: Questions longer than this are cut: nobody asks the info desk a 300-character question,
#: and the cap bounds the work any input can cause.
MAX_QUESTION_CHARS = 300

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_DASHES = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-"})
#: Letters NFKD does not take apart.
_LETTERS = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "ı": "i",
    }
)
#: Everything but letters (any script), digits and the separators time expressions need
#: becomes a space.
_NOT_KEPT = re.compile(r"[^\w:/.'\- ]+|_+")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
#: Combining marks left by NFKD (the Unicode combining blocks).
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def clean(text: str) -> str:
    """Cap the length and drop control and invisible characters; never raises."""
    if not isinstance(text, str):
        return ""
    return _CONTROL.sub(" ", text[:MAX_QUESTION_CHARS])


def strip_accents(text: str) -> str:
    """NFKD, drop combining marks, casefold: "Péter Sztáray" -> "peter sztaray"."""
    if text.isascii():  # the common case, and 20x faster
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return _COMBINING.sub("", decomposed).casefold()


def fold(text: str) -> str:
    """Accent- and case-free text that keeps ``: / . ' -`` for times, dates and hyphenated words."""
    text = strip_accents(text.translate(_APOSTROPHES).translate(_DASHES))
    text = _NOT_KEPT.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


_STEMMER = Stemmer.Stemmer("english")
#: Words the English stemmer would mangle into another word: kept as they are.
_KEEP = frozenset({"news", "postgres", "cms", "dns", "aws", "ios", "macos", "js", "less", "sass"})


@lru_cache(maxsize=131072)
def stem(token: str) -> str:
    """Inflection folded: ordinals lose their suffix; words go through the Snowball (Porter2)
    stemmer, so "containers", "container" and "containerised" meet ("contain"/"container"),
    and "testing" finds "tests". Codes, numbers and short words are left alone."""
    m = _ORDINAL.match(token)
    if m:
        return m.group(1)
    if len(token) <= 3 or token in _KEEP or not token.isalpha():
        return token
    # Porter2 takes "-er" off too ("containers" -> "contain"): an agent noun keeps it, so
    # "containers" finds "container" but not "contains".
    singular = _plural(token)
    if singular.endswith("er") and len(singular) > 4:
        return singular
    stemmed: str = _STEMMER.stemWord(token)
    return stemmed if len(stemmed) >= 3 else token


def _plural(token: str) -> str:
    if token.endswith("ies") and len(token) > 5:
        return token[:-3] + "y"
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def words(folded: str, *, joined: bool = True) -> list[str]:
    """Raw word tokens of folded text; a hyphenated word yields its parts (and the joined form,
    so the index finds "counterterrorism" typed as one word)."""
    out: list[str] = []
    for m in _WORD.finditer(folded.replace("'", "")):
        word = m.group(0)
        if "-" in word:
            parts = [p for p in word.split("-") if p]
            out.extend(parts)
            if joined:
                out.append("".join(parts))
        else:
            out.append(word)
    return out


def tokens(text: str) -> list[str]:
    """Folded, stemmed tokens of any text (used for the index: nothing is dropped)."""
    return [stem(w) for w in words(fold(text))]


@lru_cache(maxsize=4096)
def is_misspelt_stop_word(word: str, typo_prone: tuple[str, ...]) -> bool:
    """One typo away from a typo-prone stop word ("sesion", "presentaton")."""
    if len(word) < 5:
        return False
    return process.extractOne(word, typo_prone, scorer=OSA.distance, score_cutoff=1) is not None


def content_words(
    folded: str,
    stop_words: frozenset[str],
    extra_stop: frozenset[str] = frozenset(),
    typo_prone: tuple[str, ...] = (),
) -> list[str]:
    """The words of a folded question that carry its topic, unstemmed, in order, no repeats."""
    seen: dict[str, None] = {}
    for w in words(folded, joined=False):
        if w in stop_words or w in extra_stop:
            continue
        t = stem(w)
        if t in stop_words or t in extra_stop:
            continue
        if typo_prone and is_misspelt_stop_word(w, typo_prone):
            continue
        seen.setdefault(w, None)
    return list(seen)
