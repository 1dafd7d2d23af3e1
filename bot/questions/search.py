"""Fuzzy search over one agenda, built once when the agenda is loaded.

Sessions are indexed by folded, stemmed tokens of their title, speakers, track, type, room,
abstract and their speakers' affiliation and bio, each field with a weight (a title or speaker
hit outranks an abstract hit) and each token with an IDF (a word every session has tells
little). A question token is looked up exactly first (a dict hit, the common case); only a miss
of five letters or more goes to rapidfuzz, over the vocabulary words of similar length.
Short tokens and acronyms ("SACC", "AI", "7") match exactly or not at all.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.agenda.index import AgendaIndex
from bot.agenda.model import Session, Speaker
from bot.questions.normalize import fold, strip_accents, tokens

#: Field weights: what a hit in each field is worth, before IDF.
TITLE, SPEAKER_NAME, TRACK, KIND, ROOM, ABSTRACT, BIO = 3.0, 2.5, 2.0, 1.5, 1.0, 1.0, 0.7
#: Typos allowed in a question word (edits, a swap of neighbours counting as one): one up to
#: this length, two beyond. A ratio threshold alone lets "western" match "stern".
ONE_TYPO_UP_TO = 7
#: Tokens shorter than this match only exactly (acronyms, numbers, "ai", "eu").
FUZZY_MIN_LEN = 5
#: A session must match at least this share of the question's (IDF-weighted) words.
MIN_COVERAGE = 0.5
#: Results scoring below this share of the best one are dropped as noise.
RELATIVE_CUTOFF = 0.35
#: How many search results an answer lists.
MAX_RESULTS = 5

_NAME_TITLES = frozenset({"dr", "prof", "professor", "mr", "mrs", "ms", "sir", "dame", "h.e", "he"})
_NAME_PARTICLES = frozenset({"von", "van", "de", "der", "den", "da", "di", "du", "la", "le", "del"})
_GENERIC_ROOM_WORDS = frozenset(
    {"room", "raum", "hall", "saal", "salle", "the", "of", "and", "stage", "buhne", "sala"}
)
_ALNUM = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the document's position, its score and the share of words matched."""

    doc: int
    score: float
    coverage: float


class TextIndex:
    """Weighted token postings over a list of documents, with typo-tolerant lookup."""

    def __init__(self, docs: Sequence[Iterable[tuple[Iterable[str], float]]]) -> None:
        postings: dict[str, dict[int, float]] = defaultdict(dict)
        for i, fields in enumerate(docs):
            for toks, weight in fields:
                for t in toks:
                    row = postings[t]
                    if row.get(i, 0.0) < weight:
                        row[i] = weight
        self.size = len(docs)
        self.postings = dict(postings)
        self.idf = {t: math.log(1.0 + self.size / len(row)) for t, row in self.postings.items()}
        self.max_idf = math.log(1.0 + max(self.size, 1))
        # Fuzzy candidates are bucketed by length and by first and second letter: a typo
        # almost always leaves one of the first two letters in one of the first two places,
        # which cuts the words compared ~10x on a large vocabulary.
        by_first: dict[tuple[int, str], list[str]] = defaultdict(list)
        by_second: dict[tuple[int, str], list[str]] = defaultdict(list)
        for t in self.postings:
            by_first[len(t), t[0]].append(t)
            if len(t) > 1:
                by_second[len(t), t[1]].append(t)
        self._by_first = dict(by_first)
        self._by_second = dict(by_second)
        self._near: dict[tuple[int, str, str], list[str]] = {}
        self._sorted = sorted(self.postings)

    def _candidates(self, token: str, edits: int) -> list[str]:
        """Words within ``edits`` of the token's length sharing one of its first two letters
        in one of the first two places (cached, the cache bounded)."""
        n, a, b = len(token), token[0], token[1]
        key = (n, a, b)
        found = self._near.get(key)
        if found is None:
            seen: dict[str, None] = {}
            for k in range(n - edits, n + edits + 1):
                for c in (a, b):
                    seen.update(dict.fromkeys(self._by_first.get((k, c), ())))
                    seen.update(dict.fromkeys(self._by_second.get((k, c), ())))
            found = list(seen)
            if len(self._near) >= 4096:
                self._near.clear()
            self._near[key] = found
        return found

    def expand(self, token: str) -> list[tuple[str, float]]:
        """Vocabulary words a question token stands for, with a similarity in (0, 1]."""
        if token in self.postings:
            return [(token, 1.0)]
        if len(token) < FUZZY_MIN_LEN or token.isdigit():
            return []
        found: dict[str, float] = {}
        edits = 1 if len(token) <= ONE_TYPO_UP_TO else 2
        for word, distance, _ in process.extract(
            token,
            self._candidates(token, edits),
            scorer=OSA.distance,
            score_cutoff=edits,
            limit=4,
        ):
            found[word] = 1.0 - distance / max(len(word), len(token))
        # A prefix ("antisem", "counterterror") stands for the words it begins.
        i = bisect.bisect_left(self._sorted, token)
        for word in self._sorted[i : i + 4]:
            if not word.startswith(token):
                break
            found[word] = max(found.get(word, 0.0), 0.85)
        return sorted(found.items(), key=lambda kv: -kv[1])[:4]

    def search(
        self, query: Sequence[str], allowed: set[int] | None = None
    ) -> tuple[list[Hit], int]:
        """Documents matching the query tokens, best first; also how many tokens matched at all."""
        # A lone letter is no topic ("<b>hi</b>" must not find Room B): rooms are matched by
        # the room finder, and digits ("october 7") still count.
        query = [q for q in query if len(q) > 1 or q.isdigit()]
        if not query:
            return [], 0
        per_token: list[dict[int, float]] = []
        weights: list[float] = []
        matched_tokens = 0
        for q in query:
            best: dict[int, float] = {}
            qweight = 0.0
            for word, sim in self.expand(q):
                idf = self.idf[word]
                qweight = max(qweight, idf)
                for doc, w in self.postings[word].items():
                    if allowed is not None and doc not in allowed:
                        continue
                    v = sim * w * idf
                    if v > best.get(doc, 0.0):
                        best[doc] = v
            if best:
                matched_tokens += 1
            per_token.append(best)
            weights.append(qweight or self.max_idf)
        total = sum(weights)
        scores: dict[int, float] = defaultdict(float)
        covered: dict[int, float] = defaultdict(float)
        for best, weight in zip(per_token, weights, strict=True):
            for doc, v in best.items():
                scores[doc] += v
                covered[doc] += weight
        hits = [
            Hit(doc, scores[doc] * (covered[doc] / total) ** 2, covered[doc] / total)
            for doc in scores
            if covered[doc] / total >= MIN_COVERAGE - 1e-9
        ]
        hits.sort(key=lambda h: -h.score)
        if hits:
            floor = hits[0].score * RELATIVE_CUTOFF
            hits = [h for h in hits if h.score >= floor]
        return hits, matched_tokens


def _name_tokens(name: str) -> tuple[str, ...]:
    return tuple(t for t in tokens(name) if t not in _NAME_TITLES)


@dataclass(frozen=True, slots=True)
class SpeakerMatch:
    """A speaker named in a question, and which question tokens named them."""

    speaker: Speaker
    used: frozenset[str]
    score: float


@dataclass(frozen=True, slots=True)
class RoomMatch:
    room: str
    #: the question text with the room's words blanked out
    rest: str


class SearchIndex:
    """Everything a question is matched against, built once per agenda (about 0.5 s at 2,000)."""

    def __init__(self, index: AgendaIndex) -> None:
        self.index = index
        conf = index.conference
        self.sessions: tuple[Session, ...] = index.sessions
        self._pos = {s.id: i for i, s in enumerate(self.sessions)}
        speakers = conf.speakers
        bio_tokens = {sid: tokens(f"{sp.affiliation} {sp.bio}") for sid, sp in speakers.items()}
        name_tokens = {sid: _name_tokens(sp.name) for sid, sp in speakers.items()}
        docs = []
        for s in self.sessions:
            fields: list[tuple[Iterable[str], float]] = [
                (tokens(s.title), TITLE),
                (tokens(s.track), TRACK),
                ((s.type.value,), KIND),
                (tokens(s.room), ROOM),
                (tokens(s.abstract), ABSTRACT),
            ]
            for part in s.speakers:
                fields.append((name_tokens.get(part.speaker_id, ()), SPEAKER_NAME))
                fields.append((bio_tokens.get(part.speaker_id, ()), BIO))
            docs.append(fields)
        self.text = TextIndex(docs)

        # Speakers: by name (to answer "where is peter sztaray speaking") and by description
        # ("who is the eu counter-terrorism coordinator").
        self.speakers: tuple[Speaker, ...] = tuple(
            sorted(speakers.values(), key=lambda sp: strip_accents(sp.name))
        )
        self._speaker_names = [name_tokens[sp.id] for sp in self.speakers]
        self.names = TextIndex([[(names, 1.0)] for names in self._speaker_names])
        self.profiles = TextIndex(
            [
                [(name_tokens[sp.id], 3.0), (tokens(sp.affiliation), 1.5), (tokens(sp.bio), 1.0)]
                for sp in self.speakers
            ]
        )

        self.rooms: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
            (room, tuple(_ALNUM.findall(strip_accents(room)))) for room in conf.rooms
        )

    # ---- sessions ------------------------------------------------------------------------

    def search(
        self, query: Sequence[str], among: Iterable[Session] | None = None
    ) -> list[tuple[Session, float]]:
        """Sessions matching the question tokens, best first (at most a handful more than shown)."""
        allowed = None if among is None else {self._pos[s.id] for s in among if s.id in self._pos}
        hits, _ = self.text.search(query, allowed)
        return [(self.sessions[h.doc], h.score) for h in hits]

    # ---- speakers ------------------------------------------------------------------------

    def find_speakers(self, query: Sequence[str]) -> list[SpeakerMatch]:
        """Speakers the question names: full name, surname, or two of their names, typos allowed.

        A lone first name ("peter") is not enough when the speaker has a surname: too many
        people share one.
        """
        found: dict[int, dict[str, tuple[str, float]]] = defaultdict(dict)
        for q in query:
            for word, sim in self.names.expand(q):
                for doc in self.names.postings[word]:
                    prev = found[doc].get(word)
                    if prev is None or prev[1] < sim:
                        found[doc][word] = (q, sim)
        matches: list[SpeakerMatch] = []
        for doc, hit in found.items():
            names = [n for n in self._speaker_names[doc] if n not in _NAME_PARTICLES]
            if not names:
                continue
            surname = names[-1]
            count = len(hit)
            everything = all(n in hit for n in names)
            if not (everything or surname in hit or count >= 2):
                continue
            if count == 1 and next(iter(hit.values()))[1] < 0.8:
                continue  # a single fuzzy word is too weak to name a person
            score = sum(sim for _, sim in hit.values()) + (1.0 if everything else 0.0)
            used = frozenset(q for q, _ in hit.values())
            matches.append(SpeakerMatch(self.speakers[doc], used, score))
        if not matches:
            return []
        matches.sort(key=lambda m: (-m.score, strip_accents(m.speaker.name)))
        top = matches[0].score
        return [m for m in matches if m.score >= top - 0.25][:MAX_RESULTS]

    def describe_speakers(self, query: Sequence[str]) -> list[Speaker]:
        """Speakers whose name, affiliation or bio match every word of the query
        ("the counter-terrorism coordinator")."""
        hits, _ = self.profiles.search(query)
        return [self.speakers[h.doc] for h in hits[:MAX_RESULTS] if h.coverage > 0.999]

    # ---- rooms ---------------------------------------------------------------------------

    def find_room(self, folded: str) -> RoomMatch | None:
        """The room a question names: its full name, or all of its distinctive words."""
        words = _ALNUM.findall(folded)
        if not words or not self.rooms:
            return None
        joined = f" {' '.join(words)} "
        wordset = set(words)
        best: tuple[float, str, tuple[str, ...]] | None = None
        for room, room_words in self.rooms:
            if not room_words:
                continue
            if f" {' '.join(room_words)} " in joined:
                score = 2.0 + len(room_words)
                used = room_words
            else:
                distinctive = [
                    w
                    for w in room_words
                    if w not in _GENERIC_ROOM_WORDS and len(w) >= 3 and not w.isdigit()
                ]
                if not distinctive:
                    continue
                used_list: list[str] = []
                for w in distinctive:
                    if w in wordset:
                        used_list.append(w)
                        continue
                    if len(w) >= 6:
                        near = process.extractOne(w, words, scorer=fuzz.ratio, score_cutoff=90.0)
                        if near is not None:
                            used_list.append(near[0])
                            continue
                    break
                else:
                    present = sum(1 for w in room_words if w in wordset)
                    score = max(present, len(used_list)) / len(room_words)
                    used = tuple(used_list) + tuple(w for w in room_words if w in wordset)
                    if best is None or score > best[0]:
                        best = (score, room, used)
                continue
            if best is None or score > best[0]:
                best = (score, room, used)
        if best is None:
            return None
        _, room, used = best
        drop = set(used)
        rest = " ".join(w for w in fold(folded).split() if w not in drop)
        return RoomMatch(room, rest)
