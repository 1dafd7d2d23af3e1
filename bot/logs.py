"""Logging as ``confbot run`` sets it up: LOG_LEVEL, LOG_FORMAT, and no secret in any line.

The redacting filter sits on the handler, so it sees every record whoever logs it (PTB's
DEBUG lines carry request parameters, httpx's carry the token in URLs): the bot token, the
webhook secret, the metrics token, one-time speaker codes, shared-schedule and calendar feed
tokens become placeholders. Secrets made at run time (a generated webhook secret) join with
``redact_also``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.config import Settings

#: Secrets known only at run time, redacted by every filter (process-wide).
_RUNTIME_SECRETS: set[str] = set()


def redact_also(secret: str) -> None:
    """Keep ``secret`` out of every log line from now on."""
    if secret:
        _RUNTIME_SECRETS.add(secret)


class RedactingFilter(logging.Filter):
    """Belt and braces: whatever logs a URL, a bot token in it never reaches a log line."""

    _token = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
    #: One-time speaker codes (``/start sp_…``) appear in PTB's DEBUG lines about updates.
    _speaker_code = re.compile(r"\bsp_[A-Za-z0-9_-]{16,}")
    #: Shared-schedule tokens: in ``/start sh_…`` and in the friend's "Bookmark all" button.
    _share_token = re.compile(r"\b(sh_|sha:)[A-Za-z0-9_-]{16,}")
    #: Live calendar addresses (``/cal/TOKEN.ics``) appear in the messages that give them.
    _feed = re.compile(r"/cal/(?!conference\.ics)[A-Za-z0-9_-]{16,}\.ics")

    def __init__(self, secrets: Sequence[str] = ()) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def _clean(self, text: str) -> str:
        for secret in (*self._secrets, *_RUNTIME_SECRETS):
            text = text.replace(secret, "[token]")
        text = self._feed.sub("/cal/[token].ics", text)
        text = self._speaker_code.sub("sp_[code]", self._token.sub("[token]", text))
        return self._share_token.sub(r"\1[token]", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self._clean(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class JsonFormatter(logging.Formatter):
    """``LOG_FORMAT=json``: one JSON object per line, as log platforms ingest them.

    Fields: ``timestamp`` (UTC, ISO 8601, milliseconds), ``level``, ``logger``, ``message``,
    and ``exception`` (the formatted traceback) when there is one. The redacting filter runs
    before this formatter, on the message and on the traceback's text.
    """

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC)
        entry: dict[str, Any] = {
            "timestamp": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def log_handler(settings: Settings) -> logging.Handler:
    """Standard error, as text (``LOG_FORMAT=text``, readable) or JSON lines."""
    handler = logging.StreamHandler()
    if settings.LOG_FORMAT == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    return handler


def secrets_of(settings: Settings) -> list[str]:
    """What must never reach a log line, whatever logs it."""
    values = [settings.TELEGRAM_BOT_TOKEN, settings.WEBHOOK_SECRET, settings.METRICS_TOKEN]
    return [v.get_secret_value() for v in values if v is not None]


def configure_logging(settings: Settings, handler: logging.Handler | None = None) -> None:
    """Log at LOG_LEVEL in LOG_FORMAT, with httpx's per-request lines (they carry the token)
    silenced and every configured secret redacted."""
    root = logging.getLogger()
    root.setLevel(settings.LOG_LEVEL)
    if handler is None:
        handler = log_handler(settings)
    handler.addFilter(RedactingFilter(secrets_of(settings)))
    root.addHandler(handler)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # aiosqlite's DEBUG lines hold every query's parameters: secrets kept in the database
    # and people's data. Never wanted in a log, whatever LOG_LEVEL says.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
