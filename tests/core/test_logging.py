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


def test_json_lines_carry_the_fields_and_stay_redacted() -> None:
    import json

    from bot.app import JsonFormatter
    from bot.logs import redact_also

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    redact_also("generated-at-run-time-secret")
    handler.addFilter(RedactingFilter(["configured-s3cret"]))
    logger = logging.getLogger("confbot.test.json")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        logger.warning('a line with "quotes", ünïcode and\nconfigured-s3cret')
        try:
            raise ValueError("generated-at-run-time-secret in a traceback")
        except ValueError:
            logger.exception("failed at /cal/%s.ics", "A" * 32)
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2  # one object per line, even with a newline in the message
    first, second = (json.loads(line) for line in lines)
    assert set(first) == {"timestamp", "level", "logger", "message"}
    assert first["level"] == "WARNING"
    assert first["logger"] == "confbot.test.json"
    assert first["timestamp"].endswith("Z")
    assert first["message"] == 'a line with "quotes", ünïcode and\n[token]'
    assert second["message"] == "failed at /cal/[token].ics"
    assert "ValueError: [token] in a traceback" in second["exception"]
    assert "secret" not in stream.getvalue()


def test_log_format_picks_the_formatter() -> None:
    from bot.app import JsonFormatter, log_handler
    from bot.config import Settings

    json_settings = Settings(_env_file=None, LOG_FORMAT="json")  # type: ignore[call-arg]
    assert isinstance(log_handler(json_settings).formatter, JsonFormatter)
    text_settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert not isinstance(log_handler(text_settings).formatter, JsonFormatter)
