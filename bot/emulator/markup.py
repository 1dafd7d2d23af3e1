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
    if text.isascii():
        return len(text)
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
    if "&" not in value:
        return value
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


# ---------------------------------------------------------------------------------------------
# reply_markup validation
#
# Wording follows the Bot API server (tdlib/telegram-bot-api: Client::get_reply_markup) and
# tdlib (ReplyMarkup.cpp, LinkManager::check_link); the server lower-cases the first letter
# of a message unless it is an UPPER_CASE code. Codes such as BUTTON_DATA_INVALID come from
# Telegram's servers behind tdlib.


class MarkupError(ValueError):
    """A refused reply_markup; the text is what follows "Bad Request: "."""


class _Final(MarkupError):
    """Raised past the JSON layer: no "can't parse ... button:" prefix."""


#: The bytes of a button's callback_data Telegram takes.
MAX_CALLBACK_DATA = 64
#: Deep-link start parameters: what Telegram apps pass on (tdlib is_base64url_characters).
START_PARAMETER_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TG_HOST_RE = re.compile(r"[A-Za-z0-9_-]+")
_T_ME_HOSTS = frozenset({"t.me", "telegram.me", "telegram.dog", "www.t.me"})


def _link_problem(url: str, *, https_only: bool) -> str | None:
    """Why Telegram would refuse ``url`` in a button (LinkManager::check_link), or None."""
    from urllib.parse import urlsplit

    lowered = url.lower()
    is_tg = lowered.startswith("tg:")
    if https_only and not lowered.startswith("https://"):
        return "Only HTTPS links are allowed"
    if is_tg:
        rest = url[3:]
        if rest.startswith("//"):
            rest = rest[2:]
        host = re.split(r"[/?#]", rest, maxsplit=1)[0]
        if not host or "@" in host or ":" in host:
            return "Wrong tg URL"
        if not _TG_HOST_RE.fullmatch(host):
            return "Unallowed characters in URL host"
        return None
    if "://" not in url:
        url = "http://" + url  # tdlib assumes http for a bare host
    elif not lowered.startswith(("http://", "https://")):
        return "Unsupported URL protocol"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "Wrong port number specified in the URL"
    host = parts.hostname or ""
    if not host:
        return "URL host is empty"
    if port == 0:
        return "Wrong port number specified in the URL"
    if "." not in host and ":" not in host:
        return "Wrong HTTP URL"
    return None


def _deep_link_problem(url: str) -> str | None:
    """A t.me/tg:// start parameter Telegram apps would drop (stricter than Telegram)."""
    from urllib.parse import parse_qs, urlsplit

    try:
        parts = urlsplit(url if "://" in url else "https://" + url)
    except ValueError:
        return None
    is_tg_resolve = parts.scheme.lower() == "tg" and parts.netloc.lower() == "resolve"
    if not is_tg_resolve and (parts.hostname or "").lower() not in _T_ME_HOSTS:
        return None
    for key in ("start", "startgroup"):
        for value in parse_qs(parts.query, keep_blank_values=True).get(key, []):
            if not START_PARAMETER_RE.fullmatch(value):
                return (
                    f"{key} parameter {value!r} must be 1-64 characters of A-Za-z0-9_- "
                    "(emulator check: Telegram keeps the button, but the app drops the "
                    "parameter)"
                )
    return None


def _required_string(obj: JsonDict, name: str) -> str:
    if name not in obj:
        raise MarkupError(f'Can\'t find field "{name}"')
    value = obj[name]
    if not isinstance(value, str):
        raise MarkupError(f'Field "{name}" must be of type String')
    return value


def _required_object(obj: JsonDict, name: str) -> JsonDict:
    if name not in obj:
        raise MarkupError(f'Can\'t find field "{name}"')
    value = obj[name]
    if not isinstance(value, dict):
        raise MarkupError(f'Field "{name}" must be of type Object')
    return value


def _lower_first(text: str) -> str:
    """The Bot API lower-cases a message's first letter unless it is an UPPER_CASE code."""
    if len(text) >= 2 and (text[1] == "_" or text[1].isupper()):
        return text
    return text[:1].lower() + text[1:]


def _inline_button(button: Any, *, chat_type: str, strict_deep_links: bool) -> None:
    """One InlineKeyboardButton, checked in the order the Bot API server reads it."""
    if not isinstance(button, dict):
        raise MarkupError("InlineKeyboardButton must be an Object")
    text = _required_string(button, "text")
    url = button.get("url")
    data = button.get("callback_data")
    if isinstance(url, str) and url:
        kind = "url"
    elif isinstance(data, str) and data:
        kind = "callback_data"
    else:
        for kind in (
            "callback_game",
            "pay",
            "switch_inline_query",
            "switch_inline_query_chosen_chat",
            "switch_inline_query_current_chat",
            "login_url",
            "web_app",
            "copy_text",
        ):
            if kind in button:
                break
        else:
            raise MarkupError("Text buttons are unallowed in the inline keyboard")
    if kind in ("switch_inline_query", "switch_inline_query_current_chat"):
        _required_string(button, kind)
    elif kind in ("switch_inline_query_chosen_chat", "copy_text"):
        _required_object(button, kind)
    elif kind in ("login_url", "web_app"):
        _required_string(_required_object(button, kind), "url")
    # From here on the checks are tdlib's and the server's, reported without the prefix.
    if not text:
        raise _Final("Inline keyboard button text must be non-empty")
    if kind == "url":
        assert isinstance(url, str)
        problem = _link_problem(url, https_only=False)
        if problem:
            raise _Final(f"Inline keyboard button URL '{url}' is invalid: {problem}")
        if strict_deep_links:
            problem = _deep_link_problem(url)
            if problem:
                raise _Final(f"Inline keyboard button URL '{url}' is invalid: {problem}")
    elif kind == "callback_data":
        assert isinstance(data, str)
        if len(data.encode()) > MAX_CALLBACK_DATA:
            raise _Final("BUTTON_DATA_INVALID")
    elif kind == "web_app":
        app_url = button["web_app"]["url"]
        problem = _link_problem(app_url, https_only=True)
        if problem:
            raise _Final(f"Inline keyboard button Web App URL '{app_url}' is invalid: {problem}")
        if chat_type != "private":
            raise _Final("BUTTON_TYPE_INVALID")
    elif kind == "login_url":
        login = button["login_url"]["url"]
        problem = _link_problem(login, https_only=True)
        if problem:
            raise _Final(f"Inline keyboard button login URL '{login}' is invalid: {problem}")
    elif kind in ("switch_inline_query", "switch_inline_query_current_chat") and (
        chat_type == "channel"
    ):
        raise _Final(
            f"Can't use {kind} button in a channel chat, because users will not be able "
            "to use the button without knowing bot's username"
        )


def _keyboard_button(button: Any, *, chat_type: str) -> None:
    if isinstance(button, str):
        return
    if not isinstance(button, dict):
        raise MarkupError("KeyboardButton must be a String or an Object")
    _required_string(button, "text")
    private = chat_type == "private"
    if "web_app" in button:
        app_url = _required_string(_required_object(button, "web_app"), "url")
        if not private:
            raise _Final("Web App buttons can be used in private chats only")
        problem = _link_problem(app_url, https_only=True)
        if problem:
            raise _Final(f"Keyboard button Web App URL '{app_url}' is invalid: {problem}")
    if button.get("request_contact") and not private:
        raise _Final("Phone number can be requested in private chats only")
    if button.get("request_location") and not private:
        raise _Final("Location can be requested in private chats only")
    if "request_poll" in button and not private:
        raise _Final("Poll can be requested in private chats only")


def check_reply_markup(
    markup: Any,
    *,
    chat_type: str = "private",
    strict_deep_links: bool = True,
    inline_only: bool = False,
) -> JsonDict | None:
    """Validate ``reply_markup`` like Telegram; return it, or None when it sets no keyboard.

    Raises MarkupError with the text that follows "Bad Request: ".
    """
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise MarkupError("object expected as reply markup")
    try:
        keyboard = markup.get("keyboard")
        if keyboard is not None:
            if not isinstance(keyboard, list) or not all(isinstance(r, list) for r in keyboard):
                raise _Final('Field "keyboard" must be an Array of Arrays')
            for row in keyboard:
                for button in row:
                    try:
                        _keyboard_button(button, chat_type=chat_type)
                    except _Final:
                        raise
                    except MarkupError as err:
                        raise _Final(f"Can't parse keyboard button: {err}") from None
        rows = markup.get("inline_keyboard")
        if rows is not None:
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _Final(
                    'Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
                )
            for row in rows:
                for button in row:
                    try:
                        _inline_button(
                            button, chat_type=chat_type, strict_deep_links=strict_deep_links
                        )
                    except _Final:
                        raise
                    except MarkupError as err:
                        raise _Final(f"Can't parse inline keyboard button: {err}") from None
    except MarkupError as err:
        raise MarkupError(_lower_first(str(err))) from None
    has_keyboard = isinstance(keyboard, list) and any(keyboard)
    has_inline = isinstance(rows, list) and any(rows)
    if has_keyboard:
        if inline_only:
            raise MarkupError("inline keyboard expected")
        return markup
    if has_inline:
        return markup
    if markup.get("remove_keyboard") or markup.get("hide_keyboard") or markup.get("force_reply"):
        if inline_only:
            raise MarkupError("inline keyboard expected")
        return markup
    return None


def is_inline_keyboard(markup: JsonDict | None) -> bool:
    return bool(markup) and bool((markup or {}).get("inline_keyboard"))
