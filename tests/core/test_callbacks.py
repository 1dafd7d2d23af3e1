from __future__ import annotations

import pytest

from handlers.callbacks import ACTIONS, MAX_BYTES, BadCallback, decode, encode, session_key


def test_round_trip() -> None:
    cb = decode(encode("d", "20241127", 2))
    assert (cb.action, cb.args) == ("d", ("20241127", "2"))
    assert cb.int_arg(1, 0, 5) == 2


@pytest.mark.parametrize(
    "data",
    ["", "nope:1", "s", "s:a:b", "d:2024:x:y", "s:<script>", "s:" + "a" * 70, "rt:x:ü"],
)
def test_forged_data_is_refused(data: str) -> None:
    with pytest.raises(BadCallback):
        decode(data)


def test_numbers_are_range_checked() -> None:
    with pytest.raises(BadCallback):
        decode("rt:s1:9").int_arg(1, 0, 5)
    with pytest.raises(BadCallback):
        decode("rt:s1:x").int_arg(1, 0, 5)


def test_long_and_odd_session_ids_get_short_stable_keys() -> None:
    guid = "3f0a6f7e-9d7b-5b6b-9c1e-2f9f7c1d3a11"
    key = session_key(guid)
    assert key == session_key(guid)
    assert key.startswith("#")
    assert session_key("welcome") == "welcome"
    for action, arity in ACTIONS.items():
        data = encode(action, *([key] * arity)) if arity else encode(action)
        assert len(data.encode()) <= MAX_BYTES


def test_encode_refuses_what_decode_would_refuse() -> None:
    with pytest.raises(ValueError, match="callback-safe"):
        encode("s", "a:b")
    with pytest.raises(ValueError, match="takes 1 arguments"):
        encode("s")
