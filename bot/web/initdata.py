"""Telegram Mini App identity: validate ``initData`` exactly as Telegram documents it.

Telegram hands the page a query string (``Telegram.WebApp.initData``, or ``tgWebAppData`` in
the launch URL's hash) that it signed with a key derived from the bot's token:

- data-check-string: every received field except ``hash``, as ``key=value`` (values
  URL-decoded), sorted by key, joined with ``\\n``;
- secret key: ``HMAC_SHA256(key="WebAppData", msg=bot_token)``;
- the field ``hash`` must equal ``hex(HMAC_SHA256(key=secret_key, msg=data_check_string))``.

Only a string that passes is trusted; the page's own view of itself (``initDataUnsafe``) never
is. ``auth_date`` (when Telegram signed it) must be recent, so a leaked string stops working.
That age is measured against real time, not the bot's clock: Telegram's ``auth_date`` is real
time, while the bot's clock may be set elsewhere for a rehearsal (``CONFBOT_NOW``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

#: How old a signed ``initData`` may be. Telegram signs it when the app is opened; a day lets
#: an attendee keep the timetable open through a conference day without reopening it.
DEFAULT_MAX_AGE = timedelta(hours=24)
#: How far in the future ``auth_date`` may lie (clocks of Telegram and the server differ).
DEFAULT_SKEW = timedelta(minutes=5)
#: Telegram's strings are well under 2 KB; anything far longer is not one of them.
MAX_LENGTH = 8192
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class InitDataError(Exception):
    """Why ``initData`` was refused; ``reason`` is a stable code for logs and the API."""

    reason = "invalid"


class MissingInitData(InitDataError):
    reason = "missing"


class MalformedInitData(InitDataError):
    reason = "malformed"


class BadSignature(InitDataError):
    reason = "bad_signature"


class StaleInitData(InitDataError):
    reason = "stale"


class FutureInitData(InitDataError):
    reason = "future"


@dataclass(frozen=True, slots=True)
class WebAppUser:
    """The ``user`` field: the person who opened the app."""

    id: int
    first_name: str
    last_name: str = ""
    username: str | None = None
    language_code: str | None = None
    is_premium: bool = False
    allows_write_to_pm: bool = False
    photo_url: str | None = None


@dataclass(frozen=True, slots=True)
class InitData:
    """A validated ``initData``."""

    user: WebAppUser
    auth_date: datetime
    query_id: str | None = None
    chat_type: str | None = None
    chat_instance: str | None = None
    start_param: str | None = None
    #: Every field as received (URL-decoded), ``hash`` included.
    fields: Mapping[str, str] = field(default_factory=dict)


def secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode("utf-8"), hashlib.sha256).digest()


def data_check_string(fields: Mapping[str, str]) -> str:
    return "\n".join(f"{k}={fields[k]}" for k in sorted(fields) if k != "hash")


def signature(fields: Mapping[str, str], bot_token: str) -> str:
    """The ``hash`` Telegram would put on these fields."""
    msg = data_check_string(fields).encode("utf-8")
    return hmac.new(secret_key(bot_token), msg, hashlib.sha256).hexdigest()


def sign(fields: Mapping[str, str], bot_token: str) -> str:
    """A query string signed as Telegram signs one: for ``confbot chat`` and tests."""
    clean = {k: v for k, v in fields.items() if k != "hash"}
    return urlencode({**clean, "hash": signature(clean, bot_token)})


def make_init_data(
    user: Mapping[str, Any], bot_token: str, *, auth_date: float | None = None, **extra: str
) -> str:
    """A signed ``initData`` for ``user`` (a dict like Telegram's), as a local browser needs."""
    fields = {
        "auth_date": str(int(time.time() if auth_date is None else auth_date)),
        "user": json.dumps(dict(user), separators=(",", ":"), ensure_ascii=False),
        **extra,
    }
    return sign(fields, bot_token)


def launch_url(app_url: str, init_data: str, *, version: str = "8.0", platform: str = "web") -> str:
    """The Mini App's address with its launch parameters in the hash, as Telegram opens it
    (a browser outside Telegram can open the app as the signed user this way)."""
    params = {"tgWebAppData": init_data, "tgWebAppVersion": version, "tgWebAppPlatform": platform}
    return f"{app_url}#{urlencode(params)}"


def _parse_fields(raw: str) -> dict[str, str]:
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True, errors="strict")
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedInitData("not a query string") from exc
    fields: dict[str, str] = {}
    for key, value in pairs:
        if key in fields:
            raise MalformedInitData(f"field {key!r} appears twice")
        fields[key] = value
    return fields


def _user(value: str | None) -> WebAppUser:
    if value is None:
        raise MalformedInitData("no user")
    try:
        data = json.loads(value)
    except ValueError as exc:
        raise MalformedInitData("user is not JSON") from exc
    if not isinstance(data, dict):
        raise MalformedInitData("user is not an object")
    uid = data.get("id")
    if isinstance(uid, bool) or not isinstance(uid, int) or uid <= 0:
        raise MalformedInitData("user has no valid id")

    def text(name: str) -> str | None:
        v = data.get(name)
        return v if isinstance(v, str) else None

    return WebAppUser(
        id=uid,
        first_name=text("first_name") or "",
        last_name=text("last_name") or "",
        username=text("username") or None,
        language_code=text("language_code") or None,
        is_premium=data.get("is_premium") is True,
        allows_write_to_pm=data.get("allows_write_to_pm") is True,
        photo_url=text("photo_url") or None,
    )


def validate(
    raw: str | None,
    bot_token: str,
    *,
    max_age: timedelta = DEFAULT_MAX_AGE,
    skew: timedelta = DEFAULT_SKEW,
    wall_clock: Callable[[], float] = time.time,
) -> InitData:
    """The validated ``initData``, or an ``InitDataError`` saying why not.

    The signature is checked before anything in the data is believed; the comparison is
    constant-time. ``wall_clock`` is real time in epoch seconds (see the module docstring).
    """
    if not raw:
        raise MissingInitData("no initData")
    if not bot_token:
        raise BadSignature("no bot token to check against")
    if len(raw) > MAX_LENGTH:
        raise MalformedInitData("initData too long")
    fields = _parse_fields(raw)
    given = fields.get("hash", "")
    if not _HEX64.match(given):
        raise MalformedInitData("no hash") if not given else BadSignature("hash is not hex")
    if not hmac.compare_digest(signature(fields, bot_token), given):
        raise BadSignature("hash does not match")
    try:
        signed_at = int(fields.get("auth_date", ""))
    except ValueError as exc:
        raise MalformedInitData("auth_date is not a number") from exc
    now = wall_clock()
    if signed_at > now + skew.total_seconds():
        raise FutureInitData("auth_date is in the future")
    if now - signed_at > max_age.total_seconds():
        raise StaleInitData("auth_date is too old")
    return InitData(
        user=_user(fields.get("user")),
        auth_date=datetime.fromtimestamp(signed_at, UTC),
        query_id=fields.get("query_id"),
        chat_type=fields.get("chat_type"),
        chat_instance=fields.get("chat_instance"),
        start_param=fields.get("start_param"),
        fields=fields,
    )


def from_authorization(header: str | None) -> str | None:
    """The initData of an ``Authorization: tma <initData>`` header (None when absent)."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "tma" or not value.strip():
        return None
    return value.strip()
