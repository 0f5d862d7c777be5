"""Settings: the only place the environment (and `.env`) is read.

Names are stable (DESIGN.md section 5): users put them in their deployments. `load_settings` turns a
validation failure into one `SettingsError` line per bad setting, which `python -m bot` prints instead of
a traceback.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["KNOWN_VENUES", "Settings", "SettingsError", "load_settings", "normalise_database_url"]

KNOWN_VENUES = ("binance", "bybit", "okx", "hyperliquid")
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class SettingsError(Exception):
    """A setting is missing or invalid; the message names it and says what is allowed."""


def normalise_database_url(url: str) -> str:
    """Map the URLs hosting platforms hand out onto SQLAlchemy's async drivers.

    >>> normalise_database_url("postgres://u:p@db:5432/app")
    'postgresql+asyncpg://u:p@db:5432/app'
    >>> normalise_database_url("sqlite:///liqguard.db")
    'sqlite+aiosqlite:///liqguard.db'
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(
            "must look like sqlite+aiosqlite:///liqguard.db or postgresql://user@host/db"
        )
    drivers = {
        "postgres": "postgresql+asyncpg",
        "postgresql": "postgresql+asyncpg",
        "postgresql+asyncpg": "postgresql+asyncpg",
        "sqlite": "sqlite+aiosqlite",
        "sqlite+aiosqlite": "sqlite+aiosqlite",
    }
    if scheme not in drivers:
        raise ValueError(f"unsupported database '{scheme}://': use sqlite or postgresql")
    return f"{drivers[scheme]}://{rest}"


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


CsvList = Annotated[list[str], NoDecode]
IdList = Annotated[list[int], NoDecode]


class Settings(BaseSettings):
    """Every configuration name of DESIGN.md section 5, with its default."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    database_url: str = "sqlite+aiosqlite:///liqguard.db"
    venues: CsvList = Field(default_factory=lambda: list(KNOWN_VENUES))
    symbols: CsvList = Field(default_factory=lambda: ["BTC", "ETH", "SOL", "XRP", "DOGE", "BNB"])
    default_venue: str = "binance"
    binance_rest_url: str = "https://fapi.binance.com"
    binance_ws_url: str = "wss://fstream.binance.com"
    bybit_rest_url: str = "https://api.bybit.com"
    bybit_ws_url: str = "wss://stream.bybit.com/v5/public/linear"
    okx_rest_url: str = "https://www.okx.com"
    okx_ws_url: str = "wss://ws.okx.com:8443/ws/v5/public"
    hyperliquid_rest_url: str = "https://api.hyperliquid.xyz"
    hyperliquid_ws_url: str = "wss://api.hyperliquid.xyz/ws"
    admin_chat_ids: IdList = Field(default_factory=list)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    port: int = Field(default=8443, ge=1, le=65535)
    log_level: LogLevel = "INFO"

    @field_validator("venues", "symbols", "admin_chat_ids", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("venues")
    @classmethod
    def _venues(cls, value: list[str]) -> list[str]:
        venues = [v.lower() for v in value]
        unknown = [v for v in venues if v not in KNOWN_VENUES]
        if unknown:
            raise ValueError(f"unknown venue {unknown[0]!r}; choose from {', '.join(KNOWN_VENUES)}")
        if not venues:
            raise ValueError(f"name at least one of {', '.join(KNOWN_VENUES)}")
        return venues

    @field_validator("symbols")
    @classmethod
    def _symbols(cls, value: list[str]) -> list[str]:
        symbols = [s.upper() for s in value]
        bad = [s for s in symbols if not s.isalnum()]
        if bad:
            raise ValueError(f"{bad[0]!r} is not a coin symbol; write coins like BTC,ETH,SOL")
        if not symbols:
            raise ValueError("name at least one coin, e.g. BTC,ETH")
        return symbols

    @field_validator("default_venue")
    @classmethod
    def _default_venue(cls, value: str) -> str:
        if value.lower() not in KNOWN_VENUES:
            raise ValueError(f"unknown venue {value!r}; choose from {', '.join(KNOWN_VENUES)}")
        return value.lower()

    @field_validator("webhook_url")
    @classmethod
    def _webhook(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        assert value is not None
        if not value.startswith("https://") and not value.startswith("http://"):
            raise ValueError("must be the public https:// address Telegram posts updates to")
        return value

    def require_token(self) -> str:
        """Return the bot token, or raise `SettingsError` saying how to get one."""
        if self.telegram_bot_token is None or not self.telegram_bot_token.get_secret_value():
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is not set: talk to @BotFather on Telegram, send /newbot, "
                "and put the token it gives you in the environment or in .env"
            )
        return self.telegram_bot_token.get_secret_value()

    def venue_urls(self, venue: str) -> tuple[str, str]:
        """Return the (REST, WebSocket) base URLs of a venue."""
        return (
            str(getattr(self, f"{venue}_rest_url")).rstrip("/"),
            str(getattr(self, f"{venue}_ws_url")).rstrip("/"),
        )


def load_settings(**overrides: object) -> Settings:
    """Build `Settings`, turning validation errors into one clear `SettingsError` line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "settings"
            message = str(error["msg"]).removeprefix("Value error, ")
            lines.append(f"invalid setting {name}: {message}")
        raise SettingsError("; ".join(lines)) from None
