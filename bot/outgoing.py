"""What the bot says, independent of Telegram: HTML text, buttons and optional attachments.

The core builds these; the Telegram adapter turns them into API calls. HTML here is already
escaped (see ``bot.texts``), so adapters send it as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: Telegram's limits: characters of a message, and of a button's label as shown in full.
MAX_TEXT = 4096
#: Characters of a document's or photo's caption.
MAX_CAPTION = 1024
#: Characters of someone's input quoted back in a reply ("no speaker called …"): enough to
#: recognise what was typed, small enough that the sentence around it always fits.
QUOTE_LIMIT = 200

#: Telegram HTML as the bot writes it: a tag, an entity, a line break, a run of text.
_TOKEN = re.compile(r"<[^>]*>|&#?[A-Za-z0-9]+;|\n|[^<&\n]+|[<&]")
_TAG_NAME = re.compile(r"</?\s*([A-Za-z][A-Za-z0-9-]*)")


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, an ellipsis marking the cut (labels, toasts, plain text)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quoted(text: str, limit: int = QUOTE_LIMIT) -> str:
    """Someone's input as a reply quotes it: clipped *before* it is escaped, so the reply
    keeps its whole sentence and its markup whatever was typed (5,000 characters, ``&&&``)."""
    return clip(" ".join(text.split()), limit)


def visible_length(html: str) -> int:
    """Characters Telegram counts against its limit: the text once tags and entities are
    parsed (``&amp;`` is one character, ``<b>`` none)."""
    count = 0
    for match in _TOKEN.finditer(html):
        token = match.group()
        if token[0] == "<" and len(token) > 1:
            continue
        count += 1 if token[0] == "&" and len(token) > 1 else len(token)
    return count


def fits(text: str, limit: int = MAX_TEXT) -> str:
    """Last guard against Telegram's limit (``limit`` characters once parsed).

    Cut, when it must, on a line boundary if one is near, else between two characters of
    text: never inside a tag or an entity, and every tag still open is closed, so the result
    is always valid HTML. Quoted input is clipped before this (``quoted``): this guard only
    shortens what the bot itself made too long (a very long list).
    """
    if len(text) <= limit or visible_length(text) <= limit:
        return text
    budget = limit - 2  # room for the "\n…" or " …" that marks the cut
    count = 0
    stack: list[str] = []
    line_cut: tuple[int, tuple[str, ...]] | None = None
    cut: tuple[int, tuple[str, ...]] | None = None
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token[0] == "<" and len(token) > 1:
            name = _TAG_NAME.match(token)
            if name is None:
                continue
            if token.startswith("</"):
                if stack and stack[-1] == name.group(1).lower():
                    stack.pop()
            else:
                stack.append(name.group(1).lower())
            continue
        size = 1 if token[0] == "&" and len(token) > 1 else len(token)
        if token == "\n":  # noqa: S105  a line break, not a password
            line_cut = (match.start(), tuple(stack))
        if count + size > budget:
            room = budget - count
            if size > 1 and token[0] != "&" and room > 0:  # split a run of plain text
                cut = (match.start() + room, tuple(stack))
            else:
                cut = (match.start(), tuple(stack))
            break
        count += size
    assert cut is not None  # noqa: S101  the text is longer than the budget
    use_line = line_cut is not None and line_cut[0] >= cut[0] // 2
    at, open_tags = line_cut if use_line and line_cut is not None else cut
    closing = "".join(f"</{name}>" for name in reversed(open_tags))
    return text[:at].rstrip(" ") + closing + ("\n…" if use_line else "…")


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    data: str | None = None
    url: str | None = None
    #: A Mini App's https address, opened inside Telegram (private chats only).
    web_app: str | None = None


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: bytes
    kind: str = "document"  # or "photo"
    caption: str = ""


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    html: str
    buttons: Keyboard = ()
    attachment: Attachment | None = None
    extra: tuple[Attachment, ...] = field(default_factory=tuple)
