from __future__ import annotations

import io
import logging

from bot.app import RedactingFilter


def _emit(flt: RedactingFilter, msg: str, *args: object, exc: bool = False) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(flt)
    logger = logging.getLogger("confbot.test.redact")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        if exc:
            try:
                raise RuntimeError(msg % args)
            except RuntimeError:
                logger.exception("failed")
        else:
            logger.warning(msg, *args)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_configured_secret_and_token_shapes_are_redacted() -> None:
    flt = RedactingFilter(["s3cret-value"])
    out = _emit(flt, "POST /bot%s/getMe with %s", "123456:" + "A" * 35, "s3cret-value")
    assert "AAAA" not in out
    assert "s3cret-value" not in out
    assert out.count("[token]") == 2


def test_tracebacks_are_redacted_too() -> None:
    out = _emit(RedactingFilter(), "url /bot%s/x", "987654:" + "b" * 35, exc=True)
    assert "bbbb" not in out
    assert "[token]" in out


def test_one_time_speaker_codes_are_redacted() -> None:
    out = _emit(RedactingFilter(), "Update text='/start %s'", "sp_" + "Zx9-" * 6)
    assert "Zx9-" not in out
    assert "sp_[code]" in out
