"""Sessions as iCalendar (.ics) files an attendee can import into any calendar app.

Times are written in the conference's zone (``DTSTART;TZID=Europe/Brussels``) with the
matching VTIMEZONE, so a phone in another zone shows the right local time and a DST change
during the conference is handled by the calendar, not by us. UIDs are stable (session id +
conference slug), so importing the same session twice updates the event instead of
duplicating it. Titles, abstracts and labels are in the current language (``use_locale``)
where the agenda gives them in several.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime

from icalendar import Calendar, Event

from bot import texts
from bot.agenda.model import Conference, Session
from bot.i18n import content_languages

PRODID = "-//confbot//confbot agenda//EN"
UID_DOMAIN = "confbot.invalid"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]+")


def conference_slug(conf: Conference) -> str:
    slug = _UNSAFE.sub("-", conf.name.strip().lower()).strip("-")[:48]
    return slug or "conference"


def session_uid(conf: Conference, session: Session) -> str:
    """Stable across agenda reloads as long as the session keeps its id."""
    sid = _UNSAFE.sub("-", session.id).strip("-")
    if not sid or sid != session.id:  # odd ids: keep them unique with a short hash
        digest = hashlib.sha1(session.id.encode(), usedforsecurity=False).hexdigest()
        sid = (sid[:32] + "-" if sid else "") + digest[:10]
    return f"{sid}.{conference_slug(conf)}@{UID_DOMAIN}"


def _speaker_names(conf: Conference, session: Session) -> list[str]:
    names = []
    for part in session.speakers:
        sp = conf.speakers.get(part.speaker_id)
        if sp is None:
            continue
        role = f" ({texts.role_label(part.role)})" if part.role and part.role != "speaker" else ""
        names.append(sp.name + role)
    return names


def _event(conf: Conference, session: Session, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", session_uid(conf, session))
    event.add("dtstamp", stamp)
    event.add("summary", texts.title_of(session))
    event.add("dtstart", session.start.astimezone(conf.timezone))
    event.add("dtend", session.end.astimezone(conf.timezone))
    location = ", ".join(p for p in (session.room, conf.venue) if p)
    if location:
        event.add("location", location)
    description = []
    names = _speaker_names(conf, session)
    if names:
        description.append(texts.calendar_speakers(names))
    abstract = session.abstract_in(content_languages()).strip()
    if abstract:
        description.append(abstract)
    if description:
        event.add("description", "\n\n".join(description))
    if session.url:
        event.add("url", session.url)
    if session.track:
        event.add("categories", [session.track])
    return event


def sessions_ics(
    conf: Conference, sessions: Iterable[Session], *, now: datetime | None = None
) -> bytes:
    """One VCALENDAR with an event per session (in time order) and the VTIMEZONEs they need."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", texts.conference_name(conf))
    cal.add("x-wr-timezone", conf.timezone.key)
    chosen = sorted(sessions, key=lambda s: (s.start, s.end, s.title))
    for session in chosen:
        cal.add_component(_event(conf, session, stamp))
    if chosen:
        first = min(s.start for s in chosen).date().replace(month=1, day=1)
        last = max(s.end for s in chosen).date().replace(month=12, day=31)
        cal.add_missing_timezones(first_date=first, last_date=last)
    data: bytes = cal.to_ical()
    return data


def session_ics(conf: Conference, session: Session, *, now: datetime | None = None) -> bytes:
    return sessions_ics(conf, [session], now=now)


def ics_filename(name: str) -> str:
    """A safe file name for a session id or a schedule."""
    base = _UNSAFE.sub("-", name).strip("-")[:48] or "session"
    return f"{base}.ics"
