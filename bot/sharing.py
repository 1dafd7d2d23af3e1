"""Sharing a personal schedule by link: a friend sees the sharer's bookmarks and can take them.

The link is ``https://t.me/BOT?start=sh_<token>``: 128 random bits (``secrets``), so it
names nobody and cannot be guessed; the database keeps only the token's SHA-256, so not even
a copy of the database can be turned back into working links. One link per person is
active: making a new one revokes the old, and "stop sharing" revokes it. The link always
shows the sharer's *current* bookmarks (it points at the person, not at a copy) under the
first name they saw in the preview before making it; nothing else about them is shown.

A revoked link is told apart from one that never existed, so its holder hears "this link no
longer works" rather than nothing; a malformed or unknown token is simply not a link.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Literal

from bot.agenda.state import CurrentAgenda
from bot.bookmarks import Bookmarks, PersonalSchedule
from bot.outgoing import clip
from bot.store.protocols import ShareLinksStore
from bot.store.records import ShareLink

#: Deep-link parameters that start with this are shared schedules (``/start sh_...``).
SHARE_PREFIX = "sh_"
#: Random bytes per token: 128 bits, 22 URL-safe characters; 25 with the prefix (Telegram: 64).
TOKEN_BYTES = 16
#: What a token may look like at all (``secrets.token_urlsafe(16)``): anything else is not
#: looked up. It also travels in the friend's "Bookmark all" button (callback data).
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")
#: The sharer's first name as friends see it.
NAME_CHARS = 64


def token_of(payload: str) -> str | None:
    """The token of a ``sh_`` payload, or None if it is not one."""
    if not payload.startswith(SHARE_PREFIX):
        return None
    token = payload[len(SHARE_PREFIX) :]
    return token if _TOKEN.match(token) else None


def hash_token(token: str) -> str:
    """What the database keeps. 128 random bits need no slow hash: guessing is hopeless."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


@dataclass(frozen=True, slots=True)
class NewLink:
    """A link just made: ``payload`` is the start parameter, shown to the sharer once."""

    payload: str
    token: str
    link: ShareLink


@dataclass(frozen=True, slots=True)
class SharedView:
    """What a friend who opens a link sees: the sharer's first name and current schedule."""

    token: str
    owner_id: int
    name: str
    schedule: PersonalSchedule


Opened = SharedView | Literal["revoked"] | None


class Sharing:
    def __init__(self, repo: ShareLinksStore, bookmarks: Bookmarks, current: CurrentAgenda) -> None:
        self.repo = repo
        self.bookmarks = bookmarks
        self.current = current

    @staticmethod
    def display_name(first_name: str) -> str:
        return clip(" ".join(first_name.split()), NAME_CHARS)

    async def create(self, user_id: int, first_name: str) -> NewLink:
        """A fresh link for the user; their previous one (if any) stops working."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self.current.now()
        name = self.display_name(first_name)
        await self.repo.create(user_id, hash_token(token), name, now)
        return NewLink(SHARE_PREFIX + token, token, ShareLink(user_id, name, now))

    async def active(self, user_id: int) -> ShareLink | None:
        return await self.repo.active(user_id)

    async def revoke(self, user_id: int) -> bool:
        return await self.repo.revoke(user_id, self.current.now()) > 0

    async def open(self, token: str) -> Opened:
        """The view behind a token: the schedule, "revoked", or None (never a link)."""
        if not _TOKEN.match(token):
            return None
        link = await self.repo.find(hash_token(token))
        if link is None:
            return None
        if not link.active:
            return "revoked"
        schedule = await self.bookmarks.schedule(link.user_id)
        return SharedView(token, link.user_id, link.first_name, schedule)

    async def bookmark_all(self, token: str, user_id: int) -> int | None:
        """Bookmark for ``user_id`` the shared sessions still to come (breaks never are);
        how many were added, or None when the link no longer works."""
        view = await self.open(token)
        if not isinstance(view, SharedView):
            return None
        now = self.current.now()
        wanted = [s for s in view.schedule.sessions if not s.is_break and s.end > now]
        return await self.bookmarks.add_all(user_id, wanted)
