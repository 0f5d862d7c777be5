"""Shared fixtures: `database_url` over SQLite and PostgreSQL, a store, and the fake Bot API with a real Bot."""

from __future__ import annotations

import os

# python-telegram-bot 22 warns on every RetryAfter unless it may hand out timedeltas; the bot sets the
# same in bot/__main__.py. Set before telegram is imported anywhere in the test session.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from telegram import Bot

from bot.store import Store
from tests import databases
from tests.fakes.telegram import FakeTelegram


@pytest.fixture(scope="session")
def postgres_target() -> Iterator[tuple[str | None, str]]:
    """A throw-away PostgreSQL database for this session: (URL, "") or (None, why not)."""
    url, reason = databases.create_postgres_database()
    if url is None and databases.REQUIRE_POSTGRES:
        pytest.fail(f"LIQGUARD_REQUIRE_POSTGRES=1 but {reason}")
    yield url, reason
    if url is not None:
        databases.drop_postgres_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_target: tuple[str | None, str]
) -> str:
    """An empty database: a fresh SQLite file, or the PostgreSQL test database emptied."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'liqguard.db'}"
    url, reason = postgres_target
    if url is None:
        pytest.skip(reason)
    await databases.reset_postgres_schema(url)
    return url


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    """A migrated store on each database."""
    opened = await Store.open(database_url)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    """A running fake Bot API."""
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    """A real PTB Bot pointed at the fake."""
    async with Bot(tg.token, base_url=tg.base_url) as real_bot:
        yield real_bot
