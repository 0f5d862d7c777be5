"""Fixtures for the feed tests: the fake exchange, a SQLite store, and a fast ingest configuration."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from bot.market.ingest import IngestConfig, Ingestor
from bot.market.state import MarketState
from bot.store import Store
from config.settings import load_settings
from tests.fakes.exchange import FakeExchange
from tests.fakes.timing import FAST_INGEST

FAST = FAST_INGEST


def utc_now() -> datetime:
    """The real clock (the fake exchange stamps frames with real time)."""
    return datetime.now(UTC)


async def eventually(check: Callable[[], bool], timeout_s: float = 5.0) -> None:
    """Wait, in short bounded steps, until `check()` holds."""
    async with asyncio.timeout(timeout_s):
        while not check():  # noqa: ASYNC110 - polls state owned by the code under test, bounded
            await asyncio.sleep(0.01)


@pytest.fixture
async def exchange() -> AsyncIterator[FakeExchange]:
    """The fake venues on loopback, pinging Binance clients every 50 ms."""
    async with FakeExchange(("BTC", "ETH"), server_ping_interval_s=0.05) as fake:
        yield fake


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[Store]:
    """A migrated SQLite store."""
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'feeds.db'}")
    try:
        yield store
    finally:
        await store.close()


@asynccontextmanager
async def running_ingestor(
    exchange: FakeExchange,
    store: Store,
    *,
    clock: Callable[[], datetime] = utc_now,
    config: IngestConfig = FAST,
    http_timeout_s: float = 2.0,
    start: bool = True,
) -> AsyncIterator[Ingestor]:
    """An `Ingestor` built from settings that point at the fake, restored and (optionally) started."""
    settings = load_settings(symbols="BTC,ETH", **exchange.settings_overrides())
    market = MarketState(clock, settings.venues)
    async with httpx.AsyncClient(timeout=http_timeout_s) as http:
        urls = {venue: settings.venue_urls(venue) for venue in settings.venues}
        ingestor = Ingestor.for_venues(
            urls, settings.symbols, http, store, market, clock=clock, config=config
        )
        await ingestor.restore()
        if start:
            await ingestor.start()
            for venue in settings.venues:
                await exchange.wait_subscribed(venue)
        try:
            yield ingestor
        finally:
            await ingestor.stop()
