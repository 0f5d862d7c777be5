"""Settings: defaults, parsing from the environment and .env, and one clear line per bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import Settings, SettingsError, load_settings, normalise_database_url

ALL_NAMES = {
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_BASE_URL",
    "DATABASE_URL",
    "VENUES",
    "SYMBOLS",
    "DEFAULT_VENUE",
    "BINANCE_REST_URL",
    "BINANCE_WS_URL",
    "BYBIT_REST_URL",
    "BYBIT_WS_URL",
    "OKX_REST_URL",
    "OKX_WS_URL",
    "HYPERLIQUID_REST_URL",
    "HYPERLIQUID_WS_URL",
    "ADMIN_CHAT_IDS",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "PORT",
    "LOG_LEVEL",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test starts with none of the names set and no .env in the working directory."""
    for name in ALL_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_every_design_name_is_a_setting() -> None:
    """Every configuration name of DESIGN.md section 5 is a field, and no other."""
    assert {name.upper() for name in Settings.model_fields} == ALL_NAMES


def test_defaults() -> None:
    """Without environment the documented defaults apply."""
    settings = load_settings()
    assert settings.telegram_bot_token is None
    assert settings.database_url == "sqlite+aiosqlite:///liqguard.db"
    assert settings.venues == ["binance", "bybit", "okx", "hyperliquid"]
    assert settings.symbols == ["BTC", "ETH", "SOL", "XRP", "DOGE", "BNB"]
    assert settings.default_venue == "binance"
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.admin_chat_ids == []
    assert settings.webhook_url is None
    assert settings.log_level == "INFO"


def test_environment_lists_and_case(monkeypatch: pytest.MonkeyPatch) -> None:
    """Comma lists are split and trimmed; venues lower-cased, coins upper-cased."""
    monkeypatch.setenv("VENUES", " Bybit , OKX")
    monkeypatch.setenv("SYMBOLS", "btc,eth , sol")
    monkeypatch.setenv("ADMIN_CHAT_IDS", "12345, -1001")
    monkeypatch.setenv("log_level", "debug")
    settings = load_settings()
    assert settings.venues == ["bybit", "okx"]
    assert settings.symbols == ["BTC", "ETH", "SOL"]
    assert settings.admin_chat_ids == [12345, -1001]
    assert settings.log_level == "DEBUG"


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    """A .env in the working directory is read."""
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=123:abc\nDEFAULT_VENUE=okx\n")
    settings = load_settings()
    assert settings.require_token() == "123:abc"
    assert settings.default_venue == "okx"


def test_token_is_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """The token never shows in the settings' repr or str."""
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "987654:SECRET-token-value")
    settings = load_settings()
    assert "SECRET-token-value" not in repr(settings)
    assert "SECRET-token-value" not in str(settings.model_dump())


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/app", "postgresql+asyncpg://u:p@db:5432/app"),
        ("postgresql://u@db/app", "postgresql+asyncpg://u@db/app"),
        ("postgresql+asyncpg://u@db/app", "postgresql+asyncpg://u@db/app"),
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
    ],
)
def test_database_url_normalised(given: str, expected: str) -> None:
    """Platform database URLs are mapped onto the async drivers."""
    assert normalise_database_url(given) == expected


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("VENUES", "binance,kraken", "invalid setting VENUES: unknown venue 'kraken'"),
        ("DEFAULT_VENUE", "ftx", "invalid setting DEFAULT_VENUE: unknown venue 'ftx'"),
        ("DATABASE_URL", "mysql://x/y", "invalid setting DATABASE_URL: unsupported database"),
        ("DATABASE_URL", "liqguard.db", "invalid setting DATABASE_URL: must look like"),
        ("PORT", "99999", "invalid setting PORT:"),
        ("ADMIN_CHAT_IDS", "12,abc", "invalid setting ADMIN_CHAT_IDS:"),
        ("LOG_LEVEL", "loud", "invalid setting LOG_LEVEL:"),
        ("SYMBOLS", "BTC,E-TH", "invalid setting SYMBOLS: 'E-TH' is not a coin symbol"),
        ("WEBHOOK_URL", "bot.example.com", "invalid setting WEBHOOK_URL: must be the public"),
    ],
)
def test_invalid_setting_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    """A bad value raises SettingsError with one line naming the setting."""
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_missing_token_says_how_to_get_one() -> None:
    """Asking for the token when none is set explains BotFather."""
    with pytest.raises(SettingsError, match="BotFather"):
        load_settings().require_token()


def test_venue_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each venue's REST and WebSocket base URLs come back without a trailing slash."""
    monkeypatch.setenv("OKX_REST_URL", "http://127.0.0.1:9000/")
    rest, ws = load_settings().venue_urls("okx")
    assert rest == "http://127.0.0.1:9000"
    assert ws == "wss://ws.okx.com:8443/ws/v5/public"


def test_default_venue_follows_venues_when_left_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    """`VENUES=bybit` alone makes Bybit the default venue, so /risk works without `on bybit`."""
    monkeypatch.setenv("VENUES", "bybit,okx")
    assert load_settings().default_venue == "bybit"


def test_default_venue_outside_venues_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """An explicit DEFAULT_VENUE that is not followed is one line naming both settings."""
    monkeypatch.setenv("VENUES", "bybit")
    monkeypatch.setenv("DEFAULT_VENUE", "binance")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == (
        "invalid setting DEFAULT_VENUE: binance is not one of VENUES=bybit: "
        "set DEFAULT_VENUE to one of them or add binance to VENUES"
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BINANCE_REST_URL", "notaurl"),
        ("BYBIT_WS_URL", "https://stream.bybit.com"),
        ("TELEGRAM_API_BASE_URL", "api.telegram.org/bot"),
        ("OKX_REST_URL", "http://"),
    ],
)
def test_urls_must_be_urls(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    """A venue or Bot API URL that is no URL of the right scheme is refused at load, naming it."""
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(f"invalid setting {name}: {value!r} is not a URL")


def test_every_bad_setting_is_its_own_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three bad settings give three lines, not one joined line."""
    monkeypatch.setenv("BINANCE_REST_URL", "notaurl")
    monkeypatch.setenv("PORT", "0")
    monkeypatch.setenv("VENUES", "kraken")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    lines = str(caught.value).split("\n")
    assert [line.split(":")[0] for line in lines] == [
        "invalid setting VENUES", "invalid setting BINANCE_REST_URL", "invalid setting PORT",
    ]  # fmt: skip


def test_problems_of_each_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """No token is a problem for run, web, worker and check; web also needs WEBHOOK_URL."""
    settings = load_settings()
    assert [p.split(":")[0] for p in settings.problems("web")] == [
        "TELEGRAM_BOT_TOKEN is not set", "WEBHOOK_URL is not set",
    ]  # fmt: skip
    assert len(settings.problems("check")) == 1
    assert settings.problems("migrate") == []
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:x")
    assert load_settings().problems("run") == []
