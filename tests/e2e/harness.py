"""The whole bot on loopback: the real python-telegram-bot Application, the real store, the real feeds,
talking to the fake Bot API and the fake exchange."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bot.app import (
    TelegramApp,
    Worker,
    build_application,
    build_services,
    keep_listed_symbols,
    start_worker,
)
from bot.market.ingest import IngestConfig
from bot.services import Services
from bot.store import Store
from bot.vocabulary.clock import Clock, utc_now
from bot.wallets.pacing import WalletPacing
from config.settings import load_settings
from handlers import basic
from tests.fakes.exchange import FakeExchange
from tests.fakes.telegram import FakeTelegram
from tests.fakes.timing import E2E_INGEST


@dataclass
class RunningBot:
    """What a test drives and inspects."""

    app: TelegramApp
    services: Services
    telegram: FakeTelegram
    exchange: FakeExchange
    worker: Worker


async def eventually(check: Callable[[], bool], timeout_s: float = 5.0) -> None:
    """Wait in short bounded steps until `check()` holds."""
    async with asyncio.timeout(timeout_s):
        while not check():  # noqa: ASYNC110 - polls state owned by the code under test, bounded
            await asyncio.sleep(0.01)


async def settled(check: Callable[[], Awaitable[bool]], timeout_s: float = 5.0) -> None:
    """Like `eventually`, for a check that has to ask the database."""
    async with asyncio.timeout(timeout_s):
        while not await check():  # noqa: ASYNC110 - polls state owned by the code under test, bounded
            await asyncio.sleep(0.01)


@asynccontextmanager
async def running_bot(
    tmp_path: Path,
    *,
    coins: tuple[str, ...] = ("BTC", "ETH"),
    database_url: str | None = None,
    clock: Clock = utc_now,
    ingest_config: IngestConfig = E2E_INGEST,
    server_ping_interval_s: float | None = 0.05,
    unlisted_symbols: tuple[str, ...] = (),
    wallet_pacing: WalletPacing | None = None,
    history_days: float = 0,
    **settings: Any,
) -> AsyncIterator[RunningBot]:
    """Start fakes, store, services and the Application (polling + worker); stop all on exit.

    The fake exchange publishes ``history_days`` of open-interest history for the backfill (none by
    default: most tests start from an empty map).
    """
    async with (
        FakeTelegram() as tg,
        FakeExchange(coins, server_ping_interval_s=server_ping_interval_s) as ex,
    ):
        ex.history_days = history_days
        config = load_settings(
            _env_file=None,
            telegram_bot_token=tg.token,
            telegram_api_base_url=tg.base_url,
            database_url=database_url or f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            symbols=",".join(coins + unlisted_symbols),
            **(ex.settings_overrides() | settings),
        )
        async with httpx.AsyncClient(timeout=2.0) as http:
            config, listings = await keep_listed_symbols(config, http, clock)
            store = await Store.open(config.database_url)
            services = await build_services(config, http, store, clock, wallet_pacing)
            app = build_application(services)
            try:
                async with app:
                    await app.start()
                    worker = await start_worker(app, services, ingest_config, listings)
                    await basic.set_menus(app.bot)
                    assert app.updater is not None
                    await app.updater.start_polling(poll_interval=0, timeout=1)
                    bot = RunningBot(app, services, tg, ex, worker)
                    try:
                        await _warm(bot)
                        yield bot
                    finally:
                        await app.updater.stop()
                        await worker.stop()
                        await app.stop()
            finally:
                await store.close()


async def _warm(bot: RunningBot) -> None:
    """Wait until every venue's first quote of every coin is in the market state."""
    market, settings = bot.services.market, bot.services.settings

    def ready() -> bool:
        return all(
            market.quote(venue, coin) is not None
            for venue in settings.venues
            for coin in settings.symbols
        )

    await eventually(ready, timeout_s=10)
