"""What the bot says, independent of Telegram: HTML text, buttons and optional attachments.

The core builds these; the Telegram adapter turns them into API calls. HTML here is already
escaped (see ``bot.texts``), so adapters send it as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Telegram's limits: characters of a message, and of a button's label as shown in full.
MAX_TEXT = 4096


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, an ellipsis marking the cut (labels, toasts)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def fits(text: str) -> str:
    """Last guard against Telegram's limit; cut on a line boundary so no tag is split."""
    if len(text) <= MAX_TEXT:
        return text
    cut = text.rfind("\n", 0, MAX_TEXT - 2)
    return text[: cut if cut > 0 else MAX_TEXT - 2] + "\n…"


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
