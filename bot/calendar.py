"""Sessions as iCalendar (.ics) files an attendee can import into any calendar app, and live
calendar feeds (``/calendar``) that calendar apps subscribe to and poll.

Times are written in the conference's zone (``DTSTART;TZID=Europe/Brussels``) with the
matching VTIMEZONE, so a phone in another zone shows the right local time and a DST change
during the conference is handled by the calendar, not by us. UIDs are stable (session id +
conference slug), so importing the same session twice updates the event instead of
duplicating it. Titles, abstracts and labels are in the current language (``use_locale``)
where the agenda gives them in several.

A **live feed** (``CalendarFeeds``) is the same calendar served at a secret address: a
personal one (``/cal/TOKEN.ics``, the user's bookmarks as the agenda says now: a moved session
moves, a cancelled one disappears) and the whole conference (``/cal/conference.ics``). A
token is 192 random bits, given to its owner once and stored only as its SHA-256; a new token
revokes the old. Calendar apps poll, so each feed has a content hash (its ETag) and the time
that content first appeared (its Last-Modified, also each event's DTSTAMP): the same content
gives the same bytes, and an unchanged feed costs a ``304``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import secrets
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from bot import texts
from bot.agenda.model import Conference, Session
from bot.agenda.state import AgendaState, CurrentAgenda
from bot.i18n import content_languages, use_locale
from bot.store.protocols import CalendarFeedsStore, KvStore
from bot.store.records import CalendarFeed

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
    conf: Conference,
    sessions: Iterable[Session],
    *,
    now: datetime | None = None,
    name: str | None = None,
    refresh: timedelta | None = None,
) -> bytes:
    """One VCALENDAR with an event per session (in time order) and the VTIMEZONEs they need.

    ``name`` is the calendar's name (the conference's by default); ``refresh`` tells a
    subscribing app how often to poll (a live feed).
    """
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name or texts.conference_name(conf))
    cal.add("x-wr-timezone", conf.timezone.key)
    if refresh is not None:
        cal.add("method", "PUBLISH")
        cal.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", refresh)
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


# ---------------------------------------------------------------------------- live feeds
#: Random bytes of a feed token: 192 bits, 32 URL-safe characters.
TOKEN_BYTES = 24
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32}$")
#: How often subscribed calendar apps are asked to poll.
FEED_REFRESH = timedelta(minutes=15)
#: The kv key remembering what the conference feed served last (its ETag and since when).
CONFERENCE_FEED_KEY = "calendar:conference"
#: Rendered feeds kept in memory (calendar apps poll the same content over and over).
FEED_CACHE = 1024


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed to serve: the bytes, their strong ETag and Last-Modified, a file name."""

    body: bytes
    etag: str
    modified: datetime
    filename: str


def _session_print(conf: Conference, session: Session) -> str:
    """Everything of a session that can reach its event: all its fields (titles and abstracts
    in every language the agenda has) and its speakers as the agenda describes them."""
    speakers = [repr(conf.speakers.get(p.speaker_id)) for p in session.speakers]
    return repr(session) + "".join(speakers)


class _Prints:
    """Per-session fingerprints of one agenda object, computed once each."""

    def __init__(self) -> None:
        self._state: AgendaState | None = None
        self._prints: dict[str, str] = {}

    def of(self, state: AgendaState, sessions: Sequence[Session]) -> list[str]:
        if self._state is not state:
            self._state, self._prints = state, {}
        out = []
        for s in sessions:
            found = self._prints.get(s.id)
            if found is None:
                found = self._prints[s.id] = _session_print(state.conference, s)
            out.append(found)
        return out


class CalendarFeeds:
    """Issuing and revoking feed tokens, and building the feeds (see the module docstring)."""

    def __init__(
        self,
        repo: CalendarFeedsStore,
        kv: KvStore,
        current: CurrentAgenda,
        *,
        cache_size: int = FEED_CACHE,
    ) -> None:
        self.repo = repo
        self.kv = kv
        self.current = current
        self.cache_size = cache_size
        self._prints = _Prints()
        self._cache: OrderedDict[tuple[str, datetime], bytes] = OrderedDict()
        self._conference_lock = asyncio.Lock()

    # ---------------------------------------------------------------- tokens
    async def status(self, user_id: int) -> CalendarFeed | None:
        """The user's feed, if they have one (its token cannot be shown again: only its hash
        is kept)."""
        return await self.repo.of_user(user_id)

    async def issue(self, user_id: int) -> str:
        """A new token for the user (returned once); any previous link stops working."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        await self.repo.replace(user_id, token_hash(token), self.current.now())
        return token

    async def turn_off(self, user_id: int) -> bool:
        return await self.repo.remove(user_id)

    # ---------------------------------------------------------------- feeds
    async def personal(self, token: str) -> Feed | None:
        """The feed behind a token, or None (unknown, revoked or malformed: all look alike)."""
        if not TOKEN_PATTERN.match(token):
            return None
        wanted = token_hash(token)
        feed = await self.repo.by_hash(wanted)
        if feed is None or not hmac.compare_digest(feed.token_hash.encode(), wanted.encode()):
            return None
        stored = feed.token_hash
        state = self.current.state
        ids = feed.bookmarks
        index = state.index
        sessions = sorted(
            (s for s in (index.session(i) for i in ids) if s is not None),
            key=lambda s: (s.start, s.end, s.title),
        )
        language = feed.language or ""
        with use_locale(feed.language):
            name = texts.calendar_feed_name(state.conference)
        etag = self._etag(state, sessions, language, name)
        if feed.etag == etag and feed.modified_at is not None:
            modified = feed.modified_at
        else:
            modified = self._changed_at(feed.modified_at)
            await self.repo.served(feed.user_id, stored, etag, modified)
        body = await self._render(state, sessions, etag, modified, feed.language, name)
        return Feed(body, etag, modified, "my-sessions.ics")

    async def conference(self) -> Feed:
        """Every session of the conference (breaks too: they are part of the timetable)."""
        state = self.current.state
        sessions = sorted(state.conference.sessions, key=lambda s: (s.start, s.end, s.title))
        with use_locale(None):
            name = texts.conference_name(state.conference)
        etag = self._etag(state, sessions, "", name)
        async with self._conference_lock:  # one reader of the kv row at a time
            modified = await self._conference_modified(etag)
        body = await self._render(state, sessions, etag, modified, None, name)
        return Feed(body, etag, modified, f"{conference_slug(state.conference)}.ics")

    async def _conference_modified(self, etag: str) -> datetime:
        raw = await self.kv.get(CONFERENCE_FEED_KEY)
        before: datetime | None = None
        try:
            seen = json.loads(raw) if raw else {}
            before = datetime.fromisoformat(str(seen["modified"])) if seen else None
            if seen.get("etag") == etag and before is not None:
                return before
        except (ValueError, KeyError, TypeError, AttributeError):
            before = None
        modified = self._changed_at(before)
        value = json.dumps({"etag": etag, "modified": modified.isoformat()})
        await self.kv.put(CONFERENCE_FEED_KEY, value)
        return modified

    def _changed_at(self, before: datetime | None) -> datetime:
        """When new content appeared: now, in whole seconds (as HTTP dates are), and always
        after the previous content's time, so ``If-Modified-Since`` never hides a change made
        within the same second (or while the clock stands still, as in a rehearsal)."""
        now = self.current.now().astimezone(UTC).replace(microsecond=0)
        if before is not None and now <= before:
            return before.astimezone(UTC) + timedelta(seconds=1)
        return now

    def _etag(self, state: AgendaState, sessions: Sequence[Session], lang: str, name: str) -> str:
        conf = state.conference
        digest = hashlib.sha256()
        head = [conf.name, conf.venue, conf.timezone.key, lang, name, FEED_REFRESH.seconds]
        digest.update(json.dumps(head, ensure_ascii=False, default=str).encode())
        for line in self._prints.of(state, sessions):
            digest.update(b"\n" + line.encode())
        return '"' + digest.hexdigest()[:32] + '"'

    async def _render(
        self,
        state: AgendaState,
        sessions: Sequence[Session],
        etag: str,
        modified: datetime,
        language: str | None,
        name: str,
    ) -> bytes:
        key = (etag, modified)
        body = self._cache.get(key)
        if body is not None:
            self._cache.move_to_end(key)
            return body

        def build() -> bytes:
            with use_locale(language):
                return sessions_ics(
                    state.conference, sessions, now=modified, name=name, refresh=FEED_REFRESH
                )

        # A whole programme takes a while to write out: off the event loop when it is big.
        body = await asyncio.to_thread(build) if len(sessions) > 40 else build()
        self._cache[key] = body
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return body
