"""Benchmark of the history at start: 30 days of open interest and 5-minute candles for 6 symbols ×
3 venues (Binance, Bybit, OKX) from the loopback fake exchange, paged as the venues page them, into
a fresh SQLite store, then the first map rebuild. Prints each figure beside its target; exits 0."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bot.feeds import binance, bybit, okx
from bot.maps.service import LiquidationMapService
from bot.market.backfill import Backfill, HistoryClient
from bot.store import Store
from bot.vocabulary.records import from_ms
from risk.clusters import ClusterModelConfig
from risk.tiers import default_tier_table
from tests.fakes.exchange import FakeExchange

SYMBOLS = ("BTC", "ETH", "SOL", "XRP", "DOGE", "BNB")


def report(figure: str, value: float, unit: str, target: float) -> None:
    """One line: ``<figure>: <value> <unit> (target <= <target>) ok|MISSED``."""
    verdict = "ok" if value <= target else "MISSED"
    print(f"{figure}: {value:.3g} {unit} (target <= {target:g}) {verdict}", flush=True)


async def run(folder: str) -> None:
    """Backfill, then rebuild; time both."""
    store = await Store.open(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
    async with FakeExchange(SYMBOLS) as fake, httpx.AsyncClient(timeout=30) as http:
        fake.history_days = 30
        now = from_ms(fake.now_ms())
        clients: dict[str, HistoryClient] = {
            "binance": binance.BinanceClient(http, fake.rest_url),
            "bybit": bybit.BybitClient(http, fake.rest_url),
            "okx": okx.OkxClient(http, fake.rest_url),
        }
        print("backfill: 30 days x 6 symbols x 3 venues ...", file=sys.stderr)
        start = time.perf_counter()
        reports = await Backfill(store, clients, SYMBOLS, lambda: now).run()
        fetched = time.perf_counter() - start
        maps = LiquidationMapService(store, default_tier_table, ClusterModelConfig(), lambda: now)
        intervals = await maps.rebuild()
        total = time.perf_counter() - start
        requests = len(fake.requests)
    await store.close()
    points = sum(r.snapshots for r in reports)
    print(f"{points:,} open-interest points, {requests:,} requests, {intervals:,} intervals",
          file=sys.stderr)  # fmt: skip
    report("backfill 30 days x 6 symbols x 3 venues", fetched, "s", 60)
    report("backfill and first map", total, "s", 60)


def main() -> None:
    """Run the benchmark in a temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(folder))


if __name__ == "__main__":
    main()
