"""Every sentence the bot says, in one place, so wording is reviewed here and can be translated.

Each function returns Telegram-flavoured HTML with every piece of agenda or user text escaped
by ``h``. Nothing else in the project writes user-facing wording.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import date, datetime

from bot.agenda.diff import Changes, SessionChange
from bot.agenda.index import Stint
from bot.agenda.model import Conference, Session, SessionType, Speaker
from bot.questions.answer import (
    Answer,
    Intent,
    Problem,
    ProblemKind,
    Relation,
    TimeWindow,
    WindowKind,
)


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
            "/speakerlinks – one-time links for speakers; /unlink NAME – unlink one",
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


# --- buttons shared by lists and cards ---------------------------------------------------------


def earlier_button() -> str:
    return "◀ Earlier"


def later_button() -> str:
    return "Later ▶"


def previous_button() -> str:
    return "◀ Previous"


def next_button(page: int | None = None, pages: int | None = None) -> str:
    return f"Next ▶ ({page}/{pages})" if page and pages else "Next ▶"


def newer_button() -> str:
    return "◀ Newer"


def older_button() -> str:
    return "Older ▶"


def days_button() -> str:
    return "📅 Days"


def calendar_button() -> str:
    return "📅 Add to calendar"


def rate_button() -> str:
    return "✍️ Rate this session"


def back_to_day_button() -> str:
    return "🗓 Back to the day"


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


def now_running(
    when: datetime, sessions: list[Session], upcoming: list[Session], *, begun: bool = True
) -> str:
    if sessions:
        body = "\n".join(slot_line(s) for s in sessions)
        return f"<b>On now</b> ({h(hm(when))})\n{body}"
    if not upcoming:
        return conference_over()
    first = upcoming[0]
    following = "\n".join(slot_line(s) for s in upcoming)
    if first.start.date() != when.date():  # not today: name the day, not "right now"
        verb = "continues" if begun else "starts"
        day = day_long(first.listed_day)
        return f"The programme {verb} on {h(day)} at {h(hm(first.start))}:\n{following}"
    return (
        f"Nothing is running right now ({h(hm(when))}).\n"
        f"Next, at {h(hm(first.start))}:\n{following}"
    )


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


# --- plain-language answers (issue 4) ---------------------------------------------------------


def answer_header(intent: str, understood: str, count: int, more: int) -> str:
    """The first line of an answer listing sessions; ``understood`` reads after "Sessions"."""
    about = f" {h(understood)}" if understood else ""
    if intent == "when":
        head = "Here is when" if count == 1 else "Here is when these are on"
        head = f"<b>{head}</b>"
    elif intent == "where":
        head = "<b>Here is where</b>"
    else:
        head = f"<b>Sessions{about}</b>" if about else "<b>Here is what I found</b>"
    if more:
        head += f" (the first {count}; {more} more in /agenda)"
    return head


def answer_line(session: Session, people: list[tuple[Speaker, str]]) -> str:
    line = slot_line(session, with_day=True)
    if people:
        names = ", ".join(
            h(sp.name) + (f" ({h(role)})" if role and role != "speaker" else "")
            for sp, role in people
        )
        line += f"\n    🎤 {names}"
    return line


def answer_who(session: Session, people: list[tuple[Speaker, str]]) -> str:
    if not people:
        return f"{slot_line(session, with_day=True)}\nNo speakers are listed for this session."
    lines = [slot_line(session, with_day=True)]
    for sp, role in people:
        label = role.capitalize() if role else "Speaker"
        extra = f", {h(sp.affiliation)}" if sp.affiliation else ""
        lines.append(f"• {h(label)}: <b>{h(sp.name)}</b>{extra}")
    return "\n".join(lines)


def answer_nothing(understood: str) -> str:
    what = f"Nothing {h(understood)}." if understood else "I found nothing for that."
    return f"{what}\nTry other words, a speaker's name or a time, or browse /agenda."


def answer_nothing_now(when: datetime, upcoming: list[Session]) -> str:
    return now_running(when, [], upcoming)


def answer_problem(problem: str) -> str:
    return f"{h(problem)}\nTry another time, or browse /agenda."


def conference_info(conf: Conference) -> str:
    lines = [f"<b>{h(conf.name)}</b>", f"🗓 {h(date_range(conf))}"]
    place = ", ".join(p for p in (conf.venue, conf.address, conf.city) if p)
    if place:
        lines.append(f"📍 {h(place)}")
    if conf.organisers:
        lines.append(f"Organised by {h(', '.join(conf.organisers))}")
    start, end = conf.start, conf.end
    if start is not None and end is not None:
        lines.append(f"The programme runs {h(hm(start))}–{h(hm(end))} ({h(conf.timezone.key)}).")
    if conf.description:
        text = conf.description.strip()
        lines += ["", h(text[:700] + ("…" if len(text) > 700 else ""))]
    if conf.url:
        lines.append(f'<a href="{h(conf.url)}">Conference website</a>')
    return "\n".join(lines)


# --- bookmarks and reminders (issue 5) -----------------------------------------------------------
# Callback answers (toasts) are plain text: Telegram does not parse HTML in them.


def minutes_phrase(minutes: int) -> str:
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def bookmarked_toast(lead: int, *, started: bool = False, ended: bool = False) -> str:
    """A toast is plain text. What the bookmark will bring depends on where the session is."""
    if ended:
        return "Bookmarked. It is over: rate it with /feedback."
    if started:
        return "Bookmarked. It has started, so no reminder: I'll ask for your feedback after it."
    if lead <= 0:
        return "Bookmarked. Reminders are off: /remind 10 turns them on."
    return f"Bookmarked — I'll remind you {minutes_phrase(lead)} before"


def bookmark_removed_toast() -> str:
    return "Removed"


def break_not_bookmarkable() -> str:
    return "Breaks cannot be bookmarked."


def bookmark_label(bookmarked: bool) -> str:
    return "Remove bookmark" if bookmarked else "⭐ Bookmark"


def headline_button(on: bool) -> str:
    return "✅ Reminders before every panel: on" if on else "🔔 Remind me before every panel"


def headline_toast(on: bool) -> str:
    if on:
        return "Done: I'll remind you before every panel and keynote."
    return "Done: only your bookmarks get reminders now."


def schedule_button() -> str:
    return "📅 Whole schedule as .ics"


def my_schedule(sessions: list[Session], clashes: set[str], *, headline: bool) -> str:
    if not sessions:
        text = (
            "<b>Your schedule</b>\nNo bookmarks yet. Open a session from /agenda and tap "
            "<i>⭐ Bookmark</i>, and I'll remind you before it starts."
        )
    else:
        lines = [f"<b>Your schedule</b> ({len(sessions)})"]
        day: date | None = None
        for s in sessions:
            if s.listed_day != day:
                day = s.listed_day
                lines += ["", f"<b>{h(day_long(day))}</b>"]
            line = slot_line(s)
            if s.id in clashes:
                line += " ⚠️ <i>clash</i>"
            lines.append(line)
        if clashes:
            lines += ["", "⚠️ marks sessions that overlap another of your bookmarks."]
        text = "\n".join(lines)
    if headline:
        text += "\n\n🔔 You also get a reminder before every panel and keynote."
    return text


def remind_status(minutes: int, *, is_default: bool, headline: bool) -> str:
    if minutes <= 0:
        now = "Reminders are <b>off</b>."
    else:
        own = " (the default)" if is_default else ""
        now = f"I remind you <b>{h(minutes_phrase(minutes))}</b> before your sessions{own}."
    panels = (
        "\nYou also get a reminder before every panel and keynote."
        if headline
        else "\nThe button below adds a reminder before every panel and keynote."
    )
    return f"{now}{panels}\nChange it with <code>/remind N</code> (0 turns reminders off)."


def remind_set(minutes: int) -> str:
    if minutes <= 0:
        return "Reminders are now <b>off</b>. <code>/remind 10</code> turns them back on."
    return f"Done: I'll remind you <b>{h(minutes_phrase(minutes))}</b> before your sessions."


def remind_usage(low: int, high: int) -> str:
    return (
        f"Send <code>/remind N</code> with N a whole number of minutes from {low} to {high}, "
        "e.g. <code>/remind 15</code>; <code>/remind 0</code> turns reminders off."
    )


def reminder(session: Session, speakers: Iterable[tuple[Speaker, str]], minutes_left: int) -> str:
    when = "now" if minutes_left <= 0 else f"in {minutes_phrase(minutes_left)}"
    lines = [f"⏰ <b>{h(session.title)}</b> starts {h(when)}, at {h(hm(session.start))}."]
    where = f"📍 {h(session.room)}" if session.room else ""
    lines.append(f"🕑 {h(span(session))}" + (f" · {where}" if where else ""))
    people = [
        h(sp.name) + (f" ({h(role)})" if role and role != "speaker" else "")
        for sp, role in speakers
    ]
    if people:
        lines.append("🎤 " + ", ".join(people))
    return "\n".join(lines)


def open_card_button() -> str:
    return "Open the session"


def calendar_caption(session: Session) -> str:
    return f"📅 <b>{h(session.title)}</b>: open the file to add it to your calendar."


def schedule_caption(count: int) -> str:
    return f"📅 Your schedule ({count} sessions): open the file to add it to your calendar."


def schedule_empty_toast() -> str:
    return "No bookmarks yet: nothing to put in a calendar."


# --- feedback (issue 6) --------------------------------------------------------------------------


def rating_label(rating: int, *, chosen: bool = False) -> str:
    """A rating button: the number first, so it is clear without counting stars."""
    return f"✅ {rating} ★" if chosen else f"{rating} ★"


def rating_skip_label() -> str:
    return "Skip"


def no_comment_label() -> str:
    return "No comment"


def comment_done_label() -> str:
    return "✅ Done"


def feedback_prompt(session: Session) -> str:
    room = f" · {h(session.room)}" if session.room else ""
    return (
        f"How was <b>{h(session.title)}</b>?\n"
        f"{h(day_label(session.listed_day))} {h(span(session))}{room}\n\n"
        "Tap a rating from 1 (poor) to 5 (excellent)."
    )


def rating_saved(session: Session, rating: int, wait_minutes: int, *, changed: bool) -> str:
    verb = "changed your rating of" if changed else "rated"
    return (
        f"Thank you! You {verb} <b>{h(session.title)}</b>: <b>{rating}/5</b>.\n\n"
        f"Anything to add? Send a comment as your next message (within {wait_minutes} minutes),"
        " or tap <i>No comment</i>. Another button changes your rating."
    )


def rating_skipped(session: Session) -> str:
    return f"No rating for <b>{h(session.title)}</b>. You can still rate it later with /feedback."


def comment_saved(session_title: str, edit_minutes: int) -> str:
    return (
        f"📝 Your comment on <b>{h(session_title)}</b> is saved, thank you.\n"
        f"To change it, send a new one within {edit_minutes} minutes."
    )


def comment_too_long(limit: int, length: int) -> str:
    return (
        f"That comment is {length} characters long; please keep it under {limit} characters"
        " and send it again."
    )


def comment_needs_rating() -> str:
    return "Please rate the session first: /feedback lists the sessions you can rate."


def feedback_complete(session: Session, rating: int, *, commented: bool) -> str:
    with_comment = " and your comment" if commented else ""
    return (
        f"Thank you! Your rating ({rating}/5){with_comment} on <b>{h(session.title)}</b> is saved."
    )


def feedback_list(page: int, pages: int) -> str:
    suffix = f" ({page + 1}/{pages})" if pages > 1 else ""
    return f"<b>Rate a session</b>{suffix}\nMost recent first. Tap one to rate it."


def feedback_nothing_to_rate() -> str:
    return "No session has started yet, so there is nothing to rate. /agenda shows what is coming."


# Callback answers (toasts) are plain text, not HTML.
def rating_thanks_toast(rating: int) -> str:
    return f"Thanks! Saved {rating}/5."


def rating_skipped_toast() -> str:
    return "Skipped."


def feedback_stale_toast() -> str:
    return "This rating button is not valid any more. Send /feedback to rate a session."


def feedback_not_started_toast() -> str:
    return "You can rate this session once it has started."


def feedback_break_toast() -> str:
    return "Breaks are not rated."


def feedback_no_rating_toast() -> str:
    return "Please rate the session first."


def feedback_stats_empty() -> str:
    return "<b>Feedback</b>\nNo ratings yet."


def feedback_stats_header(ratings: int, sessions: int, average: str, page: int, pages: int) -> str:
    suffix = f" ({page + 1}/{pages})" if pages > 1 else ""
    noun = "rating" if ratings == 1 else "ratings"
    where = "session" if sessions == 1 else "sessions"
    return (
        f"<b>Feedback</b>{suffix}: {ratings} {noun} on {sessions} {where},"
        f" average <b>{h(average)}</b>"
    )


def feedback_stats_entry(
    rank: int,
    title: str,
    when: str,
    average: str,
    count: int,
    distribution: tuple[int, ...],
    comments: Iterable[tuple[int, str]],
) -> str:
    dist = " ".join(
        f"{n}★×{c}" for n, c in zip(range(5, 0, -1), reversed(distribution), strict=True)
    )
    lines = [
        f"{rank}. <b>{h(title)}</b> <i>{h(when)}</i>",
        f"   ★ <b>{h(average)}</b> ({count}) · {dist}",
    ]
    for rating, comment in comments:
        short = comment if len(comment) <= 200 else comment[:199].rstrip() + "…"
        lines.append(f"   💬 {rating}/5: “{h(short)}”")
    return "\n".join(lines)


def feedback_stats_unrated(titles: list[str]) -> str:
    shown = ", ".join(h(t) for t in titles[:10])
    more = f" and {len(titles) - 10} more" if len(titles) > 10 else ""
    return f"<i>No ratings yet:</i> {shown}{more}"


def feedback_removed_session(session_id: str) -> str:
    """Plain text: a rated session that a reload removed from the agenda."""
    return f"{session_id} (no longer in the agenda)"


def export_caption(ratings: int, sessions: int) -> str:
    return f"📄 Feedback export: {ratings} ratings on {sessions} sessions (UTF-8 CSV)."


def export_chart_caption() -> str:
    return "📊 Average rating per session (number of ratings in brackets)."


def export_nothing() -> str:
    return "There is no feedback to export yet."


def chart_title(conference_name: str) -> str:
    """Plain text drawn into the PNG chart."""
    return f"{conference_name}: average rating per session"


def chart_axis() -> str:
    return "Average rating (1–5)"


def chart_more(hidden: int) -> str:
    return f"… and {hidden} more sessions (see the CSV)"


# --- organisers: broadcasts, reload, stats (issue 7) ---------------------------------------------


def _when(when: datetime) -> str:
    """A time in the organiser's preview: with the day, so a next-day slot is not missed."""
    return f"{day_label(when.date())} {hm(when)}"


def change_notice(change: SessionChange) -> str:
    """What one bookmarker reads when a session they follow changes."""
    old, new = change.old, change.new
    lines = [f"📣 <b>Change to a session you bookmarked</b>: {h(new.title)}"]
    if change.renamed:
        lines.append(f"New title (was <i>{h(old.title)}</i>).")
    if change.moved:
        was = f"{day_label(old.start.date())} {span(old)}"
        now = f"{day_label(new.start.date())} {span(new)}"
        lines.append(f"🕒 Now <b>{h(now)}</b> (was {h(was)}).")
    else:
        lines.append(f"🕒 {h(day_label(new.start.date()))} {h(span(new))}")
    if change.room_changed:
        lines.append(
            f"📍 Now in <b>{h(new.room or 'a room to be announced')}</b>"
            f" (was {h(old.room or 'not set')})."
        )
    elif new.room:
        lines.append(f"📍 {h(new.room)}")
    lines.append("Your reminder follows the new time.")
    return "\n".join(lines)


def change_cancelled(session: Session) -> str:
    return (
        f"📣 <b>Cancelled</b>: {h(session.title)} ({h(day_label(session.start.date()))}"
        f" {h(span(session))}), which you bookmarked, is no longer on the programme."
    )


def open_session() -> str:
    return "Open the session"


def broadcast_usage() -> str:
    return (
        "<b>/broadcast</b> sends a message to attendees, after a preview.\n"
        "<code>/broadcast TEXT</code> – to everyone who started the bot\n"
        "<code>/broadcast at 17:30 TEXT</code> – scheduled (conference time)\n"
        "<code>/broadcast to:session:ID TEXT</code> – to those who bookmarked a session\n"
        "<code>/broadcast to:track:NAME TEXT</code> – to those who bookmarked a session"
        " of a track\n"
        "<code>/broadcast to:speakers TEXT</code> – to linked speakers\n"
        "Or send <code>/broadcast</code> alone and then the text, or reply to a message with"
        " <code>/broadcast</code>. Bold, italic and links are kept."
    )


def broadcast_ask_text() -> str:
    return "Send me the text of the broadcast now (or /broadcast again to start over)."


def broadcast_bad_input(reason: str) -> str:
    return f"I can't prepare that broadcast: {h(reason)}.\n/broadcast alone shows how to use it."


def broadcast_too_long(limit: int) -> str:
    return f"That broadcast is too long: Telegram allows {limit} characters in one message."


def audience_label(kind: str, arg: str, title: str | None = None) -> str:
    if kind == "session":
        return f"those who bookmarked <i>{h(title or arg)}</i>"
    if kind == "track":
        return f"those who bookmarked a session of the track <i>{h(arg)}</i>"
    if kind == "speakers":
        return "the linked speakers"
    return "everyone who started the bot"


def broadcast_summary(audience: str, size: int, when: datetime | None) -> str:
    people = "1 person" if size == 1 else f"{size} people"
    timing = f"at <b>{h(_when(when))}</b>" if when else "now"
    return (
        f"☝️ This is the preview of your broadcast.\nAudience: {audience}: <b>{people}</b>.\n"
        f"It goes out {timing} once you press Send."
    )


def broadcast_empty(audience: str) -> str:
    return f"Nobody is in that audience ({audience}), so there is nothing to send."


# Problems with what an organiser typed after /broadcast: plain text, escaped where shown.
def broadcast_time_unreadable(text: str) -> str:
    return f"I could not read {text!r} as a time, e.g. at 17:30"


def broadcast_time_skipped(when: datetime) -> str:
    return f"{when:%H:%M} does not exist on that day (clock change)"


def broadcast_time_passed(when: datetime) -> str:
    return f"{when:%Y-%m-%d %H:%M} has already passed; give a later time or a date"


def broadcast_time_too_far(when: datetime) -> str:
    return f"{when:%Y-%m-%d %H:%M} is too far ahead"


def broadcast_no_such_session(key: str) -> str:
    return f"there is no session {key!r} (see /session)"


def broadcast_no_such_track(name: str) -> str:
    return f"there is no track {name!r}"


def broadcast_unknown_audience(kind: str) -> str:
    return f"unknown audience {kind!r}: use to:session:ID, to:track:NAME or to:speakers"


def broadcast_send_button(size: int) -> str:
    return f"✅ Send to {size}"


def cancel_button() -> str:
    return "✖️ Cancel"


def broadcast_stop_button() -> str:
    return "⏹ Cancel the rest"


def broadcast_discarded() -> str:
    return "Broadcast discarded; nothing was sent."


def broadcast_gone() -> str:
    return "That broadcast is no longer waiting for this."


def _counts(sent: int, failed: int, blocked: int, left: int) -> str:
    return f"sent {sent} · failed {failed} · blocked {blocked} · left {left}"


def broadcast_progress(
    batch_id: int, sent: int, failed: int, blocked: int, left: int, eta_seconds: float
) -> str:
    minutes, seconds = divmod(round(eta_seconds), 60)
    eta = f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"
    return (
        f"📤 <b>Broadcast #{batch_id}</b> is going out.\n"
        f"{_counts(sent, failed, blocked, left)}\nAbout {eta} left."
    )


def broadcast_scheduled(batch_id: int, when: datetime, size: int) -> str:
    return (
        f"🕒 <b>Broadcast #{batch_id}</b> is scheduled for <b>{h(_when(when))}</b>"
        f" to {size} people. /broadcasts lists what is scheduled."
    )


def broadcast_done(batch_id: int, sent: int, failed: int, blocked: int, left: int) -> str:
    return f"✅ <b>Broadcast #{batch_id}</b> finished: {_counts(sent, failed, blocked, left)}."


def broadcast_stopped(batch_id: int, sent: int, failed: int, blocked: int, cancelled: int) -> str:
    return (
        f"⏹ <b>Broadcast #{batch_id}</b> cancelled: sent {sent} · failed {failed}"
        f" · blocked {blocked} · not sent {cancelled}."
    )


def broadcasts_none() -> str:
    return "No broadcast is scheduled or running."


def broadcasts_list(lines: Iterable[str]) -> str:
    return "<b>Scheduled and running broadcasts</b>\n" + "\n".join(lines)


def broadcasts_line(
    batch_id: int, state: str, when: datetime | None, audience: str, preview: str, left: int
) -> str:
    timing = f"at {h(_when(when))}" if when and state == "scheduled" else f"{left} left"
    return f"#{batch_id} · {h(state)} · {timing} · {audience}: {h(preview)}"


def broadcasts_stop_button(batch_id: int) -> str:
    return f"⏹ Cancel #{batch_id}"


def reload_error(error: str) -> str:
    return (
        f"❌ That agenda cannot be used, so nothing changed:\n<code>{h(error)}</code>\n"
        "Fix the file and try again; <code>confbot check FILE</code> shows the same check."
    )


def reload_file_too_big(limit_mb: int) -> str:
    return f"That file is too big for an agenda (the limit is {limit_mb} MB). Nothing changed."


def reload_no_changes(source: str) -> str:
    return f"<code>{h(source)}</code> has no changes to sessions, times or rooms. Nothing to do."


def _change_line(change: SessionChange) -> str:
    parts = []
    if change.moved:
        parts.append(f"{h(span(change.old))} → {h(span(change.new))}")
        if change.old.start.date() != change.new.start.date():
            parts[-1] += f" ({h(day_label(change.new.start.date()))})"
    if change.room_changed:
        parts.append(f"{h(change.old.room or '–')} → {h(change.new.room or '–')}")
    if change.renamed:
        parts.append(f"renamed from <i>{h(change.old.title)}</i>")
    return f"• <b>{h(change.new.title)}</b>: " + "; ".join(parts)


def reload_preview(source: str, changes: Changes, affected_people: int, warnings: int) -> str:
    limit = 25
    lines = [f"<b>Changes in</b> <code>{h(source)}</code>"]
    if changes.renamed_conference:
        old, new = changes.renamed_conference
        lines.append(f"Conference renamed: {h(old)} → {h(new)}")
    body: list[str] = [_change_line(c) for c in changes.changed]
    body += [f"• new: <b>{h(s.title)}</b> ({h(_when(s.start))})" for s in changes.added]
    body += [f"• cancelled: <b>{h(s.title)}</b> ({h(_when(s.start))})" for s in changes.cancelled]
    lines += body[:limit]
    if len(body) > limit:
        lines.append(f"… and {len(body) - limit} more.")
    lines.append(
        f"{len(changes.moved)} moved, {len(changes.room_changes)} room changes,"
        f" {len(changes.renamed)} renamed, {len(changes.added)} new,"
        f" {len(changes.cancelled)} cancelled."
    )
    if warnings:
        lines.append(f"⚠️ {warnings} warnings (run <code>confbot check</code> to see them).")
    lines.append(f"Applying tells {affected_people} bookmarkers what changed for them.")
    return "\n".join(lines)


def reload_apply_button() -> str:
    return "✅ Apply"


def reload_applied(notified: int) -> str:
    return f"✅ The new agenda is live. {notified} change notices are on their way."


def reload_discarded() -> str:
    return "The agenda was not changed."


def reload_stale() -> str:
    return (
        "That reload is no longer pending (it was applied, cancelled or replaced)."
        " Send /reload again."
    )


def document_not_expected() -> str:
    return "Thanks, but I don't read files. /help lists what I can do."


def stats(users: int, active: int, bookmarks: int, bookmarkers: int, outbox: dict[str, int]) -> str:
    lines = [
        "<b>Statistics</b>",
        f"👥 Users: <b>{users}</b> ({active} active, {users - active} blocked the bot)",
        f"⭐ Bookmarks: <b>{bookmarks}</b> by {bookmarkers} people",
    ]
    if outbox:
        parts = " · ".join(f"{h(k)} {v}" for k, v in sorted(outbox.items()))
        lines.append(f"📤 Outbox: {parts}")
    return "\n".join(lines)


def reload_url_unchanged(url: str) -> str:
    return f"I fetched <code>{h(url)}</code>: the programme has not changed."


def reload_url_applied(url: str, notified: int) -> str:
    return (
        f"I fetched <code>{h(url)}</code> and applied the new programme. "
        f"Change notices queued: {notified}."
    )


def reload_url_failed(url: str, reason: str) -> str:
    return (
        f"I could not use <code>{h(url)}</code>: {h(reason)}\n"
        "Nothing changed: the bot keeps the last good programme."
    )


# --- speakers (issue 8) --------------------------------------------------------------------------


def speaker_linked(name: str, reminder_minutes: int) -> str:
    remind = (
        f" I will remind you {reminder_minutes} minutes before each of them."
        if reminder_minutes
        else ""
    )
    return (
        f"✅ You are now linked as the speaker <b>{h(name)}</b>.\n"
        f"/myslots shows your sessions, /myfeedback what the audience thought.{remind}"
    )


def speaker_already_linked(name: str) -> str:
    return f"You are already linked as the speaker <b>{h(name)}</b>. /myslots shows your sessions."


def speaker_code_invalid() -> str:
    """The one answer for every bad code: unknown, altered, used, revoked or expired alike."""
    return (
        "This speaker link is not valid: it may be mistyped, already used or expired. "
        "If you are speaking, please ask the organisers for a new one."
    )


def not_a_speaker() -> str:
    return (
        "You are not linked to a speaker of this conference. If you are speaking, "
        "ask the organisers for your personal link. /agenda shows the whole programme."
    )


def my_slots_header(name: str, count: int) -> str:
    noun = "session" if count == 1 else "sessions"
    return f"<b>Your {noun}</b>, {h(name)}:"


def my_slots_none(name: str) -> str:
    return f"{h(name)}, you have no sessions in the current programme. /agenda shows it all."


def _names(people: Iterable[str]) -> str:
    return ", ".join(h(p) for p in people)


def my_slot(session: Session, role: str, co_speakers: list[str], moderators: list[str]) -> str:
    """One session of /myslots: day, 24-hour times, room, title, who else is on stage."""
    lines = [f"🗓 {h(day_label(session.listed_day))} {h(span(session))}"]
    if session.room:
        lines[0] += f" · 📍 {h(session.room)}"
    role_txt = f" (you: {h(role)})" if role and role != "speaker" else ""
    lines.append(f"<b>{h(session.title)}</b>{role_txt}")
    if co_speakers:
        lines.append(f"With: {_names(co_speakers)}")
    if moderators:
        lines.append(f"Moderator: {_names(moderators)}")
    return "\n".join(lines)


def speaker_reminder(
    session: Session, minutes: int, co_speakers: list[str], moderators: list[str]
) -> str:
    room = f" in <b>{h(session.room)}</b>" if session.room else ""
    lines = [
        f"🎤 Your session <b>{h(session.title)}</b> starts at {h(hm(session.start))}{room}"
        + (f" (in {minutes} minutes)." if minutes > 0 else ".")
    ]
    if co_speakers:
        lines.append(f"With co-speakers {_names(co_speakers)}.")
    if moderators:
        lines.append(f"Moderated by {_names(moderators)}.")
    lines.append("Good luck!")
    return "\n".join(lines)


def my_feedback_header(name: str) -> str:
    return f"<b>Feedback on your sessions</b>, {h(name)}:"


def my_feedback_session(
    session: Session, count: int, average: str, histogram: tuple[int, ...], comments: list[str]
) -> str:
    head = f"<b>{h(session.title)}</b> ({h(day_label(session.listed_day))} {h(hm(session.start))})"
    if not count:
        return f"{head}\nNo ratings yet."
    ratings = "rating" if count == 1 else "ratings"
    stars = " · ".join(f"{i}★ {n}" for i, n in enumerate(histogram, start=1) if n)
    lines = [head, f"Average <b>{h(average)}</b> / 5 from {count} {ratings} ({stars})"]
    for comment in comments:
        flat = " ".join(comment.split())
        if len(flat) > 300:
            flat = flat[:299].rstrip() + "…"
        lines.append(f"💬 <i>{h(flat)}</i>")
    return "\n".join(lines)


def my_feedback_none(name: str) -> str:
    return f"{h(name)}, you have no sessions to collect feedback on."


def speaker_links_header(count: int, hours: float, expires: datetime) -> str:
    return (
        f"<b>One-time links for {count} speaker{'s' if count != 1 else ''}</b>\n"
        f"Each works once, until {h(day_label(expires.date()))} {h(hm(expires))}"
        f" ({hours:g} hours). Issuing links again revokes the unused ones. "
        "Send each speaker only their own link."
    )


def speaker_link_line(name: str, url: str) -> str:
    return f"• {h(name)}: {h(url)}"


def speaker_links_csv_caption(count: int) -> str:
    what = "link" if count == 1 else f"{count} links"
    return f"The same {what} as CSV (name, speaker id, link, expires at) for a mail merge."


def speaker_links_linked(names: list[str]) -> str:
    return (
        "<b>Linked speakers</b>: " + _names(names) + "\nTap a name to unlink that account."
        if names
        else "No speaker has linked their account yet."
    )


def speaker_links_no_match(query: str) -> str:
    return f"I know no speaker called <i>{h(query)}</i>. /speakers lists them all."


def no_speakers() -> str:
    return "This agenda lists no speakers."


def unlink_usage() -> str:
    return (
        "Whom should I unlink? Send <code>/unlink NAME</code>, or use the buttons of /speakerlinks."
    )


def speaker_unlinked(name: str) -> str:
    return f"<b>{h(name)}</b> is no longer linked to a Telegram account."


def speaker_not_linked(name: str) -> str:
    return f"<b>{h(name)}</b> is not linked to any account."


def unlink_ambiguous(query: str) -> str:
    return f"Several linked speakers match <i>{h(query)}</i>: please use the full name."


# --- live agenda (issue 9) -----------------------------------------------------------------------


def _live_since(when: datetime) -> str:
    return f"{day_label(when.date())} {hm(when)}"


def live_agenda_failing(url: str, reason: str, since: datetime) -> str:
    """To organisers, once per failure streak of the ``AGENDA_URL`` refresh."""
    return (
        f"⚠️ <b>I cannot refresh the agenda</b> from <code>{h(url)}</code> "
        f"(since {_live_since(since)}).\n{h(reason)}\n\n"
        "Attendees keep the last good version. I keep trying and will tell you "
        "once it works again."
    )


def live_agenda_recovered(url: str, failures: int, since: datetime) -> str:
    """To organisers, once, when a failure streak ends."""
    attempts = "1 failed attempt" if failures == 1 else f"{failures} failed attempts"
    return (
        f"✅ <b>The agenda refreshes again</b> from <code>{h(url)}</code> "
        f"({attempts} since {_live_since(since)})."
    )


# --- questions on a large programme: answers worded from what the engine understood (issue 15) --
# The question engine returns data (room, track, kind, window, topic, ...), never words; these
# functions word it. Each filter is one whole phrase ("in Room B", "this afternoon"); a
# heading lists the filters understood, so any combination reads and translates.

_KIND_PLURAL = {
    SessionType.TALK: "talks",
    SessionType.PANEL: "panels",
    SessionType.KEYNOTE: "keynotes",
    SessionType.WORKSHOP: "workshops",
    SessionType.OPENING: "openings",
    SessionType.CLOSING: "closings",
    SessionType.BREAK: "breaks",
    SessionType.SOCIAL: "social events",
    SessionType.OTHER: "sessions",
}
_KIND_SINGULAR = {
    SessionType.TALK: "talk",
    SessionType.PANEL: "panel",
    SessionType.KEYNOTE: "keynote",
    SessionType.WORKSHOP: "workshop",
    SessionType.OPENING: "opening",
    SessionType.CLOSING: "closing",
    SessionType.BREAK: "break",
    SessionType.SOCIAL: "social event",
    SessionType.OTHER: "session",
}
_LANGUAGE_NAMES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "nl": "Dutch",
    "hu": "Hungarian",
    "es": "Spanish",
    "it": "Italian",
    "pl": "Polish",
}
_BREAK_NAMES = {
    "lunch": "lunch",
    "coffee": "the coffee break",
    "tea": "the tea break",
    "break": "the break",
    "dinner": "dinner",
    "registration": "registration",
}


def _clock(t: tuple[int, int]) -> str:
    return f"{t[0] % 24:02d}:{t[1]:02d}"


def relative_day(day: date, now: datetime | None) -> str:
    """ "today", "tomorrow", or "Thursday 7 November"."""
    if now is not None:
        delta = (day - now.date()).days
        if delta == 0:
            return "today"
        if delta == 1:
            return "tomorrow"
        if delta == -1:
            return "yesterday"
    return f"{day:%A} {day.day} {day:%B}"


def window_label(window: TimeWindow, now: datetime | None) -> str:
    """A time window as a short phrase: "today at 11:00", "tomorrow morning", "this afternoon"."""
    if window.kind is WindowKind.NOW:
        return "now"
    if window.kind is WindowKind.NEXT:
        return "next"
    if window.day is None:
        return f"{hm(window.start)}–{hm(window.end)}"
    day = relative_day(window.day, now)
    if window.part == "later":
        return "later today"
    if window.part == "tonight":
        return "tonight"
    if window.part is not None:
        return f"this {window.part}" if day == "today" else f"{day} {window.part}"
    if window.anchor is not None:
        name = _BREAK_NAMES.get(window.anchor, window.anchor)
        if window.relation is Relation.AFTER and window.clock:
            return f"{day} after {name} ({_clock(window.clock)})"
        if window.relation is Relation.BEFORE and window.clock:
            return f"{day} before {name} ({_clock(window.clock)})"
        return f"{day} during {name}"
    if window.clock is not None:
        if window.relation is Relation.BETWEEN and window.clock_end is not None:
            return f"{day} {_clock(window.clock)}–{_clock(window.clock_end)}"
        if window.relation is Relation.AFTER:
            return f"{day} after {_clock(window.clock)}"
        if window.relation is Relation.BEFORE:
            return f"{day} before {_clock(window.clock)}"
        return f"{day} at {_clock(window.clock)}"
    return day


def window_phrase(window: TimeWindow, now: datetime | None) -> str:
    """A window as it reads after "Sessions ...": "right now", "on Thursday 7 November"."""
    if window.kind is WindowKind.NOW:
        return "right now"
    if window.kind is WindowKind.NEXT:
        return "coming up next"
    label = window_label(window, now)
    return f"on {label}" if label[:1].isupper() else label


def answer_filters(answer: Answer, *, with_kind: bool = True) -> str:
    """What the question was understood to ask for, as one phrase of its filters:
    "keynotes about “rust” in Janson tomorrow morning"."""
    parts: list[str] = []
    if answer.kind is not None and with_kind:
        parts.append(_KIND_PLURAL[answer.kind])
    if answer.intent is Intent.WHO and answer.topic and answer.sessions:
        parts.append(f"speakers of “{h(answer.topic)}”")
    elif answer.speakers and answer.intent is not Intent.WHO:
        parts.append("by " + h(", ".join(sp.name for sp in answer.speakers[:3])))
    elif answer.topic:
        parts.append(f"about “{h(answer.topic)}”")
    if answer.language is not None:
        parts.append(f"in {h(_LANGUAGE_NAMES.get(answer.language, answer.language))}")
    if answer.track:
        parts.append(f"in the {h(answer.track)} track")
    if answer.room:
        parts.append(f"in {h(answer.room)}")
    if answer.window is not None:
        parts.append(h(window_phrase(answer.window, answer.asked_at)))
    return " ".join(parts)


def answer_heading(answer: Answer, shown: int, offset: int = 0) -> str:
    """The first line of a list of answers: what was asked, and how many matched in all."""
    total = answer.total
    what = answer_filters(answer)
    if answer.intent is Intent.WHEN and not what:
        head = "Here is when" if total == 1 else "Here is when these are on"
    elif answer.intent is Intent.WHERE and not what:
        head = "Here is where"
    elif what and answer.kind is not None:
        rest = answer_filters(answer, with_kind=False)
        noun = _KIND_SINGULAR[answer.kind] if total == 1 else _KIND_PLURAL[answer.kind]
        head = f"{total} {noun} {rest}".strip()
    elif what:
        noun = "session" if total == 1 else "sessions"
        head = f"{total} {noun} {what}"
    else:
        head = "Here is what I found"
    line = f"<b>{head}</b>"
    if shown < total:
        line += f" ({offset + 1}–{offset + shown} of {total})"
    return line


def answer_more_button(count: int) -> str:
    return f"{count} more"


def answer_past_mark() -> str:
    """After a session that has ended, in a list of answers."""
    return "(over)"


def answer_nothing_matched(answer: Answer) -> str:
    """Nothing matched what was asked: say what was understood."""
    hint = "Try other words, a speaker's name or a time, or browse /agenda."
    if answer.kind is not None:
        rest = answer_filters(answer, with_kind=False)
        return f"No {_KIND_PLURAL[answer.kind]} {rest}".rstrip() + f".\n{hint}"
    what = answer_filters(answer)
    if what:
        return f"Nothing {what}.\n{hint}"
    return f"I found nothing for that.\n{hint}"


def answer_suggestions_header() -> str:
    """Above weak matches offered when nothing matched with confidence."""
    return "<i>Not an exact match, but perhaps one of these:</i>"


def answer_suggestions_elsewhere_header() -> str:
    """Above sessions on the topic asked, at another time or place than the one asked."""
    return "<i>On that topic, but at another time or place:</i>"


def answer_nothing_now_there(answer: Answer, upcoming: list[Session]) -> str:
    """Nothing running now in the room (track, kind) asked about; what is next there."""
    when = answer.asked_at
    stamp = f" ({h(hm(when))})" if when is not None else ""
    if answer.kind is not None:
        rest = answer_filters(answer, with_kind=False)
        head = f"No {_KIND_SINGULAR[answer.kind]} {rest}{stamp}."
        later = f"The next {_KIND_SINGULAR[answer.kind]}"
    else:
        head = f"Nothing {answer_filters(answer)}{stamp}."
        later = "Next there" if answer.room or answer.track else "Next"
    if not upcoming:
        if answer.over:
            return conference_over()
        return f"{head}\nNothing more of that is scheduled."
    first = upcoming[0]
    following = "\n".join(slot_line(s, with_day=True) for s in upcoming)
    if when is not None and first.listed_day != when.date():
        day = day_long(first.listed_day)
        return f"{head}\n{later}, on {h(day)} at {h(hm(first.start))}:\n{following}"
    return f"{head}\n{later}, at {h(hm(first.start))}:\n{following}"


def answer_nothing_next(answer: Answer) -> str:
    """ "what's next in ROOM" when nothing more is scheduled there."""
    if answer.over:
        return conference_over()
    what = answer_filters(answer, with_kind=False)
    if answer.kind is not None:
        return f"No more {_KIND_PLURAL[answer.kind]} {what} are scheduled.".replace("  ", " ")
    return f"Nothing more is scheduled {what}.".replace("  ", " ")


def answer_verdict(verdict: bool) -> str:
    """The first word of the answer to a yes/no question."""
    return "<b>Yes.</b>" if verdict else "<b>No.</b>"


def answer_place(
    name: str, stints: Iterable[Stint], *, is_track: bool, now: datetime | None
) -> str:
    """Where and when a track or room runs: its room(s), day(s) and hours."""
    lines = [f"<b>{h(name)}</b>" + (" (track)" if is_track else "")]
    for st in stints:
        day = relative_day(st.day, now)
        where = f" in <b>{h(st.room)}</b>" if is_track and st.room else ""
        what = f" · {h(st.track)}" if not is_track and st.track else ""
        count = "1 session" if st.count == 1 else f"{st.count} sessions"
        lines.append(f"• {h(day)} {h(hm(st.start))}–{h(hm(st.end))}{where}{what} ({count})")
    if len(lines) == 1:
        lines.append("Nothing is scheduled there.")
    return "\n".join(lines)


def answer_place_verdict(
    verdict: bool, name: str, window: TimeWindow | None, now: datetime | None
) -> str:
    """ "Is the go devroom today?": yes or no, before where and when it runs."""
    when = window_phrase(window, now) if window is not None else "still to come"
    if verdict:
        return (
            f"<b>Yes</b>, {h(name)} is on {h(when)}."
            if window is not None
            else (f"<b>Yes</b>, {h(name)} is still to come.")
        )
    if window is not None:
        return f"<b>No</b>, {h(name)} is not on {h(when)}."
    return f"<b>No</b>, {h(name)} is over."


def time_problem(problem: Problem) -> str:
    """Why a time in a question was refused, and what to do."""
    kind = problem.kind
    if kind is ProblemKind.AMBIGUOUS_DATE:
        text = f"“{h(problem.text)}” is ambiguous: please write the date with the month's name."
    elif kind is ProblemKind.NOT_A_DATE:
        text = f"“{h(problem.text)}” is not a date."
    elif kind is ProblemKind.NO_SUCH_DAY_OF_MONTH:
        text = f"The conference has no day on the {problem.number}th."
    elif kind is ProblemKind.DAY_COUNT:
        days = "1 day" if problem.number == 1 else f"{problem.number} days"
        text = f"The conference has {days}."
    elif kind is ProblemKind.NO_BREAK:
        day = relative_day(problem.day, None) if problem.day else ""
        text = f"There is no {h(problem.text)} break on {h(day)}."
    else:
        when = day_long(problem.day) if problem.day else ""
        clock = _clock(problem.clock) if problem.clock else "That time"
        text = (
            f"{h(clock)} does not exist on {h(when)} in {h(problem.zone)} (the clocks go forward)."
        )
    return f"{text}\nTry another time, or browse /agenda."
