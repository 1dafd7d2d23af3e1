"""Benchmark of the question engine on a generated 2,000-session agenda and on the largest
real export (FOSDEM 2014: 513 talks, 23 rooms, 44 tracks).

Run with ``python -m bench.questions``. Prints Markdown tables: the engine's build time
(median of a few builds), the memory the engine's indexes hold (``tracemalloc``), and the CPU
time per question (p50, p99, max) over a mix of questions: topics with and without typos,
speaker names, time windows, rooms by code and name, tracks as places, kinds, yes/no,
"now"/"next", questions about the conference and questions that find nothing. Targets: p99 <
10 ms and build < 1 s at 2,000 sessions.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
import tracemalloc
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.agenda.index import AgendaIndex
from bot.agenda.model import Conference, Session, SessionSpeaker, SessionType, Speaker
from bot.questions import QuestionEngine

TZ = ZoneInfo("Europe/Brussels")
FIRST_DAY = date(2025, 10, 14)

_TOPICS_TEXT = (
    "security resilience crisis management terrorism radicalisation extremism antisemitism "
    "cybersecurity infrastructure protection community policing intelligence cooperation "
    "prevention narratives returning foreign fighters western balkans youth engagement "
    "online hate speech platforms regulation artificial intelligence surveillance privacy "
    "fundamental rights rule of law democracy disinformation elections energy security "
    "border management migration integration education interfaith dialogue victims support "
    "forensics investigation prosecution financing sanctions drones critical entities "
    "hybrid threats resilience planning emergency response coordination exercises"
)
_TOPICS = _TOPICS_TEXT.split()
_FILLER_TEXT = (
    "the a of and in on for with to how what why new between across from into beyond through "
    "practice lessons learned case study approach framework strategy challenge future role "
    "europe european national local regional international partnership network experience"
)
_FILLER = _FILLER_TEXT.split()
_FIRST_TEXT = (
    "Anna Peter Maria Jan Eva Tomas Julia Marek Sofia Lukas Elena David Nora Pavel Ines Karl "
    "Rosa Ivan Lea Omar Sara Milan Hana Felix Clara Adam Zofia Bruno Alma Viktor"
)
_FIRST = _FIRST_TEXT.split()
_LAST_TEXT = (
    "Novak Horvath Kovacs Schmidt Dubois Rossi Nagy Varga Fischer Wagner Janssen Peeters "
    "Kowalski Nowak Svoboda Dvorak Meyer Weber Moreau Laurent Bianchi Romano Silva Costa "
    "Lindqvist Berg Hansen Larsen Virtanen Korhonen Popescu Ionescu Petrov Ivanova Sztaray"
)
_LAST = _LAST_TEXT.split()


_SYLLABLES_TEXT = "ka lo mi ne ru sa te vi zo ber dan fel gor hin jul kor lin mar nor pol"
_SYLLABLES = _SYLLABLES_TEXT.split()
#: Rare words, so the vocabulary is as large as a real programme's (~20,000 words) and the
#: fuzzy look-up of a misspelt word scans a realistic number of candidates.
_RARE_RNG = random.Random(1)
_RARE = sorted(
    {
        "".join(_RARE_RNG.choice(_SYLLABLES) for _ in range(2 + i % 3))
        + ("tion", "ism", "ing", "al", "")[i % 5]
        for i in range(30_000)
    }
)


def _sentence(rng: random.Random, n: int) -> str:
    words = [
        rng.choice(_TOPICS if r < 0.35 else _FILLER if r < 0.8 else _RARE)
        for r in (rng.random() for _ in range(n))
    ]
    return " ".join(words).capitalize() + "."


def make_conference(n_sessions: int = 2000, seed: int = 7) -> Conference:
    """A synthetic multi-track conference: 4 days, 25 rooms, breaks, 1,200 speakers."""
    rng = random.Random(seed)
    speakers: dict[str, Speaker] = {}
    for i in range(1200):
        middle = "" if i < 400 else f" {rng.choice(_FIRST)}"
        name = f"{rng.choice(_FIRST)}{middle} {rng.choice(_LAST)}"
        speakers[f"sp{i}"] = Speaker(
            f"sp{i}", name, affiliation=_sentence(rng, 5), bio=_sentence(rng, 25)
        )
    speaker_ids = list(speakers)
    rooms = [f"Room {chr(65 + i)}" for i in range(20)] + [
        "Plenary Hall",
        "Auditorium",
        "Europa",
        "Atrium",
        "Studio",
    ]
    tracks = [f"{rng.choice(_TOPICS).title()} track" for _ in range(12)]
    sessions: list[Session] = []
    days = [FIRST_DAY + timedelta(days=d) for d in range(4)]
    per_day = n_sessions // len(days)
    for day in days:
        for kind, title, (h1, m1), (h2, m2) in (
            ("coffee", "Coffee break", (10, 30), (11, 0)),
            ("lunch", "Lunch", (13, 0), (14, 0)),
            ("coffee2", "Coffee break", (15, 30), (16, 0)),
        ):
            sessions.append(
                Session(
                    f"{day}-{kind}",
                    title,
                    datetime(day.year, day.month, day.day, h1, m1, tzinfo=TZ),
                    datetime(day.year, day.month, day.day, h2, m2, tzinfo=TZ),
                    room="Foyer",
                    type=SessionType.BREAK,
                )
            )
        for i in range(per_day - 3):
            room = rooms[i % len(rooms)]
            slot = i // len(rooms)
            start = datetime(day.year, day.month, day.day, 8, 0, tzinfo=TZ) + timedelta(
                minutes=35 * slot
            )
            parts = tuple(
                SessionSpeaker(sid, "moderator" if j == 0 and rng.random() < 0.2 else "speaker")
                for j, sid in enumerate(rng.sample(speaker_ids, rng.randint(1, 4)))
            )
            sessions.append(
                Session(
                    f"{day}-{i}",
                    _sentence(rng, rng.randint(4, 9)).rstrip("."),
                    start,
                    start + timedelta(minutes=30),
                    room=room,
                    track=rng.choice(tracks),
                    type=rng.choice((SessionType.TALK, SessionType.PANEL, SessionType.WORKSHOP)),
                    abstract=" ".join(_sentence(rng, rng.randint(10, 20)) for _ in range(5)),
                    speakers=parts,
                    day=day,
                )
            )
    return Conference(
        "Benchmark Security Summit",
        TZ,
        tuple(sessions),
        speakers,
        venue="Congress Centre",
        city="Brussels",
        declared_rooms=(*rooms, "Foyer"),
    )


QUESTIONS = (
    "when is the session on crisis management?",
    "when is the sesion on crisis managment",
    "who moderates the panel on hybrid threats",
    "where is peter sztaray speaking?",
    "where is petr sztarai speaking",
    "what's on now?",
    "what's next?",
    "what's on after lunch?",
    "anything in the plenary room this afternoon",
    "what's on tomorrow at 11",
    "when do the welcoming remarks start",
    "what time is the coffee break",
    "antisemitsm coordinator",
    "SACC",
    "who is anna novak",
    "sessions about returning fighters",
    "anything on the western balkans?",
    "when does Maria Kovacs speak",
    "where is the venue",
    "what are the dates",
    "when is the quantum computing workshop",
    "asdfgh",
    "what's on day 3 in room c",
    "online hate speech regulation platforms",
    "cyber securty",
    "disinformaton elections",
    "what's on 16 october after the coffee break",
    "who is speaking now in room b",
    "artificial intelligence surveillance privacy fundamental rights",
    "where is the prevention track",
    "is the drones track today",
    "what's on in room c at 3pm",
    "next in the auditorium",
    "any workshops tomorrow morning about cybersecurity",
    "is there a panel now",
    "x" * 400,
)
#: Questions as people ask them at FOSDEM, for the real export.
FOSDEM_QUESTIONS = (
    "what's in the go devroom",
    "python talks tomorrow morning",
    "when does Lennart speak",
    "anything about postgres after 3",
    "is there a keynote now",
    "where is janson",
    "next in k.1.105",
    "what's on in ud2.120 at 11",
    "is the go devroom today",
    "where is the python devroom",
    "containers",
    "at 3pm in the perl room",
    "h 1302 now",
    "what's on in the main hall now",
    "the state of openjdk",
    "kubernetes",
    "when does karen sandler speak",
    "graphics devroom sunday",
    "whats on in aw1 120 at 2pm",
    "lenart poetering",
)
#: The same kinds of question in Hungarian, over the generated (English) agenda.
HU_QUESTIONS = (
    "mi van most?",
    "mi következik?",
    "mikor van a kávészünet?",
    "mi van ebéd után?",
    "mi lesz holnap délelőtt?",
    "mikor beszél Anna Novak?",
    "hol beszél Sztaray Péter?",
    "előadások a terrorizmusról",
    "van valami a kiberbiztonságról?",
    "mi van a C teremben 3-kor?",
    "mi van fél tizenegykor?",
    "panelbeszélgetések holnap",
    "mi van szerdán 14 órakor?",
    "mi van 10.16. 10:00-kor?",
    "melyik teremben van a válságkezelés?",
    "ki moderálja a hibrid fenyegetésekről szóló panelt?",
    "van most workshop?",
    "hol van a prevention track?",
    "mi van a plenáris teremben ma délután?",
    "van valami a kvantumszámítógépekről?",
)
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "schedules"


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def run(n_sessions: int, rounds: int, builds: int) -> str:
    conference = make_conference(n_sessions)
    now = datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day + 1, 11, 5, tzinfo=TZ)
    title = (
        f"Question engine on a generated agenda: {len(conference.sessions)} sessions, "
        f"{len(conference.speakers)} speakers, {len(conference.rooms)} rooms"
    )
    return _report(title, conference, QUESTIONS, now, rounds, builds)


def run_hungarian(n_sessions: int, rounds: int, builds: int) -> str:
    from bot.questions.lang.hu import LEMMATISER

    before = _rss_mib()
    t0, c0 = time.perf_counter(), time.process_time()
    LEMMATISER.wait()  # once per process, in the background in the bot
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    load = f"{cpu * 1000:.0f} ms CPU / {wall * 1000:.0f} ms"
    conference = make_conference(n_sessions)
    now = datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day + 1, 11, 5, tzinfo=TZ)
    title = (
        f"Hungarian questions on the generated agenda: {len(conference.sessions)} sessions"
        f" (simplemma's Hungarian dictionary loaded first, once per process: {load},"
        f" {_rss_growth_mib(before):.0f} MiB)"
    )
    return _report(title, conference, HU_QUESTIONS, now, rounds, builds)


def _rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_growth_mib(before: float) -> float:
    return _rss_mib() - before


def run_real(path: Path, zone: str, now: datetime, rounds: int, builds: int) -> str:
    from bot.agenda.loaders import load_agenda

    conference = load_agenda(path, ZoneInfo(zone)).conference
    tracks = len({s.track for s in conference.sessions if s.track})
    title = (
        f"Question engine on {path.name}: {len(conference.sessions)} sessions, "
        f"{len(conference.speakers)} speakers, {len(conference.rooms)} rooms, {tracks} tracks"
    )
    return _report(
        title, conference, FOSDEM_QUESTIONS, now.replace(tzinfo=ZoneInfo(zone)), rounds, builds
    )


def _report(
    title: str,
    conference: Conference,
    questions: Sequence[str],
    now: datetime,
    rounds: int,
    builds: int,
) -> str:
    build_times: list[float] = []
    build_cpu: list[float] = []
    engine: QuestionEngine | None = None
    for _ in range(builds):
        index = AgendaIndex(conference)
        t0, c0 = time.perf_counter(), time.process_time()
        engine = QuestionEngine(index)
        build_times.append(time.perf_counter() - t0)
        build_cpu.append(time.process_time() - c0)
    assert engine is not None
    memory = _index_memory(conference)
    for q in questions:  # warm the caches a long-running bot would have warm
        engine.ask(q, now)
    samples, per_question = _measure(engine, now, rounds, questions)
    # The outliers are the cyclic GC walking the agenda's objects; gc.freeze() after loading
    # the agenda moves them out of its way.
    gc.collect()
    gc.freeze()
    try:
        frozen, _ = _measure(engine, now, rounds, questions)
    finally:
        gc.unfreeze()
    slowest = max(per_question, key=lambda q: statistics.median(per_question[q]))
    ms = 1000.0
    lines = [
        f"{title}; {len(engine.search.text.postings)} indexed words; {len(questions)} questions"
        f" x {rounds} rounds, CPU time (`time.process_time`).",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| engine build, median of {builds}: CPU / wall | {statistics.median(build_cpu) * ms:.0f}"
        f" ms / {statistics.median(build_times) * ms:.0f} ms |",
        f"| memory held by the engine's indexes | {memory / 2**20:.1f} MiB |",
        f"| question p50 | {_percentile(samples, 50) * ms:.2f} ms |",
        f"| question p99 | {_percentile(samples, 99) * ms:.2f} ms |",
        f"| question max | {max(samples) * ms:.2f} ms |",
        f"| question p99 / max after `gc.freeze()` | {_percentile(frozen, 99) * ms:.2f} ms /"
        f" {max(frozen) * ms:.2f} ms |",
        f"| slowest question (median) | {statistics.median(per_question[slowest]) * ms:.2f} ms:"
        f" `{slowest[:50]}` |",
    ]
    return "\n".join(lines)


def _index_memory(conference: Conference) -> int:
    """Bytes allocated (and kept) by building the engine over an already loaded agenda."""
    index = AgendaIndex(conference)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        engine = QuestionEngine(index)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del engine
    return after - before


def _measure(
    engine: QuestionEngine, now: datetime, rounds: int, questions: Sequence[str]
) -> tuple[list[float], dict[str, list[float]]]:
    samples: list[float] = []
    per_question: dict[str, list[float]] = {q: [] for q in questions}
    for _ in range(rounds):
        for q in questions:
            t0 = time.process_time()
            engine.ask(q, now)
            dt = time.process_time() - t0
            samples.append(dt)
            per_question[q].append(dt)
    return samples, per_question


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--builds", type=int, default=5)
    parser.add_argument("--no-real", action="store_true", help="skip the real FOSDEM export")
    args = parser.parse_args()
    print(run(args.sessions, args.rounds, args.builds))
    print()
    print(run_hungarian(args.sessions, args.rounds, max(1, args.builds // 2)))
    fosdem = SHARED / "fosdem-2014-pentabarf.xml"
    if not args.no_real and fosdem.exists():
        print()
        saturday = datetime(2014, 2, 1, 11, 20)
        print(run_real(fosdem, "Europe/Brussels", saturday, args.rounds, args.builds))


if __name__ == "__main__":
    main()
