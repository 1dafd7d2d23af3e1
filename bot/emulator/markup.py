"""Telegram-style HTML parsing for the emulator.

Telegram refuses a message whose HTML is malformed; reproducing that locally is what lets
tests prove that user-supplied text is escaped before it reaches ``parse_mode=HTML``.
The parser follows tdlib's rules (allowed tags, attribute handling, error wording) and
also yields the plain text plus ``MessageEntity`` dicts, as Telegram returns them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]

#: Tags Telegram accepts in HTML mode, mapped to the entity type they produce.
TAG_ENTITY: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{1,10});")
_NAME_RE = re.compile(r"[a-zA-Z0-9-]*")
_ATTR_NAME_RE = re.compile(r"[a-zA-Z0-9_-]+")
_PLAIN_RUN = re.compile(r"[^<&]+")


class EntityParseError(ValueError):
    """Raised with Telegram's wording (the part after "can't parse entities: ")."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: the unit Telegram uses for entity offsets."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    tag: str
    offset: int  # UTF-16 offset into the plain text
    attrs: dict[str, str] = field(default_factory=dict)


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, i: int) -> tuple[str, int] | None:
    """Decode an HTML entity at ``text[i]`` (an '&'); None when it is not one."""
    m = _ENTITY_RE.match(text, i)
    if m is None:
        return None
    body = m.group(1)
    if body.startswith(("#x", "#X")):
        code = int(body[2:], 16)
    elif body.startswith("#"):
        code = int(body[1:])
    else:
        named = _NAMED_ENTITIES.get(body)
        if named is None:
            return None
        return named, m.end()
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), m.end()


def _decode_attr_value(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        if value[i] == "&":
            decoded = _decode_entity(value, i)
            if decoded is not None:
                out.append(decoded[0])
                i = decoded[1]
                continue
        out.append(value[i])
        i += 1
    return "".join(out)


def _parse_attrs(text: str, i: int, start: int) -> tuple[dict[str, str], int]:
    """Parse attributes after a tag name up to and including '>'; returns (attrs, next i)."""
    attrs: dict[str, str] = {}
    n = len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(
                f"Can't find end of the tag starting at byte offset {_byte_offset(text, start)}"
            )
        if text[i] == ">":
            return attrs, i + 1
        m = _ATTR_NAME_RE.match(text, i)
        if m is None:
            raise EntityParseError(
                f"Expected equal sign in declaration of an attribute of the tag at byte offset "
                f"{_byte_offset(text, start)}"
            )
        name = m.group(0).lower()
        i = m.end()
        while i < n and text[i].isspace():
            i += 1
        if i < n and text[i] == "=":
            i += 1
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise EntityParseError(
                    "Unclosed start tag at byte offset " + str(_byte_offset(text, start))
                )
            quote = text[i]
            if quote in "\"'":
                end = text.find(quote, i + 1)
                if end < 0:
                    raise EntityParseError(
                        "Unclosed start tag at byte offset " + str(_byte_offset(text, start))
                    )
                raw = text[i + 1 : end]
                i = end + 1
            else:
                m2 = re.compile(r"[^\s>]+").match(text, i)
                raw = m2.group(0) if m2 else ""
                i = m2.end() if m2 else i
            attrs[name] = _decode_attr_value(raw)
        else:
            attrs[name] = ""


def parse_html(text: str, *, strict_entities: bool = True) -> tuple[str, list[JsonDict]]:
    """Return (plain text, entities) for Telegram HTML, or raise EntityParseError.

    ``strict_entities`` also rejects a bare '&' (tdlib would keep it literally); being
    stricter than Telegram here catches user text that was not passed through html.escape.
    """
    out: list[str] = []
    out_len = 0  # UTF-16 length of "".join(out)
    stack: list[_Open] = []
    entities: list[JsonDict] = []
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if ch == "&":
            decoded = _decode_entity(text, i)
            if decoded is None:
                if strict_entities:
                    raise EntityParseError(
                        f'Character "&" must be escaped as "&amp;" (unsupported HTML entity at '
                        f"byte offset {_byte_offset(text, i)})"
                    )
                decoded = ("&", i + 1)
            out.append(decoded[0])
            out_len += utf16_len(decoded[0])
            i = decoded[1]
            continue
        if ch != "<":  # a run of plain text up to the next tag or entity, in one step
            run = _PLAIN_RUN.match(text, i)
            assert run is not None  # text[i] is neither "<" nor "&"
            out.append(run.group(0))
            out_len += utf16_len(run.group(0))
            i = run.end()
            continue
        start = i
        if i + 1 < n and text[i + 1] == "/":
            m = _NAME_RE.match(text, i + 2)
            name = m.group(0).lower() if m else ""
            j = m.end() if m else i + 2
            while j < n and text[j].isspace():
                j += 1
            if j >= n or text[j] != ">":
                raise EntityParseError(
                    f"Can't find end tag corresponding to start tag at byte offset "
                    f"{_byte_offset(text, start)}"
                )
            if not stack:
                raise EntityParseError(
                    f'Unexpected end tag "{name}" at byte offset {_byte_offset(text, start)}'
                )
            top = stack.pop()
            if top.tag != name:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(text, start)}, "
                    f'expected "</{top.tag}>", found "</{name}>"'
                )
            _close(top, out_len, stack, entities)
            i = j + 1
            continue
        m = _NAME_RE.match(text, i + 1)
        name = m.group(0).lower() if m else ""
        if name not in TAG_ENTITY:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, start)}'
            )
        attrs, i = _parse_attrs(text, m.end() if m else i + 1, start)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError('Tag "span" must have class "tg-spoiler"')
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise EntityParseError('Tag "tg-emoji" must have attribute "emoji-id"')
        stack.append(_Open(name, out_len, attrs))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _close(top: _Open, end: int, stack: list[_Open], entities: list[JsonDict]) -> None:
    """Turn a closed tag into an entity (empty ranges produce none, as in Telegram)."""
    length = end - top.offset
    if length <= 0:
        return
    kind = TAG_ENTITY[top.tag]
    entity: JsonDict = {"type": kind, "offset": top.offset, "length": length}
    if kind == "text_link":
        href = top.attrs.get("href", "")
        if not href:
            return
        m = re.fullmatch(r"tg://user\?id=(\d+)", href)
        if m:
            entity = {
                "type": "text_mention",
                "offset": top.offset,
                "length": length,
                "user": {"id": int(m.group(1)), "is_bot": False, "first_name": "User"},
            }
        else:
            entity["url"] = href
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = top.attrs["emoji-id"]
    elif kind == "blockquote" and "expandable" in top.attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "code" and stack and stack[-1].tag == "pre":
        language = top.attrs.get("class", "")
        if language.startswith("language-"):
            # <pre><code class="language-x"> is a single pre entity with a language.
            stack[-1].attrs["language"] = language[len("language-") :]
            return
    elif kind == "pre" and top.attrs.get("language"):
        entity["language"] = top.attrs["language"]
    entities.append(entity)
