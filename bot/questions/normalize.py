"""Text folding shared by the question side and the search index, so both see the same tokens.

People type without accents, in any case, with typos and stray punctuation; the agenda has
"Péter Sztáray" and "October 7th". Folding both sides the same way (NFKD, combining marks
stripped, casefold, ordinals and plurals reduced) lets exact lookups do most of the work and
leaves fuzzy matching for real typos.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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

#: Words that carry no topic: question words, fillers and the generic nouns of the domain.
_STOP_WORDS_TEXT = """
    a about above after again all also am an and any anybody anyone anything anywhere are around
    as ask at be been before begin begins being between both but by can could did do does doing
    during each either else event events ever every find for from get give gives giving go going
    happen happening happens has have having he held hello her here hey hi him his how i if in
    info information into is it its just kind know let like list looking me more most my need
    of on one or other our please presentation presentations presented presenting presents
    programme program s schedule scheduled see session sessions she show should so some
    something speak speaker speakers speaking speaks start starts starting take takes taking
    talk talks tell than thank thanks that the their them then there these they this those
    thx time to up us want was we were what whats when where which while who whom whose why
    will with would you your yours
    room rooms hall
    give given held place o clock oclock
    """
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
#: Stop words a typo can still be recognised in ("sesion", "speking"): a misspelt filler must
#: not count as an unmatched topic word and sink the search. Curated: "looking" or "giving"
#: would swallow "cooking" and "living".
_TYPO_PRONE_TEXT = """session sessions presentation presentations speaking speaker speakers
    schedule scheduled programme program happening anything something please starting information"""
_TYPO_PRONE_STOP_WORDS = sorted(_TYPO_PRONE_TEXT.split())


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


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """A deliberately tiny stemmer: ordinals lose their suffix, plurals their "s"."""
    m = _ORDINAL.match(token)
    if m:
        return m.group(1)
    if len(token) > 4 and token.endswith("s") and not token.endswith(("ss", "is", "us")):
        if token.endswith("ies") and len(token) > 5:
            return token[:-3] + "y"
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
def is_misspelt_stop_word(word: str) -> bool:
    """One typo away from a typo-prone stop word ("sesion", "presentaton")."""
    if len(word) < 5:
        return False
    return (
        process.extractOne(word, _TYPO_PRONE_STOP_WORDS, scorer=OSA.distance, score_cutoff=1)
        is not None
    )


def content_words(folded: str, extra_stop: frozenset[str] = frozenset()) -> list[str]:
    """The words of a folded question that carry its topic, unstemmed, in order, no repeats."""
    seen: dict[str, None] = {}
    for w in words(folded, joined=False):
        if w in STOP_WORDS or w in extra_stop:
            continue
        t = stem(w)
        if t in STOP_WORDS or t in extra_stop or is_misspelt_stop_word(w):
            continue
        seen.setdefault(w, None)
    return list(seen)
