"""The callback-data scheme: ``action:arg:arg``, under Telegram's 64 bytes, validated on the way in.

Buttons outlive agendas and can be forged by any client, so decoding checks the action, the
number and shape of its arguments and the length; the handler then checks the arguments
against the agenda and the store. Session ids that are long or unusual travel as a short,
stable hash (``#`` + 10 chars) resolved through the agenda.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.agenda.index import session_key

MAX_BYTES = 64
_ARG = re.compile(r"^[A-Za-z0-9_.\-#]{0,40}$")

#: action -> number of arguments. One line per button kind, so the scheme is documented here.
ACTIONS: dict[str, int] = {
    "ag": 0,  # agenda: choose a day
    "d": 2,  # day page: date (YYYYMMDD), page
    "s": 1,  # open a session card
    "sp": 1,  # open a speaker profile
    "spl": 1,  # speakers list page
    "bm": 1,  # toggle a bookmark
    "ics": 1,  # one session as .ics
    "myics": 0,  # the personal schedule as .ics
    "my": 0,  # show /my
    "hl": 1,  # remind before every panel: 1 on, 0 off
    "rt": 2,  # rate a session: session, 1..5 (0 = skip)
    "rs": 1,  # show the rating buttons of a session (card "Rate this session", /feedback list)
    "nc": 1,  # no comment for a rating
    "fb": 1,  # /feedback list page
    "bc": 2,  # broadcast: send|cancel|stop, batch id
    "rl": 2,  # reload: apply|cancel, token
    "st": 1,  # stats page
    "ul": 1,  # unlink a speaker
    "qm": 2,  # a question's answer, next page: remembered-question key, page
    "shr": 0,  # /my: "Share my schedule" (the preview, or the link already made)
    "shl": 1,  # the share link: new|off
    "sha": 1,  # a shared schedule: bookmark all, by the link's token
    "lang": 1,  # /language: a catalogue code (checked against the catalogues)
    "cal": 1,  # live calendar feed: new (revoke and make a new link) | off
    # audience questions to the stage (issue 19; handlers/qa.py)
    "qa": 1,  # ask a question about a session
    "qp": 2,  # a draft question: its token, n (post under the first name) | a (anonymously) | x
    "qo": 1,  # open a session's questions (the stage's view for the stage) as a new message
    "qq": 2,  # the audience's queue, in place: session, page
    "qv": 2,  # vote (or take it back): question id, page of the voter's list
    "qn": 1,  # open the stage's view of a session as a new message
    "qs": 3,  # the stage's view, in place: session, w (waiting) | d (answered, hidden), page
    "qx": 3,  # moderate: question id, a (answered) | h (hide) | r (restore), page
    "qc": 2,  # a session's Q&A: session, p (pause) | o (reopen) | n / f (top-three notices)
}


class BadCallback(ValueError):
    """Forged, stale or malformed callback data."""


@dataclass(frozen=True, slots=True)
class Callback:
    action: str
    args: tuple[str, ...]

    def int_arg(self, i: int, lo: int, hi: int) -> int:
        try:
            value = int(self.args[i])
        except (IndexError, ValueError) as exc:
            raise BadCallback(f"argument {i} of {self.action} is not a number") from exc
        if not lo <= value <= hi:
            raise BadCallback(f"argument {i} of {self.action} is out of range")
        return value


def encode(action: str, *args: object) -> str:
    if ACTIONS.get(action) != len(args):
        raise ValueError(f"callback {action!r} takes {ACTIONS.get(action)} arguments")
    parts = [action, *(str(a) for a in args)]
    for part in parts[1:]:
        if not _ARG.match(part):
            raise ValueError(f"callback argument {part!r} is not callback-safe")
    data = ":".join(parts)
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"callback data {data!r} exceeds {MAX_BYTES} bytes")
    return data


def decode(data: str | None) -> Callback:
    if not data or len(data.encode("utf-8")) > MAX_BYTES:
        raise BadCallback("empty or oversized callback data")
    action, *args = data.split(":")
    if ACTIONS.get(action) != len(args):
        raise BadCallback(f"unknown callback {action!r} or wrong arity")
    if not all(_ARG.match(a) for a in args):
        raise BadCallback("callback argument has unexpected characters")
    return Callback(action, tuple(args))


__all__ = ["ACTIONS", "BadCallback", "Callback", "decode", "encode", "session_key"]
