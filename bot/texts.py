"""Every sentence the bot says, in one place, so wording is reviewed here and translated.

Each function returns Telegram-flavoured HTML with every piece of agenda or user text escaped
by ``h``. Nothing else in the project writes user-facing wording. The words are gettext
messages (``bot/i18n.py``): they come out in the language of the current ``use_locale``,
English by default, so call sites never pass a language.

How to write (or convert) a text function::

    def seats_left(room: str, count: int) -> str:
        return ngettext(
            "{count} seat is left in <b>{room}</b>.",
            "{count} seats are left in <b>{room}</b>.",
            count,
            room=h(room),
        )

- One whole sentence (or paragraph) is one message, written in English as the msgid. Values go
  in as named ``{placeholders}`` filled by keyword; agenda and user text is escaped with ``h``
  in the call, never in the msgid. No literal braces in a msgid.
- Wording that depends on a condition is one message per variant, chosen with ``if``: never glue
  pieces of a sentence together (another language orders and inflects them differently). Whole
  sentences and layout (emoji, line breaks, `` · ``) may be joined.
- A number that changes a word goes through ``ngettext`` (``{count}`` is the number).
- Dates and times through ``day_label``/``day_long``/``hm``/``span``/``day_time`` (localised,
  24-hour, in the conference's zone); lists of names through ``and_list`` (in a sentence) or
  ``comma_list`` (after a label).
- Markup stays in the msgid only where a translator must place it (``<b>{title}</b>``).
- Plain-text results (button labels, toasts, chart labels) end in ``_button`` or ``_toast``,
  or are listed in ``PLAIN_TEXT``; they never use ``h``. The tests render every function in
  every language with hostile input and check the HTML ones with Telegram's parser.
- Then ``make messages`` and translate the new msgids in each ``bot/locales/*/…/confbot.po``;
  ``make test`` fails until every language has them.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal

from bot.agenda.diff import Changes, SessionChange
from bot.agenda.index import Stint
from bot.agenda.model import Conference, Session, SessionType, Speaker
from bot.i18n import (
    NP_,
    _,
    content_languages,
    format_date,
    format_datetime,
    format_list,
    format_number,
    language_in_current,
    ngettext,
    npgettext,
    pgettext,
)
from bot.questions.answer import (
    Answer,
    Intent,
    Problem,
    ProblemKind,
    Relation,
    TimeWindow,
    WindowKind,
)

#: Functions whose result is plain text (not HTML) besides ``*_button`` and ``*_toast``.
PLAIN_TEXT = frozenset(
    {
        "bookmark_label",
        "rating_label",
        "rating_skip_label",
        "no_comment_label",
        "comment_done_label",
        "hm",
        "day_label",
        "day_long",
        "day_time",
        "date_range",
        "span",
        "and_list",
        "comma_list",
        "type_label",
        "role_label",
        "calendar_speakers",
        "state_label",
        "minutes_phrase",
        "broadcast_time_unreadable",
        "broadcast_time_skipped",
        "broadcast_time_passed",
        "broadcast_time_too_far",
        "broadcast_no_such_session",
        "broadcast_no_such_track",
        "broadcast_unknown_audience",
        "reload_download_failed",
        "feedback_removed_session",
        "chart_title",
        "chart_axis",
        "chart_more",
        "something_went_wrong",
        "inline_description",
        "share_invitation",
        "title_of",
        "average",
        "conference_name",
        "relative_day",
        "window_label",
        "window_phrase",
        "calendar_feed_name",
        "qa_anonymous_label",
        "qa_yours_label",
        "qa_answered_label",
        "qa_hidden_label",
        "qa_anonymous_to_audience_label",
        "qa_asked_at_label",
    }
)


def title_of(session: Session) -> str:
    """A session's title in the language wanted now, when the agenda has it (plain text)."""
    return session.title_in(content_languages())


def conference_name(conf: Conference) -> str:
    """The conference's name in the language wanted now, when the agenda has it (plain text)."""
    return conf.name_in(content_languages())


def h(text: object) -> str:
    """Escape for Telegram HTML (quotes too, so text is safe inside attributes)."""
    return html.escape(str(text), quote=True)


# Dates and times. The "date format" messages are CLDR patterns, not sentences: EEE = Wed,
# EEEE = Wednesday, d = 27, MMM = Nov, MMMM = November, y = 2024, HH = 14, H = 9, mm = 05; text
# in 'single quotes' is copied. Translators write their language's order (see docs/i18n.md).


def hm(when: datetime) -> str:
    # Translators: CLDR pattern of a time of day; keep the 24-hour clock (HH:mm or H:mm).
    return format_datetime(when, pgettext("date format: time of day", "HH:mm"))


def day_label(day: date) -> str:
    # Translators: CLDR pattern of a short day on buttons and in lists: "Wed 27 Nov".
    return format_date(day, pgettext("date format: short day", "EEE d MMM"))


def day_long(day: date) -> str:
    # Translators: CLDR pattern of a day with its year: "Wednesday 27 November 2024".
    return format_date(day, pgettext("date format: long day", "EEEE d MMMM y"))


def day_time(when: datetime) -> str:
    """A short day and a time: "Wed 27 Nov 14:00"."""
    return _on_day(when.date(), hm(when))


def _on_day(day: date, time: str) -> str:
    """A short day and a time or span ("Wed 27 Nov 14:00–14:45")."""
    # Translators: a short day ("Wed 27 Nov") followed by a time or span ("14:00–14:45").
    return pgettext("date and time", "{day} {time}", day=day_label(day), time=time)


def date_range(conf: Conference) -> str:
    days = conf.days
    if not days:
        return ""
    first, last = days[0], days[-1]
    if first == last:
        return day_long(first)
    if (first.year, first.month) == (last.year, last.month):
        # Translators: CLDR patterns of a range of days in one month: "27–28 November 2024".
        start = format_date(first, pgettext("date format: first day of a range in a month", "d"))
        end = format_date(last, pgettext("date format: last day of a range in a month", "d MMMM y"))
        # Translators: a range of days in one month: "27–28 November 2024".
        return pgettext("date range in a month", "{first}–{last}", first=start, last=end)
    if first.year == last.year:
        # Translators: CLDR patterns of a range in one year: "27 November – 5 December 2024".
        start = format_date(
            first, pgettext("date format: first day of a range in a year", "d MMMM")
        )
        end = format_date(last, pgettext("date format: last day of a range in a year", "d MMMM y"))
    else:
        start, end = day_long(first), day_long(last)
    # Translators: a range of days over months or years: "27 November – 5 December 2024".
    return pgettext("date range", "{first} – {last}", first=start, last=end)


def span(session: Session) -> str:
    return f"{hm(session.start)}–{hm(session.end)}"


def and_list(items: Iterable[str]) -> str:
    """Items in a sentence: "A, B and C" (escape the items first)."""
    return format_list(items)


def comma_list(items: Iterable[str]) -> str:
    """Items after a label ("With: A, B, C"): the language's plain list."""
    return format_list(items, style="unit")


_TYPE_LABELS: dict[SessionType, tuple[str, str]] = {
    SessionType.TALK: NP_("session type", "Talk"),
    SessionType.PANEL: NP_("session type", "Panel"),
    SessionType.KEYNOTE: NP_("session type", "Keynote"),
    SessionType.WORKSHOP: NP_("session type", "Workshop"),
    SessionType.OPENING: NP_("session type", "Opening"),
    SessionType.CLOSING: NP_("session type", "Closing"),
    SessionType.BREAK: NP_("session type", "Break"),
    SessionType.SOCIAL: NP_("session type", "Social"),
    SessionType.OTHER: NP_("session type", "Session"),
}


class _Translated(Mapping[SessionType, str]):
    """``TYPE_LABEL[kind]`` in the current language (a mapping, as before the catalogue)."""

    def __init__(self, msgids: Mapping[SessionType, tuple[str, str]]) -> None:
        self._msgids = msgids

    def __getitem__(self, key: SessionType) -> str:
        return pgettext(*self._msgids[key])

    def __iter__(self) -> Iterator[SessionType]:
        return iter(self._msgids)

    def __len__(self) -> int:
        return len(self._msgids)


TYPE_LABEL: Mapping[SessionType, str] = _Translated(_TYPE_LABELS)


def type_label(kind: SessionType) -> str:
    return TYPE_LABEL.get(kind) or TYPE_LABEL[SessionType.OTHER]


_ROLE_LABELS: dict[str, tuple[str, str]] = {
    "speaker": NP_("role on stage", "speaker"),
    "moderator": NP_("role on stage", "moderator"),
    "chair": NP_("role on stage", "chair"),
    "host": NP_("role on stage", "host"),
    "panelist": NP_("role on stage", "panellist"),
    "panellist": NP_("role on stage", "panellist"),
    "presenter": NP_("role on stage", "presenter"),
    "discussant": NP_("role on stage", "discussant"),
    "keynote": NP_("role on stage", "keynote speaker"),
}


def role_label(role: str) -> str:
    """A role on stage in the current language; a role the agenda invented is shown as written."""
    msgid = _ROLE_LABELS.get(role.strip().casefold())
    return pgettext(*msgid) if msgid else role


_STATE_LABELS: dict[str, tuple[str, str]] = {
    "pending": NP_("delivery state", "pending"),
    "inflight": NP_("delivery state", "sending"),
    "sent": NP_("delivery state", "sent"),
    "failed": NP_("delivery state", "failed"),
    "blocked": NP_("delivery state", "blocked"),
    "expired": NP_("delivery state", "expired"),
    "cancelled": NP_("delivery state", "cancelled"),
    "skipped": NP_("delivery state", "skipped"),
    "draft": NP_("delivery state", "draft"),
    "sending": NP_("delivery state", "sending"),
    "scheduled": NP_("delivery state", "scheduled"),
    "running": NP_("delivery state", "running"),
    "done": NP_("delivery state", "done"),
}


def state_label(state: str) -> str:
    """An outbox or broadcast state as organisers read it."""
    msgid = _STATE_LABELS.get(state)
    return pgettext(*msgid) if msgid else state


def _with_role(name: str, role: str) -> str:
    """ "Name (moderator)": a speaker with any role other than plain speaker, escaped."""
    if role and role != "speaker":
        return f"{h(name)} ({h(role_label(role))})"
    return h(name)


# --- start, help, errors ---------------------------------------------------------------------


def welcome(conf: Conference, first_name: str) -> str:
    place = conf.city or conf.venue
    dates = date_range(conf)
    if dates and place:
        intro = _(
            "Hello {name}! I am the assistant of <b>{conference}</b> ({dates} · {place}).",
            name=h(first_name),
            conference=h(conference_name(conf)),
            dates=h(dates),
            place=h(place),
        )
    elif dates:
        intro = _(
            "Hello {name}! I am the assistant of <b>{conference}</b> ({dates}).",
            name=h(first_name),
            conference=h(conference_name(conf)),
            dates=h(dates),
        )
    else:
        intro = _(
            "Hello {name}! I am the assistant of <b>{conference}</b>.",
            name=h(first_name),
            conference=h(conference_name(conf)),
        )
    return (
        intro
        + "\n\n"
        + _(
            "Ask me anything about the programme in plain words, like "
            "<i>what's on after lunch?</i> or <i>when is the panel on crisis management?</i>, "
            "bookmark sessions to get a reminder before they start, and rate them afterwards.\n"
            "/agenda shows the programme, /help lists everything I can do."
        )
    )


def help_text(*, organiser: bool, speaker: bool) -> str:
    sections = [
        _(
            "<b>What I can do</b>\n"
            "/agenda – the programme, day by day\n"
            "/now – what is on right now\n"
            "/next – what starts next\n"
            "/speakers – everyone on stage; /speaker NAME – one of them\n"
            "/session ID – one session\n"
            "/my – your bookmarks and personal calendar\n"
            "/calendar – your bookmarks, live in your calendar app\n"
            "/remind N – get reminders N minutes before (0 = off)\n"
            "/feedback – rate a session you attended\n"
            "/whoami – your Telegram id\n"
            "\n"
            "Or just ask: <i>where is the coffee break?</i>, <i>who moderates the panel?</i>"
        )
    ]
    sections.append(help_questions(stage=speaker or organiser))
    if speaker:
        sections.append(_("<b>For speakers</b>\n/myslots – your sessions\n/myfeedback – ratings"))
    if organiser:
        sections.append(
            _(
                "<b>For organisers</b>\n"
                "/broadcast TEXT – message everyone (or a session's bookmarkers, speakers,"
                " a track)\n"
                "/alert TEXT – an urgent alert to everyone, sent ahead of everything else\n"
                "/broadcasts – scheduled and running broadcasts and alerts\n"
                "/reload – re-read the agenda and tell those affected\n"
                "/stats – users, bookmarks and feedback\n"
                "/export – feedback as CSV and a chart\n"
                "/speakerlinks – one-time links for speakers; /unlink NAME – unlink one"
            )
        )
    return "\n\n".join(sections)


def unknown_command() -> str:
    return _("I don't know that command. /help lists what I can do.")


def something_went_wrong() -> str:
    return _("Sorry, something went wrong on my side. Please try again in a moment.")


def stale_button() -> str:
    return _("That button is no longer valid. Send /agenda to start again.")


def text_too_long(limit: int) -> str:
    return ngettext(
        "That message is too long for me: please keep it under {count} character.",
        "That message is too long for me: please keep it under {count} characters.",
        limit,
    )


def whoami(user_id: int, *, organiser: bool, speaker_name: str | None) -> str:
    lines = [_("Your Telegram user id is <code>{id}</code>.", id=user_id)]
    if organiser:
        lines.append(_("You are an organiser of this conference."))
    if speaker_name:
        lines.append(_("You are linked as the speaker <b>{name}</b>.", name=h(speaker_name)))
    return "\n".join(lines)


# --- buttons shared by lists and cards ---------------------------------------------------------


def earlier_button() -> str:
    return _("◀ Earlier")


def later_button() -> str:
    return _("Later ▶")


def previous_button() -> str:
    return _("◀ Previous")


def next_button(page: int | None = None, pages: int | None = None) -> str:
    if page and pages:
        return _("Next ▶ ({page}/{pages})", page=page, pages=pages)
    return _("Next ▶")


def newer_button() -> str:
    return _("◀ Newer")


def older_button() -> str:
    return _("Older ▶")


def days_button() -> str:
    return _("📅 Days")


def calendar_button() -> str:
    return _("📅 Add to calendar")


def rate_button() -> str:
    return _("✍️ Rate this session")


def back_to_day_button() -> str:
    return _("🗓 Back to the day")


# --- agenda ------------------------------------------------------------------------------------


def choose_day(conf: Conference) -> str:
    return _(
        "<b>{conference}</b>\n{dates}\n\nWhich day?",
        conference=h(conference_name(conf)),
        dates=h(date_range(conf)),
    )


def day_header(day: date, page: int, pages: int) -> str:
    if pages > 1:
        return _("<b>{day}</b> ({page}/{pages})", day=h(day_long(day)), page=page + 1, pages=pages)
    return f"<b>{h(day_long(day))}</b>"


def slot_line(session: Session, *, with_day: bool = False, marked: bool = False) -> str:
    when = _on_day(session.listed_day, span(session)) if with_day else span(session)
    room = f" · {h(session.room)}" if session.room else ""
    star = "⭐ " if marked else ""
    title = h(title_of(session)) if session.is_break else f"<b>{h(title_of(session))}</b>"
    return f"{star}{h(when)} {title}{room}"


def session_card(
    session: Session, speakers: Iterable[tuple[Speaker, str]], *, bookmarked: bool = False
) -> str:
    lines = [f"<b>{h(title_of(session))}</b>"]
    lines.append(f"🗓 {h(day_long(session.listed_day))}, {h(span(session))}")
    if session.room:
        lines.append(f"📍 {h(session.room)}")
    kind = type_label(session.type)
    lines.append(f"🏷 {h(kind)}" + (f" · {h(session.track)}" if session.track else ""))
    people = [_with_role(sp.name, role) for sp, role in speakers]
    if people:
        lines.append("🎤 " + comma_list(people))
    if bookmarked:
        lines.append(_("⭐ In your bookmarks"))
    abstract = session.abstract_in(content_languages()).strip()
    if abstract:
        if len(abstract) > 1500:
            abstract = abstract[:1500].rstrip() + "…"
        lines += ["", h(abstract)]
    return "\n".join(lines)


def no_such_session(query: str) -> str:
    return _("I found no session <code>{query}</code>. Try /agenda or just ask me.", query=h(query))


def now_running(
    when: datetime, sessions: list[Session], upcoming: list[Session], *, begun: bool = True
) -> str:
    if sessions:
        body = "\n".join(slot_line(s) for s in sessions)
        return _("<b>On now</b> ({time})", time=h(hm(when))) + "\n" + body
    if not upcoming:
        return conference_over()
    first = upcoming[0]
    following = "\n".join(slot_line(s) for s in upcoming)
    if first.start.date() != when.date():  # not today: name the day, not "right now"
        day, start = h(day_long(first.listed_day)), h(hm(first.start))
        if begun:
            head = _("The programme continues on {day} at {time}:", day=day, time=start)
        else:
            head = _("The programme starts on {day} at {time}:", day=day, time=start)
        return head + "\n" + following
    return (
        _(
            "Nothing is running right now ({now}).\nNext, at {time}:",
            now=h(hm(when)),
            time=h(hm(first.start)),
        )
        + "\n"
        + following
    )


def next_up(sessions: list[Session]) -> str:
    if not sessions:
        return _("Nothing more is scheduled. Thank you for coming!")
    first = sessions[0]
    head = _(
        "<b>Next</b>, {day} at {time}",
        day=h(day_label(first.listed_day)),
        time=h(hm(first.start)),
    )
    return head + "\n" + "\n".join(slot_line(s) for s in sessions)


def conference_over() -> str:
    return _("The conference is over. Thank you for coming!")


def speakers_list(conf: Conference, count: int) -> str:
    return _(
        "<b>Speakers</b> of {conference} ({count}). Tap one for their profile.",
        conference=h(conference_name(conf)),
        count=count,
    )


def speaker_profile(speaker: Speaker, sessions: list[tuple[Session, str]]) -> str:
    lines = [f"<b>{h(speaker.name)}</b>"]
    if speaker.affiliation:
        lines.append(f"<i>{h(speaker.affiliation)}</i>")
    if speaker.bio:
        bio = speaker.bio.strip()
        lines += ["", h(bio[:1200] + ("…" if len(bio) > 1200 else ""))]
    if sessions:
        lines += ["", _("<b>Sessions</b>")]
        for s, role in sessions:
            role_txt = f" ({h(role_label(role))})" if role and role != "speaker" else ""
            lines.append(slot_line(s, with_day=True) + role_txt)
    return "\n".join(lines)


def no_such_speaker(query: str) -> str:
    return _("I know no speaker called <i>{query}</i>. /speakers lists them all.", query=h(query))


def several_matches(query: str) -> str:
    return _("Several matches for <i>{query}</i>:", query=h(query))


def session_usage() -> str:
    return _("Which session? Send <code>/session ID</code>, or browse with /agenda.")


def nothing_understood(question: str) -> str:
    return _(
        "I could not find anything for <i>{question}</i>. "
        "Try a speaker's name, a topic or a time (<i>what's on at 11?</i>), or browse /agenda.",
        question=h(question),
    )


# --- plain-language answers (issue 4) ---------------------------------------------------------


def answer_line(session: Session, people: list[tuple[Speaker, str]]) -> str:
    line = slot_line(session, with_day=True)
    if people:
        names = comma_list(_with_role(sp.name, role) for sp, role in people)
        line += f"\n    🎤 {names}"
    return line


def answer_who(session: Session, people: list[tuple[Speaker, str]]) -> str:
    if not people:
        return (
            slot_line(session, with_day=True) + "\n" + _("No speakers are listed for this session.")
        )
    lines = [slot_line(session, with_day=True)]
    for sp, role in people:
        label = role_label(role or "speaker")
        label = label[:1].upper() + label[1:]
        extra = f", {h(sp.affiliation)}" if sp.affiliation else ""
        lines.append(f"• {h(label)}: <b>{h(sp.name)}</b>{extra}")
    return "\n".join(lines)


def answer_nothing_now(when: datetime, upcoming: list[Session]) -> str:
    return now_running(when, [], upcoming)


def conference_info(conf: Conference) -> str:
    lines = [f"<b>{h(conference_name(conf))}</b>", f"🗓 {h(date_range(conf))}"]
    place = ", ".join(p for p in (conf.venue, conf.address, conf.city) if p)
    if place:
        lines.append(f"📍 {h(place)}")
    if conf.organisers:
        organisers = and_list(h(o) for o in conf.organisers)
        lines.append(
            ngettext(
                "Organised by {organisers}",
                "Organised by {organisers}",
                len(conf.organisers),
                organisers=organisers,
            )
        )
    start, end = conf.start, conf.end
    if start is not None and end is not None:
        lines.append(
            _(
                "The programme runs {start}–{end} ({zone}).",
                start=h(hm(start)),
                end=h(hm(end)),
                zone=h(conf.timezone.key),
            )
        )
    text = conf.description_in(content_languages()).strip()
    if text:
        lines += ["", h(text[:700] + ("…" if len(text) > 700 else ""))]
    if conf.url:
        lines.append(_('<a href="{url}">Conference website</a>', url=h(conf.url)))
    return "\n".join(lines)


# --- bookmarks and reminders (issue 5) -----------------------------------------------------------
# Callback answers (toasts) are plain text: Telegram does not parse HTML in them.


def minutes_phrase(minutes: int) -> str:
    return ngettext("{count} minute", "{count} minutes", minutes)


def bookmarked_toast(lead: int, *, started: bool = False, ended: bool = False) -> str:
    """A toast is plain text. What the bookmark will bring depends on where the session is."""
    if ended:
        return _("Bookmarked. It is over: rate it with /feedback.")
    if started:
        return _("Bookmarked. It has started, so no reminder: I'll ask for your feedback after it.")
    if lead <= 0:
        return _("Bookmarked. Reminders are off: /remind 10 turns them on.")
    return ngettext(
        "Bookmarked — I'll remind you {count} minute before",
        "Bookmarked — I'll remind you {count} minutes before",
        lead,
    )


def bookmark_removed_toast() -> str:
    return _("Removed")


def break_not_bookmarkable() -> str:
    return _("Breaks cannot be bookmarked.")


def bookmark_label(bookmarked: bool) -> str:
    return _("Remove bookmark") if bookmarked else _("⭐ Bookmark")


def headline_button(on: bool) -> str:
    if on:
        return _("✅ Reminders before every panel: on")
    return _("🔔 Remind me before every panel")


def headline_toast(on: bool) -> str:
    if on:
        return _("Done: I'll remind you before every panel and keynote.")
    return _("Done: only your bookmarks get reminders now.")


def schedule_button() -> str:
    return _("📅 Whole schedule as .ics")


def my_schedule(sessions: list[Session], clashes: set[str], *, headline: bool) -> str:
    if not sessions:
        text = _(
            "<b>Your schedule</b>\nNo bookmarks yet. Open a session from /agenda and tap "
            "<i>{button}</i>, and I'll remind you before it starts.",
            button=h(bookmark_label(False)),
        )
    else:
        lines = [_("<b>Your schedule</b> ({count})", count=len(sessions))]
        day: date | None = None
        for s in sessions:
            if s.listed_day != day:
                day = s.listed_day
                lines += ["", f"<b>{h(day_long(day))}</b>"]
            line = slot_line(s)
            if s.id in clashes:
                line += " " + _("⚠️ <i>clash</i>")
            lines.append(line)
        if clashes:
            lines += ["", _("⚠️ marks sessions that overlap another of your bookmarks.")]
        text = "\n".join(lines)
    if headline:
        text += "\n\n" + _("🔔 You also get a reminder before every panel and keynote.")
    return text


def remind_status(minutes: int, *, is_default: bool, headline: bool) -> str:
    if minutes <= 0:
        now = _("Reminders are <b>off</b>.")
    elif is_default:
        now = ngettext(
            "I remind you <b>{count} minute</b> before your sessions (the default).",
            "I remind you <b>{count} minutes</b> before your sessions (the default).",
            minutes,
        )
    else:
        now = ngettext(
            "I remind you <b>{count} minute</b> before your sessions.",
            "I remind you <b>{count} minutes</b> before your sessions.",
            minutes,
        )
    if headline:
        panels = _("You also get a reminder before every panel and keynote.")
    else:
        panels = _("The button below adds a reminder before every panel and keynote.")
    change = _("Change it with <code>/remind N</code> (0 turns reminders off).")
    return f"{now}\n{panels}\n{change}"


def remind_set(minutes: int) -> str:
    if minutes <= 0:
        return _("Reminders are now <b>off</b>. <code>/remind 10</code> turns them back on.")
    return ngettext(
        "Done: I'll remind you <b>{count} minute</b> before your sessions.",
        "Done: I'll remind you <b>{count} minutes</b> before your sessions.",
        minutes,
    )


def remind_usage(low: int, high: int) -> str:
    return _(
        "Send <code>/remind N</code> with N a whole number of minutes from {low} to {high}, "
        "e.g. <code>/remind 15</code>; <code>/remind 0</code> turns reminders off.",
        low=low,
        high=high,
    )


def reminder(session: Session, speakers: Iterable[tuple[Speaker, str]], minutes_left: int) -> str:
    title, start = h(title_of(session)), h(hm(session.start))
    if minutes_left <= 0:
        head = _("⏰ <b>{title}</b> starts now, at {time}.", title=title, time=start)
    else:
        head = ngettext(
            "⏰ <b>{title}</b> starts in {count} minute, at {time}.",
            "⏰ <b>{title}</b> starts in {count} minutes, at {time}.",
            minutes_left,
            title=title,
            time=start,
        )
    lines = [head]
    where = f"📍 {h(session.room)}" if session.room else ""
    lines.append(f"🕑 {h(span(session))}" + (f" · {where}" if where else ""))
    people = [_with_role(sp.name, role) for sp, role in speakers]
    if people:
        lines.append("🎤 " + comma_list(people))
    return "\n".join(lines)


def open_card_button() -> str:
    return _("Open the session")


def calendar_caption(session: Session) -> str:
    return _(
        "📅 <b>{title}</b>: open the file to add it to your calendar.", title=h(title_of(session))
    )


def calendar_speakers(names: list[str]) -> str:
    """Plain text in a calendar event's description: who is on stage (names with roles)."""
    return ngettext("Speaker: {names}", "Speakers: {names}", len(names), names=comma_list(names))


def schedule_caption(count: int) -> str:
    return ngettext(
        "📅 Your schedule ({count} session): open the file to add it to your calendar.",
        "📅 Your schedule ({count} sessions): open the file to add it to your calendar.",
        count,
    )


def schedule_empty_toast() -> str:
    return _("No bookmarks yet: nothing to put in a calendar.")


# --- feedback (issue 6) --------------------------------------------------------------------------


def rating_label(rating: int, *, chosen: bool = False) -> str:
    """A rating button: the number first, so it is clear without counting stars."""
    return f"✅ {rating} ★" if chosen else f"{rating} ★"


def rating_skip_label() -> str:
    return _("Skip")


def no_comment_label() -> str:
    return _("No comment")


def comment_done_label() -> str:
    return _("✅ Done")


def feedback_prompt(session: Session) -> str:
    room = f" · {h(session.room)}" if session.room else ""
    return (
        _("How was <b>{title}</b>?", title=h(title_of(session)))
        + f"\n{h(day_label(session.listed_day))} {h(span(session))}{room}\n\n"
        + _("Tap a rating from 1 (poor) to 5 (excellent).")
    )


def rating_saved(session: Session, rating: int, wait_minutes: int, *, changed: bool) -> str:
    title = h(title_of(session))
    if changed:
        thanks = _(
            "Thank you! You changed your rating of <b>{title}</b>: <b>{rating}/5</b>.",
            title=title,
            rating=rating,
        )
    else:
        thanks = _(
            "Thank you! You rated <b>{title}</b>: <b>{rating}/5</b>.", title=title, rating=rating
        )
    more = ngettext(
        "Anything to add? Send a comment as your next message (within {count} minute),"
        " or tap <i>{button}</i>. Another button changes your rating.",
        "Anything to add? Send a comment as your next message (within {count} minutes),"
        " or tap <i>{button}</i>. Another button changes your rating.",
        wait_minutes,
        button=h(no_comment_label()),
    )
    return f"{thanks}\n\n{more}"


def rating_skipped(session: Session) -> str:
    return _(
        "No rating for <b>{title}</b>. You can still rate it later with /feedback.",
        title=h(title_of(session)),
    )


def comment_saved(session_title: str, edit_minutes: int) -> str:
    return ngettext(
        "📝 Your comment on <b>{title}</b> is saved, thank you.\n"
        "To change it, send a new one within {count} minute.",
        "📝 Your comment on <b>{title}</b> is saved, thank you.\n"
        "To change it, send a new one within {count} minutes.",
        edit_minutes,
        title=h(session_title),
    )


def comment_too_long(limit: int, length: int) -> str:
    return ngettext(
        "That comment is {length} character long; please keep it under {limit} characters"
        " and send it again.",
        "That comment is {length} characters long; please keep it under {limit} characters"
        " and send it again.",
        length,
        length=length,
        limit=limit,
    )


def comment_needs_rating() -> str:
    return _("Please rate the session first: /feedback lists the sessions you can rate.")


def feedback_complete(session: Session, rating: int, *, commented: bool) -> str:
    if commented:
        return _(
            "Thank you! Your rating ({rating}/5) and your comment on <b>{title}</b> are saved.",
            rating=rating,
            title=h(title_of(session)),
        )
    return _(
        "Thank you! Your rating ({rating}/5) on <b>{title}</b> is saved.",
        rating=rating,
        title=h(title_of(session)),
    )


def feedback_list(page: int, pages: int) -> str:
    if pages > 1:
        return _(
            "<b>Rate a session</b> ({page}/{pages})\nMost recent first. Tap one to rate it.",
            page=page + 1,
            pages=pages,
        )
    return _("<b>Rate a session</b>\nMost recent first. Tap one to rate it.")


def feedback_nothing_to_rate() -> str:
    return _(
        "No session has started yet, so there is nothing to rate. /agenda shows what is coming."
    )


# Callback answers (toasts) are plain text, not HTML.
def rating_thanks_toast(rating: int) -> str:
    return _("Thanks! Saved {rating}/5.", rating=rating)


def rating_skipped_toast() -> str:
    return _("Skipped.")


def feedback_stale_toast() -> str:
    return _("This rating button is not valid any more. Send /feedback to rate a session.")


def feedback_not_started_toast() -> str:
    return _("You can rate this session once it has started.")


def feedback_break_toast() -> str:
    return _("Breaks are not rated.")


def feedback_no_rating_toast() -> str:
    return _("Please rate the session first.")


def feedback_stats_empty() -> str:
    return _("<b>Feedback</b>\nNo ratings yet.")


def _ratings_on_sessions(ratings: int, sessions: int) -> dict[str, str]:
    """Two counted nouns of one sentence, each in the form its number and place need."""
    return {
        "ratings": npgettext(
            "feedback: how many ratings", "{count} rating", "{count} ratings", ratings
        ),
        "sessions": npgettext(
            "feedback: on how many sessions", "{count} session", "{count} sessions", sessions
        ),
    }


def average(value: Decimal | None) -> str:
    """An average rating to one decimal in the language's way ("4.3", "4,3"); "–" for none."""
    return "–" if value is None else format_number(value, 1)


def feedback_stats_header(ratings: int, sessions: int, average: str, page: int, pages: int) -> str:
    counted = _ratings_on_sessions(ratings, sessions)
    if pages > 1:
        return _(
            "<b>Feedback</b> ({page}/{pages}): {ratings} on {sessions}, average <b>{average}</b>",
            page=page + 1,
            pages=pages,
            average=h(average),
            **counted,
        )
    return _(
        "<b>Feedback</b>: {ratings} on {sessions}, average <b>{average}</b>",
        average=h(average),
        **counted,
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
        lines.append("   💬 " + _("{rating}/5: “{comment}”", rating=rating, comment=h(short)))
    return "\n".join(lines)


def feedback_stats_unrated(titles: list[str]) -> str:
    shown = ", ".join(h(t) for t in titles[:10])
    if len(titles) > 10:
        return ngettext(
            "<i>No ratings yet:</i> {titles} and {count} more",
            "<i>No ratings yet:</i> {titles} and {count} more",
            len(titles) - 10,
            titles=shown,
        )
    return _("<i>No ratings yet:</i> {titles}", titles=shown)


def feedback_removed_session(session_id: str) -> str:
    """Plain text: a rated session that a reload removed from the agenda."""
    return _("{id} (no longer in the agenda)", id=session_id)


def export_caption(ratings: int, sessions: int) -> str:
    return _(
        "📄 Feedback export: {ratings} on {sessions} (UTF-8 CSV).",
        **_ratings_on_sessions(ratings, sessions),
    )


def export_chart_caption() -> str:
    return _("📊 Average rating per session (number of ratings in brackets).")


def chart_title(conference_name: str) -> str:
    """Plain text drawn into the PNG chart."""
    return _("{conference}: average rating per session", conference=conference_name)


def chart_axis() -> str:
    return _("Average rating (1–5)")


def chart_more(hidden: int) -> str:
    return ngettext(
        "… and {count} more session (see the CSV)",
        "… and {count} more sessions (see the CSV)",
        hidden,
    )


# --- organisers: broadcasts, reload, stats (issue 7) ---------------------------------------------


def _when(when: datetime) -> str:
    """A time in the organiser's preview: with the day, so a next-day slot is not missed."""
    return day_time(when)


def change_notice(change: SessionChange) -> str:
    """What one bookmarker reads when a session they follow changes."""
    old, new = change.old, change.new
    lines = [_("📣 <b>Change to a session you bookmarked</b>: {title}", title=h(title_of(new)))]
    if change.renamed and title_of(old) != title_of(new):
        lines.append(_("New title (was <i>{title}</i>).", title=h(title_of(old))))
    if change.moved:
        lines.append(
            _(
                "🕒 Now <b>{now}</b> (was {was}).",
                now=h(_day_span(new)),
                was=h(_day_span(old)),
            )
        )
    else:
        lines.append(f"🕒 {h(_day_span(new))}")
    if change.room_changed:
        if not new.room:
            lines.append(_("📍 The room is to be announced (was {room}).", room=h(old.room)))
        elif not old.room:
            lines.append(_("📍 Now in <b>{room}</b>.", room=h(new.room)))
        else:
            lines.append(
                _("📍 Now in <b>{room}</b> (was {old}).", room=h(new.room), old=h(old.room))
            )
    elif new.room:
        lines.append(f"📍 {h(new.room)}")
    lines.append(_("Your reminder follows the new time."))
    return "\n".join(lines)


def _day_span(session: Session) -> str:
    """ "Wed 27 Nov 14:00–14:45": the day a session starts and its times."""
    return _on_day(session.start.date(), span(session))


def change_cancelled(session: Session) -> str:
    return _(
        "📣 <b>Cancelled</b>: {title} ({when}), which you bookmarked, is no longer on the"
        " programme.",
        title=h(title_of(session)),
        when=h(_day_span(session)),
    )


def open_session() -> str:
    return _("Open the session")


def broadcast_usage() -> str:
    return _(
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
    return _("Send me the text of the broadcast now (or /broadcast again to start over).")


def broadcast_bad_input(reason: str) -> str:
    return _(
        "I can't prepare that broadcast: {reason}.\n/broadcast alone shows how to use it.",
        reason=h(reason),
    )


def broadcast_too_long(limit: int) -> str:
    return ngettext(
        "That broadcast is too long: Telegram allows {count} character in one message.",
        "That broadcast is too long: Telegram allows {count} characters in one message.",
        limit,
    )


def audience_label(kind: str, arg: str, title: str | None = None) -> str:
    if kind == "session":
        return _("those who bookmarked <i>{title}</i>", title=h(title or arg))
    if kind == "track":
        return _("those who bookmarked a session of the track <i>{track}</i>", track=h(arg))
    if kind == "speakers":
        return _("the linked speakers")
    return _("everyone who started the bot")


def broadcast_summary(audience: str, size: int, when: datetime | None) -> str:
    """``audience`` is HTML from ``audience_label``."""
    preview = _("☝️ This is the preview of your broadcast.")
    people = ngettext(
        "Audience: {audience}: <b>{count} person</b>.",
        "Audience: {audience}: <b>{count} people</b>.",
        size,
        audience=audience,
    )
    if when:
        timing = _("It goes out at <b>{when}</b> once you press Send.", when=h(_when(when)))
    else:
        timing = _("It goes out now once you press Send.")
    return f"{preview}\n{people}\n{timing}"


def broadcast_empty(audience: str) -> str:
    return _(
        "Nobody is in that audience ({audience}), so there is nothing to send.",
        audience=audience,
    )


# Problems with what an organiser typed after /broadcast: plain text, escaped where shown.
def broadcast_time_unreadable(text: str) -> str:
    return _("I could not read “{text}” as a time, e.g. at 17:30", text=text)


def broadcast_time_skipped(when: datetime) -> str:
    return _("{time} does not exist on that day (clock change)", time=hm(when))


def broadcast_time_passed(when: datetime) -> str:
    return _("{when} has already passed; give a later time or a date", when=_dated_time(when))


def broadcast_time_too_far(when: datetime) -> str:
    return _("{when} is too far ahead", when=_dated_time(when))


def _dated_time(when: datetime) -> str:
    """A moment with its year: "Wednesday 27 November 2024 14:00"."""
    # Translators: a long day ("Wednesday 27 November 2024") followed by a time ("14:00").
    return pgettext("long date and time", "{day} {time}", day=day_long(when.date()), time=hm(when))


def broadcast_no_such_session(key: str) -> str:
    return _("there is no session “{key}” (see /session)", key=key)


def broadcast_no_such_track(name: str) -> str:
    return _("there is no track “{name}”", name=name)


def broadcast_unknown_audience(kind: str) -> str:
    return _(
        "unknown audience “{kind}”: use to:session:ID, to:track:NAME or to:speakers", kind=kind
    )


def broadcast_send_button(size: int) -> str:
    return _("✅ Send to {size}", size=size)


def cancel_button() -> str:
    return _("✖️ Cancel")


def broadcast_stop_button() -> str:
    return _("⏹ Cancel the rest")


def broadcast_discarded() -> str:
    return _("Broadcast discarded; nothing was sent.")


def broadcast_gone() -> str:
    return _("That broadcast is no longer waiting for this.")


def _counts(sent: int, failed: int, blocked: int, left: int) -> str:
    return _(
        "sent {sent} · failed {failed} · blocked {blocked} · left {left}",
        sent=sent,
        failed=failed,
        blocked=blocked,
        left=left,
    )


def _duration(seconds_total: float) -> str:
    """An ETA: "2 min 05 s", "40 s" (at least 1 s for anything left to send)."""
    rounded = round(seconds_total)
    if seconds_total > 0:
        rounded = max(1, rounded)
    minutes, seconds = divmod(rounded, 60)
    if minutes:
        padded = f"{seconds:02d}"
        return _("{minutes} min {seconds} s", minutes=minutes, seconds=padded)
    return _("{seconds} s", seconds=seconds)


def broadcast_progress(
    batch_id: int,
    sent: int,
    failed: int,
    blocked: int,
    left: int,
    eta_seconds: float,
    *,
    alert: bool = False,
) -> str:
    counts, eta = _counts(sent, failed, blocked, left), _duration(eta_seconds)
    if alert:
        return _(
            "🚨 <b>Alert #{id}</b> is going out.\n{counts}\nAbout {eta} left.",
            id=batch_id,
            counts=counts,
            eta=eta,
        )
    return _(
        "📤 <b>Broadcast #{id}</b> is going out.\n{counts}\nAbout {eta} left.",
        id=batch_id,
        counts=counts,
        eta=eta,
    )


def broadcast_scheduled(batch_id: int, when: datetime, size: int) -> str:
    return ngettext(
        "🕒 <b>Broadcast #{id}</b> is scheduled for <b>{when}</b> to {count} person."
        " /broadcasts lists what is scheduled.",
        "🕒 <b>Broadcast #{id}</b> is scheduled for <b>{when}</b> to {count} people."
        " /broadcasts lists what is scheduled.",
        size,
        id=batch_id,
        when=h(_when(when)),
    )


def broadcast_done(
    batch_id: int, sent: int, failed: int, blocked: int, left: int, *, alert: bool = False
) -> str:
    if alert:
        return _(
            "✅ <b>Alert #{id}</b> finished: {counts}.",
            id=batch_id,
            counts=_counts(sent, failed, blocked, left),
        )
    return _(
        "✅ <b>Broadcast #{id}</b> finished: {counts}.",
        id=batch_id,
        counts=_counts(sent, failed, blocked, left),
    )


def broadcast_stopped(
    batch_id: int, sent: int, failed: int, blocked: int, cancelled: int, *, alert: bool = False
) -> str:
    if alert:
        return _(
            "⏹ <b>Alert #{id}</b> cancelled: sent {sent} · failed {failed}"
            " · blocked {blocked} · not sent {cancelled}.",
            id=batch_id,
            sent=sent,
            failed=failed,
            blocked=blocked,
            cancelled=cancelled,
        )
    return _(
        "⏹ <b>Broadcast #{id}</b> cancelled: sent {sent} · failed {failed}"
        " · blocked {blocked} · not sent {cancelled}.",
        id=batch_id,
        sent=sent,
        failed=failed,
        blocked=blocked,
        cancelled=cancelled,
    )


def broadcasts_none() -> str:
    return _("No broadcast is scheduled or running.")


def broadcasts_list(lines: Iterable[str]) -> str:
    return _("<b>Scheduled and running broadcasts</b>") + "\n" + "\n".join(lines)


def broadcasts_line(
    batch_id: int,
    state: str,
    when: datetime | None,
    audience: str,
    preview: str,
    left: int,
    *,
    alert: bool = False,
) -> str:
    """``audience`` is HTML from ``audience_label``; ``state`` is the batch's state. An alert
    is never scheduled (it goes now), so it has one line of its own."""
    label = h(state_label(state))
    if alert:
        return _(
            "#{id} · 🚨 urgent alert · {state} · {left} left · {audience}: {preview}",
            id=batch_id,
            state=label,
            left=left,
            audience=audience,
            preview=h(preview),
        )
    if when and state == "scheduled":
        return _(
            "#{id} · {state} · at {when} · {audience}: {preview}",
            id=batch_id,
            state=label,
            when=h(_when(when)),
            audience=audience,
            preview=h(preview),
        )
    return _(
        "#{id} · {state} · {left} left · {audience}: {preview}",
        id=batch_id,
        state=label,
        left=left,
        audience=audience,
        preview=h(preview),
    )


def broadcasts_stop_button(batch_id: int) -> str:
    return _("⏹ Cancel #{id}", id=batch_id)


# --- urgent alerts (issue 13) ------------------------------------------------------------------


def alert_message(html: str) -> str:
    """What every recipient of an alert reads; ``html`` is the organiser's text (escaped HTML)."""
    return _("🚨 <b>Urgent message from the organisers</b>\n\n{text}", text=html)


def alert_usage() -> str:
    return _(
        "<b>/alert</b> sends an urgent message ahead of everything else the bot is sending,"
        " after a preview.\n"
        "<code>/alert TEXT</code> – to everyone who started the bot\n"
        "<code>/alert to:session:ID TEXT</code>, <code>to:track:NAME</code>,"
        " <code>to:speakers</code> – to the same audiences as /broadcast\n"
        "Or reply to a message with <code>/alert</code>. An alert goes out at once; use"
        " /broadcast for anything that can wait."
    )


def alert_not_scheduled() -> str:
    return _(
        "An alert goes out at once, so it cannot be scheduled."
        " Use <code>/broadcast at TIME TEXT</code> for a message that can wait."
    )


def alert_summary(audience: str, size: int, eta_seconds: float, stars: int | None) -> str:
    """The preview's summary; ``audience`` is HTML from ``audience_label``; ``stars`` is None
    unless paid sending (PAID_BROADCAST_RATE) is on."""
    lines = [
        _("☝️ This is the preview of your urgent alert: it goes ahead of everything else."),
        ngettext(
            "It reaches {audience}: <b>{count} person</b>.",
            "It reaches {audience}: <b>{count} people</b>.",
            size,
            audience=audience,
        ),
        _(
            "Sending it takes about <b>{eta}</b> once you press Send.",
            eta=h(_duration(eta_seconds)),
        ),
    ]
    if stars is not None:
        lines.append(
            ngettext(
                "It is sent as a Telegram paid broadcast: it costs at most <b>{count} Star</b>"
                " from the bot's balance.",
                "It is sent as a Telegram paid broadcast: it costs at most <b>{count} Stars</b>"
                " from the bot's balance.",
                stars,
            )
        )
    return "\n".join(lines)


def alert_paid_refused(batch_id: int, reason: str, left: int, eta_seconds: float) -> str:
    """To the alert's organiser, once: Telegram refused paid sending; ``reason`` is Telegram's
    own description (escaped here)."""
    return ngettext(
        "⚠️ Telegram refused to send <b>alert #{id}</b> as a paid broadcast: {reason}\n"
        "It goes on at the free rate, nothing is lost: {count} message left, about {eta}.",
        "⚠️ Telegram refused to send <b>alert #{id}</b> as a paid broadcast: {reason}\n"
        "It goes on at the free rate, nothing is lost: {count} messages left, about {eta}.",
        left,
        id=batch_id,
        reason=h(reason),
        eta=h(_duration(eta_seconds)),
    )


def reload_error(error: str) -> str:
    return _(
        "❌ That agenda cannot be used, so nothing changed:\n<code>{error}</code>\n"
        "Fix the file and try again; <code>confbot check FILE</code> shows the same check.",
        error=h(error),
    )


def reload_download_failed(name: str, error: str) -> str:
    """Plain text, shown inside ``reload_error``: an uploaded agenda could not be fetched."""
    return _("{name}: cannot download the file: {error}", name=name, error=error)


def reload_file_too_big(limit_mb: int) -> str:
    return _(
        "That file is too big for an agenda (the limit is {limit} MB). Nothing changed.",
        limit=limit_mb,
    )


def reload_no_changes(source: str) -> str:
    return _(
        "<code>{source}</code> has no changes to sessions, times or rooms. Nothing to do.",
        source=h(source),
    )


def _change_line(change: SessionChange) -> str:
    parts = []
    if change.moved:
        if change.old.start.date() != change.new.start.date():
            parts.append(
                _(
                    "{old} → {new} ({day})",
                    old=h(span(change.old)),
                    new=h(span(change.new)),
                    day=h(day_label(change.new.start.date())),
                )
            )
        else:
            parts.append(f"{h(span(change.old))} → {h(span(change.new))}")
    if change.room_changed:
        parts.append(f"{h(change.old.room or '–')} → {h(change.new.room or '–')}")
    if change.renamed:
        parts.append(_("renamed from <i>{title}</i>", title=h(title_of(change.old))))
    return f"• <b>{h(title_of(change.new))}</b>: " + "; ".join(parts)


def reload_preview(source: str, changes: Changes, affected_people: int, warnings: int) -> str:
    limit = 25
    lines = [_("<b>Changes in</b> <code>{source}</code>", source=h(source))]
    if changes.renamed_conference:
        old, new = changes.renamed_conference
        lines.append(_("Conference renamed: {old} → {new}", old=h(old), new=h(new)))
    body: list[str] = [_change_line(c) for c in changes.changed]
    body += [
        _("• new: <b>{title}</b> ({when})", title=h(title_of(s)), when=h(_when(s.start)))
        for s in changes.added
    ]
    body += [
        _("• cancelled: <b>{title}</b> ({when})", title=h(title_of(s)), when=h(_when(s.start)))
        for s in changes.cancelled
    ]
    lines += body[:limit]
    if len(body) > limit:
        lines.append(ngettext("… and {count} more.", "… and {count} more.", len(body) - limit))
    lines.append(
        _(
            "{moved} moved, {rooms} room changes, {renamed} renamed, {added} new,"
            " {cancelled} cancelled.",
            moved=len(changes.moved),
            rooms=len(changes.room_changes),
            renamed=len(changes.renamed),
            added=len(changes.added),
            cancelled=len(changes.cancelled),
        )
    )
    if warnings:
        lines.append(
            ngettext(
                "⚠️ {count} warning (run <code>confbot check</code> to see it).",
                "⚠️ {count} warnings (run <code>confbot check</code> to see them).",
                warnings,
            )
        )
    lines.append(
        ngettext(
            "Applying tells {count} bookmarker what changed for them.",
            "Applying tells {count} bookmarkers what changed for them.",
            affected_people,
        )
    )
    return "\n".join(lines)


def reload_apply_button() -> str:
    return _("✅ Apply")


def reload_applied(notified: int) -> str:
    return ngettext(
        "✅ The new agenda is live. {count} change notice is on its way.",
        "✅ The new agenda is live. {count} change notices are on their way.",
        notified,
    )


def reload_discarded() -> str:
    return _("The agenda was not changed.")


def reload_stale() -> str:
    return _(
        "That reload is no longer pending (it was applied, cancelled or replaced)."
        " Send /reload again."
    )


def document_not_expected() -> str:
    return _("Thanks, but I don't read files. /help lists what I can do.")


def stats(users: int, active: int, bookmarks: int, bookmarkers: int, outbox: dict[str, int]) -> str:
    lines = [
        _("<b>Statistics</b>"),
        _(
            "👥 Users: <b>{users}</b> ({active} active, {blocked} blocked the bot)",
            users=users,
            active=active,
            blocked=users - active,
        ),
        ngettext(
            "⭐ Bookmarks: <b>{bookmarks}</b> by {count} person",
            "⭐ Bookmarks: <b>{bookmarks}</b> by {count} people",
            bookmarkers,
            bookmarks=bookmarks,
        ),
    ]
    if outbox:
        parts = " · ".join(f"{h(state_label(k))} {v}" for k, v in sorted(outbox.items()))
        lines.append(_("📤 Outbox: {counts}", counts=parts))
    return "\n".join(lines)


def reload_url_unchanged(url: str) -> str:
    return _("I fetched <code>{url}</code>: the programme has not changed.", url=h(url))


def reload_url_applied(url: str, notified: int) -> str:
    return _(
        "I fetched <code>{url}</code> and applied the new programme. "
        "Change notices queued: {count}.",
        url=h(url),
        count=notified,
    )


def reload_url_failed(url: str, reason: str) -> str:
    return _(
        "I could not use <code>{url}</code>: {reason}\n"
        "Nothing changed: the bot keeps the last good programme.",
        url=h(url),
        reason=h(reason),
    )


# --- speakers (issue 8) --------------------------------------------------------------------------


def speaker_linked(name: str, reminder_minutes: int) -> str:
    linked = _("✅ You are now linked as the speaker <b>{name}</b>.", name=h(name))
    if reminder_minutes:
        more = ngettext(
            "/myslots shows your sessions, /myfeedback what the audience thought."
            " I will remind you {count} minute before each of them.",
            "/myslots shows your sessions, /myfeedback what the audience thought."
            " I will remind you {count} minutes before each of them.",
            reminder_minutes,
        )
    else:
        more = _("/myslots shows your sessions, /myfeedback what the audience thought.")
    return f"{linked}\n{more}"


def speaker_already_linked(name: str) -> str:
    return _(
        "You are already linked as the speaker <b>{name}</b>. /myslots shows your sessions.",
        name=h(name),
    )


def speaker_code_invalid() -> str:
    """The one answer for every bad code: unknown, altered, used, revoked or expired alike."""
    return _(
        "This speaker link is not valid: it may be mistyped, already used or expired. "
        "If you are speaking, please ask the organisers for a new one."
    )


def not_a_speaker() -> str:
    return _(
        "You are not linked to a speaker of this conference. If you are speaking, "
        "ask the organisers for your personal link. /agenda shows the whole programme."
    )


def my_slots_header(name: str, count: int) -> str:
    return ngettext(
        "<b>Your session</b>, {name}:", "<b>Your sessions</b>, {name}:", count, name=h(name)
    )


def my_slots_none(name: str) -> str:
    return _(
        "{name}, you have no sessions in the current programme. /agenda shows it all.",
        name=h(name),
    )


def _names(people: Iterable[str]) -> str:
    return comma_list(h(p) for p in people)


def my_slot(session: Session, role: str, co_speakers: list[str], moderators: list[str]) -> str:
    """One session of /myslots: day, 24-hour times, room, title, who else is on stage."""
    lines = [f"🗓 {h(day_label(session.listed_day))} {h(span(session))}"]
    if session.room:
        lines[0] += f" · 📍 {h(session.room)}"
    title = h(title_of(session))
    if role and role != "speaker":
        lines.append(_("<b>{title}</b> (you: {role})", title=title, role=h(role_label(role))))
    else:
        lines.append(f"<b>{title}</b>")
    if co_speakers:
        lines.append(_("With: {names}", names=_names(co_speakers)))
    if moderators:
        lines.append(
            ngettext(
                "Moderator: {names}",
                "Moderators: {names}",
                len(moderators),
                names=_names(moderators),
            )
        )
    return "\n".join(lines)


def speaker_reminder(
    session: Session, minutes: int, co_speakers: list[str], moderators: list[str]
) -> str:
    title, start, room = h(title_of(session)), h(hm(session.start)), h(session.room)
    if session.room and minutes > 0:
        head = ngettext(
            "🎤 Your session <b>{title}</b> starts at {time} in <b>{room}</b> (in {count} minute).",
            "🎤 Your session <b>{title}</b> starts at {time} in <b>{room}</b>"
            " (in {count} minutes).",
            minutes,
            title=title,
            time=start,
            room=room,
        )
    elif session.room:
        head = _(
            "🎤 Your session <b>{title}</b> starts at {time} in <b>{room}</b>.",
            title=title,
            time=start,
            room=room,
        )
    elif minutes > 0:
        head = ngettext(
            "🎤 Your session <b>{title}</b> starts at {time} (in {count} minute).",
            "🎤 Your session <b>{title}</b> starts at {time} (in {count} minutes).",
            minutes,
            title=title,
            time=start,
        )
    else:
        head = _("🎤 Your session <b>{title}</b> starts at {time}.", title=title, time=start)
    lines = [head]
    if co_speakers:
        names = and_list(h(p) for p in co_speakers)
        lines.append(
            ngettext(
                "With co-speaker {names}.",
                "With co-speakers {names}.",
                len(co_speakers),
                names=names,
            )
        )
    if moderators:
        lines.append(_("Moderated by {names}.", names=and_list(h(p) for p in moderators)))
    lines.append(_("Good luck!"))
    return "\n".join(lines)


def my_feedback_header(name: str) -> str:
    return _("<b>Feedback on your sessions</b>, {name}:", name=h(name))


def my_feedback_session(
    session: Session, count: int, average: str, histogram: tuple[int, ...], comments: list[str]
) -> str:
    when = _on_day(session.listed_day, hm(session.start))
    head = f"<b>{h(title_of(session))}</b> ({h(when)})"
    if not count:
        return head + "\n" + _("No ratings yet.")
    stars = " · ".join(f"{i}★ {n}" for i, n in enumerate(histogram, start=1) if n)
    lines = [
        head,
        ngettext(
            "Average <b>{average}</b> / 5 from {count} rating ({stars})",
            "Average <b>{average}</b> / 5 from {count} ratings ({stars})",
            count,
            average=h(average),
            stars=stars,
        ),
    ]
    for comment in comments:
        flat = " ".join(comment.split())
        if len(flat) > 300:
            flat = flat[:299].rstrip() + "…"
        lines.append(f"💬 <i>{h(flat)}</i>")
    return "\n".join(lines)


def my_feedback_none(name: str) -> str:
    return _("{name}, you have no sessions to collect feedback on.", name=h(name))


def speaker_links_header(count: int, hours: float, expires: datetime) -> str:
    title = ngettext(
        "<b>One-time links for {count} speaker</b>",
        "<b>One-time links for {count} speakers</b>",
        count,
    )
    whole = int(hours) if hours == int(hours) else 2  # a fraction reads as plural
    rules = ngettext(
        "Each works once, until {when} ({hours} hour). Issuing links again revokes the unused"
        " ones. Send each speaker only their own link.",
        "Each works once, until {when} ({hours} hours). Issuing links again revokes the unused"
        " ones. Send each speaker only their own link.",
        whole,
        when=h(day_time(expires)),
        hours=format_number(hours),
    )
    return f"{title}\n{rules}"


def speaker_link_line(name: str, url: str) -> str:
    return f"• {h(name)}: {h(url)}"


def speaker_links_csv_caption(count: int) -> str:
    return ngettext(
        "The same link as CSV (name, speaker id, link, expires at) for a mail merge.",
        "The same {count} links as CSV (name, speaker id, link, expires at) for a mail merge.",
        count,
    )


def speaker_links_linked(names: list[str]) -> str:
    if not names:
        return _("No speaker has linked their account yet.")
    return _(
        "<b>Linked speakers</b>: {names}\nTap a name to unlink that account.",
        names=_names(names),
    )


def unlink_button(name: str) -> str:
    """Plain text: the button of /speakerlinks that unlinks one speaker's account."""
    return _("Unlink {name}", name=name)


def speaker_links_no_match(query: str) -> str:
    return _("I know no speaker called <i>{query}</i>. /speakers lists them all.", query=h(query))


def no_speakers() -> str:
    return _("This agenda lists no speakers.")


def unlink_usage() -> str:
    return _(
        "Whom should I unlink? Send <code>/unlink NAME</code>, or use the buttons of /speakerlinks."
    )


def speaker_unlinked(name: str) -> str:
    return _("<b>{name}</b> is no longer linked to a Telegram account.", name=h(name))


def speaker_not_linked(name: str) -> str:
    return _("<b>{name}</b> is not linked to any account.", name=h(name))


def unlink_ambiguous(query: str) -> str:
    return _(
        "Several linked speakers match <i>{query}</i>: please use the full name.", query=h(query)
    )


# --- live agenda (issue 9) -----------------------------------------------------------------------


def _live_since(when: datetime) -> str:
    return day_time(when)


def live_agenda_failing(url: str, reason: str, since: datetime) -> str:
    """To organisers, once per failure streak of the ``AGENDA_URL`` refresh."""
    return _(
        "⚠️ <b>I cannot refresh the agenda</b> from <code>{url}</code> (since {since}).\n"
        "{reason}\n\n"
        "Attendees keep the last good version. I keep trying and will tell you "
        "once it works again.",
        url=h(url),
        since=h(_live_since(since)),
        reason=h(reason),
    )


def live_agenda_recovered(url: str, failures: int, since: datetime) -> str:
    """To organisers, once, when a failure streak ends."""
    return ngettext(
        "✅ <b>The agenda refreshes again</b> from <code>{url}</code>"
        " ({count} failed attempt since {since}).",
        "✅ <b>The agenda refreshes again</b> from <code>{url}</code>"
        " ({count} failed attempts since {since}).",
        failures,
        url=h(url),
        since=h(_live_since(since)),
    )


# --- the web server: live calendar feeds, the timetable Mini App (issues 17, 18) -------------


def calendar_feed_name(conference: Conference) -> str:
    """The name a calendar app shows for someone's live feed (plain text)."""
    return _("{conference}: my sessions", conference=conference_name(conference))


def calendar_link(url: str, webcal: str) -> str:
    """/calendar: a new personal feed address, shown once (only its hash is kept)."""
    return _(
        "📅 <b>Your live calendar</b>\n"
        "Subscribe to this address in your calendar app. It always holds the sessions you "
        "bookmarked, with their latest times and rooms, so a moved session moves in your "
        "calendar too.\n\n"
        "<code>{url}</code>\n\n"
        "Apple Calendar and Outlook subscribe straight from this form:\n"
        "<code>{webcal}</code>\n"
        "Google Calendar: Other calendars → From URL, then paste the first address.\n\n"
        "Keep it to yourself: whoever has the address sees your bookmarks. I show it only "
        "this once; “New link” makes another and the old one stops working.",
        url=h(url),
        webcal=h(webcal),
    )


def calendar_link_exists(made: datetime) -> str:
    """/calendar when a feed exists: its address cannot be shown again."""
    return _(
        "📅 You already have a live calendar address (made {when}); it is in the message "
        "where I first sent it. I keep only a fingerprint of it, so I cannot show it again.\n"
        "Lost it, or shared it by mistake? Make a new one: the old one stops working.",
        when=h(day_time(made)),
    )


def calendar_unavailable() -> str:
    """/calendar when the deployment has no public web address (no PUBLIC_URL)."""
    return _(
        "Live calendar links are not set up for this event. You can still download your "
        "sessions as a calendar file: open /my and press 📅."
    )


def calendar_private_only() -> str:
    """/calendar in a group: a personal address must not be posted there."""
    return _("Your calendar address is personal: ask me for it in our private chat.")


def calendar_new_link_button() -> str:
    return _("🔄 New link (the old one stops working)")


def calendar_off_button() -> str:
    return _("🚫 Turn the link off")


def calendar_off() -> str:
    """After "Turn the link off"."""
    return _(
        "Your live calendar address is turned off: calendars subscribed to it stop updating. "
        "/calendar makes a new one."
    )


def calendar_nothing_to_turn_off_toast() -> str:
    return _("There is no calendar link to turn off.")


def calendar_replaced_toast() -> str:
    return _("Here is your new link; the old one no longer works.")


def open_timetable_button() -> str:
    """/agenda: opens the timetable Mini App."""
    return _("🗓 Open the timetable")


def timetable_menu_button() -> str:
    """The chat's menu button that opens the Mini App (a few characters)."""
    return _("Timetable")


# --- interface language (issue 16) ---------------------------------------------------------------


def language_prompt(current: str) -> str:
    """/language: the buttons below name each language in itself."""
    return _(
        "The bot speaks <b>{language}</b> with you. Choose another language:",
        language=h(current),
    )


def language_set(name: str) -> str:
    """Sent in the newly chosen language."""
    return _("Done: I speak <b>{language}</b> with you from now on.", language=h(name))


def help_language(names: list[str]) -> str:
    """The last lines of /help: the languages there are, each named in itself."""
    return _(
        "🌐 /language – the language I speak with you: {languages}",
        languages=comma_list(h(n) for n in names),
    )


def language_button(name: str, *, chosen: bool = False) -> str:
    """A language's name in itself; the current one is ticked."""
    return f"✅ {name}" if chosen else name


# --- questions on a large programme: answers worded from what the engine understood (issue 15) --
# The question engine returns data (room, track, kind, window, topic, ...), never words; these
# functions word it. A heading is the count in bold followed by the filters understood, each a
# phrase of its own joined by " · " ("<b>3 workshops</b> · about “rust” · in Room B · this
# morning"), so any combination reads, and translates, without gluing a sentence together.


def _kind_count(kind: SessionType | None, count: int) -> str:
    """ "3 workshops": how many sessions of a kind (or of any kind) matched."""
    if kind is SessionType.TALK:
        return npgettext("number of sessions", "{count} talk", "{count} talks", count)
    if kind is SessionType.PANEL:
        return npgettext("number of sessions", "{count} panel", "{count} panels", count)
    if kind is SessionType.KEYNOTE:
        return npgettext("number of sessions", "{count} keynote", "{count} keynotes", count)
    if kind is SessionType.WORKSHOP:
        return npgettext("number of sessions", "{count} workshop", "{count} workshops", count)
    if kind is SessionType.OPENING:
        return npgettext("number of sessions", "{count} opening", "{count} openings", count)
    if kind is SessionType.CLOSING:
        return npgettext("number of sessions", "{count} closing", "{count} closings", count)
    if kind is SessionType.BREAK:
        return npgettext("number of sessions", "{count} break", "{count} breaks", count)
    if kind is SessionType.SOCIAL:
        return npgettext(
            "number of sessions", "{count} social event", "{count} social events", count
        )
    return npgettext("number of sessions", "{count} session", "{count} sessions", count)


_KIND_FILTER: dict[SessionType, tuple[str, str]] = {
    SessionType.TALK: NP_("filter: a kind of session", "talks"),
    SessionType.PANEL: NP_("filter: a kind of session", "panels"),
    SessionType.KEYNOTE: NP_("filter: a kind of session", "keynotes"),
    SessionType.WORKSHOP: NP_("filter: a kind of session", "workshops"),
    SessionType.OPENING: NP_("filter: a kind of session", "openings"),
    SessionType.CLOSING: NP_("filter: a kind of session", "closings"),
    SessionType.BREAK: NP_("filter: a kind of session", "breaks"),
    SessionType.SOCIAL: NP_("filter: a kind of session", "social events"),
    SessionType.OTHER: NP_("filter: a kind of session", "sessions"),
}

#: "Nothing matched" for each kind: a whole sentence each (the noun's case differs by language).
_NO_KIND: dict[SessionType, tuple[str, str]] = {
    SessionType.TALK: NP_("nothing of a kind", "No talks found"),
    SessionType.PANEL: NP_("nothing of a kind", "No panels found"),
    SessionType.KEYNOTE: NP_("nothing of a kind", "No keynotes found"),
    SessionType.WORKSHOP: NP_("nothing of a kind", "No workshops found"),
    SessionType.OPENING: NP_("nothing of a kind", "No openings found"),
    SessionType.CLOSING: NP_("nothing of a kind", "No closings found"),
    SessionType.BREAK: NP_("nothing of a kind", "No breaks found"),
    SessionType.SOCIAL: NP_("nothing of a kind", "No social events found"),
    SessionType.OTHER: NP_("nothing of a kind", "No sessions found"),
}

#: A break a time is relative to, as it reads after "after", "before", "during".
_BREAK_AFTER_WORD: dict[str, tuple[str, str]] = {
    "lunch": NP_("a break, after 'after', 'before' or 'during'", "lunch"),
    "coffee": NP_("a break, after 'after', 'before' or 'during'", "the coffee break"),
    "tea": NP_("a break, after 'after', 'before' or 'during'", "the tea break"),
    "break": NP_("a break, after 'after', 'before' or 'during'", "the break"),
    "dinner": NP_("a break, after 'after', 'before' or 'during'", "dinner"),
    "registration": NP_("a break, after 'after', 'before' or 'during'", "registration"),
}
#: The same breaks as they read after "There is no".
_BREAK_NAMED: dict[str, tuple[str, str]] = {
    "lunch": NP_("a break, after 'there is no'", "lunch"),
    "coffee": NP_("a break, after 'there is no'", "coffee break"),
    "tea": NP_("a break, after 'there is no'", "tea break"),
    "break": NP_("a break, after 'there is no'", "break"),
    "dinner": NP_("a break, after 'there is no'", "dinner"),
    "registration": NP_("a break, after 'there is no'", "registration"),
}


def _break_name(anchor: str, table: Mapping[str, tuple[str, str]]) -> str:
    msgid = table.get(anchor)
    return pgettext(*msgid) if msgid else anchor


def _clock(t: tuple[int, int]) -> str:
    """A time of day the question named (h, m), as ``hm`` shows times."""
    return hm(datetime(2000, 1, 1, t[0] % 24, t[1]))


def relative_day(day: date, now: datetime | None) -> str:
    """ "today", "tomorrow", or "Thursday 7 November"."""
    if now is not None:
        delta = (day - now.date()).days
        if delta == 0:
            return _("today")
        if delta == 1:
            return _("tomorrow")
        if delta == -1:
            return _("yesterday")
    # Translators: CLDR pattern of a day without its year, in answers: "Thursday 7 November".
    return format_date(day, pgettext("date format: day without a year", "EEEE d MMMM"))


def _part_of_day(part: str, day: str, today: bool) -> str:
    """ "this afternoon", "tomorrow morning": a part of a day."""
    if today:
        if part == "morning":
            return _("this morning")
        if part == "afternoon":
            return _("this afternoon")
        if part in {"evening", "night"}:
            return _("this evening")
    if part == "morning":
        return pgettext("part of a day", "{day} morning", day=day)
    if part == "afternoon":
        return pgettext("part of a day", "{day} afternoon", day=day)
    if part == "evening":
        return pgettext("part of a day", "{day} evening", day=day)
    if part == "night":
        return pgettext("part of a day", "{day} night", day=day)
    return day


def window_label(window: TimeWindow, now: datetime | None) -> str:
    """A time window as a short phrase: "today at 11:00", "tomorrow morning", "this afternoon"."""
    if window.kind is WindowKind.NOW:
        return _("now")
    if window.kind is WindowKind.NEXT:
        return _("next")
    if window.day is None:
        return pgettext("time span", "{start}–{end}", start=hm(window.start), end=hm(window.end))
    day = relative_day(window.day, now)
    if window.part == "later":
        return _("later today")
    if window.part == "tonight":
        return _("tonight")
    if window.part is not None:
        today = now is not None and window.day == now.date()
        return _part_of_day(window.part, day, today)
    if window.anchor is not None:
        name = _break_name(window.anchor, _BREAK_AFTER_WORD)
        if window.relation is Relation.AFTER and window.clock:
            return _(
                "{day} after {break_name} ({time})",
                day=day,
                break_name=name,
                time=_clock(window.clock),
            )
        if window.relation is Relation.BEFORE and window.clock:
            return _(
                "{day} before {break_name} ({time})",
                day=day,
                break_name=name,
                time=_clock(window.clock),
            )
        return _("{day} during {break_name}", day=day, break_name=name)
    if window.clock is not None:
        time = _clock(window.clock)
        if window.relation is Relation.BETWEEN and window.clock_end is not None:
            return _("{day} {start}–{end}", day=day, start=time, end=_clock(window.clock_end))
        if window.relation is Relation.AFTER:
            return _("{day} after {time}", day=day, time=time)
        if window.relation is Relation.BEFORE:
            return _("{day} before {time}", day=day, time=time)
        return _("{day} at {time}", day=day, time=time)
    return day


def window_phrase(window: TimeWindow, now: datetime | None) -> str:
    """A window among an answer's filters: "right now", "coming up next", "tomorrow morning"."""
    if window.kind is WindowKind.NOW:
        return _("right now")
    if window.kind is WindowKind.NEXT:
        return _("coming up next")
    return window_label(window, now)


def _filters(answer: Answer, *, kind: bool = True, window: bool = True) -> list[str]:
    """The filters a question was understood to ask for, each one phrase (HTML, escaped)."""
    parts: list[str] = []
    if answer.kind is not None and kind:
        parts.append(h(pgettext(*_KIND_FILTER[answer.kind])))
    if answer.intent is Intent.WHO and answer.topic and answer.sessions:
        parts.append(_("speakers of “{topic}”", topic=h(answer.topic)))
    elif answer.speakers and answer.intent is not Intent.WHO:
        names = comma_list(h(sp.name) for sp in answer.speakers[:3])
        parts.append(_("by {names}", names=names))
    elif answer.topic:
        parts.append(_("about “{topic}”", topic=h(answer.topic)))
    if answer.language is not None:
        parts.append(_("in {language}", language=h(language_in_current(answer.language))))
    if answer.track:
        parts.append(_("in the {track} track", track=h(answer.track)))
    if answer.room:
        parts.append(_("in {room}", room=h(answer.room)))
    if answer.window is not None and window:
        parts.append(h(window_phrase(answer.window, answer.asked_at)))
    return parts


def _chips(first: str, rest: Iterable[str]) -> str:
    return " · ".join([first, *rest])


def answer_filters(answer: Answer, *, with_kind: bool = True) -> str:
    """What the question was understood to ask for, its filters joined:
    "keynotes · about “rust” · in Janson · tomorrow morning"."""
    return " · ".join(_filters(answer, kind=with_kind))


def answer_heading(answer: Answer, shown: int, offset: int = 0) -> str:
    """The first line of a list of answers: how many matched what was asked, and the filters."""
    total = answer.total
    filters = _filters(answer, kind=False)
    if answer.intent is Intent.WHEN and not filters and answer.kind is None:
        line = ngettext("<b>Here is when</b>", "<b>Here is when these are on</b>", total)
    elif answer.intent is Intent.WHERE and not filters and answer.kind is None:
        line = _("<b>Here is where</b>")
    elif filters or answer.kind is not None:
        line = _chips(f"<b>{h(_kind_count(answer.kind, total))}</b>", filters)
    else:
        line = _("<b>Here is what I found</b>")
    if shown < total:
        page = _("({first}–{last} of {total})", first=offset + 1, last=offset + shown, total=total)
        line = f"{line} {page}"
    return line


def answer_more_button(count: int) -> str:
    return ngettext("{count} more", "{count} more", count)


def answer_past_mark() -> str:
    """After a session that has ended, in a list of answers."""
    return _("(over)")


def _try_other_words() -> str:
    return _("Try other words, a speaker's name or a time, or browse /agenda.")


def answer_nothing_matched(answer: Answer) -> str:
    """Nothing matched what was asked: say what was understood."""
    if answer.kind is not None:
        head = _chips(h(pgettext(*_NO_KIND[answer.kind])), _filters(answer, kind=False))
    elif filters := _filters(answer):
        head = _chips(_("Nothing found"), filters)
    else:
        head = _("I found nothing for that.")
    return f"{head}\n{_try_other_words()}"


def answer_suggestions_header() -> str:
    """Above weak matches offered when nothing matched with confidence."""
    return _("<i>Not an exact match, but perhaps one of these:</i>")


def answer_suggestions_elsewhere_header() -> str:
    """Above sessions on the topic asked, at another time or place than the one asked."""
    return _("<i>On that topic, but at another time or place:</i>")


def answer_nothing_now_there(answer: Answer, upcoming: list[Session]) -> str:
    """Nothing running now in the room (track, kind) asked about; what is next there."""
    when = answer.asked_at
    if when is not None:
        nothing = _("Nothing right now ({time})", time=h(hm(when)))
    else:
        nothing = _("Nothing right now")
    head = _chips(nothing, _filters(answer, window=False))
    if not upcoming:
        if answer.over:
            return conference_over()
        return head + "\n" + _("Nothing more of that is scheduled.")
    first = upcoming[0]
    following = "\n".join(slot_line(s, with_day=True) for s in upcoming)
    if when is not None and first.listed_day != when.date():
        later = _(
            "Next, on {day} at {time}:",
            day=h(day_long(first.listed_day)),
            time=h(hm(first.start)),
        )
    else:
        later = _("Next, at {time}:", time=h(hm(first.start)))
    return f"{head}\n{later}\n{following}"


def answer_nothing_next(answer: Answer) -> str:
    """ "what's next in ROOM" when nothing more is scheduled there."""
    if answer.over:
        return conference_over()
    return _chips(_("Nothing more is scheduled"), _filters(answer, window=False))


def answer_verdict(verdict: bool) -> str:
    """The first word of the answer to a yes/no question."""
    return _("<b>Yes.</b>") if verdict else _("<b>No.</b>")


def answer_place(
    name: str, stints: Iterable[Stint], *, is_track: bool, now: datetime | None
) -> str:
    """Where and when a track or room runs: its room(s), day(s) and hours."""
    lines = [_("<b>{name}</b> (track)", name=h(name)) if is_track else f"<b>{h(name)}</b>"]
    for st in stints:
        hours = pgettext("time span", "{start}–{end}", start=hm(st.start), end=hm(st.end))
        when = pgettext("date and time", "{day} {time}", day=relative_day(st.day, now), time=hours)
        parts = [f"• {h(when)}"]
        if is_track and st.room:
            parts.append(f"📍 <b>{h(st.room)}</b>")
        if not is_track and st.track:
            parts.append(h(st.track))
        parts.append(h(_kind_count(None, st.count)))
        lines.append(" · ".join(parts))
    if len(lines) == 1:
        lines.append(_("Nothing is scheduled there."))
    return "\n".join(lines)


def answer_place_verdict(
    verdict: bool, name: str, window: TimeWindow | None, now: datetime | None
) -> str:
    """ "Is the go devroom today?": yes or no, before where and when it runs."""
    if window is not None:
        when = h(window_phrase(window, now))
        if verdict:
            return _("<b>Yes</b>, {name} is on {when}.", name=h(name), when=when)
        return _("<b>No</b>, {name} is not on {when}.", name=h(name), when=when)
    if verdict:
        return _("<b>Yes</b>, {name} is still to come.", name=h(name))
    return _("<b>No</b>, {name} is over.", name=h(name))


def _problem_text(problem: Problem) -> str:
    kind = problem.kind
    if kind is ProblemKind.AMBIGUOUS_DATE:
        return _(
            "“{text}” is ambiguous: please write the date with the month's name.",
            text=h(problem.text),
        )
    if kind is ProblemKind.NOT_A_DATE:
        return _("“{text}” is not a date.", text=h(problem.text))
    if kind is ProblemKind.NO_SUCH_DAY_OF_MONTH:
        return _(
            "No day of the conference falls on day {number} of a month.", number=problem.number
        )
    if kind is ProblemKind.DAY_COUNT:
        return ngettext(
            "The conference has only {count} day.",
            "The conference has only {count} days.",
            problem.number,
        )
    if kind is ProblemKind.NO_BREAK:
        name = h(_break_name(problem.text, _BREAK_NAMED))
        if problem.day is None:
            return _("There is no {break_name} then.", break_name=name)
        day = h(relative_day(problem.day, None))
        return _("There is no {break_name} on {day}.", break_name=name, day=day)
    day = h(day_long(problem.day)) if problem.day else ""
    if problem.clock:
        return _(
            "{time} does not exist on {day} in {zone}: the clocks go forward.",
            time=h(_clock(problem.clock)),
            day=day,
            zone=h(problem.zone),
        )
    return _(
        "That time does not exist on {day} in {zone}: the clocks go forward.",
        day=day,
        zone=h(problem.zone),
    )


def time_problem(problem: Problem) -> str:
    """Why a time in a question was refused, and what to do."""
    return _problem_text(problem) + "\n" + _("Try another time, or browse /agenda.")


def inline_description(session: Session, speakers: list[tuple[Speaker, str]], now: datetime) -> str:
    """Plain text under a result's title: when (or "on now"), where, who."""
    if session.start <= now < session.end:
        when = _("On now, until {time}", time=hm(session.end))
    elif session.end <= now:
        when = _("{when} (over)", when=_on_day(session.listed_day, span(session)))
    else:
        when = _on_day(session.listed_day, span(session))
    parts = [when]
    if session.room:
        parts.append(session.room)
    names = [sp.name for sp, _role in speakers]
    if names:
        parts.append(comma_list(names))
    return " · ".join(parts)


def inline_open_button() -> str:
    """The button under a session posted inline: opens it in the bot (a deep link)."""
    return _("⭐ Open in the bot")


def inline_programme_button() -> str:
    """Above the inline results: opens the chat with the bot."""
    return _("📅 The whole programme in the bot")


def inline_nothing_button() -> str:
    """Above no inline results at all."""
    return _("No session matches: ask me in the chat")


def inline_help(bot: str) -> str:
    """A paragraph of /help: inline mode in any chat."""
    return _(
        "<b>In any chat</b>\nType <code>@{bot} keynote</code> to find a session and post it "
        "there; <code>@{bot}</code> alone lists what is on now.",
        bot=h(bot),
    )


def share_button() -> str:
    return _("🔗 Share my schedule")


def share_make_button() -> str:
    return _("🔗 Make the link")


def share_new_button() -> str:
    return _("🔄 Make a new link")


def share_stop_button() -> str:
    return _("🚫 Stop sharing")


def share_send_button() -> str:
    return _("📤 Send it to a friend")


def my_schedule_button() -> str:
    return _("◀ My schedule")


def share_preview(name: str, count: int) -> str:
    """Before a link is made: exactly what a friend will see, and what they will not."""
    return (
        _("<b>Share your schedule</b>")
        + "\n"
        + ngettext(
            "A friend who opens your link sees <b>{name}'s schedule</b>: your bookmarks as they "
            "are at that moment (now {count} session), and can bookmark them all with one tap.",
            "A friend who opens your link sees <b>{name}'s schedule</b>: your bookmarks as they "
            "are at that moment (now {count} sessions), and can bookmark them all with one tap.",
            count,
            name=h(name),
        )
        + "\n"
        + _(
            "They see your first name and nothing else about you, and you can stop sharing "
            "at any time: the link then no longer works."
        )
    )


def share_active(name: str, made: datetime) -> str:
    """A link exists: it cannot be shown again (only its fingerprint is kept)."""
    return _(
        "<b>Your schedule is shared</b> as <b>{name}'s schedule</b>, by a link made on {when}.\n"
        "I keep only a fingerprint of the link, so I cannot show it again. Make a new one "
        "(the old one then stops working), or stop sharing.",
        name=h(name),
        when=h(day_time(made)),
    )


def share_link(name: str, link: str) -> str:
    """The link, just made."""
    return _(
        "Here is the link to <b>{name}'s schedule</b>:\n{link}\n\n"
        "Send it to anyone you like: it always shows your current bookmarks. Stop sharing "
        "from /my whenever you want.",
        name=h(name),
        link=h(link),
    )


def share_invitation(name: str, conference: str) -> str:
    """Plain text offered with the link in Telegram's "share" dialog."""
    return _("{name}'s schedule at {conference}", name=name, conference=conference)


def share_stopped() -> str:
    return _("Sharing stopped: your link no longer works. You can share again from /my.")


def share_not_active_toast() -> str:
    return _("Your schedule is not shared at the moment.")


def shared_schedule(name: str, sessions: list[Session], marked: set[str]) -> str:
    """What a friend sees: the sharer's bookmarks, day by day, ⭐ on those they have too."""
    if not sessions:
        return _("<b>{name}'s schedule</b>\n{name} has no bookmarks at the moment.", name=h(name))
    lines = [_("<b>{name}'s schedule</b> ({count})", name=h(name), count=len(sessions))]
    day: date | None = None
    for s in sessions:
        if s.listed_day != day:
            day = s.listed_day
            lines += ["", f"<b>{h(day_long(day))}</b>"]
        lines.append(slot_line(s, marked=s.id in marked))
    lines += ["", _("Tap a session to open it, or bookmark them all at once.")]
    return "\n".join(lines)


def bookmark_all_button() -> str:
    return _("⭐ Bookmark all")


def bookmarked_all_toast(count: int) -> str:
    if count <= 0:
        return _("Nothing to add: you already have every session still to come.")
    return ngettext(
        "Added {count} session to your bookmarks. I'll remind you before it.",
        "Added {count} sessions to your bookmarks. I'll remind you before each.",
        count,
    )


def share_link_revoked() -> str:
    """A shared-schedule link that was revoked (the welcome follows)."""
    return _("This shared schedule link no longer works: ask the person who sent it for a new one.")


# --- every kind of update Telegram sends (issue 14) -------------------------------------------


def private_chat_only() -> str:
    """An organiser command sent in a group: its answers (links, feedback, previews) are not
    for everyone there."""
    return _("That command works only in a private chat with me, so that its answers stay private.")


# --- audience questions to the stage (issue 19) --------------------------------------------------
# Asking, voting and the queue for the audience; the stage's view for moderators, speakers and
# organisers; the top-three notice and the speakers' follow-up. Question text is always escaped;
# toasts (``_toast``) are plain text and get the session title already clipped by the handler.


def qa_ask_button() -> str:
    return _("❓ Ask a question")


def qa_questions_button() -> str:
    return _("💬 Questions")


def qa_ask_prompt(session: Session, limit: int) -> str:
    """After "Ask a question": the next message is the question."""
    return ngettext(
        "❓ Your question for <b>{title}</b>: send it as your next message, up to {count}"
        " character. I will show it to you before it is posted.",
        "❓ Your question for <b>{title}</b>: send it as your next message, up to {count}"
        " characters. I will show it to you before it is posted.",
        limit,
        title=h(title_of(session)),
    )


def qa_draft(session: Session, text: str) -> str:
    """The question shown back, before the asker chooses how to post it."""
    return _(
        "Your question for <b>{title}</b>:\n<blockquote>{question}</blockquote>\n"
        "Post it under your first name, or anonymously? Organisers and moderators always see"
        " who asked.",
        title=h(title_of(session)),
        question=h(text),
    )


def qa_post_named_button(name: str) -> str:
    return _("📢 Post as {name}", name=name)


def qa_post_anonymous_button() -> str:
    return _("🕶 Post anonymously")


def qa_posted(session: Session, left: int, *, anonymous: bool) -> str:
    if anonymous:
        done = _(
            "✅ Your question is posted to <b>{title}</b>, anonymously.", title=h(title_of(session))
        )
    else:
        done = _(
            "✅ Your question is posted to <b>{title}</b> under your first name.",
            title=h(title_of(session)),
        )
    if left > 0:
        more = ngettext(
            "You can ask {count} more question in this session.",
            "You can ask {count} more questions in this session.",
            left,
        )
    else:
        more = _("That was your last question in this session.")
    return f"{done}\n{more}\n" + _("Everyone can upvote it under 💬 Questions.")


def qa_cancelled() -> str:
    return _("Cancelled: nothing was posted.")


def qa_cancelled_toast() -> str:
    return _("Cancelled")


def qa_posted_toast() -> str:
    return _("Posted")


def qa_too_long(limit: int, length: int) -> str:
    return ngettext(
        "Your question has {count} character; a question may have up to {limit}. Please"
        " shorten it and send it again.",
        "Your question has {count} characters; a question may have up to {limit}. Please"
        " shorten it and send it again.",
        length,
        limit=format_number(limit),
    )


def qa_too_short() -> str:
    return _("Please write your question in words, and send it again.")


def qa_duplicate(session: Session, *, can_vote: bool) -> str:
    """The same question (give or take case and punctuation) is in the session already."""
    if can_vote:
        return _(
            "This question was asked already in <b>{title}</b>: upvote it instead with the"
            " button below.",
            title=h(title_of(session)),
        )
    return _("This question was asked already in <b>{title}</b>.", title=h(title_of(session)))


def qa_closed_now(session: Session, closed: datetime) -> str:
    return _(
        "Questions for <b>{title}</b> closed at {time}, so nothing was posted. The questions"
        " stay readable under 💬 Questions.",
        title=h(title_of(session)),
        time=h(hm(closed)),
    )


def qa_session_gone() -> str:
    return _("That session is no longer in the programme, so nothing was posted. /now")


def qa_choose_session() -> str:
    return _("Several sessions take questions now. Which one is your question for?")


def qa_nothing_open() -> str:
    return _("No session takes questions right now.")


def qa_next_opens(session: Session, opens: datetime) -> str:
    return _(
        "The next: <b>{title}</b>, from {when}.",
        title=h(title_of(session)),
        when=h(day_time(opens)),
    )


def qa_private_only() -> str:
    return _("Questions to the stage are asked and moderated in a private chat with me.")


def qa_private_only_toast() -> str:
    return _("Questions to the stage work in a private chat with me: open it and try again.")


# Answers to buttons (plain text, at most 200 characters).
def qa_not_yet_toast(title: str, opens: datetime) -> str:
    return _(
        "Questions for “{title}” open at {when}, shortly before it starts.",
        title=title,
        when=day_time(opens),
    )


def qa_closed_toast(title: str, closed: datetime) -> str:
    return _(
        "Questions for “{title}” closed at {time}. They stay readable under 💬 Questions.",
        title=title,
        time=hm(closed),
    )


def qa_paused_toast(title: str) -> str:
    return _(
        "The moderator has paused questions for “{title}”. Please try again later.", title=title
    )


def qa_limit_toast(title: str, limit: int) -> str:
    return ngettext(
        "You have asked {count} question in “{title}”: that is the most one person can ask"
        " in a session.",
        "You have asked {count} questions in “{title}”: that is the most one person can ask"
        " in a session.",
        limit,
        title=title,
    )


def qa_cooldown_toast(seconds: int) -> str:
    return ngettext(
        "One moment, please: you can post your next question in {count} second.",
        "One moment, please: you can post your next question in {count} seconds.",
        seconds,
    )


def qa_stale_toast() -> str:
    return _("This question is no longer waiting to be posted. Press ❓ Ask a question again.")


def qa_break_toast() -> str:
    return _("Breaks take no questions.")


def qa_unknown_toast() -> str:
    return _("That question or session is no longer in the programme.")


def qa_duplicate_toast() -> str:
    return _("This question was asked already: upvote it under 💬 Questions.")


def qa_own_vote_toast() -> str:
    return _("That is your own question: you cannot vote for it.")


def qa_answered_toast() -> str:
    return _("This question was answered already.")


def qa_gone_toast() -> str:
    return _("This question is no longer in the queue.")


def qa_vote_added_toast(votes: int) -> str:
    return ngettext(
        "👍 Your vote counts. {count} vote now; press again to take it back.",
        "👍 Your vote counts. {count} votes now; press again to take it back.",
        votes,
    )


def qa_vote_removed_toast(votes: int) -> str:
    return ngettext(
        "Your vote is taken back. {count} vote now.",
        "Your vote is taken back. {count} votes now.",
        votes,
    )


def qa_not_allowed_toast() -> str:
    return _("Only the session's moderators, its speakers and the organisers can do that.")


# The queue as the audience sees it.
def qa_queue_title(session: Session) -> str:
    return _("💬 <b>Questions: {title}</b>", title=h(title_of(session)))


def qa_status_open(closes: datetime) -> str:
    return _("Open for questions until {time}.", time=h(hm(closes)))


def qa_status_paused() -> str:
    return _("⏸ Questions are paused by the moderator.")


def qa_status_not_yet(opens: datetime) -> str:
    return _("Questions open at {when}.", when=h(day_time(opens)))


def qa_status_closed(closed: datetime) -> str:
    return _("Questions closed at {time}.", time=h(hm(closed)))


def qa_queue_count(count: int) -> str:
    return ngettext(
        "{count} question, the most upvoted first.",
        "{count} questions, the most upvoted first.",
        count,
    )


def qa_page(page: int, pages: int) -> str:
    return _("Page {page} of {pages}.", page=page, pages=pages)


def qa_queue_empty() -> str:
    return _("No questions yet. Be the first: ❓ Ask a question.")


def qa_queue_none() -> str:
    return _("Nobody asked a question.")


def qa_anonymous_label() -> str:
    """How the audience sees who asked an anonymous question."""
    return _("anonymous")


def qa_yours_label() -> str:
    return _("your question")


def qa_answered_label() -> str:
    return _("✅ answered")


def qa_hidden_label() -> str:
    return _("🙈 hidden")


def qa_anonymous_to_audience_label() -> str:
    """Beside the asker's name, for the stage: the audience does not see it."""
    return _("🕶 anonymous to the audience")


def qa_item(rank: int, text: str, votes: int, details: list[str]) -> str:
    """One question in a list: its rank and text, then its votes and ``details`` (who asked,
    answered, ...: the ``qa_*_label`` texts, or a name; plain text, escaped here)."""
    meta = " · ".join([f"👍 {votes}", *(h(d) for d in details if d)])
    return f"<b>{rank}.</b> {h(text)}\n{meta}"


def qa_vote_button(rank: int, votes: int, *, voted: bool) -> str:
    """Under the audience's queue: 👍 for question ``rank``; ✓ when the viewer voted."""
    return f"#{rank} 👍 {votes} ✓" if voted else f"#{rank} 👍 {votes}"


def qa_upvote_it_button(votes: int) -> str:
    """Under "asked already": vote for the question that was there first."""
    return _("👍 Upvote it ({votes})", votes=votes)


def qa_own_button(rank: int) -> str:
    return _("#{rank} · yours", rank=rank)


def qa_refresh_button() -> str:
    return _("🔄 Refresh")


# The stage: moderators, speakers, organisers.
def qa_stage_title(session: Session) -> str:
    return _("🎙 <b>Questions to the stage: {title}</b>", title=h(title_of(session)))


def qa_stage_counts(waiting: int, answered: int, hidden: int) -> str:
    parts = [
        npgettext("questions on stage", "{count} waiting", "{count} waiting", waiting),
        npgettext("questions on stage", "{count} answered", "{count} answered", answered),
        npgettext("questions on stage", "{count} hidden", "{count} hidden", hidden),
    ]
    return " · ".join(parts)


def qa_stage_order() -> str:
    return _("Most votes first, then the oldest. ✅ marks one answered, 🙈 hides it.")


def qa_stage_done_order() -> str:
    return _("Answered and hidden questions, the latest first. ↩️ puts one back in the queue.")


def qa_stage_empty() -> str:
    return _("No question is waiting.")


def qa_stage_done_empty() -> str:
    return _("No question was answered or hidden yet.")


def qa_asked_at_label(asked: datetime) -> str:
    return _("asked {time}", time=hm(asked))


def qa_answered_button(rank: int) -> str:
    return _("✅ Answered #{rank}", rank=rank)


def qa_hide_button(rank: int) -> str:
    return _("🙈 Hide #{rank}", rank=rank)


def qa_restore_button(rank: int) -> str:
    return _("↩️ Restore #{rank}", rank=rank)


def qa_pause_button() -> str:
    return _("⏸ Pause questions")


def qa_reopen_button() -> str:
    return _("▶️ Reopen questions")


def qa_notices_button(on: bool) -> str:
    if on:
        return _("🔔 Top-three notices: on")
    return _("🔕 Top-three notices: off")


def qa_waiting_tab_button(count: int) -> str:
    return _("Waiting ({count})", count=count)


def qa_done_tab_button(count: int) -> str:
    return _("Answered and hidden ({count})", count=count)


def qa_marked_answered_toast() -> str:
    return _("✅ Marked as answered.")


def qa_hidden_toast() -> str:
    return _("🙈 Hidden: the audience no longer sees it. Nobody is told.")


def qa_restored_toast() -> str:
    return _("↩️ Back in the queue.")


def qa_already_toast() -> str:
    return _("Someone on the stage did that already.")


def qa_paused_stage_toast() -> str:
    return _("⏸ Paused: nobody can post a question until you reopen. Votes still count.")


def qa_reopened_toast() -> str:
    return _("▶️ Reopened: questions are welcome again.")


def qa_notices_toast(on: bool) -> str:
    if on:
        return _("🔔 I will tell you when a question reaches the top three.")
    return _("🔕 No more top-three notices.")


def qa_stage_choose() -> str:
    return _("Which session's questions?")


def qa_stage_nothing() -> str:
    return _("No session has questions yet. /ask takes them while a session runs.")


def qa_audience_nothing() -> str:
    return _(
        "No session takes questions right now. A session's card shows its questions: 💬 Questions."
    )


def qa_top_notice(session: Session, rank: int) -> str:
    """To a moderator or organiser who asked for it; the question follows as a ``qa_item``."""
    return _(
        "🔝 A question is now number {rank} in <b>{title}</b>:",
        rank=rank,
        title=h(title_of(session)),
    )


def qa_open_queue_button() -> str:
    return _("🎙 Open the questions")


def qa_followup(session: Session, count: int) -> str:
    """To a session's speakers once its questions closed; the questions follow."""
    return ngettext(
        "📝 <b>{title}</b> is over. {count} question from the audience was not answered;"
        " here it is with its votes, in case you want to follow up:",
        "📝 <b>{title}</b> is over. {count} questions from the audience were not answered;"
        " here they are with their votes, in case you want to follow up:",
        count,
        title=h(title_of(session)),
    )


def qa_followup_more(count: int) -> str:
    return ngettext(
        "… and {count} more: the button below shows them all.",
        "… and {count} more: the button below shows them all.",
        count,
    )


def qa_export_caption(questions: int, sessions: int) -> str:
    first = npgettext(
        "export: questions", "{count} audience question", "{count} audience questions", questions
    )
    second = npgettext("export: sessions", "{count} session", "{count} sessions", sessions)
    return _(
        "Questions to the stage: {questions} in {sessions}. Askers are pseudonymised as in"
        " the feedback file.",
        questions=first,
        sessions=second,
    )


def export_nothing_at_all() -> str:
    return _("There is no feedback and no question to export yet.")


def help_questions(*, stage: bool) -> str:
    """The /help section of questions to the stage."""
    ask = _(
        "<b>Questions to the stage</b>\n/ask – ask a question during a session (questions open"
        " shortly before it starts); a session's card shows its questions: 💬 Questions"
    )
    if not stage:
        return ask
    return ask + "\n" + _("/questions – the queue of your session: answered, hide, pause")


# --- /stats: audience questions (review pass after issue 19) -------------------------------------


def qa_stats_empty() -> str:
    return _("<b>Questions to the stage</b>\nNo questions yet.")


def qa_stats_header(questions: int, sessions: int, votes: int) -> str:
    """The first line of the /stats section of audience questions."""
    return _(
        "<b>Questions to the stage</b>: {questions} on {sessions}, {votes}",
        questions=npgettext(
            "Q&A stats: how many questions", "{count} question", "{count} questions", questions
        ),
        sessions=npgettext(
            "Q&A stats: on how many sessions", "{count} session", "{count} sessions", sessions
        ),
        votes=npgettext("Q&A stats: how many votes", "{count} vote", "{count} votes", votes),
    )


def qa_stats_most_asked() -> str:
    return _("<i>Most questions:</i>")


def qa_stats_entry(rank: int, title: str, count: int) -> str:
    """One session of the most asked about (``title`` is plain text)."""
    return ngettext(
        "{rank}. <b>{title}</b>: {count} question",
        "{rank}. <b>{title}</b>: {count} questions",
        count,
        rank=rank,
        title=h(title),
    )
