"""Deep-link payloads (``https://t.me/BOT?start=PAYLOAD``): encoded here, read here.

Telegram passes at most 64 characters of ``A-Za-z0-9_-`` to ``/start``; anything else is
dropped by its apps. Three kinds of payload share that space, told apart by their prefix:

* ``s_<key>`` opens a session. ``<key>`` is the session's key (``session_key``) when that is
  already start-safe and begins with a letter or digit (``s_4711``, ``s_panel-october-7``);
  any other id (a UUID, an iCal UID with ``@`` and ``.``, an id with ``#``) travels as
  ``s__<hash>``: the same 60-bit hash ``session_key`` uses for such ids, so one id reads the
  same in a button and in a link, and the leading ``_`` cannot be a plain key's.
* ``sh_<token>`` shows a shared schedule (``bot.sharing``).
* ``sp_<code>`` links a speaker (``bot.speakers``).

Both forms are stable across reloads and restarts (they depend on the id alone), and reading
a payload never raises: a forged or stale one resolves to None.
"""

from __future__ import annotations

import base64
import hashlib
import re
import weakref
from urllib.parse import quote

from bot.agenda.index import AgendaIndex, session_key
from bot.agenda.model import Session

#: What Telegram accepts as a start parameter.
MAX_PAYLOAD = 64
START_PARAMETER = re.compile(rf"^[A-Za-z0-9_-]{{1,{MAX_PAYLOAD}}}$")
SESSION_PREFIX = "s_"
#: A session key that can travel as it is.
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,23}$")
_HASH = re.compile(r"^[A-Za-z0-9_-]{10}$")
#: Each agenda index's sessions by hash, built on the first hashed link read after a load.
_BY_HASH: weakref.WeakKeyDictionary[AgendaIndex, dict[str, Session]] = weakref.WeakKeyDictionary()


def id_hash(session_id: str) -> str:
    """The 10-character hash of a session id: ``session_key``'s, without its ``#``."""
    digest = hashlib.blake2b(session_id.encode("utf-8"), digest_size=8).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")[:10]


def is_start_parameter(text: str) -> bool:
    return bool(START_PARAMETER.match(text))


def session_payload(session_id: str) -> str:
    """``s_<key>`` for a start-safe key, else ``s__<hash>``: at most 26 characters."""
    key = session_key(session_id)
    if _PLAIN_KEY.match(key):
        return SESSION_PREFIX + key
    return SESSION_PREFIX + "_" + id_hash(session_id)


def session_from_payload(index: AgendaIndex, payload: str) -> Session | None:
    """The session a ``s_`` payload names in this agenda, or None (forged, removed, other)."""
    if not payload.startswith(SESSION_PREFIX) or not is_start_parameter(payload):
        return None
    rest = payload[len(SESSION_PREFIX) :]
    if rest.startswith("_"):
        digest = rest[1:]
        return _hashed(index).get(digest) if _HASH.match(digest) else None
    if not _PLAIN_KEY.match(rest):
        return None
    return index.session_by_key(rest)


def _hashed(index: AgendaIndex) -> dict[str, Session]:
    found = _BY_HASH.get(index)
    if found is None:
        found = {id_hash(s.id): s for s in index.sessions}
        _BY_HASH[index] = found
    return found


def start_link(bot_username: str, payload: str) -> str:
    """The ``t.me`` link that opens the bot with ``/start payload``."""
    if not is_start_parameter(payload):
        raise ValueError(f"{payload!r} is not a Telegram start parameter")
    return f"https://t.me/{quote(bot_username, safe='')}?start={payload}"


def share_url(link: str, text: str) -> str:
    """Telegram's "share to a chat" link for a URL and a line of text."""
    return f"https://t.me/share/url?url={quote(link, safe='')}&text={quote(text, safe='')}"
