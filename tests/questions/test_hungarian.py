"""Hungarian questions: time words, inflection folded with the lemmatiser's traps guarded, the
language told from the question itself, and nothing a Hungarian question can type breaks it."""

from __future__ import annotations

import logging
import random
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.questions import Answer, QuestionEngine, WindowKind
from bot.questions.answer import Relation
from bot.questions.lang import languages
from bot.questions.lang.hu import LANGUAGE as HU
from bot.questions.lang.hu import candidates, lemma, prepare
from bot.questions.normalize import fold
from bot.questions.timeexpr import TimeContext, TimeParse, parse_time
from tests.questions.conftest import REPO, engine_for

BRUSSELS = ZoneInfo("Europe/Brussels")
#: a Tuesday and a Wednesday, so "kedden" and "szerdán" are conference days
DAYS = (date(2024, 11, 26), date(2024, 11, 27))
CTX = TimeContext(BRUSSELS, DAYS)
MONDAY_EVENING = datetime(2024, 11, 25, 18, 0, tzinfo=BRUSSELS)
TUESDAY_MORNING = datetime(2024, 11, 26, 8, 30, tzinfo=BRUSSELS)


def hu(text: str, now: datetime = TUESDAY_MORNING, ctx: TimeContext = CTX) -> TimeParse:
    return parse_time(fold(text), now, ctx, lang=HU)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BRUSSELS)


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("14 órakor", _at(DAYS[0], 14)),
        ("fél háromkor", _at(DAYS[0], 14, 30)),  # half past two: "half (to) three"
        ("fél tizenegykor", _at(DAYS[0], 10, 30)),
        ("ma délután 3-kor", _at(DAYS[0], 15)),
        ("délelőtt 10-kor", _at(DAYS[0], 10)),
        ("este 8-kor", _at(DAYS[0], 20)),
        ("negyed 3-kor", _at(DAYS[0], 14, 15)),
        ("háromnegyed 10-kor", _at(DAYS[0], 9, 45)),
        ("szerdán 11-kor", _at(DAYS[1], 11)),
        ("holnap 9:30-kor", _at(DAYS[1], 9, 30)),
        ("11.27. 10:00", _at(DAYS[1], 10)),  # month.day., the Hungarian order
        ("november 27-én 14:00-kor", _at(DAYS[1], 14)),
        ("fél óra múlva", _at(DAYS[0], 9)),  # asked at 08:30
        ("20 perc múlva", _at(DAYS[0], 8, 50)),
    ],
)
def test_clock_times(text: str, start: datetime) -> None:
    w = hu(text).window
    assert w is not None, text
    assert w.start == start, text


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("ma", DAYS[0]),
        ("holnap", DAYS[1]),
        ("kedden", DAYS[0]),  # the conference's Tuesday, asked on the Monday before
        ("szerdán", DAYS[1]),
        ("a második napon", DAYS[1]),
        ("az első nap", DAYS[0]),
        ("az utolsó napon", DAYS[1]),
        ("november 26-án", DAYS[0]),
    ],
)
def test_days(text: str, day: date) -> None:
    w = hu(text, now=MONDAY_EVENING).window if text not in ("ma", "holnap") else hu(text).window
    assert w is not None, text
    assert w.day == day, text


def test_dateparser_trap_a_numeric_date_is_not_2109() -> None:
    ctx = TimeContext(BRUSSELS, (date(2024, 9, 15),))
    w = hu("09.15. 10:00", now=datetime(2024, 9, 14, 12, tzinfo=BRUSSELS), ctx=ctx).window
    assert w is not None
    assert w.start == _at(date(2024, 9, 15), 10)


def test_parts_of_the_day_and_breaks() -> None:
    morning = hu("délelőtt").window
    assert morning is not None
    assert morning.part == "morning"
    afternoon = hu("délután").window
    assert afternoon is not None
    assert (afternoon.start, afternoon.end) == (_at(DAYS[0], 12), _at(DAYS[0], 18))
    tonight = hu("ma este").window
    assert tonight is not None
    assert tonight.part == "tonight"
    lunch = hu("ebéd után").window  # no lunch in this context: the usual 12:30-13:30
    assert lunch is not None
    assert lunch.relation is Relation.AFTER
    assert lunch.anchor == "lunch"
    assert lunch.start == _at(DAYS[0], 13, 30)


def test_now_next_and_bare_numbers() -> None:
    now = hu("mi van most").window
    assert now is not None
    assert now.kind is WindowKind.NOW
    nxt = hu("mi következik").window
    assert nxt is not None
    assert nxt.kind is WindowKind.NEXT
    assert hu("a 2 szekció").window is None  # a bare number is not an hour
    during = hu("mi van kávészünetben")  # during the break: a time (none in this context)
    assert during.problem is not None
    assert hu("mikor van a kávészünet").window is None  # the break asked about: a topic


def test_inflection_is_folded_to_what_the_agenda_knows() -> None:
    agenda_words = {"janson", "devroom", "lennart", "sztaray", "k.1.105"}

    def known(word: str) -> bool:
        return word in agenda_words

    assert prepare("mi van most a jansonban", known) == "mi van most a janson"
    assert prepare("mi van a k.1.105-ben", known) == "mi van a k.1.105"
    assert prepare("valami a pythonrol", lambda w: w == "python") == "valami a python"
    assert prepare("mikor beszel lennarttal", known) == "mikor beszel lennart"
    assert prepare("mi van kedden 3-kor", known) == "mi van kedden 3-kor"  # time words kept
    assert "terem" in candidates("teremben")
    assert "eloadas" in candidates("eloadasrol")
    assert "panelbeszelgetes" in candidates("panelbeszelgetesen")


def test_lemmatiser_traps_are_guarded() -> None:
    # simplemma reads "kávészünet" as "kávés" (coffee-ish) and "Sztárayról" as "sztár" (star)
    assert lemma("kaveszunet", "kávészünet", lambda w: False) == ("coffee", "break")
    assert lemma("kaveszunetben", "kávészünetben", lambda w: False) == ("coffee", "break")
    assert lemma("sztarayrol", "sztárayról", lambda w: w == "sztaray") == ("sztaray",)
    assert lemma("masodik", "második", lambda w: False) == ("2",)  # "a második szekció"


def test_the_language_comes_from_the_question(brussels: QuestionEngine) -> None:
    now = datetime(2024, 11, 27, 8, 45)
    assert brussels.ask("mi van most?", now, lang="en").lang == "hu"
    assert brussels.ask("what's on now?", now, lang="hu").lang == "en"
    assert brussels.ask("Mikor beszél Sztáray Péter?", now).lang == "hu"
    # a name alone says nothing: the user's language decides
    assert brussels.ask("Kalenova", now, lang="hu").lang == "hu"
    assert brussels.ask("Kalenova", now, lang="en").lang == "en"
    assert set(languages()) >= {"en", "hu"}


def test_hungarian_speaker_questions(brussels: QuestionEngine) -> None:
    now = datetime(2024, 11, 27, 8, 45)
    answer = brussels.ask("Mikor beszél Sztáray Péter?", now)
    assert [sp.id for sp in answer.speakers] == ["peter-sztaray"]
    assert {s.id for s in answer.sessions} == {"keynote-sztaray", "panel-security-landscape"}
    who = brussels.ask("ki moderálja az október 7-i panelt?", now)
    assert [sp.id for sp in who.speakers] == ["ophir-revach"]


def test_random_hungarian_never_raises(caplog: pytest.LogCaptureFixture) -> None:
    engine = engine_for(REPO / "data" / "budapest-counter-terrorism.yaml")
    rng = random.Random(16)
    vocab = (  # noqa: SIM905
        "mi van most mikor hol ki melyik teremben előadás előadásról kávészünet ebéd után "
        "előtt fél háromkor 14 órakor 3-kor kedden szerdán holnap ma délután délelőtt este "
        "-e van-e lesz 11.08. 10:00 november 8-án első második napon panelbeszélgetésen "
        "terrorizmusról fiatalokról ő ű é á 0 99:99 fél 25 órakor"
    ).split()
    now = datetime(2019, 11, 7, 8, 45)
    with caplog.at_level(logging.ERROR):
        for _ in range(300):
            text = " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 9)))
            assert isinstance(engine.ask(text, now), Answer), text
        engine.ask("fél " * 200, now)
        engine.ask("ő" * 1000, now)
    assert not [r for r in caplog.records if "question engine failed" in r.getMessage()]
