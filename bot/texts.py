"""Every sentence the bot says, in one place, so wording is reviewed here and can be translated.

Each function returns Telegram-flavoured HTML with every piece of agenda or user text escaped
by ``h``. Nothing else in the project writes user-facing wording.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import date, datetime

from bot.agenda.model import Conference, Session, SessionType, Speaker


def h(text: object) -> str:
    """Escape for Telegram HTML (quotes too, so text is safe inside attributes)."""
    return html.escape(str(text), quote=True)


def hm(when: datetime) -> str:
    return when.strftime("%H:%M")


def day_label(day: date) -> str:
    return f"{day.strftime('%a')} {day.day} {day.strftime('%b')}"


def day_long(day: date) -> str:
    return f"{day.strftime('%A')} {day.day} {day.strftime('%B %Y')}"


def date_range(conf: Conference) -> str:
    days = conf.days
    if not days:
        return ""
    first, last = days[0], days[-1]
    if first == last:
        return day_long(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last.strftime('%B %Y')}"
    return f"{day_label(first)} – {day_long(last)}"


def span(session: Session) -> str:
    return f"{hm(session.start)}–{hm(session.end)}"


TYPE_LABEL = {
    SessionType.TALK: "Talk",
    SessionType.PANEL: "Panel",
    SessionType.KEYNOTE: "Keynote",
    SessionType.WORKSHOP: "Workshop",
    SessionType.OPENING: "Opening",
    SessionType.CLOSING: "Closing",
    SessionType.BREAK: "Break",
    SessionType.SOCIAL: "Social",
    SessionType.OTHER: "Session",
}


# --- start, help, errors ---------------------------------------------------------------------


def welcome(conf: Conference, first_name: str) -> str:
    where = f" · {h(conf.city or conf.venue)}" if (conf.city or conf.venue) else ""
    return (
        f"Hello {h(first_name)}! I am the assistant of <b>{h(conf.name)}</b>"
        f" ({h(date_range(conf))}{where}).\n\n"
        "Ask me anything about the programme in plain words, like "
        "<i>what's on after lunch?</i> or <i>when is the panel on crisis management?</i>, "
        "bookmark sessions to get a reminder before they start, and rate them afterwards.\n"
        "/agenda shows the programme, /help lists everything I can do."
    )


def help_text(*, organiser: bool, speaker: bool) -> str:
    lines = [
        "<b>What I can do</b>",
        "/agenda – the programme, day by day",
        "/now – what is on right now",
        "/next – what starts next",
        "/speakers – everyone on stage; /speaker NAME – one of them",
        "/session ID – one session",
        "/my – your bookmarks and personal calendar",
        "/remind N – get reminders N minutes before (0 = off)",
        "/feedback – rate a session you attended",
        "/whoami – your Telegram id",
        "",
        "Or just ask: <i>where is the coffee break?</i>, <i>who moderates the panel?</i>",
    ]
    if speaker:
        lines += ["", "<b>For speakers</b>", "/myslots – your sessions", "/myfeedback – ratings"]
    if organiser:
        lines += [
            "",
            "<b>For organisers</b>",
            "/broadcast TEXT – message everyone (or a session's bookmarkers, speakers, a track)",
            "/broadcasts – scheduled and running broadcasts",
            "/reload – re-read the agenda and tell those affected",
            "/stats – users, bookmarks and feedback",
            "/export – feedback as CSV and a chart",
            "/speakerlinks – one-time links for speakers",
        ]
    return "\n".join(lines)


def unknown_command() -> str:
    return "I don't know that command. /help lists what I can do."


def something_went_wrong() -> str:
    return "Sorry, something went wrong on my side. Please try again in a moment."


def stale_button() -> str:
    return "That button is no longer valid. Send /agenda to start again."


def text_too_long(limit: int) -> str:
    return f"That message is too long for me: please keep it under {limit} characters."


def whoami(user_id: int, *, organiser: bool, speaker_name: str | None) -> str:
    lines = [f"Your Telegram user id is <code>{user_id}</code>."]
    if organiser:
        lines.append("You are an organiser of this conference.")
    if speaker_name:
        lines.append(f"You are linked as the speaker <b>{h(speaker_name)}</b>.")
    return "\n".join(lines)


# --- agenda ------------------------------------------------------------------------------------


def choose_day(conf: Conference) -> str:
    return f"<b>{h(conf.name)}</b>\n{h(date_range(conf))}\n\nWhich day?"


def day_header(day: date, page: int, pages: int) -> str:
    suffix = f" ({page + 1}/{pages})" if pages > 1 else ""
    return f"<b>{h(day_long(day))}</b>{suffix}"


def slot_line(session: Session, *, with_day: bool = False, marked: bool = False) -> str:
    when = f"{day_label(session.listed_day)} {span(session)}" if with_day else span(session)
    room = f" · {h(session.room)}" if session.room else ""
    star = "⭐ " if marked else ""
    title = h(session.title) if session.is_break else f"<b>{h(session.title)}</b>"
    return f"{star}{h(when)} {title}{room}"


def session_card(
    session: Session, speakers: Iterable[tuple[Speaker, str]], *, bookmarked: bool = False
) -> str:
    lines = [f"<b>{h(session.title)}</b>"]
    lines.append(f"🗓 {h(day_long(session.listed_day))}, {h(span(session))}")
    if session.room:
        lines.append(f"📍 {h(session.room)}")
    kind = TYPE_LABEL.get(session.type, "Session")
    lines.append(f"🏷 {h(kind)}" + (f" · {h(session.track)}" if session.track else ""))
    people = [
        f"{h(sp.name)}" + (f" ({h(role)})" if role and role != "speaker" else "")
        for sp, role in speakers
    ]
    if people:
        lines.append("🎤 " + ", ".join(people))
    if bookmarked:
        lines.append("⭐ In your bookmarks")
    if session.abstract:
        abstract = session.abstract.strip()
        if len(abstract) > 1500:
            abstract = abstract[:1500].rstrip() + "…"
        lines += ["", h(abstract)]
    return "\n".join(lines)


def no_such_session(query: str) -> str:
    return f"I found no session <code>{h(query)}</code>. Try /agenda or just ask me."


def now_running(when: datetime, sessions: list[Session], upcoming: list[Session]) -> str:
    if sessions:
        body = "\n".join(slot_line(s) for s in sessions)
        return f"<b>On now</b> ({h(hm(when))})\n{body}"
    text = f"Nothing is running right now ({h(hm(when))})."
    if upcoming:
        first = upcoming[0]
        text += f"\nNext, {h(day_label(first.listed_day))} at {h(hm(first.start))}:\n"
        text += "\n".join(slot_line(s) for s in upcoming)
    return text


def next_up(sessions: list[Session]) -> str:
    if not sessions:
        return "Nothing more is scheduled. Thank you for coming!"
    first = sessions[0]
    head = f"<b>Next</b>, {h(day_label(first.listed_day))} at {h(hm(first.start))}"
    return head + "\n" + "\n".join(slot_line(s) for s in sessions)


def conference_over() -> str:
    return "The conference is over. Thank you for coming!"


def speakers_list(conf: Conference, count: int) -> str:
    return f"<b>Speakers</b> of {h(conf.name)} ({count}). Tap one for their profile."


def speaker_profile(speaker: Speaker, sessions: list[tuple[Session, str]]) -> str:
    lines = [f"<b>{h(speaker.name)}</b>"]
    if speaker.affiliation:
        lines.append(f"<i>{h(speaker.affiliation)}</i>")
    if speaker.bio:
        bio = speaker.bio.strip()
        lines += ["", h(bio[:1200] + ("…" if len(bio) > 1200 else ""))]
    if sessions:
        lines += ["", "<b>Sessions</b>"]
        for s, role in sessions:
            role_txt = f" ({h(role)})" if role and role != "speaker" else ""
            lines.append(slot_line(s, with_day=True) + role_txt)
    return "\n".join(lines)


def speaker_usage() -> str:
    return "Tell me whom to look for, e.g. <code>/speaker Kalenova</code>, or see /speakers."


def no_such_speaker(query: str) -> str:
    return f"I know no speaker called <i>{h(query)}</i>. /speakers lists them all."


def several_matches(query: str) -> str:
    return f"Several matches for <i>{h(query)}</i>:"


def session_usage() -> str:
    return "Which session? Send <code>/session ID</code>, or browse with /agenda."


def nothing_understood(question: str) -> str:
    return (
        f"I could not find anything for <i>{h(question)}</i>. "
        "Try a speaker's name, a topic or a time (<i>what's on at 11?</i>), or browse /agenda."
    )


# --- bookmarks and reminders (issue 5) -----------------------------------------------------------


# --- feedback (issue 6) --------------------------------------------------------------------------


# --- organisers: broadcasts, reload, stats (issue 7) ---------------------------------------------


# --- speakers (issue 8) --------------------------------------------------------------------------
