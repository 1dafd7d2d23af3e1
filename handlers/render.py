"""Turning agenda objects into messages with buttons: cards, day pages, lists.

Wording comes from ``bot.texts``; this module only arranges it and the keyboards, and keeps
every message under Telegram's 4096 characters.
"""

from __future__ import annotations

from datetime import date, datetime

from bot import texts
from bot.agenda.model import Session, Speaker
from bot.agenda.state import AgendaState
from bot.outgoing import Button, Keyboard, OutgoingMessage, clip, fits
from bot.questions.answer import Answer, Intent, WindowKind
from handlers.callbacks import encode, session_key

DAY_PAGE = 12
LIST_PAGE = 16


def session_button(session: Session, *, with_day: bool = False) -> Button:
    when = texts.hm(session.start)
    if with_day:
        when = f"{texts.day_label(session.listed_day)} {when}"
    return Button(clip(f"{when} {session.title}", 60), encode("s", session_key(session.id)))


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


def choose_day(state: AgendaState) -> OutgoingMessage:
    return OutgoingMessage(texts.choose_day(state.conference), day_buttons(state))


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
    nav.append(Button(texts.days_button(), encode("ag")))
    if page + 1 < pages:
        nav.append(Button(texts.later_button(), encode("d", stamp, page + 1)))
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
    people = [speaker_button(sp) for sp, _ in state.speakers_of(session)]
    for i in range(0, len(people), 2):
        rows.append(tuple(people[i : i + 2]))
    rows.append(
        (Button(texts.back_to_day_button(), encode("d", session.listed_day.strftime("%Y%m%d"), 0)),)
    )
    return tuple(rows)


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


def answer(state: AgendaState, reply: Answer, question: str) -> OutgoingMessage:
    """A question's answer: what was found, each a button, or else what was understood."""
    conf = state.conference
    if reply.problem:
        return OutgoingMessage(texts.answer_problem(reply.problem))
    if reply.intent is Intent.CONFERENCE or (reply.conference_info and not reply.sessions):
        return OutgoingMessage(fits(texts.conference_info(conf)), day_buttons(state))
    if reply.intent is Intent.SPEAKER and reply.speakers:
        first = speaker_profile(state, reply.speakers[0])
        others = tuple((speaker_button(sp),) for sp in reply.speakers[1:5])
        return OutgoingMessage(first.html, first.buttons + others)
    if not reply.sessions and reply.speakers:
        rows = tuple((speaker_button(sp),) for sp in reply.speakers[:8])
        return OutgoingMessage(texts.several_matches(question[:80]), rows)
    if not reply.sessions:
        if reply.window is not None and reply.window.kind is WindowKind.NOW:
            upcoming = list(reply.next_sessions)
            return session_list(texts.answer_nothing_now(reply.window.start, upcoming), upcoming)
        if reply.intent is Intent.UNKNOWN and not reply.understood:
            return OutgoingMessage(texts.nothing_understood(question[:200]), day_buttons(state))
        return OutgoingMessage(texts.answer_nothing(reply.understood), day_buttons(state))
    if reply.intent is Intent.WHO:
        # "who moderates ..." names only the people the engine found in that role.
        only = {sp.id for sp in reply.speakers} or None
        body = "\n\n".join(
            texts.answer_who(s, _people(state, s, reply.roles, only)) for s in reply.sessions[:3]
        )
        return session_list(body, reply.sessions)
    head = texts.answer_header(
        reply.intent.value, reply.understood, len(reply.sessions), reply.more
    )
    lines = [head, ""]
    for s in reply.sessions:
        lines.append(texts.answer_line(s, state.speakers_of(s)))
    return session_list("\n".join(lines), reply.sessions)


def _people(
    state: AgendaState, session: Session, roles: dict[str, str], only: set[str] | None
) -> list[tuple[Speaker, str]]:
    return [
        (sp, roles.get(sp.id, role))
        for sp, role in state.speakers_of(session)
        if only is None or sp.id in only
    ]
