"""Settings: the configuration contract (docs/architecture.md), from the environment and ``.env``.

pydantic-settings gives typed parsing, ``.env`` support with the environment winning, and
errors that name the variable, which hand-written ``os.environ`` parsing would not.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_AGENDA = PROJECT_ROOT / "data" / "brussels-security-resilience.yaml"
#: What Telegram allows in ``secret_token`` (setWebhook): 1-256 of these characters.
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_HOST = re.compile(r"^[A-Za-z0-9.-]+$")


def parse_listen(value: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:8080`` for IPv6; ``:8080`` means every interface) -> parts.

    Port 0 asks the system for a free port (tests, ``confbot chat``).
    """
    text = value.strip()
    host, sep, port_text = text.rpartition(":")
    if not sep or not port_text.isdigit():
        raise ValueError(f"{value!r} is not host:port (e.g. 127.0.0.1:8080)")
    port = int(port_text)
    if not 0 <= port <= 65535:
        raise ValueError(f"port {port} is out of range (0-65535)")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
        try:
            ipaddress.IPv6Address(host)
        except ValueError as exc:
            raise ValueError(f"{host!r} is not an IPv6 address") from exc
    elif host == "":
        host = "0.0.0.0"  # noqa: S104  ``:8080`` asks for every interface, as docker does
    elif ":" in host or not _HOST.match(host):
        raise ValueError(f"{host!r} is not a host name or address (IPv6: [::1]:8080)")
    return host, port


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=True
    )

    TELEGRAM_BOT_TOKEN: SecretStr | None = None
    TELEGRAM_API_URL: str = "https://api.telegram.org"
    AGENDA_PATH: Path = DEFAULT_AGENDA
    DATABASE_PATH: Path = Path("var/confbot.sqlite3")
    ORGANISER_IDS: Annotated[frozenset[int], NoDecode] = frozenset()
    AGENDA_TIMEZONE: str | None = None
    AGENDA_URL: str | None = None
    AGENDA_REFRESH_MINUTES: float = Field(default=5, gt=0)
    REMINDER_MINUTES: int = Field(default=10, ge=0, le=24 * 60)
    SPEAKER_REMINDER_MINUTES: int = Field(default=30, ge=0, le=24 * 60)
    FEEDBACK_DELAY_MINUTES: int = Field(default=0, ge=0, le=24 * 60)
    BROADCAST_RATE: float = Field(default=25, gt=0, le=30)
    #: Messages per second for /alert sent as Telegram paid broadcasts (``allow_paid_broadcast``,
    #: Telegram's ceiling is 1000); None: alerts go first, at ``BROADCAST_RATE``, free.
    PAID_BROADCAST_RATE: float | None = Field(default=None, gt=0, le=1000)
    CONFBOT_NOW: str | None = None
    LOG_LEVEL: str = "INFO"
    #: Hours a speaker's one-time link from /speakerlinks stays valid.
    SPEAKER_LINK_HOURS: float = Field(default=72, gt=0)
    #: ``host:port`` of the web server (webhook, health, metrics, feeds, Mini App); None: none.
    WEB_LISTEN: str | None = None
    #: Where Telegram and browsers reach that server (https, behind a reverse proxy).
    PUBLIC_URL: str | None = None
    UPDATE_MODE: Literal["polling", "webhook"] = "polling"
    #: None: generated once and kept in the database.
    WEBHOOK_SECRET: SecretStr | None = None
    #: None: /metrics answers loopback clients only.
    METRICS_TOKEN: SecretStr | None = None
    LOG_FORMAT: Literal["text", "json"] = "text"

    @field_validator("ORGANISER_IDS", mode="before")
    @classmethod
    def _ids(cls, value: object) -> frozenset[int]:
        if value is None or value == "":
            return frozenset()
        if isinstance(value, (int, str)):
            parts = [p.strip() for p in str(value).replace(";", ",").split(",")]
            try:
                return frozenset(int(p) for p in parts if p)
            except ValueError as exc:
                raise ValueError("must be comma-separated numeric Telegram user ids") from exc
        if isinstance(value, (set, frozenset, list, tuple)):
            return frozenset(int(v) for v in value)
        raise ValueError("must be comma-separated numeric Telegram user ids")

    @field_validator("AGENDA_TIMEZONE")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"{value!r} is not an IANA time zone name") from exc
        return value or None

    @field_validator("PAID_BROADCAST_RATE", mode="before")
    @classmethod
    def _paid_rate(cls, value: object) -> object:
        """An empty value (``PAID_BROADCAST_RATE=`` in ``.env``) means unset, like no line."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("TELEGRAM_API_URL")
    @classmethod
    def _url(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("LOG_LEVEL")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @field_validator("WEB_LISTEN")
    @classmethod
    def _listen(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parse_listen(value)
        return value.strip()

    @field_validator("PUBLIC_URL")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        url = value.strip().rstrip("/")
        try:
            parts = urlsplit(url)
            port = parts.port  # raises on a bad port
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a URL") from exc
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError("must be an absolute https:// address (e.g. https://bot.example.org)")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError("must be a plain address: no query, fragment or credentials")
        del port
        return url

    @field_validator("UPDATE_MODE", "LOG_FORMAT", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("WEBHOOK_SECRET")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if not _WEBHOOK_SECRET.match(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return value

    @field_validator("METRICS_TOKEN")
    @classmethod
    def _metrics_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        token = value.get_secret_value()
        if token != token.strip() or any(ord(c) < 33 or ord(c) > 126 for c in token):
            raise ValueError("must be printable ASCII without spaces (it is sent as a header)")
        return value

    @model_validator(mode="after")
    def _web(self) -> Settings:
        if self.UPDATE_MODE == "webhook" and (self.WEB_LISTEN is None or self.PUBLIC_URL is None):
            missing = " and ".join(
                n for n in ("WEB_LISTEN", "PUBLIC_URL") if getattr(self, n) is None
            )
            raise ValueError(
                f"UPDATE_MODE=webhook needs {missing}: Telegram posts updates to"
                " PUBLIC_URL/telegram, which must reach the web server listening on WEB_LISTEN"
            )
        if self.PUBLIC_URL is not None and self.WEB_LISTEN is None:
            raise ValueError(
                "PUBLIC_URL is set but WEB_LISTEN is not: nothing would serve PUBLIC_URL"
                " (set WEB_LISTEN, e.g. 127.0.0.1:8080, behind your reverse proxy)"
            )
        return self

    @property
    def web_address(self) -> tuple[str, int] | None:
        """(host, port) of ``WEB_LISTEN``; None without a web server."""
        return parse_listen(self.WEB_LISTEN) if self.WEB_LISTEN else None

    @property
    def mini_app_url(self) -> str | None:
        """The timetable Mini App's address for Telegram (``PUBLIC_URL/app/``); Telegram opens
        Mini Apps over https only, so None for an http ``PUBLIC_URL``."""
        if self.PUBLIC_URL and self.PUBLIC_URL.startswith("https://"):
            return f"{self.PUBLIC_URL}/app/"
        return None

    def public(self, path: str) -> str | None:
        """``PUBLIC_URL`` + ``path`` (``/app/``), or None without ``PUBLIC_URL``."""
        return f"{self.PUBLIC_URL}{path}" if self.PUBLIC_URL else None

    @property
    def state_dir(self) -> Path:
        """Where state beside the database lives (kept agendas): kept and backed up with it."""
        return self.DATABASE_PATH.parent

    @property
    def default_tz(self) -> ZoneInfo | None:
        return ZoneInfo(self.AGENDA_TIMEZONE) if self.AGENDA_TIMEZONE else None

    def is_organiser(self, user_id: int) -> bool:
        return user_id in self.ORGANISER_IDS
