"""Settings: the only place the environment (and `.env`) is read.

Names are stable (DESIGN.md section 5): users put them in their deployments. `load_settings` turns a
validation failure into one `SettingsError` line per bad setting, which `python -m bot` prints instead of
a traceback.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
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


def _require_url(value: str, schemes: tuple[str, ...]) -> str:
    """`value` when it is an absolute URL with one of `schemes` and a host; else ValueError."""
    parts = urlsplit(value.strip())
    if parts.scheme not in schemes or not parts.hostname:
        raise ValueError(
            f"{value!r} is not a URL; it must start with {' or '.join(s + '://' for s in schemes)} and name a host"
        )
    return value.strip()


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

    @field_validator("telegram_api_base_url", *(f"{v}_rest_url" for v in KNOWN_VENUES))
    @classmethod
    def _http_url(cls, value: str) -> str:
        return _require_url(value, ("https", "http"))

    @field_validator(*(f"{v}_ws_url" for v in KNOWN_VENUES))
    @classmethod
    def _ws_url(cls, value: str) -> str:
        return _require_url(value, ("wss", "ws"))

    @model_validator(mode="after")
    def _default_venue_is_followed(self) -> Self:
        """DEFAULT_VENUE left unset follows VENUES (its first); set, it must be one of them."""
        if self.default_venue in self.venues:
            return self
        if "default_venue" not in self.model_fields_set:
            self.default_venue = self.venues[0]
            return self
        raise ValueError(
            f"{self.default_venue} is not one of VENUES={','.join(self.venues)}: "
            f"set DEFAULT_VENUE to one of them or add {self.default_venue} to VENUES"
        )

    def problems(self, command: str) -> list[str]:
        """What stops `command` (run, web, worker, check) from working, one line each."""
        found = []
        if command in ("run", "web", "worker", "check"):
            try:
                self.require_token()
            except SettingsError as missing:
                found.append(str(missing))
        if command == "web" and not self.webhook_url:
            found.append(
                "WEBHOOK_URL is not set: the web process answers by webhook only; set it to the "
                "public https:// address of this process, or run `python -m bot run` to long-poll"
            )
        return found

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
    """Build `Settings`, turning validation errors into a `SettingsError` of one line per setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "DEFAULT_VENUE"
            message = str(error["msg"]).removeprefix("Value error, ")
            lines.append(f"invalid setting {name}: {message}")
        raise SettingsError("\n".join(lines)) from None
