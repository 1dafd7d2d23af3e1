"""Linking Telegram accounts to agenda speakers, safely.

Two ways in, both ending in a stored (speaker id, numeric user id) link:

* the agenda lists the speaker's Telegram username: their first ``/start`` links them. A
  username is only a convenience; once linked, the numeric id is what counts, so someone who
  later takes the username over gets nothing.
* an organiser's ``/speakerlinks`` hands out one-time deep links. A code is 128 random bits
  (``secrets.token_urlsafe``), kept only as its SHA-256, used once, and valid for
  ``SPEAKER_LINK_HOURS``; issuing new codes revokes the speaker's unused ones. Whatever is wrong
  with a code (unknown, altered, used, revoked, expired) the answer is the same, so nobody can
  probe which speakers or codes exist.

Also the speaker's own view: their sessions in time order, with the people on stage with them.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, cast

from bot.agenda.model import Conference, Session, Speaker
from bot.clock import Clock
from bot.store.protocols import SpeakerLinksStore
from bot.store.records import SpeakerLink

#: Deep-link parameters that start with this are speaker codes (``/start sp_...``).
CODE_PREFIX = "sp_"
#: Random bytes per code: 128 bits, 22 URL-safe characters; 25 with the prefix (Telegram: 64).
CODE_BYTES = 16
#: What a code may look like at all; anything else is refused before touching the database.
_CODE_SHAPE = re.compile(r"^sp_[A-Za-z0-9_-]{16,61}$")
#: Roles that lead a session rather than speak in it.
MODERATOR_ROLES = frozenset({"moderator", "chair", "host", "facilitator"})

Outcome = Literal["linked", "already", "invalid"]


def new_code() -> str:
    """A fresh one-time code, safe as a Telegram ``start`` parameter (A-Z a-z 0-9 _ -)."""
    return CODE_PREFIX + secrets.token_urlsafe(CODE_BYTES)


def hash_code(code: str) -> str:
    """What the database keeps. 128 random bits need no slow hash: guessing is hopeless."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def looks_like_code(text: str) -> bool:
    return bool(_CODE_SHAPE.match(text))


@dataclass(frozen=True, slots=True)
class IssuedCode:
    speaker_id: str
    name: str
    code: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class RedeemResult:
    outcome: Outcome
    speaker_id: str | None = None


class SpeakerLinks:
    """The speakers feature's core, shared by handlers and the reminder planner."""

    def __init__(
        self,
        repo: SpeakerLinksStore,
        clock: Clock,
        conference: Callable[[], Conference],
        *,
        link_hours: float,
    ) -> None:
        self.repo = repo
        self.clock = clock
        self._conference = conference  # a getter: the agenda is swapped whole on reload
        self.link_lifetime = timedelta(hours=link_hours)

    # ------------------------------------------------------------------ who is who
    async def speaker_of(self, user_id: int) -> str | None:
        return await self.repo.speaker_of(user_id)

    async def user_of(self, speaker_id: str) -> int | None:
        return await self.repo.user_of(speaker_id)

    async def links(self) -> list[SpeakerLink]:
        return await self.repo.all()

    # ------------------------------------------------------------------ codes
    async def issue(
        self, speaker_ids: Sequence[str] | None = None, *, by: int | None = None
    ) -> list[IssuedCode]:
        """New codes for these speakers (default: all in the agenda), revoking their old ones.

        Only the hashes are stored; the plain codes exist in the returned list alone. ``by``
        (an organiser's id) is written to the audit log in the same transaction.
        """
        speakers = self._conference().speakers
        ids = list(speakers) if speaker_ids is None else [s for s in speaker_ids if s in speakers]
        ids = sorted(dict.fromkeys(ids), key=lambda s: (speakers[s].name.casefold(), s))
        now = self.clock.now()
        expires = now + self.link_lifetime
        issued = [IssuedCode(sid, speakers[sid].name, new_code(), expires) for sid in ids]
        if not issued:
            return []
        audit = None
        if by is not None:
            scope = "all speakers" if speaker_ids is None else ", ".join(ids)
            audit = (by, "speakerlinks", f"issued links for {scope}"[:500])
        await self.repo.replace_codes(
            [(c.speaker_id, hash_code(c.code)) for c in issued], now, expires, audit=audit
        )
        return issued

    async def redeem(self, code: str, user_id: int) -> RedeemResult:
        """Link the account holding a valid code; anything else is one indistinct refusal."""
        if not looks_like_code(code):
            return RedeemResult("invalid")
        known = self._conference().speakers.keys()
        outcome, speaker_id = await self.repo.redeem(
            hash_code(code), user_id, self.clock.now(), known
        )
        return RedeemResult(cast(Outcome, outcome), speaker_id)

    # ------------------------------------------------------------------ usernames
    async def link_by_username(self, user_id: int, username: str | None) -> str | None:
        """Link the account whose username the agenda lists, once; the speaker id or None.

        Two speakers listing the same username link neither: the agenda is ambiguous.
        """
        if not username:
            return None
        wanted = username.lstrip("@").lower()
        matches = [sp.id for sp in self._conference().speakers.values() if sp.telegram == wanted]
        if len(matches) != 1:
            return None
        if await self.repo.link_username(matches[0], user_id, self.clock.now()):
            return matches[0]
        return None

    # ------------------------------------------------------------------ unlinking
    async def unlink(self, speaker_id: str, *, by: int | None = None) -> int | None:
        """End a link (and revoke the speaker's unused codes); the account it had, if any."""
        audit = (by, "speaker_unlink", speaker_id) if by is not None else None
        return await self.repo.unlink(speaker_id, self.clock.now(), audit=audit)


# ---------------------------------------------------------------------- the speaker's view


@dataclass(frozen=True, slots=True)
class Slot:
    """One of a speaker's sessions, with the people they share it with."""

    session: Session
    role: str
    co_speakers: tuple[Speaker, ...]
    moderators: tuple[Speaker, ...]


def slots_of(conference: Conference, sessions: Iterable[Session], speaker_id: str) -> list[Slot]:
    """The speaker's sessions in time order, each with co-speakers and moderator(s)."""
    out = []
    for s in sorted(sessions, key=lambda s: (s.start, s.end, s.room, s.title)):
        role = next((p.role for p in s.speakers if p.speaker_id == speaker_id), None)
        if role is None:
            continue
        co: list[Speaker] = []
        mods: list[Speaker] = []
        for part in s.speakers:
            sp = conference.speakers.get(part.speaker_id)
            if sp is None or part.speaker_id == speaker_id:
                continue
            (mods if part.role.lower() in MODERATOR_ROLES else co).append(sp)
        out.append(Slot(s, role, tuple(co), tuple(mods)))
    return out
