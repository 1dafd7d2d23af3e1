"""Inline mode's core: ``@bot QUERY`` typed in any chat becomes pages of session results.

A query goes through the same question engine as the chat (``state.questions``), so
"python tomorrow" or "keynote" mean the same in both; what the engine cannot read as a
question is still looked up as words in titles, tracks, rooms and speakers' names, as a
search box would. An empty query lists what is on now and then what comes next.

Pages (Telegram shows at most 50 results an answer) are addressed by an offset the bot
hands out itself: ``<position>.<asked at, Unix seconds>``. The next page asks the question
again *at the moment the first page was asked*, so the list does not shift under the
person scrolling while the clock moves on. An offset that is malformed, not on a page
boundary, past the end, from the future or older than ``OFFSET_TTL`` gives the first page,
asked now: a forged offset can only cost its sender a fresh first page.

Nothing here knows Telegram: results are records with a title, a description (plain text)
and the session card (HTML, escaped, within Telegram's 4,096 characters) that is posted
when a result is chosen; the handler turns them into ``InlineQueryResultArticle``.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import texts
from bot.agenda.index import AgendaIndex, fold
from bot.agenda.model import Session
from bot.agenda.state import AgendaState
from bot.deeplinks import session_payload
from bot.outgoing import clip, fits

#: Telegram's most results in one answer.
PAGE_SIZE = 50
#: Telegram's longest inline query; longer text (only a forged client sends it) is cut.
MAX_QUERY = 256
#: How long a page's offset stays valid; afterwards the list starts again, as of now.
OFFSET_TTL = timedelta(hours=1)
#: Seconds Telegram may cache an answer: short, because "now" moves and the programme
#: changes on reload. Answers are personal (the person's language).
CACHE_SECONDS = 30
#: Lengths that keep a result readable in Telegram's list.
TITLE_CHARS = 120
DESCRIPTION_CHARS = 200

#: Each agenda's sessions with their folded words, for the literal search (per index: a
#: reload builds a new one and the old entry goes with its index).
_HAYSTACKS: weakref.WeakKeyDictionary[AgendaIndex, tuple[tuple[Session, str], ...]] = (
    weakref.WeakKeyDictionary()
)
_OFFSET = re.compile(r"^([0-9]{1,6})\.([0-9]{1,12})$")
#: A future stamp this far ahead is still taken (clocks of two processes may differ).
_SKEW = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class InlineResult:
    """One session as an inline result; ``id`` is its deep-link payload (unique, ≤ 64 bytes)."""

    id: str
    session_id: str
    title: str
    description: str
    #: The session card posted when the result is chosen.
    html: str


@dataclass(frozen=True, slots=True)
class InlinePage:
    results: tuple[InlineResult, ...]
    #: The offset of the next page; empty on the last one.
    next_offset: str
    #: How many sessions matched in all.
    total: int
    #: Position of the first result of this page in the whole list.
    start: int


def normalise_query(query: str) -> str:
    """Whitespace collapsed, cut to Telegram's length; never raises."""
    return " ".join(str(query)[: MAX_QUERY * 4].split())[:MAX_QUERY]


def matching(
    state: AgendaState, query: str, asked_at: datetime, lang: str | None = None
) -> tuple[Session, ...]:
    """Every session that answers the query, best first (breaks are never results)."""
    text = normalise_query(query)
    if not text:
        return _now_and_next(state, asked_at)
    answer = state.questions.ask(text, asked_at, lang)
    found: list[Session] = []
    if answer.card is not None:
        found.append(answer.card)
    found.extend(answer.matches or answer.sessions)
    if not found:
        found.extend(answer.next_sessions)
    if not found:
        found.extend(answer.suggestions)
    if not found:
        found.extend(_words(state, text))
    return _unique(s for s in found if not s.is_break)


def _now_and_next(state: AgendaState, now: datetime) -> tuple[Session, ...]:
    """What runs now, then everything still to come in time order; once the programme is
    over, the whole programme (inline sharing still works after the event)."""
    index = state.index
    found = _unique(
        s for s in (*index.running_at(now), *index.starting_after(now)) if not s.is_break
    )
    return found or _unique(s for s in index.sessions if not s.is_break)


def _words(state: AgendaState, text: str) -> Iterable[Session]:
    """The query as literal words, each found in a title, track, room or speaker name."""
    words = fold(text).split()
    if not words:
        return ()
    return [s for s, haystack in _haystacks(state) if all(w in haystack for w in words)]


def _haystacks(state: AgendaState) -> tuple[tuple[Session, str], ...]:
    """Each session with its searchable words folded, once per agenda (folding is the cost)."""
    found = _HAYSTACKS.get(state.index)
    if found is None:
        names = state.conference.speakers
        found = tuple(
            (
                s,
                fold(
                    " ".join(
                        (
                            *s.all_titles,
                            s.track,
                            s.room,
                            *(
                                names[p.speaker_id].name
                                for p in s.speakers
                                if p.speaker_id in names
                            ),
                        )
                    )
                ),
            )
            for s in state.index.sessions
        )
        _HAYSTACKS[state.index] = found
    return found


def _unique(sessions: Iterable[Session]) -> tuple[Session, ...]:
    seen: dict[str, Session] = {}
    for s in sessions:
        seen.setdefault(s.id, s)
    return tuple(seen.values())


def encode_offset(position: int, asked_at: datetime) -> str:
    return f"{position}.{int(asked_at.timestamp())}"


def decode_offset(offset: str, now: datetime) -> tuple[int, datetime] | None:
    """(position, asked at) of an offset this module made and that is still fresh, else None."""
    m = _OFFSET.match(offset or "")
    if m is None:
        return None
    position, stamp = int(m.group(1)), int(m.group(2))
    if position <= 0 or position % PAGE_SIZE:
        return None
    try:
        asked_at = datetime.fromtimestamp(stamp, now.tzinfo)
    except (OverflowError, OSError, ValueError):
        return None
    if not now - OFFSET_TTL <= asked_at <= now + _SKEW:
        return None
    return position, asked_at


def page(
    state: AgendaState, query: str, offset: str, now: datetime, lang: str | None = None
) -> InlinePage:
    """One page of results for a query at an offset (see the module docstring)."""
    position, asked_at = decode_offset(offset, now) or (0, now)
    sessions = matching(state, query, asked_at, lang)
    if position >= len(sessions):  # a stale or forged offset: start again, as of now
        position, asked_at = 0, now
        sessions = matching(state, query, now, lang) if offset else sessions
    chunk = sessions[position : position + PAGE_SIZE]
    end = position + len(chunk)
    next_offset = encode_offset(end, asked_at) if end < len(sessions) else ""
    results = tuple(result(state, s, now) for s in chunk)
    return InlinePage(results, next_offset, len(sessions), position)


def result(state: AgendaState, session: Session, now: datetime) -> InlineResult:
    """A session as a result: title and description to choose by, the card to post."""
    people = state.speakers_of(session)
    return InlineResult(
        id=session_payload(session.id),
        session_id=session.id,
        title=clip(texts.title_of(session).strip() or session.id, TITLE_CHARS),
        description=clip(texts.inline_description(session, people, now), DESCRIPTION_CHARS),
        html=fits(texts.session_card(session, people)),
    )
