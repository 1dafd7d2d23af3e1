"""initData validation, against hashes computed here by hand from Telegram's documented recipe."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from bot.web.initdata import (
    BadSignature,
    FutureInitData,
    InitData,
    MalformedInitData,
    MissingInitData,
    StaleInitData,
    from_authorization,
    make_init_data,
    validate,
)

TOKEN = "7000000001:AAF-example-token-for-tests_xyzXYZ0123456"
NOW = 1_732_700_000.0  # 2024-11-27 09:33:20 UTC
USER = {"id": 279058397, "first_name": "Vladislav + - ? \\/", "last_name": "Kibenko",
        "username": "vdkfrost", "language_code": "hu", "is_premium": True,
        "allows_write_to_pm": True}  # fmt: skip


def by_hand(fields: dict[str, str], token: str = TOKEN) -> str:
    """Telegram's recipe, written out independently of the module under test."""
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    secret = hmac.new(key=b"WebAppData", msg=token.encode(), digestmod=hashlib.sha256).digest()
    return hmac.new(key=secret, msg=check.encode(), digestmod=hashlib.sha256).hexdigest()


def signed(fields: dict[str, str], token: str = TOKEN) -> str:
    return urlencode({**fields, "hash": by_hand(fields, token)}, quote_via=quote)


def base_fields(auth_date: float = NOW - 60, **extra: str) -> dict[str, str]:
    return {
        "auth_date": str(int(auth_date)),
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(USER, separators=(",", ":")),
        **extra,
    }


def check(raw: str | None, **kw: Any) -> InitData:
    return validate(raw, TOKEN, wall_clock=lambda: NOW, **kw)


def test_a_correctly_signed_string_is_accepted_and_parsed() -> None:
    data = check(signed(base_fields(chat_type="private", start_param="s_keynote")))
    assert data.user.id == 279058397
    assert data.user.first_name == "Vladislav + - ? \\/"
    assert data.user.username == "vdkfrost"
    assert data.user.language_code == "hu"
    assert data.user.is_premium
    assert data.user.allows_write_to_pm
    assert data.auth_date == datetime.fromtimestamp(int(NOW - 60), UTC)
    assert data.chat_type == "private"
    assert data.start_param == "s_keynote"


def test_a_known_vector() -> None:
    """A fixed string and the hash this recipe gives for it, so a refactor cannot drift."""
    fields = {"auth_date": "1732699940", "user": '{"id":1,"first_name":"A"}'}
    assert (
        by_hand(fields)
        == hmac.new(
            hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest(),
            b'auth_date=1732699940\nuser={"id":1,"first_name":"A"}',
            hashlib.sha256,
        ).hexdigest()
    )
    assert check(signed(fields)).user.id == 1


def test_fields_telegram_adds_later_are_signed_too() -> None:
    """Bot API 8.0 added ``signature``: for the HMAC check it is just another field."""
    fields = base_fields(signature="TYJxVcisqbWjtodPepiJ6ghz-KNpG8Pau-X7oNNLNBM")
    assert check(signed(fields)).user.id == USER["id"]
    dropped = urlencode({**base_fields(), "hash": by_hand(fields)})
    with pytest.raises(BadSignature):
        check(dropped)


def test_field_order_in_the_query_does_not_matter() -> None:
    fields = base_fields()
    items = [*list(fields.items())[::-1], ("hash", by_hand(fields))]
    assert check(urlencode(items)).user.id == USER["id"]


def test_make_init_data_signs_as_telegram_does() -> None:
    raw = make_init_data({"id": 5, "first_name": "Éva"}, TOKEN, auth_date=NOW)
    data = check(raw)
    assert data.user.first_name == "Éva"
    fields = dict(item.split("=", 1) for item in raw.split("&"))
    assert len(fields["hash"]) == 64


@pytest.mark.parametrize(
    "tamper",
    [
        lambda f: {**f, "user": f["user"].replace("279058397", "1")},  # someone else's id
        lambda f: {**f, "auth_date": str(int(NOW))},  # a fresher date
        lambda f: {**f, "extra": "1"},  # an added field
    ],
)
def test_any_change_breaks_the_signature(
    tamper: Callable[[dict[str, str]], dict[str, str]],
) -> None:
    fields = base_fields()
    good = by_hand(fields)
    changed = tamper(fields)
    with pytest.raises(BadSignature):
        check(urlencode({**changed, "hash": good}))


def test_another_bots_token_is_refused() -> None:
    with pytest.raises(BadSignature):
        check(signed(base_fields(), token="7000000002:AAF-another-bot"))


def test_a_hash_of_the_wrong_shape_is_refused() -> None:
    fields = base_fields()
    with pytest.raises(BadSignature):
        check(urlencode({**fields, "hash": by_hand(fields).upper()}))
    with pytest.raises(BadSignature):
        check(urlencode({**fields, "hash": "00" * 32}))
    with pytest.raises(MalformedInitData):
        check(urlencode(fields))  # no hash at all


def test_stale_and_future_dates_are_refused_even_when_signed() -> None:
    with pytest.raises(StaleInitData):
        check(signed(base_fields(auth_date=NOW - 86400 - 1)))
    assert check(signed(base_fields(auth_date=NOW - 86400 + 5)))
    with pytest.raises(StaleInitData):
        check(signed(base_fields(auth_date=NOW - 3601)), max_age=timedelta(hours=1))
    with pytest.raises(FutureInitData):
        check(signed(base_fields(auth_date=NOW + 3600)))
    assert check(signed(base_fields(auth_date=NOW + 30)))  # a little clock skew is fine


@pytest.mark.parametrize("raw", [None, ""])
def test_missing(raw: str | None) -> None:
    with pytest.raises(MissingInitData):
        check(raw)


def test_malformed_input_is_refused_cleanly() -> None:
    with pytest.raises(MalformedInitData):
        check("x" * 9000)
    with pytest.raises(MalformedInitData):
        check("no-equals-sign")
    twice = base_fields()
    raw = urlencode([*list(twice.items()), ("user", twice["user"]), ("hash", by_hand(twice))])
    with pytest.raises(MalformedInitData):
        check(raw)
    with pytest.raises(MalformedInitData):
        check(signed({"auth_date": "yesterday", "user": '{"id":1}'}))
    for user in ("not json", "[1]", '{"id":"1"}', '{"id":true}', '{"id":-4}', '{"first_name":"x"}'):
        with pytest.raises(MalformedInitData):
            check(signed(base_fields() | {"user": user}))
    with pytest.raises(MalformedInitData):
        check(signed({"auth_date": str(int(NOW))}))  # no user


def test_the_authorization_header() -> None:
    assert from_authorization("tma auth_date=1&hash=ab") == "auth_date=1&hash=ab"
    assert from_authorization("TMA  x=1 ") == "x=1"
    assert from_authorization("Bearer x=1") is None
    assert from_authorization("tma") is None
    assert from_authorization(None) is None
