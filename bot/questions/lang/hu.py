"""Hungarian: question words, stop words, kinds, places, inflection and time words.

Hungarian glues case endings to words ("teremben" = in the room, "előadásról" = about the
talk, "kedden" = on Tuesday, "háromkor" = at three), so a question's words are first folded
to the form the agenda would use:

- ``prepare`` rewrites an inflected word to its base when the base is something the agenda
  knows (a room, a track, a speaker, a title word, a word of the glossary): "Jansonban" ->
  "janson", "K.1.105-ben" -> "k.1.105", "Lennarttal" -> "lennart". Only known bases are
  taken, so a suffix rule never invents a word.
- ``lemma`` folds the remaining topic words: the glossary first (conference words in English,
  because most programmes are: "kávészünet" -> "coffee break"), then a known base, then
  simplemma's Hungarian lemmatiser. simplemma's traps are guarded: it mangles compounds
  ("kávészünet" -> "kávés") and names ("Sztárayról" -> "sztár"), so the glossary and the
  agenda's own words win over it; it can return stray punctuation ("devroom."), stripped; its
  dictionary costs about 1.2 s and 200 MiB to load, so it is loaded once per process in the
  background, and until it is ready the suffix rules answer alone (a question never waits).

Times are read by the regexes below ("ma délután 3-kor", "fél tizenegykor", "szerdán",
"09.15. 10:00", "ebéd után"), with month-name dates ("november 28-án") handed to
hun-date-parser. dateparser's ``hu`` was evaluated and is not used: it returns nothing for
"kedden", "ma délután 3-kor", "fél tizenegykor" and reads "09.15. 10:00" as 2109.
hun-date-parser reads most phrases, but it drops numeric dates ("09.15. 10:00" became today
10:00), puts "kedden" in the current week rather than on the conference's Tuesday, widens
"nov. 28." to the whole month and slows down on long input; so it only sees a short, isolated
date fragment, and only a single-day answer is taken, snapped to the conference's year.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from bot.agenda.model import SessionType
from bot.questions.answer import Intent, Problem, ProblemKind, Relation
from bot.questions.lang import Language
from bot.questions.normalize import fold
from bot.questions.timeexpr import (
    Scan,
    TimeContext,
    TimeSpec,
    in_a_while,
    now_next_later,
    numeric_date,
)

Known = Callable[[str], bool]

# ---- intents (on folded text: no accents) -------------------------------------------------

RULES: tuple[tuple[Intent, re.Pattern[str]], ...] = (
    (Intent.WHO, re.compile(r"\b(?:ki|kik|kicsoda|kit|kinek|kivel|kiket)\b")),
    (
        Intent.WHERE,
        re.compile(r"\bhol\b|\bmerre\b|\bhova\b|\bmelyik (?:terem|term|helyiseg|szoba|eloado)\w*"),
    ),
    (
        Intent.WHEN,
        re.compile(
            r"\bmikor\b|\bhany orakor\b|\bhanykor\b|\bmelyik nap\w*|\bmettol\b|\bmeddig\b"
            r"|\bhany ora\w*|\bhanyadik\w*"
        ),
    ),
    (
        Intent.WHAT_ON,
        re.compile(
            r"\bmi (?:van|megy|lesz|kovetkezik|jon|tortenik|zajlik|szerepel)\b"
            r"|\bmik (?:vannak|lesznek|mennek)\b|\bmilyen\b|\b\w+-e\b|\bvan e\b"
            r"|\bprogram\w*|\bmusor\w*|\bnapirend\w*|\bmost\b|\bkovetkez\w*|\bvalami\b"
            r"|\bbarmi\b|\bvan most\b|\bmi jon\b"
        ),
    ),
)
_ABOUT = re.compile(
    r"\b\w{3,}(?:rol|rol)\b|\bszolo\b|\btemaju\b|\btemaban\b|\bkapcsolatos\w*|\btemakor\w*"
)
_ROLES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bmoderal\w*|\bmoderator\w*"), "moderator"),
    (re.compile(r"\belnokol\w*|\blevezet\w*|\bvezet(?:i|te|o)\b"), "chair"),
    (re.compile(r"\bhazigazda\w*"), "host"),
)
_WHO_IS = re.compile(r"\bkicsoda\b|\bki az\b|\bki ez\b|\bmit tudsz\b|\bmesel\w*|\bmutasd be\b")
_WHO_IS_THE = re.compile(r"\bki az?\b(?! a\b)")
_YES_NO = re.compile(
    r"\b\w+-e\b|\b(?:van|lesz|vannak|lesznek|beszel|tart) e\b"
    r"|^(?:(?:es|de|ma|holnap|most|ma is|akkor) )?(?:van|vannak|lesz|lesznek)\b"
)
_CONFERENCE_STRONG = re.compile(
    r"\b(?:helyszin\w*|wifi|wi fi|szervez\w*|megkozelit\w*|hogyan jutok|hogy jutok"
    r"|regisztracios pult\w*)\b|\bmikor (?:van|lesz|kezdodik|er veget) a konferencia\b"
)
_CONFERENCE_WORDS = re.compile(r"\b(?:konferenci\w*|rendezveny\w*|kongresszus\w*|esemeny\w*)\b")
_CONFERENCE_STOP = frozenset(
    """konferencia konferencian konferenciat konferenciarol konferencianak rendezveny
    rendezvenyen esemeny kongresszus datum datumok kezdodik kezdodnek veget er tart meddig
    hol mikor""".split()  # noqa: SIM905
)
_QUESTION_WORDS = frozenset(
    """moderal moderalja moderalta moderator moderatora vezeti vezet levezeti elnokol
    hazigazda beszel beszelnek beszelt eload eloadja eloadnak tart tartja tartanak tartott
    ad szerepel szerepelnek kezdodik kezdodnek veget er ert zajlik tortenik megy mennek jon
    jonnek kovetkezik lesz lesznek talalhato talalom talalok napon nap napja ora oraja
    program programban programon napirend napirenden musor musoron van vannak""".split()  # noqa: SIM905
)
_STOP_WORDS = frozenset(
    """a az egy es is vagy de meg mar csak mi mit mik mikor hol ki kik kit kinek milyen
    milyenek melyik mely melyek hany hanykor ahol amikor aki ami amely ez ezt ezek azok azt
    ott itt oda ide most ma holnap kerem kerlek legyszives szia hello hali udv koszi koszonom
    koszonet tudsz tudna tudnal megmondani mondd mondana mutasd mutass listazd sorold
    valami valamit valamilyen barmi barmit semmi eloadas eloadasok eloadast eloadasrol
    eloadason eloadasa eloadasai eloado eloadok eloadoja eloadoi eloadasban szekcio szekciok
    szekcioban tema temaju temaban temakor temakorben szolo kapcsolatos kapcsolatban hogy e
    nem igen nekem engem erdekel erdekelne erdekelnek szeretnek szeretnem lenne lehet kell
    kene van-e lesz-e vannak-e lesznek-e el elott utan alatt kozott ra re rol tol tol ig ban
    ben ba be on en nal nel hoz hez hoz tal tel val vel ert nak nek bol ja je jat jet ok ek
    ak mind minden osszes egesz aktualis jelenleg eppen epp ugye vajon mar meg talk
    beszelgetes beszelgetesek""".split()  # noqa: SIM905
)
_TYPO_PRONE = ("eloadas", "eloadasok", "kovetkezik", "program", "szekcio")
_PLACE_WORDS = frozenset(
    """terem termet teremben terembe teremrol terme termeben szoba helyiseg eloadoterem
    eloadoteremben nagyterem szekcio track trackben tracket devroom devroomban devroomot
    szinpad szinpadon sav savban""".split()  # noqa: SIM905
)
_MAIN_ROOM = re.compile(
    r"\b(?:a )?(?:nagy|fo|plenaris|plenar|kozponti|dis)(?:terem\w*| terem\w*| szinpad\w*)"
    r"|\b(?:nagyterem|foterem|disterem)\w*|\bplenaris\w*"
)
_KINDS: dict[str, SessionType] = {
    "keynote": SessionType.KEYNOTE,
    "kulcseloadas": SessionType.KEYNOTE,
    "nyitoeloadas": SessionType.KEYNOTE,
    "foeloadas": SessionType.KEYNOTE,
    "panel": SessionType.PANEL,
    "panelbeszelgetes": SessionType.PANEL,
    "panelvita": SessionType.PANEL,
    "kerekasztal": SessionType.PANEL,
    "kerekasztal-beszelgetes": SessionType.PANEL,
    "vita": SessionType.PANEL,
    "workshop": SessionType.WORKSHOP,
    "muhely": SessionType.WORKSHOP,
    "muhelymunka": SessionType.WORKSHOP,
    "muhelyfoglalkozas": SessionType.WORKSHOP,
    "tutorial": SessionType.WORKSHOP,
}
_LANGUAGES = {
    "angol": "en",
    "angolul": "en",
    "nemet": "de",
    "nemetul": "de",
    "francia": "fr",
    "franciaul": "fr",
    "magyar": "hu",
    "magyarul": "hu",
    "holland": "nl",
    "spanyol": "es",
    "olasz": "it",
    "lengyel": "pl",
}
#: Conference words (folded) -> the English words programmes use for them.
GLOSSARY: dict[str, tuple[str, ...]] = {
    "kaveszunet": ("coffee", "break"),
    "kave": ("coffee",),
    "ebed": ("lunch",),
    "ebedszunet": ("lunch",),
    "szunet": ("break",),
    "regisztracio": ("registration",),
    "megnyito": ("opening",),
    "nyito": ("opening",),
    "megnyitas": ("opening",),
    "zaras": ("closing",),
    "zaro": ("closing",),
    "zarszo": ("closing",),
    "zarobeszed": ("closing",),
    "osszegzes": ("conclusions",),
    "kovetkeztetes": ("conclusions",),
    "koszonto": ("welcome",),
    "udvozles": ("welcome",),
    "udvozlo": ("welcome",),
    "fogadas": ("reception",),
    "vacsora": ("dinner",),
    "terrorizmus": ("terrorism",),
    "terrorista": ("terrorist",),
    "terrorelharitas": ("counter", "terrorism"),
    "szelsoseg": ("extremism",),
    "szelsosegesseg": ("extremism",),
    "eroszakos": ("violent",),
    "radikalizalodas": ("radicalisation",),
    "fiatal": ("young", "people"),
    "fiatalok": ("young", "people"),
    "ifjusag": ("youth",),
    "biztonsag": ("security",),
    "biztonsagi": ("security",),
    "kiberbiztonsag": ("cybersecurity",),
    "hibrid": ("hybrid",),
    "fenyegetes": ("threats",),
    "dezinformacio": ("disinformation",),
    "valasztas": ("elections",),
    "migracio": ("migration",),
    "hatar": ("border",),
    "energia": ("energy",),
    "oktatas": ("education",),
    "aldozat": ("victims",),
    "kockazat": ("risks",),
    "harcos": ("fighters",),
    "kulfoldi": ("foreign",),
    "visszatero": ("returning",),
    "nyugat-balkan": ("western", "balkans"),
    "nyugat": ("western",),
    "kelet": ("eastern",),
    "balkan": ("balkans",),
    "strategia": ("strategies",),
    "megelozes": ("prevention",),
    "narrativa": ("narratives",),
    "valsagkezeles": ("crisis", "management"),
    "valsag": ("crisis",),
    "antiszemitizmus": ("antisemitism",),
    "zsido": ("jewish",),
    "kozosseg": ("communities",),
    "jogallamisag": ("rule", "law"),
    "alapjog": ("fundamental", "rights"),
    "mesterseges intelligencia": ("artificial", "intelligence"),
    "adatvedelem": ("privacy",),
    "titkositas": ("encryption",),
    "biztonsagi res": ("vulnerability",),
    "szabad szoftver": ("free", "software"),
    "nyilt forraskod": ("open", "source"),
    "kontener": ("container",),
    "adatbazis": ("database",),
    "halozat": ("network",),
    "jatek": ("game",),
    "zene": ("music",),
}

# ---- inflection ---------------------------------------------------------------------------

#: Case endings and plural/possessive endings (folded), longest first; a word minus one of
#: them is a candidate base form.
_SUFFIXES = tuple(
    sorted(
        """ban ben ba be bol rol tol nal nel hoz hez val vel tal tel nak nek ra re ert kent
        kor ig on en n t at et ot ok ek ak k ja je ai ei a e i jat jet jan jen ait eit
        okrol ekrol akrol okkal ekkel okban ekben akban okat eket akat okon eken akon bol
        nal tol rol val hoz ra re nak ban ben hoz""".split(),  # noqa: SIM905
        key=len,
        reverse=True,
    )
)
#: Endings written after a hyphen on codes and names ("K.1.105-ben", "Go-ról").
_HYPHEN_CASE = re.compile(
    r"(?<=[\w.])-(?:ban|ben|ba|be|bol|rol|nal|nel|hoz|hez|on|en|n|nak|nek|val|vel|tal|tel|"
    r"as|es|os|ban|bol|ra|re|t|at|et)\b"
)
_WORD = re.compile(r"[^\W\d_][\w-]*")


def candidates(word: str) -> list[str]:
    """The word and what it could be without one or two endings ("devroomban" -> "devroom",
    "teremben" -> "terem"), longest candidates first."""
    out = [word]
    for first in _SUFFIXES:
        if word.endswith(first) and len(word) - len(first) >= 3:
            base = word[: -len(first)]
            out.append(base)
            for second in _SUFFIXES:
                if base.endswith(second) and len(base) - len(second) >= 3:
                    out.append(base[: -len(second)])
            # a lengthened final vowel: "kockazatairól" -> "kockazata", "terme" -> "terem"
            if base.endswith("a") or base.endswith("e"):
                out.append(base[:-1])
    if word.endswith("eben") and len(word) > 6:  # "teremben" -> "terem" via "termeben"
        out.append(word[:-4])
    seen: dict[str, None] = {}
    for c in out:
        seen.setdefault(c, None)
    return list(seen)


def variants(word: str) -> tuple[str, ...]:
    return tuple(candidates(word))


#: Time words keep their endings: the time reader reads them ("kedden", "haromkor", "este").
_TIME_WORD = re.compile(
    r"^(?:holnap|tegnap|delelott|delutan|este|esti|reggel|ejjel|ejszaka|hetfo|kedd"
    r"|szerd|csutortok|pentek|szombat|vasarnap|januar|februar|marcius|aprilis|majus|junius"
    r"|julius|augusztus|szeptember|oktober|november|december|negyed|haromnegyed"
    r"|kovetkez|ebed|kaveszunet|szunet|masodik|harmadik|negyedik|utolso|tizenegy|tizenket"
    r"|harom|negy|nyolc|kilenc)\w*$"
    r"|^(?:ma|mai|most|ora|fel|del|elso|nap|egy|ket|ketto|ot|hat|het|tiz)"
    r"(?:kor|ra|re|ig|tol|ol|ban|ben|on|en|an|n|ja|je|i|akor|jan|jen)?$"
)


def prepare(folded: str, known: Known) -> str:
    """Case endings off the words whose base the agenda knows ("a jansonban" -> "a janson")."""
    text = _HYPHEN_CASE.sub("", folded)

    def base(m: re.Match[str]) -> str:
        word = m.group(0)
        if word in _STOP_WORDS or word in _PLACE_WORDS or word in _KINDS or known(word):
            return word
        if _TIME_WORD.match(word):
            return word
        for c in candidates(word)[1:]:
            if c in _PLACE_WORDS or c in _KINDS or c in GLOSSARY or known(c):
                return c
        return word

    return _WORD.sub(base, text)


class _Lemmatiser:
    """simplemma's Hungarian dictionary, loaded once per process in the background."""

    def __init__(self) -> None:
        self._ready = threading.Event()
        self._started = False
        self._lock = threading.Lock()
        self._lemmatize: Any = None

    def warm(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._load, name="simplemma-hu", daemon=True).start()

    def _load(self) -> None:
        try:
            import simplemma

            simplemma.lemmatize("teremben", lang="hu")
            self._lemmatize = simplemma.lemmatize
        except Exception:  # no lemmatiser: the suffix rules answer alone
            self._lemmatize = None
        finally:
            self._ready.set()

    def wait(self, timeout: float | None = None) -> bool:
        self.warm()
        return self._ready.wait(timeout)

    def __call__(self, word: str) -> str | None:
        if not self._ready.is_set() or self._lemmatize is None:
            return None
        try:
            lemma = str(self._lemmatize(word, lang="hu"))
        except Exception:
            return None
        return re.sub(r"[^\w-]+", "", lemma).casefold() or None


LEMMATISER = _Lemmatiser()


def lemma(word: str, accented: str, known: Known) -> tuple[str, ...]:
    """The word(s) to search for an inflected question word."""
    pool = candidates(word)
    for c in pool:
        if c in GLOSSARY:
            return GLOSSARY[c]
        if c in _ORDINALS and _ORDINALS[c] > 0:  # "a második szekció": Session 2
            return (str(_ORDINALS[c]),)
    if known(word):
        return (word,)
    for c in pool[1:]:
        if known(c):
            return (c,)
    found = LEMMATISER(accented)
    if found:
        folded = fold(found)
        if folded in GLOSSARY:
            return GLOSSARY[folded]
        # a lemma that keeps the word's start; compounds cut short ("kaves") are refused
        if len(folded) >= 3 and word.startswith(folded[:3]) and len(folded) >= len(word) - 6:
            return (folded,)
    return (word,)


# ---- time words -----------------------------------------------------------------------------

_NUMBERS = {
    "egy": 1,
    "ket": 2,
    "ketto": 2,
    "harom": 3,
    "negy": 4,
    "ot": 5,
    "hat": 6,
    "het": 7,
    "nyolc": 8,
    "kilenc": 9,
    "tiz": 10,
    "tizenegy": 11,
    "tizenket": 12,
    "tizenketto": 12,
}
_NUM_WORDS = "|".join(sorted(_NUMBERS, key=len, reverse=True))
_MONTHS = {
    "januar": 1,
    "jan": 1,
    "februar": 2,
    "feb": 2,
    "marcius": 3,
    "marc": 3,
    "aprilis": 4,
    "apr": 4,
    "majus": 5,
    "maj": 5,
    "junius": 6,
    "jun": 6,
    "julius": 7,
    "jul": 7,
    "augusztus": 8,
    "aug": 8,
    "szeptember": 9,
    "szept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
_MONTH_WORDS = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAYS = {
    "hetfo": 0,
    "kedd": 1,
    "szerd": 2,
    "csutortok": 3,
    "pentek": 4,
    "szombat": 5,
    "vasarnap": 6,
}
_ORDINALS = {
    "elso": 1,
    "masodik": 2,
    "harmadik": 3,
    "negyedik": 4,
    "otodik": 5,
    "hatodik": 6,
    "utolso": -1,
    "zaro": -1,
}
#: an hour written with a case ending: "3-kor", "14:30-kor", "14 orakor", "haromkor"
_SUF = r"(?:-?(?:kor|ra|re|ig|tol|tol|ol|ra|as|es|os|a|e))?"
_CLOCK_NUM = r"(\d{1,2})(?:[:.](\d{2}))?"
#: "2024.09.15.", "09.15.", "9. 15." (year, month, day: the Hungarian order)
_RE_NUM_DATE = re.compile(r"(?<![\w.])(?:(\d{4})\.\s?)?(\d{1,2})\.\s?(\d{1,2})\.(?![\d])(?:-?\w+)?")
_RE_MONTH_DATE = re.compile(
    rf"\b(?:(\d{{4}})\.? )?({_MONTH_WORDS})\.? (\d{{1,2}})\.?"
    r"(?:-?(?:an|en|ig|tol|atol|etol|i|a|e|ja|je))?\b"
)
_RE_REL_DAY = re.compile(r"\b(ma este|holnaputan|holnap\w*|ma(?:i)?|tegnap\w*)\b")
_RE_WEEKDAY = re.compile(r"\b(?:jovo |ezen a |e )?(" + "|".join(_WEEKDAYS) + r")\w*\b")
_RE_CONF_DAY = re.compile(r"\b(?:a )?(?:(" + "|".join(_ORDINALS) + r")|(\d)\.) nap\w*\b")
_RE_PART = re.compile(
    r"\b(?:(ma|holnap) )?(delelott|delutan|este|esti|reggel|ejjel|ejszaka|estefele)\w*\b"
)
_PART_OF = {
    "delelott": "morning",
    "reggel": "morning",
    "delutan": "afternoon",
    "este": "evening",
    "esti": "evening",
    "estefele": "evening",
    "ejjel": "night",
    "ejszaka": "night",
}
_RE_BREAK = re.compile(
    r"\b(?:az? )?(ebed\w*|kaveszunet\w*|szunet\w*|regisztracio\w*|vacsora\w*)"
    r"(?: (utan|elott|alatt|kozben|idejen|ideje alatt))?\b"
)
_RE_RANGE = re.compile(
    rf"\b{_CLOCK_NUM}\s?(?:-tol|-tol|tol|ora(?:tol)?)?\s?(?:-|es|—)\s?{_CLOCK_NUM}"
    rf"(?:-?(?:ig|kozott))?(?: ora)?(?: kozott)?(?![\d:])"
)
_RE_HALF = re.compile(
    rf"\b(fel|negyed|haromnegyed) ({_NUM_WORDS}|\d{{1,2}}){_SUF}(?: ora\w*)?\b"
    r"(?: (utan|elott))?"
)
_RE_WORD_HOUR = re.compile(rf"\b({_NUM_WORDS})(?:kor|ora\w*| orakor| ora)\b(?: (utan|elott))?")
_RE_CLOCK = re.compile(
    rf"\b{_CLOCK_NUM}(?: ?ora\w*|-kor|kor|-ig|-tol|-tol|-ra|-re|-as|-es)?"
    r"(?: (utan|elott|tol|ig|kor))?(?![\d:.])"
)
_RE_NOON = re.compile(r"\b(delben|del(?:i)?|deltol|delig|del utan|del elott)\b")
_RE_IN = re.compile(
    r"\b(?:(\d{1,3})|(fel|negyed|egy|ket|ketto|harom)) (perc|ora)\w* (?:mulva|belul)\b"
)
_AMOUNTS = {"fel": 0.5, "negyed": 0.25, "egy": 1, "ket": 2, "ketto": 2, "harom": 3}
_RE_NOW = re.compile(r"\b(?:most|jelenleg|eppen|epp|e pillanatban|aktualisan|eppen most)\b")
_RE_NEXT = re.compile(r"\b(?:kovetkez\w*|utana|ezutan|hamarosan|jon|jonnek)\b")
_RE_LATER = re.compile(r"\b(?:kesobb|ma meg|a nap hatralev\w*)\b")


def _hm(
    hour: int, minute: int, part: str | None, *, as_written: bool = False
) -> tuple[int, int] | None:
    """An hour as said: "3" in the afternoon is 15:00, "délelőtt 10" stays 10:00, and a
    small hour alone is the afternoon at a conference ("3-kor"), unless written "03:00"."""
    if not 0 <= hour <= 24 or not 0 <= minute <= 59:
        return None
    pm = part in ("afternoon", "evening", "night") and 1 <= hour < 12
    if pm or (part is None and 1 <= hour <= 7 and not as_written):
        hour += 12
    return hour % 24, minute


def _relation(word: str | None, text: str) -> Relation:
    if word in ("utan", "tol") or text.endswith(("tol", "-tol")):
        return Relation.AFTER
    if word in ("elott", "ig") or text.endswith(("ig", "-ig")):
        return Relation.BEFORE
    return Relation.AT


def read_time(folded: str, now: datetime, ctx: TimeContext, dates: bool) -> TimeSpec:
    """Hungarian time words: "ma délután 3-kor", "szerdán", "fél tizenegykor", "ebéd után"."""
    scan = Scan(folded)
    day: date | None = None
    this_day = False

    explicit, problem = numeric_date(scan, dates)
    if dates and explicit is None and (m := scan.take(_RE_MONTH_DATE)):
        explicit = _month_date(m, ctx, now)
        if explicit is None:
            problem = Problem(ProblemKind.NOT_A_DATE, m.group(0).strip())
    if dates and explicit is None and (m := scan.take(_RE_NUM_DATE)):
        month, dom = int(m.group(2)), int(m.group(3))
        explicit = ctx.month_day(month, dom) if 1 <= month <= 12 else None
        if explicit is not None and m.group(1):
            try:
                explicit = date(int(m.group(1)), month, dom)
            except ValueError:
                explicit = None
        if explicit is None:
            problem = Problem(ProblemKind.NOT_A_DATE, m.group(0).strip())
    day = explicit

    part: str | None = None
    tonight = False
    if day is None and (m := scan.take(_RE_REL_DAY)):
        word = m.group(1)
        if word == "ma este":
            day, this_day, part, tonight = now.date(), True, "evening", True
        elif word in ("ma", "mai"):
            day, this_day = now.date(), True
        elif word.startswith("holnaputan"):
            day = now.date() + timedelta(days=2)
        elif word.startswith("holnap"):
            day = now.date() + timedelta(days=1)
        else:
            day = now.date() - timedelta(days=1)
    if day is None and (m := scan.take(_RE_CONF_DAY)):
        n = _ORDINALS[m.group(1)] if m.group(1) else int(m.group(2))
        day, problem = ctx.conference_day(n, m.group(0).strip())
    if day is None and (m := scan.take(_RE_WEEKDAY)):
        day = ctx.weekday(_WEEKDAYS[m.group(1)], now)

    if part is None and (m := scan.take(_RE_PART)):
        part = _PART_OF[m.group(2)]
        if m.group(1) == "ma" and day is None:
            day, this_day = now.date(), True
            tonight = part in ("evening", "night")
        elif m.group(1) == "holnap" and day is None:
            day = now.date() + timedelta(days=1)

    brk: tuple[Relation, str] | None = None
    if m := scan.take(_RE_BREAK):
        noun, rel = m.group(1), m.group(2)
        word = (
            "coffee"
            if noun.startswith("kave")
            else "lunch"
            if noun.startswith("ebed")
            else "dinner"
            if noun.startswith("vacsora")
            else "registration"
            if noun.startswith("regisztracio")
            else "break"
        )
        relation = {"utan": Relation.AFTER, "elott": Relation.BEFORE}.get(
            rel or "", Relation.DURING
        )
        if rel is None and not noun.endswith(("ben", "ban", "kor", "nel", "nal")):
            # "mikor van a kávészünet": the break is the topic, not a time
            scan.give_back(m)
        else:
            brk = (relation, word)

    clock: tuple[Relation, tuple[int, int], tuple[int, int] | None] | None = None
    if m := scan.take(_RE_IN):  # "fél óra múlva", "20 perc múlva": from the clock
        amount = float(m.group(1)) if m.group(1) else _AMOUNTS[m.group(2)]
        clock, day = in_a_while(now, amount * (60 if m.group(3) == "ora" else 1), day)
    if clock is None and (m := scan.take(_RE_RANGE)):
        a = _hm(int(m.group(1)), int(m.group(2) or 0), part)
        b = _hm(int(m.group(3)), int(m.group(4) or 0), part)
        if a and b:
            if b <= a and b[0] + 12 < 24:
                b = (b[0] + 12, b[1])
            clock = (Relation.BETWEEN, a, b)
    if clock is None and (m := scan.take(_RE_HALF)):
        hour_word = m.group(2)
        hour = int(hour_word) if hour_word.isdigit() else _NUMBERS[hour_word]
        minutes = {"fel": 30, "negyed": 15, "haromnegyed": 45}[m.group(1)]
        t = _hm(hour - 1 if hour > 1 else 12, minutes, part)
        if t:
            clock = (_relation(m.group(3), ""), t, None)
    if clock is None and (m := scan.take(_RE_WORD_HOUR)):
        t = _hm(_NUMBERS[m.group(1)], 0, part)
        if t:
            clock = (_relation(m.group(2), ""), t, None)
    if clock is None and (m := scan.take(_RE_CLOCK)):
        text = m.group(0)
        said = re.search(r"ora|kor|[:.]\d\d|-ig|-tol|-ra|-re|utan|elott|ig\b|tol\b", text)
        if said or part is not None:
            t = _hm(int(m.group(1)), int(m.group(2) or 0), part, as_written=m.group(1)[0] == "0")
            if t:
                clock = (_relation(m.group(3), text.split(" ")[0]), t, None)
        else:  # a bare number is not a time: give it back to the topic
            scan.give_back(m)
    if clock is None and (m := scan.take(_RE_NOON)):
        word = m.group(1)
        rel = (
            Relation.AFTER
            if word in ("deltol", "del utan")
            else Relation.BEFORE
            if word in ("delig", "del elott")
            else Relation.AT
        )
        clock = (rel, (12, 0), None)

    flag = now_next_later(scan, _RE_NOW, _RE_NEXT, _RE_LATER)
    return TimeSpec(
        rest=scan.rest(),
        day=day,
        explicit=explicit,
        this_day=this_day,
        part=part,
        tonight=tonight,
        brk=brk,
        clock=clock,
        flag=flag,
        problem=problem,
    )


def _month_date(m: re.Match[str], ctx: TimeContext, now: datetime) -> date | None:
    """ "november 28-án": hun-date-parser on the isolated fragment, a single day only."""
    month, dom = _MONTHS[m.group(2)], int(m.group(3))
    fragment = m.group(0)[:40]
    try:
        from hun_date_parser import text2datetime

        found = text2datetime(fragment, now=now.replace(tzinfo=None))
    except Exception:  # a miss is fine: the regex already read the month and the day
        found = []
    for hit in found or ():
        start, end = hit.get("start_date"), hit.get("end_date")
        if (
            isinstance(start, datetime)
            and isinstance(end, datetime)
            and (end - start) < timedelta(days=1)
            and (start.month, start.day) == (month, dom)
        ):
            day = start.date()
            return ctx.snap_year(day) if not m.group(1) else day
    return ctx.month_day(month, dom)


LANGUAGE = Language(
    code="hu",
    rules=RULES,
    about=_ABOUT,
    roles=_ROLES,
    who_is=_WHO_IS,
    who_is_the=_WHO_IS_THE,
    yes_no=_YES_NO,
    conference_strong=_CONFERENCE_STRONG,
    conference_words=_CONFERENCE_WORDS,
    conference_stop=_CONFERENCE_STOP,
    stop_words=_STOP_WORDS,
    question_words=_QUESTION_WORDS,
    typo_prone=_TYPO_PRONE,
    place_words=_PLACE_WORDS,
    main_room=_MAIN_ROOM,
    kinds=_KINDS,
    languages=_LANGUAGES,
    read_time=read_time,
    lemma=lemma,
    prepare=prepare,
    variants=variants,
    warm=LEMMATISER.warm,
    room_nouns=frozenset(
        """terem teremben terembe termet termeben szoba szobaban helyiseg helyisegben
        eloadoterem eloadoteremben""".split()  # noqa: SIM905
    ),
    speak_words=frozenset(
        """beszel beszelnek beszelt eload eloadja eloadnak tart tartja tartanak szerepel
        szerepelnek""".split()  # noqa: SIM905
    ),
    markers=frozenset(
        """mikor hol ki kik mi mit milyen melyik van vannak lesz most ma holnap kovetkezik
        kovetkezo teremben terem eloadas eloadasok eloadasrol eloado az egy es is delutan
        delelott este reggel utan elott kedden szerdan csutortokon penteken szombaton
        vasarnap hetfon kaveszunet ebed szunet megy beszel tart valami orakor kor""".split()  # noqa: SIM905
    ),
    letters="őűáéíóöúü",
)
