"""Rooms, tracks, kinds and languages named in a question: filters, not topics.

At a large event people name a room the way the signs do, by its code or its name or both
(``h.1302``, ``H 1302``, ``AW1.120`` = ``aw1120`` = ``aw1 120``, ``ferrer``), or describe it
("the main hall"); and a track *is* a place ("the ruby devroom", "the java room"). Codes
match exactly, never a similar code; names allow one typo in long words. A track named with
a place word ("devroom", "track", "room") is a filter; a track name alone ("python talks") is
left to the search, which finds the track's sessions through their track field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.agenda.index import AgendaIndex
from bot.agenda.model import SessionType
from bot.questions.lang import ENGLISH, Language
from bot.questions.normalize import fold, stem, words
from bot.questions.search import SearchIndex

_ALNUM = re.compile(r"[^\W_]+")
#: Words of a track's name that do not make it distinctive.
_GENERIC = frozenset(
    [
        "and",
        "the",
        "of",
        "for",
        "in",
        "on",
        "with",
        "a",
        "an",
        "devroom",
        "devrooms",
        "track",
        "tracks",
        "room",
        "stage",
        "talks",
        "talk",
    ]
)
#: How many consecutive tokens a code may be typed in ("k 1 105").
_MAX_CODE_PARTS = 4


@dataclass(frozen=True, slots=True)
class Place:
    """A room or track found in a question, and the question without its words."""

    name: str
    rest: str
    #: named with a place word ("the go devroom") or by its code/description: a filter
    strict: bool = True
    #: every distinctive word of its name was there (not just one of them)
    full: bool = True


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    for a, b in sorted(spans, reverse=True):
        text = text[:a] + " " * (b - a) + text[b:]
    return re.sub(r"\s+", " ", text).strip()


class Places:
    """Finds rooms, tracks, kinds and languages in folded questions, for one agenda."""

    def __init__(self, index: AgendaIndex, search: SearchIndex) -> None:
        self.index = index
        self.search = search
        self._room_keys: dict[str, str] = {}
        for rn in index.room_names:
            for key in rn.keys:
                # a name key without a digit must be a real word, not "b" of "Room B"
                if any(c.isdigit() for c in key) or len(key) >= 4:
                    self._room_keys.setdefault(key, rn.room)
        self._tracks: list[tuple[str, tuple[str, ...], str]] = []
        self._acronyms: dict[str, str] = {}
        for track in index.tracks:
            toks = tuple(
                dict.fromkeys(
                    stem(w) for w in words(fold(track), joined=False) if w not in _GENERIC
                )
            )
            key = "".join(_ALNUM.findall(fold(track)))
            self._tracks.append((track, toks, key))
            # "the sdr devroom", "the iot room": the initials of a name of three words or more
            parts = [w for w in _ALNUM.findall(fold(track)) if w not in ("and", "the", "for")]
            initials = "".join(w[0] for w in parts)
            if len(parts) >= 3 and self._initials_fit(initials, track):
                self._acronyms.setdefault(initials, track)
        self._languages = {s.language.casefold()[:2] for s in index.sessions if s.language}

    def _initials_fit(self, initials: str, track: str) -> bool:
        """Initials stand for a track unless the programme uses them for something else: "SDR"
        in the software defined radio talks is theirs, "LPI" in the certification exams is
        not the legal and policy issues devroom's."""
        docs = self.search.text.postings.get(initials)
        if not docs:
            return True
        sessions = self.search.sessions
        own = sum(1 for d in docs if sessions[d].track == track)
        return own * 2 > len(docs)

    # ---- rooms ---------------------------------------------------------------------------

    def room(self, folded: str, lang: Language) -> Place | None:
        """A room by its code or name (exactly, separators ignored), or by a description."""
        if lang.room_nouns:
            # "a b teremben": the room's letter before the noun, as the language puts it
            nouns = "|".join(sorted(lang.room_nouns, key=len, reverse=True))
            turned = re.sub(rf"\b([a-z0-9]{{1,3}}) (?:{nouns})\b", r"room \1", folded)
            if turned != folded:
                place = self.room(turned, ENGLISH)
                if place is not None:
                    return place
        spans = [(m.start(), m.end(), m.group(0)) for m in _ALNUM.finditer(folded)]
        best: tuple[int, int, int, str] | None = None  # (parts, start, end, room)
        for i in range(len(spans)):
            joined = ""
            for j in range(i, min(i + _MAX_CODE_PARTS, len(spans))):
                joined += spans[j][2]
                room = self._room_keys.get(joined)
                if room is not None and (best is None or j - i + 1 > best[0]):
                    best = (j - i + 1, spans[i][0], spans[j][1], room)
        if best is not None:
            _, a, b, room = best
            # "K.1.105 (La Fontaine)" typed in full: take the name in brackets out too
            rest = _blank(folded, [(a, b)])
            for rn in self.index.room_names:
                if rn.room == room and rn.name:
                    name = fold(rn.name)
                    rest = re.sub(rf"\(?\b{re.escape(name)}\b\)?", " ", rest).strip()
            return Place(room, re.sub(r"\s+", " ", rest))
        m = lang.main_room.search(folded)
        if m and self.index.main_room:
            return Place(self.index.main_room, _blank(folded, [m.span()]))
        named = self.search.find_room(folded)
        if named is not None:
            return Place(named.room, named.rest)
        return None

    # ---- tracks --------------------------------------------------------------------------

    def track(self, folded: str, lang: Language) -> Place | None:
        """The track a question names: all of its distinctive words, or some of them with a
        place word ("the legal devroom"); a short or common one ("go") only with a place word."""
        found = list(_ALNUM.finditer(folded))
        ws = [m.group(0) for m in found]
        stems_at = [stem(w) for w in ws]
        place_word = any(w in lang.place_words for w in ws)
        windows: dict[str, tuple[int, int]] = {}
        for i in range(len(ws)):
            acc = ""
            for j in range(i, min(i + _MAX_CODE_PARTS, len(ws))):
                acc += ws[j]
                windows.setdefault(acc, (i, j))
        best: tuple[float, str, set[int], bool] | None = None
        for track, toks, key in self._tracks:
            if not toks:
                continue
            if key and len(key) >= 3 and key in windows and key not in lang.stop_words:
                i, j = windows[key]
                at = set(range(i, j + 1))
                got: tuple[str, ...] = toks
                full = True
            else:
                # a word of the track's name, or its start ("postgres" for "PostgreSQL")
                hit = {
                    k
                    for k, st in enumerate(stems_at)
                    if st in toks
                    or (
                        len(st) >= 4
                        and any(t.startswith(st) and len(st) >= 0.55 * len(t) for t in toks)
                    )
                }
                got = tuple(
                    t
                    for t in toks
                    if any(stems_at[k] == t or t.startswith(stems_at[k]) for k in hit)
                )
                if not got:
                    continue
                at = hit
                full = len(got) == len(toks)
            weak = all(len(t) <= 2 or t in lang.stop_words for t in got)
            if (weak or not full) and not place_word:
                continue
            score = len(got) / len(toks) + 0.1 * len(got)
            if best is None or score > best[0]:
                best = (score, track, at, full)
        if best is None and place_word:
            for k, w in enumerate(ws):
                if w in self._acronyms:
                    best = (1.0, self._acronyms[w], {k}, True)
                    break
        if best is None:
            return None
        _, track, at, full = best
        rest = _blank(folded, [found[k].span() for k in at])
        return Place(track, rest, strict=place_word, full=full)

    # ---- kinds and languages -------------------------------------------------------------

    def kind(self, folded: str, lang: Language) -> tuple[SessionType | None, str]:
        """A kind of session named ("keynote", "workshops"), and the question without it."""
        ws = folded.split()
        for i, w in enumerate(ws):
            kind = next((lang.kinds[v] for v in lang.variants(w) if v in lang.kinds), None)
            if kind is not None:
                return kind, " ".join(ws[:i] + ws[i + 1 :])
        return None, folded

    def language(self, folded: str, lang: Language) -> tuple[str | None, str]:
        """A session language asked for ("in german"), if the agenda records languages."""
        if not self._languages:
            return None, folded
        ws = folded.split()
        for i, w in enumerate(ws):
            code = next((lang.languages[v] for v in lang.variants(w) if v in lang.languages), None)
            if code is not None and code in self._languages:
                return code, " ".join(ws[:i] + ws[i + 1 :])
        return None, folded
