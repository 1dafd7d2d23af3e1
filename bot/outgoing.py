"""What the bot says, independent of Telegram: HTML text, buttons and optional attachments.

The core builds these; the Telegram adapter turns them into API calls. HTML here is already
escaped (see ``bot.texts``), so adapters send it as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    data: str | None = None
    url: str | None = None


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
