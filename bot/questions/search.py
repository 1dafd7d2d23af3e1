"""Fuzzy search over one agenda, built once when the agenda is loaded.

Sessions are indexed by folded, stemmed tokens of every field people ask by: title, subtitle,
speakers, track, kind, room name and code, language, abstract, and their speakers'
affiliation and bio. Each field has a weight (a title or speaker hit outranks an abstract hit)
and each token an IDF (a word every session has tells little); the words of the question
found in order in a title or an abstract earn a phrase bonus, so the obvious answer ranks
first. A question token is looked up exactly first (a dict hit, the common case); only a miss
of five letters or more goes to rapidfuzz, over the vocabulary words of similar length, with
one typo allowed up to seven letters and two beyond. Short tokens, numbers and codes ("SACC",
"AI", "7", "ipv6") match exactly (or as the start of a longer word) or not at all.

Each hit says how sure it is: ``confident`` when it covers the question's words (or nearly,
for long questions) without leaning only on typo-corrected words in an abstract. The engine
answers with confident hits and offers the rest only as labelled suggestions.
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
from bot.questions.normalize import fold, stem, strip_accents, tokens, words

#: Field weights: what a hit in each field is worth, before IDF.
TITLE, SUBTITLE, SPEAKER_NAME, TRACK, KIND, ROOM, LANGUAGE, ABSTRACT, BIO = (
    3.0,
    1.5,
    2.5,
    2.0,
    1.5,
    1.0,
    1.0,
    1.0,
    0.5,
)
#: A field at least this heavy is "strong": a hit there is not a passing mention.
STRONG = TRACK
#: The words of the question in order in a title (or subtitle, abstract) multiply the score.
TITLE_PHRASE_BONUS, TEXT_PHRASE_BONUS = 1.6, 1.2
#: The question's words as typed in a title (not only their stems) add up to this share.
EXACT_WORD_BONUS = 0.25
#: Typos allowed in a question word (edits, a swap of neighbours counting as one): one up to
#: this length, two beyond. A ratio threshold alone lets "western" match "stern".
ONE_TYPO_UP_TO = 7
#: Tokens shorter than this match only exactly (acronyms, numbers, "ai", "eu").
FUZZY_MIN_LEN = 5
#: A prefix match ("postgres" for "postgresql") counts this much of an exact one, and must
#: be at least this share of the word it begins.
PREFIX_SIMILARITY = 0.85
PREFIX_SHARE = 0.55
#: A session must match at least this share of the question's (IDF-weighted) words.
MIN_COVERAGE = 0.5
#: Confident: this share of the words (all of them, but one in four for long questions).
CONFIDENT_COVERAGE = 0.999
LONG_QUESTION_COVERAGE = 0.74
#: Results scoring below this share of the best one are dropped as noise.
RELATIVE_CUTOFF = 0.3
#: How many search results an answer lists on its first page.
MAX_RESULTS = 8
#: How many matches are kept at most (paged through with "N more").
MAX_MATCHES = 200

_NAME_TITLES = frozenset({"dr", "prof", "professor", "mr", "mrs", "ms", "sir", "dame", "h.e", "he"})
_NAME_PARTICLES = frozenset({"von", "van", "de", "der", "den", "da", "di", "du", "la", "le", "del"})
_GENERIC_ROOM_WORDS = frozenset(
    {"room", "raum", "hall", "saal", "salle", "the", "of", "and", "stage", "buhne", "sala"}
)
_ALNUM = re.compile(r"[^\W_]+")
#: The languages of sessions, as people name them, by code.
_LANGUAGE_WORDS = {
    "en": "english",
    "de": "german deutsch",
    "fr": "french francais",
    "nl": "dutch",
    "hu": "hungarian magyar",
    "es": "spanish",
    "it": "italian",
}
#: A short first paragraph of the abstract is the subtitle the loaders put there.
_SUBTITLE_MAX = 160


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the document's position, its score and how sure it is."""

    doc: int
    score: float
    coverage: float
    confident: bool = True


class TextIndex:
    """Weighted token postings over a list of documents, with typo-tolerant lookup."""

    def __init__(self, docs: Sequence[Iterable[tuple[Iterable[str], float]]]) -> None:
        postings: dict[str, dict[int, float]] = defaultdict(dict)
        for i, fields in enumerate(docs):
            for toks, weight in fields:
                for t in set(toks):
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
        found: dict[str, float] = {}
        if token in self.postings:
            found[token] = 1.0
        elif len(token) >= FUZZY_MIN_LEN and not any(c.isdigit() for c in token):
            edits = 1 if len(token) <= ONE_TYPO_UP_TO else 2
            for word, distance, _ in process.extract(
                token,
                self._candidates(token, edits),
                scorer=OSA.distance,
                score_cutoff=edits,
                limit=4,
            ):
                found[word] = 1.0 - distance / max(len(word), len(token))
        # A prefix ("antisem", "counterterror", "postgres") stands for the words it begins.
        if len(token) >= 4 and not token.isdigit():
            i = bisect.bisect_left(self._sorted, token)
            for word in self._sorted[i : i + 5]:
                if not word.startswith(token):
                    break
                # most of the word: "postgres" is PostgreSQL, "java" is not JavaScript
                if word != token and len(token) >= PREFIX_SHARE * len(word):
                    found[word] = max(found.get(word, 0.0), PREFIX_SIMILARITY)
        return sorted(found.items(), key=lambda kv: -kv[1])[:5]

    def search(
        self, query: Sequence[str], allowed: set[int] | None = None
    ) -> tuple[list[Hit], int]:
        """Documents matching the query tokens, best first; also how many tokens matched at all."""
        # A lone letter is no topic ("<b>hi</b>" must not find Room B): rooms are matched by
        # the room finder, and digits ("october 7") still count.
        query = [q for q in query if len(q) > 1 or q.isdigit()]
        if not query:
            return [], 0
        per_token: list[dict[int, tuple[float, bool]]] = []
        weights: list[float] = []
        matched_tokens = 0
        for q in query:
            best: dict[int, tuple[float, bool]] = {}
            qweight = 0.0
            own_idf = self.idf.get(q)
            for word, sim in self.expand(q):
                # a word that is in the programme weighs as itself: a rare longer word it
                # begins ("pythonnetsnmpagent") must not outweigh it
                idf = self.idf[word] if own_idf is None else min(own_idf, self.idf[word])
                qweight = max(qweight, idf)
                sure_word = sim >= PREFIX_SIMILARITY
                for doc, w in self.postings[word].items():
                    if allowed is not None and doc not in allowed:
                        continue
                    v = sim * w * idf
                    prev = best.get(doc)
                    if prev is None or v > prev[0]:
                        best[doc] = (v, sure_word or w >= STRONG)
            if best:
                matched_tokens += 1
            per_token.append(best)
            weights.append(qweight or self.max_idf)
        total = sum(weights)
        scores: dict[int, float] = defaultdict(float)
        covered: dict[int, float] = defaultdict(float)
        sure: dict[int, bool] = defaultdict(bool)
        for found, weight in zip(per_token, weights, strict=True):
            for doc, (v, is_sure) in found.items():
                scores[doc] += v
                covered[doc] += weight
                sure[doc] = sure[doc] or is_sure
        long_question = len(query) >= 3
        hits = []
        for doc, score in scores.items():
            coverage = covered[doc] / total
            if coverage < MIN_COVERAGE - 1e-9:
                continue
            confident = sure[doc] and (
                coverage >= CONFIDENT_COVERAGE
                or (long_question and coverage >= LONG_QUESTION_COVERAGE)
            )
            hits.append(Hit(doc, score * coverage**2, coverage, confident))
        hits.sort(key=lambda h: -h.score)
        if hits:
            floor = hits[0].score * RELATIVE_CUTOFF
            hits = [h for h in hits if h.score >= floor]
        return hits, matched_tokens


def _name_tokens(name: str) -> tuple[str, ...]:
    return tuple(t for t in tokens(name) if t not in _NAME_TITLES)


def _subtitle(abstract: str) -> str:
    first = abstract.split("\n\n", 1)[0].strip()
    return first if len(first) <= _SUBTITLE_MAX and "\n\n" in abstract else ""


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
        affiliation_tokens = {sid: tokens(sp.affiliation) for sid, sp in speakers.items()}
        own_bio_tokens = {sid: tokens(sp.bio) for sid, sp in speakers.items()}
        bio_tokens = {sid: (*affiliation_tokens[sid], *own_bio_tokens[sid]) for sid in speakers}
        name_tokens = {sid: _name_tokens(sp.name) for sid, sp in speakers.items()}
        room_tokens = {r.room: tuple(tokens(r.room)) + r.keys for r in index.room_names}
        docs = []
        #: per session: its title's and its text's stems, spaced, for the phrase bonus
        self._title_text: list[str] = []
        self._body_text: list[str] = []
        #: per session: its title's content stems, for "one exact title match opens the card"
        self.title_stems: list[tuple[frozenset[str], ...]] = []
        #: per session: its title's words as written (folded), for the exact-word bonus
        self._title_words: list[frozenset[str]] = []
        for s in self.sessions:
            # A title or abstract given in several languages is found by any of them.
            if s.titles:
                per_title = [tokens(text) for text in s.all_titles]
                title = [t for stems in per_title for t in stems]
            else:
                title = tokens(s.title)
                per_title = [title]
            if s.abstracts:
                subtitle = " ".join(_subtitle(text) for text in s.all_abstracts)
                abstract = [t for text in s.all_abstracts for t in tokens(text)]
            else:
                subtitle, abstract = _subtitle(s.abstract), tokens(s.abstract)
            fields: list[tuple[Iterable[str], float]] = [
                (title, TITLE),
                (tokens(subtitle), SUBTITLE),
                (tokens(s.track), TRACK),
                ((stem(s.type.value),), KIND),
                (room_tokens.get(s.room, tokens(s.room)), ROOM),
                (abstract, ABSTRACT),
            ]
            if s.language:
                lang = s.language.casefold()[:2]
                fields.append(((lang, *_LANGUAGE_WORDS.get(lang, "").split()), LANGUAGE))
            for part in s.speakers:
                fields.append((name_tokens.get(part.speaker_id, ()), SPEAKER_NAME))
                fields.append((bio_tokens.get(part.speaker_id, ()), BIO))
            docs.append(fields)
            self._title_text.append(f" {' '.join(title)} ")
            self._body_text.append(f" {' '.join(abstract)} ")
            self.title_stems.append(tuple(frozenset(stems) for stems in per_title))
            self._title_words.append(
                frozenset(w for text in s.all_titles for w in words(fold(text)))
                if s.titles
                else frozenset(words(fold(s.title)))
            )
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
                [
                    (name_tokens[sp.id], 3.0),
                    (affiliation_tokens[sp.id], 1.5),
                    (own_bio_tokens[sp.id], 1.0),
                ]
                for sp in self.speakers
            ]
        )
        first_names: dict[str, int] = defaultdict(int)
        for names in self._speaker_names:
            if names:
                first_names[names[0]] += 1
        self._first_names = dict(first_names)

        self.rooms: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
            (room, tuple(_ALNUM.findall(strip_accents(room)))) for room in conf.rooms
        )

    # ---- sessions ------------------------------------------------------------------------

    def search(
        self,
        query: Sequence[str],
        among: Iterable[Session] | None = None,
        *,
        phrase: Sequence[str] = (),
        surface: Sequence[str] = (),
    ) -> list[tuple[Session, float]]:
        """Sessions matching the question tokens, best first, confident ones only."""
        found = self.search_all(query, among, phrase=phrase, surface=surface)
        return [(s, score) for s, score, ok in found if ok]

    def search_all(
        self,
        query: Sequence[str],
        among: Iterable[Session] | None = None,
        *,
        phrase: Sequence[str] = (),
        surface: Sequence[str] = (),
    ) -> list[tuple[Session, float, bool]]:
        """Sessions matching the question tokens, best first, each with whether it is a
        confident match; ``phrase`` is the question's words in order for the phrase bonus."""
        allowed = None if among is None else {self._pos[s.id] for s in among if s.id in self._pos}
        hits, _ = self.text.search(query, allowed)
        out: list[tuple[Session, float, bool]] = []
        needle = f" {' '.join(phrase)} " if len(phrase) >= 2 else ""
        typed = [w for w in surface if len(w) > 2]
        for h in hits[:MAX_MATCHES]:
            score = h.score
            if typed:
                # the word as typed, not only its stem ("opening", not "open source")
                said = sum(1 for w in typed if w in self._title_words[h.doc]) / len(typed)
                score *= 1.0 + EXACT_WORD_BONUS * said
            if needle:
                if needle in self._title_text[h.doc]:
                    score *= TITLE_PHRASE_BONUS
                elif needle in self._body_text[h.doc]:
                    score *= TEXT_PHRASE_BONUS
            out.append((self.sessions[h.doc], score, h.confident))
        out.sort(key=lambda r: -r[1])
        return out

    def title_match(
        self, session: Session, query: Sequence[str], text: str, stop: frozenset[str]
    ) -> bool:
        """Is the question (nearly) exactly this session's title (its stop words aside)?"""
        asked = frozenset(query)
        if not asked:
            return False
        named = False
        for stems in self.title_stems[self._pos[session.id]]:  # one per language
            own = frozenset(t for t in stems if t not in stop)
            if not own:
                continue
            named = True
            if asked == own or (len(own) >= 3 and asked <= own and len(asked) >= len(own) - 1):
                return True
        if not named:
            return False
        folded = fold(text)
        return len(text) >= 8 and any(
            fuzz.ratio(folded, fold(title)) >= 90 for title in session.all_titles
        )

    # ---- speakers ------------------------------------------------------------------------

    def find_speakers(
        self, query: Sequence[str], *, first_name_alone: bool = False
    ) -> list[SpeakerMatch]:
        """Speakers the question names: full name, surname, or two of their names, typos allowed.

        A lone first name ("peter") is not enough when the speaker has a surname, unless
        ``first_name_alone`` (the question asks about a person: "when does lennart speak")
        and no one else shares it.
        """
        found: dict[int, dict[str, tuple[str, float]]] = defaultdict(dict)
        for q in query:
            # a word of the programme ("docker") is not a typo of a name ("Tocker")
            in_programme = q in self.text.postings
            for word, sim in self.names.expand(q):
                if sim < 1.0 and (in_programme or (sim == PREFIX_SIMILARITY and len(q) < 5)):
                    continue
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
            lone_first = (
                first_name_alone
                and len(query) == 1
                and count == 1
                and names[0] in hit
                and hit[names[0]][1] >= 0.99
                and len(names[0]) >= 4
                and self._first_names.get(names[0], 0) == 1
            )
            if not (everything or surname in hit or count >= 2 or lone_first):
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
        """The room a question names by its words: its full name, or all of its distinctive
        words, one typo allowed in long ones (codes are found by ``places``)."""
        ws = _ALNUM.findall(folded)
        if not ws or not self.rooms:
            return None
        joined = f" {' '.join(ws)} "
        wordset = set(ws)
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
                    if w not in _GENERIC_ROOM_WORDS
                    and len(w) >= 3
                    and not w.isdigit()
                    and any(c.isalpha() for c in w)
                ]
                if not distinctive:
                    continue
                used_list: list[str] = []
                for w in distinctive:
                    if w in wordset:
                        used_list.append(w)
                        continue
                    if len(w) >= 6:
                        near = process.extractOne(w, ws, scorer=fuzz.ratio, score_cutoff=90.0)
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


def stems(ws: Iterable[str]) -> list[str]:
    """Stems of question words, in order, without repeats."""
    return list(dict.fromkeys(stem(w) for w in ws))
