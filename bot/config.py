"""Settings: the configuration contract (docs/architecture.md), from the environment and ``.env``.

pydantic-settings gives typed parsing, ``.env`` support with the environment winning, and
errors that name the variable, which hand-written ``os.environ`` parsing would not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_AGENDA = PROJECT_ROOT / "data" / "brussels-security-resilience.yaml"


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
    CONFBOT_NOW: str | None = None
    LOG_LEVEL: str = "INFO"
    #: Hours a speaker's one-time link from /speakerlinks stays valid.
    SPEAKER_LINK_HOURS: float = Field(default=72, gt=0)

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

    @property
    def state_dir(self) -> Path:
        """Where state beside the database lives (kept agendas): kept and backed up with it."""
        return self.DATABASE_PATH.parent

    @property
    def default_tz(self) -> ZoneInfo | None:
        return ZoneInfo(self.AGENDA_TIMEZONE) if self.AGENDA_TIMEZONE else None

    def is_organiser(self, user_id: int) -> bool:
        return user_id in self.ORGANISER_IDS
