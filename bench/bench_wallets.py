"""Wallet sync benchmark: 500 watched Hyperliquid wallets read against the fake exchange on loopback.

Run from the repository root: `python bench/bench_wallets.py`. Each wallet has two positions and is
watched by one chat (SQLite store). Measures what one 30 s round reads and what that costs in
Hyperliquid's `/info` weight (the sync's half of 1,200 a minute), how long a round takes, how many
rounds cover every wallet, and that a 429 stops the reads until its `Retry-After` has passed.
Prints `<figure>: <value> <unit> (target <op> <value>) ok|MISSED`, exits 0 either way.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bench.bench_delivery import progress, report
from bot.alerts.book import AlertBook
from bot.feeds.hyperliquid import WALLET_WEIGHT, HyperliquidClient
from bot.store import Store
from bot.vocabulary.events import Signal
from bot.vocabulary.records import Chat
from bot.vocabulary.wallets import Wallet
from bot.wallets.pacing import WalletPacing
from bot.wallets.sync import WalletSync
from tests.fakes.exchange import FakeExchange
from tests.fakes.exchange_wallets import FakePosition, WalletFailure

WALLETS = 500
INTERVAL_S = 30.0
WEIGHT_BUDGET_PER_MIN = 600


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


async def seed(store: Store, exchange: FakeExchange) -> None:
    """500 chats, each watching its own address with a BTC long and an ETH short."""
    added_at = utc_now() - timedelta(minutes=5)
    for i in range(WALLETS):
        address = f"0x{i + 1:040x}"
        await store.chats.upsert(Chat(id=10_000 + i, type="private"), added_at)
        await store.wallets.add(Wallet(chat_id=10_000 + i, address=address), added_at)
        exchange.wallets.open_position(
            address, FakePosition("BTC", 0.5, 90_000.0, 10, "cross", 80_000.0)
        )
        exchange.wallets.open_position(
            address, FakePosition("ETH", -3.0, 3_000.0, 5, "isolated", 3_550.0)
        )


async def measure(sync: WalletSync, book: AlertBook, exchange: FakeExchange) -> None:
    """Rounds until every wallet has been read (announcing through the alert book), then a 429."""
    durations: list[float] = []
    per_round: list[int] = []
    while len(set(exchange.wallets.reads)) < WALLETS and len(per_round) < 10:
        before = len(exchange.wallets.reads)
        started = time.perf_counter()
        await sync.sync_once(book)
        durations.append(time.perf_counter() - started)
        per_round.append(len(exchange.wallets.reads) - before)
        progress(f"round {len(per_round)}: {per_round[-1]} reads in {durations[-1]:.2f} s")
    weight_per_min = max(per_round) * WALLET_WEIGHT * 60.0 / INTERVAL_S
    report("reads in one round", max(per_round), "addresses", "≤", sync.pacing.reads_per_round)
    report("wallet /info weight", weight_per_min, "per minute", "≤", WEIGHT_BUDGET_PER_MIN)
    report("round of 150 reads", statistics.median(durations), "s (median)", "≤", 10.0)
    report("rounds to read all 500", len(per_round), "rounds", "≤", 4)
    exchange.wallets.fail(WalletFailure(429, retry_after_s=60))
    await sync.sync_once(book)
    before = len(exchange.wallets.reads)
    for _ in range(5):
        await sync.sync_once(book)
    report("reads while held after a 429", len(exchange.wallets.reads) - before, "reads", "=", 0)


async def main() -> None:
    """Seed, run, report."""
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        async with FakeExchange(("BTC", "ETH")) as exchange, httpx.AsyncClient(timeout=5.0) as http:
            progress(f"seeding {WALLETS} wallets")
            await seed(store, exchange)
            sync = WalletSync(
                store, HyperliquidClient(http, exchange.rest_url, utc_now), utc_now,
                exchange.prices.get, watches_changed=Signal("watches"),
                tracked=frozenset({"BTC", "ETH"}), pacing=WalletPacing(interval_s=INTERVAL_S),
            )  # fmt: skip
            book = AlertBook(store, utc_now, lambda: None)
            await book.load()
            await measure(sync, book, exchange)
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())
