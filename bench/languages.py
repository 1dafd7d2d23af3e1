"""What speaking a language costs when rendering: the same pages in English and Hungarian.

Renders, on the Brussels sample, a day page (12 sessions), a session card, a reminder and a
question's answer, each inside ``use_locale`` as a handler or the outbox does, plus the
per-update cost of setting the language (``set_locale``, what the tracking handler does for
every update). The "multilingual" rows render a day page of a generated agenda whose titles
and abstracts come in three languages, where each title is picked by the reader's language.

    python -m bench.languages [--reps 2000]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from bench import machine, table
from bot import texts
from bot.agenda.loaders import load_agenda
from bot.agenda.state import AgendaState
from bot.i18n import reset_locale, set_locale, use_locale
from handlers import render

ROOT = Path(__file__).resolve().parents[1]
BRUSSELS = ROOT / "data" / "brussels-security-resilience.yaml"


def _median_us(fn: Callable[[], object], reps: int) -> float:
    for _ in range(min(50, reps)):  # warm: catalogues compiled, caches filled
        fn()
    samples = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        samples.append((time.perf_counter() - t0) / reps * 1e6)
    return statistics.median(samples)


def _multilingual(state: AgendaState) -> AgendaState:
    """The sample's sessions with titles and abstracts in en, hu and de (as pretalx gives)."""
    conf = state.conference
    sessions = tuple(
        dataclasses.replace(
            s,
            titles=(("en", s.title), ("hu", f"{s.title} (magyarul)"), ("de", f"{s.title} (de)")),
            abstracts=(("en", s.abstract), ("hu", s.abstract + " hu"), ("de", s.abstract)),
        )
        for s in conf.sessions
    )
    result = dataclasses.replace(
        state.result, conference=dataclasses.replace(conf, sessions=sessions)
    )
    return AgendaState(result=result, source="multilingual").prepare()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=2000)
    args = parser.parse_args(argv)
    reps = args.reps

    state = AgendaState(result=load_agenda(BRUSSELS), source="bench").prepare()
    many = _multilingual(state)
    day = state.index.days[0]
    session = state.index.session("panel-october-7")
    assert session is not None
    people = state.speakers_of(session)
    now = session.start - timedelta(hours=2)
    answer = state.questions.ask("what's on in the plenary hall this afternoon", now)

    pages: dict[str, Callable[[], object]] = {
        "day page (12 sessions)": lambda: render.day_page(state, day, 0, set()),
        "session card": lambda: render.session_card(state, session, bookmarked=True, now=now),
        "reminder": lambda: texts.reminder(session, people, 10),
        "a question's answer": lambda: render.answer(state, answer, "q"),
        "day page, titles in 3 languages": lambda: render.day_page(many, day, 0, set()),
    }
    rows = []
    for name, fn in pages.items():
        timings = {}
        for code in ("en", "hu"):
            with use_locale(code):
                timings[code] = _median_us(fn, reps)
        rows.append(
            (
                name,
                f"{timings['en']:.1f}",
                f"{timings['hu']:.1f}",
                f"{timings['hu'] / timings['en']:.2f}x",
            )
        )

    def per_update() -> None:
        reset_locale(set_locale("hu-HU"))

    rows.append(
        ("set the update's language (set_locale)", f"{_median_us(per_update, reps):.2f}", "", "")
    )
    print(machine())
    print(table(("render (median µs)", "en", "hu", "hu / en"), rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
