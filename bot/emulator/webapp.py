"""Mini App ``initData`` as Telegram signs it, so tests can open the bot's web app as a person.

Telegram passes ``window.Telegram.WebApp.initData`` to the page: a query string with the user
(compact JSON, slashes escaped as Telegram's encoder does), ``auth_date``, usually a
``query_id``, an Ed25519 ``signature`` for third parties, and ``hash``: hex
HMAC-SHA256(data-check-string, key=HMAC-SHA256(bot_token, key="WebAppData")), where the
data-check-string is every other field as ``key=value``, sorted, joined by newlines
(core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app). The emulator
cannot sign with Telegram's Ed25519 key, so ``signature`` is well-formed but not verifiable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import time
from typing import Any
from urllib.parse import urlencode

JsonDict = dict[str, Any]


def web_app_user(user: JsonDict, *, allows_write_to_pm: bool = True) -> JsonDict:
    """WebAppUser: the User fields Mini Apps receive."""
    keys = ("id", "first_name", "last_name", "username", "language_code")
    data: JsonDict = {k: user[k] for k in keys if k in user}
    if user.get("is_premium"):
        data["is_premium"] = True
    data["allows_write_to_pm"] = allows_write_to_pm
    return data


def _telegram_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")


def data_check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def init_data_hash(fields: dict[str, str], bot_token: str) -> str:
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    return hmac.new(secret, data_check_string(fields).encode(), hashlib.sha256).hexdigest()


def sign_init_data(
    user: JsonDict,
    bot_token: str,
    *,
    auth_date: int | None = None,
    query_id: str | None = None,
    start_param: str | None = None,
    chat_type: str | None = None,
    chat_instance: str | None = None,
    seed: int = 0,
) -> str:
    """A signed initData query string, as a Telegram app would hand it to the Mini App."""
    rng = random.Random(seed)
    fields: dict[str, str] = {}
    if query_id is not None:
        fields["query_id"] = query_id
    fields["user"] = _telegram_json(web_app_user(user))
    if chat_instance is not None:
        fields["chat_instance"] = chat_instance
    if chat_type is not None:
        fields["chat_type"] = chat_type
    if start_param is not None:
        fields["start_param"] = start_param
    fields["auth_date"] = str(int(time.time()) if auth_date is None else auth_date)
    fields["signature"] = base64.urlsafe_b64encode(rng.randbytes(64)).decode().rstrip("=")
    fields["hash"] = init_data_hash(fields, bot_token)
    return urlencode(fields)
