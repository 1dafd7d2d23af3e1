"""Turning agenda objects into messages with buttons: cards, day pages, lists.

Wording comes from ``bot.texts``; this module only arranges it and the keyboards, and keeps
every message under Telegram's 4096 characters.
"""

from __future__ import annotations

from datetime import date, datetime

from bot import texts
from bot.agenda.model import Session, Speaker
from bot.agenda.state import AgendaState
from bot.outgoing import Button, Keyboard, OutgoingMessage, clip, fits, quoted
from bot.qa import queue_visible, takes_questions
from bot.questions.answer import Answer, Intent, WindowKind
from handlers.callbacks import encode, session_key

DAY_PAGE = 12
LIST_PAGE = 16


def session_label(session: Session, *, with_day: bool = False, mark: str = "") -> str:
    """A button naming a session: ``mark``, its start (and day) and its title, within 60
    characters."""
    when = texts.hm(session.start)
    if with_day:
        when = f"{texts.day_label(session.listed_day)} {when}"
    return clip(f"{mark}{when} {texts.title_of(session)}", 60)


def session_button(session: Session, *, with_day: bool = False) -> Button:
    return Button(session_label(session, with_day=with_day), encode("s", session_key(session.id)))


def speaker_button(speaker: Speaker) -> Button:
    return Button(clip(speaker.name, 60), encode("sp", speaker.id))


def day_buttons(state: AgendaState) -> Keyboard:
    days = state.index.days
    row: list[Button] = []
    rows: list[tuple[Button, ...]] = []
    for d in days:
        row.append(Button(texts.day_label(d), encode("d", d.strftime("%Y%m%d"), 0)))
        if len(row) == 3:
            rows.append(tuple(row))
            row = []
    if row:
        rows.append(tuple(row))
    return tuple(rows)


def choose_day(state: AgendaState, timetable: str | None = None) -> OutgoingMessage:
    """The days, and the timetable Mini App's button when its address is given."""
    rows = day_buttons(state)
    if timetable:
        rows = (*rows, (Button(texts.open_timetable_button(), web_app=timetable),))
    return OutgoingMessage(texts.choose_day(state.conference), rows)


def agenda_view(
    state: AgendaState, marked: set[str], timetable: str | None = None
) -> OutgoingMessage:
    """/agenda and the Days button: the days to choose from, or, on a one-day conference,
    that day itself (a "Which day?" with one answer is a needless tap); the timetable Mini
    App's button under either when its address is given."""
    days = state.index.days
    if len(days) != 1:
        return choose_day(state, timetable)
    page = day_page(state, days[0], 0, marked)
    if not timetable:
        return page
    button = Button(texts.open_timetable_button(), web_app=timetable)
    return OutgoingMessage(page.html, (*page.buttons, (button,)))


def day_page(state: AgendaState, day: date, page: int, marked: set[str]) -> OutgoingMessage:
    sessions = state.index.on_day(day)
    pages = max(1, -(-len(sessions) // DAY_PAGE))
    page = min(max(page, 0), pages - 1)
    chunk = sessions[page * DAY_PAGE : (page + 1) * DAY_PAGE]
    lines = [texts.day_header(day, page, pages), ""]
    last_start: datetime | None = None
    for s in chunk:
        if last_start is not None and s.start != last_start:
            lines.append("")
        lines.append(texts.slot_line(s, marked=s.id in marked))
        last_start = s.start
    rows: list[tuple[Button, ...]] = [(session_button(s),) for s in chunk if not s.is_break]
    nav: list[Button] = []
    stamp = day.strftime("%Y%m%d")
    if page > 0:
        nav.append(Button(texts.earlier_button(), encode("d", stamp, page - 1)))
    if len(state.index.days) > 1:
        nav.append(Button(texts.days_button(), encode("ag")))
    if page + 1 < pages:
        nav.append(Button(texts.later_button(), encode("d", stamp, page + 1)))
    if nav:
        rows.append(tuple(nav))
    return OutgoingMessage(fits("\n".join(lines)), tuple(rows))


def card_buttons(
    state: AgendaState, session: Session, *, bookmarked: bool, now: datetime
) -> Keyboard:
    """The session card's buttons; bookmark, calendar and rating live here for every feature."""
    key = session_key(session.id)
    rows: list[tuple[Button, ...]] = []
    if not session.is_break:
        bookmark = Button(texts.bookmark_label(bookmarked), encode("bm", key))
        rows.append((bookmark, Button(texts.calendar_button(), encode("ics", key))))
        if session.start <= now:
            rows.append((Button(texts.rate_button(), encode("rs", key)),))
        rows += qa_buttons(session, now)
    people = [speaker_button(sp) for sp, _ in state.speakers_of(session)]
    for i in range(0, len(people), 2):
        rows.append(tuple(people[i : i + 2]))
    rows.append(
        (Button(texts.back_to_day_button(), encode("d", session.listed_day.strftime("%Y%m%d"), 0)),)
    )
    return tuple(rows)


def qa_buttons(session: Session, now: datetime) -> list[tuple[Button, ...]]:
    """ "❓ Ask a question" while the session takes questions, "💬 Questions" from then on."""
    key = session_key(session.id)
    row: list[Button] = []
    if takes_questions(session, now):
        row.append(Button(texts.qa_ask_button(), encode("qa", key)))
    if queue_visible(session, now):
        row.append(Button(texts.qa_questions_button(), encode("qo", key)))
    return [tuple(row)] if row else []


def session_card(
    state: AgendaState, session: Session, *, bookmarked: bool, now: datetime
) -> OutgoingMessage:
    text = texts.session_card(session, state.speakers_of(session), bookmarked=bookmarked)
    return OutgoingMessage(fits(text), card_buttons(state, session, bookmarked=bookmarked, now=now))


def speaker_profile(state: AgendaState, speaker: Speaker) -> OutgoingMessage:
    sessions = []
    for s in state.index.of_speaker(speaker.id):
        role = next((p.role for p in s.speakers if p.speaker_id == speaker.id), "speaker")
        sessions.append((s, role))
    rows = tuple((session_button(s, with_day=True),) for s, _ in sessions)
    return OutgoingMessage(fits(texts.speaker_profile(speaker, sessions)), rows)


def speakers_page(state: AgendaState, page: int) -> OutgoingMessage:
    people = sorted(state.conference.speakers.values(), key=lambda sp: sp.name.casefold())
    pages = max(1, -(-len(people) // LIST_PAGE))
    page = min(max(page, 0), pages - 1)
    chunk = people[page * LIST_PAGE : (page + 1) * LIST_PAGE]
    rows: list[tuple[Button, ...]] = [
        tuple(speaker_button(sp) for sp in chunk[i : i + 2]) for i in range(0, len(chunk), 2)
    ]
    nav: list[Button] = []
    if page > 0:
        nav.append(Button(texts.previous_button(), encode("spl", page - 1)))
    if page + 1 < pages:
        nav.append(Button(texts.next_button(), encode("spl", page + 1)))
    if nav:
        rows.append(tuple(nav))
    suffix = f" ({page + 1}/{pages})" if pages > 1 else ""
    return OutgoingMessage(texts.speakers_list(state.conference, len(people)) + suffix, tuple(rows))


def session_list(header: str, sessions: list[Session] | tuple[Session, ...]) -> OutgoingMessage:
    rows = tuple((session_button(s, with_day=True),) for s in sessions[:8] if not s.is_break)
    return OutgoingMessage(fits(header), rows)


def answer(
    state: AgendaState,
    reply: Answer,
    question: str,
    *,
    page: int = 0,
    more_key: str | None = None,
) -> OutgoingMessage:
    """A question's answer: what was found, each a button, or else what was understood.

    ``page`` pages through everything that matched; ``more_key`` (the question remembered by
    the handler) makes the "N more" button, absent when there is nothing to page.
    """
    conf = state.conference
    if reply.problem:
        return OutgoingMessage(texts.time_problem(reply.problem))
    if reply.intent is Intent.CONFERENCE or (reply.conference_info and not reply.sessions):
        return OutgoingMessage(fits(texts.conference_info(conf)), day_buttons(state))
    if reply.intent is Intent.SPEAKER and reply.speakers:
        first = speaker_profile(state, reply.speakers[0])
        others = tuple((speaker_button(sp),) for sp in reply.speakers[1:5])
        return OutgoingMessage(first.html, first.buttons + others)
    if not reply.sessions and len(reply.speakers) == 1:
        return speaker_profile(state, reply.speakers[0])
    if not reply.sessions and reply.speakers:
        rows = tuple((speaker_button(sp),) for sp in reply.speakers[:8])
        return OutgoingMessage(texts.several_matches(quoted(question, 80)), rows)
    if reply.intent is Intent.PLACE:
        return _place(state, reply, page, more_key)
    if not reply.sessions:
        return _nothing(state, reply, question)
    verdict = texts.answer_verdict(reply.verdict) + "\n" if reply.verdict is not None else ""
    if reply.intent is Intent.WHO:
        # "who moderates ..." names only the people the engine found in that role.
        only = {sp.id for sp in reply.speakers} or None
        body = "\n\n".join(
            texts.answer_who(s, _people(state, s, reply.roles, only)) for s in reply.sessions[:3]
        )
        return session_list(verdict + body, reply.sessions)
    shown, rest = _page(reply, page)
    head = texts.answer_heading(reply, len(shown), page * _page_size(reply))
    lines = [verdict + head, ""]
    for s in shown:
        lines.append(_answer_line(state, s, reply))
    msg = session_list("\n".join(lines), shown)
    return OutgoingMessage(msg.html, msg.buttons + _more_row(rest, more_key, page))


def _page_size(reply: Answer) -> int:
    return max(1, len(reply.sessions))


def _page(reply: Answer, page: int) -> tuple[tuple[Session, ...], int]:
    """The sessions of one page of an answer, and how many come after it."""
    everything = reply.matches or reply.sessions
    size = _page_size(reply)
    pages = max(1, -(-len(everything) // size))
    page = min(max(page, 0), pages - 1)
    chunk = tuple(everything[page * size : (page + 1) * size])
    return chunk, max(0, len(everything) - (page + 1) * size)


def _more_row(rest: int, key: str | None, page: int) -> tuple[tuple[Button, ...], ...]:
    if rest <= 0 or key is None:
        return ()
    return ((Button(texts.answer_more_button(rest), encode("qm", key, page + 1)),),)


def _answer_line(state: AgendaState, s: Session, reply: Answer) -> str:
    line = texts.answer_line(s, state.speakers_of(s))
    if reply.asked_at is not None and s.end <= reply.asked_at:
        first, _, tail = line.partition("\n")
        line = f"{first} {texts.answer_past_mark()}" + (f"\n{tail}" if tail else "")
    return line


def _place(state: AgendaState, reply: Answer, page: int, key: str | None) -> OutgoingMessage:
    """Where and when a track or room runs ("where is the go devroom", "is janson open")."""
    name = reply.track or reply.room or ""
    lines = []
    if reply.verdict is not None:
        lines.append(texts.answer_place_verdict(reply.verdict, name, reply.window, reply.asked_at))
    lines.append(
        texts.answer_place(name, reply.stints, is_track=reply.track is not None, now=reply.asked_at)
    )
    shown, rest = _page(reply, page)
    if shown:
        lines.append("")
        lines.extend(_answer_line(state, s, reply) for s in shown)
    msg = session_list("\n".join(lines), shown)
    return OutgoingMessage(msg.html, msg.buttons + _more_row(rest, key, page))


def _nothing(state: AgendaState, reply: Answer, question: str) -> OutgoingMessage:
    window = reply.window
    filtered = bool(reply.room or reply.track or reply.kind or reply.language or reply.topic)
    if window is not None and window.kind is WindowKind.NOW:
        upcoming = list(reply.next_sessions)
        if filtered:
            return session_list(texts.answer_nothing_now_there(reply, upcoming), upcoming)
        return session_list(texts.answer_nothing_now(window.start, upcoming), upcoming)
    if window is not None and window.kind is WindowKind.NEXT and not reply.topic:
        return OutgoingMessage(texts.answer_nothing_next(reply), day_buttons(state))
    verdict = texts.answer_verdict(False) + "\n" if reply.verdict is not None else ""
    if reply.empty or (reply.intent is Intent.UNKNOWN and not filtered and not reply.topic):
        return OutgoingMessage(texts.nothing_understood(quoted(question)), day_buttons(state))
    if reply.intent is Intent.UNKNOWN and not reply.suggestions:
        return OutgoingMessage(texts.nothing_understood(quoted(question)), day_buttons(state))
    text = verdict + texts.answer_nothing_matched(reply)
    if reply.suggestions:
        header = (
            texts.answer_suggestions_elsewhere_header()
            if reply.suggested_elsewhere
            else texts.answer_suggestions_header()
        )
        lines = [text, "", header]
        lines.extend(_answer_line(state, s, reply) for s in reply.suggestions)
        return session_list("\n".join(lines), reply.suggestions)
    return OutgoingMessage(fits(text), day_buttons(state))


def _people(
    state: AgendaState, session: Session, roles: dict[str, str], only: set[str] | None
) -> list[tuple[Speaker, str]]:
    return [
        (sp, roles.get(sp.id, role))
        for sp, role in state.speakers_of(session)
        if only is None or sp.id in only
    ]
