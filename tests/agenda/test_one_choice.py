"""A choice of one is no choice: the bot shows the one thing instead of a button for it."""

from __future__ import annotations

from bot.agenda.state import AgendaState
from bot.questions.answer import Answer, Intent
from handlers import render
from tests.core_env import brussels_state


def test_a_one_day_agenda_is_the_day_itself() -> None:
    state = brussels_state()
    msg = render.agenda_view(state, set())
    assert "Which day" not in msg.html
    assert "Wednesday 27 November 2024" in msg.html
    datas = [b.data for row in msg.buttons for b in row]
    assert "ag" not in datas, "no Days button leading to a choice of one"
    assert any(d and d.startswith("s:") for d in datas)


def test_a_question_that_finds_one_speaker_and_no_session_shows_the_profile() -> None:
    state: AgendaState = brussels_state()
    speaker = next(iter(state.conference.speakers.values()))
    msg = render.answer(state, Answer(Intent.UNKNOWN, speakers=(speaker,)), speaker.name)
    assert "Several matches" not in msg.html
    assert msg.html.startswith(f"<b>{speaker.name}</b>")
