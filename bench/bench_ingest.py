"""Ingest benchmark: decode + normalise + window update, SQLite persistence, memory of 7 days of windows.

Run from the repository root: `python bench/bench_ingest.py`. Prints one line per figure as
`<figure>: <value> <unit> (target <op> <value>) ok|MISSED` and exits 0 either way.
"""

from __future__ import annotations

import asyncio
import gc
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.feeds.binance import BinanceDecoder
from bot.market.state import MarketState
from bot.market.windows import LiquidationWindows
from bot.store import Store
from bot.vocabulary.records import LiquidationEvent, to_ms
from tests.fakes.exchange_payloads import binance_force_order

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
COINS = ["BTC", "ETH", "SOL", "XRP", "DOGE", "BNB", "PEPE", "WIF", "SUI", "ADA", "LINK", "AVAX"]


def report(figure: str, value: float, unit: str, op: str, target: float) -> None:
    """Print one figure against its target."""
    met = value >= target if op == "≥" else value <= target
    print(f"{figure}: {value:,.1f} {unit} (target {op} {target:,.0f}) {'ok' if met else 'MISSED'}")


def progress(label: str) -> None:
    """Say what is being measured (to stderr, so the figures stay one line each)."""
    print(f"… {label}", file=sys.stderr, flush=True)


def bench_decode_and_windows(count: int = 150_000) -> float:
    """Events per CPU-second through the Binance decoder and `MarketState.add_liquidations`, per frame."""
    rng = random.Random(7)
    spacing = timedelta(milliseconds=50)  # two hours of events: the 1h window evicts as it goes
    first = NOW - count * spacing
    frames = [
        binance_force_order(rng.choice(COINS), rng.choice(("long", "short")), rng.uniform(1, 90_000),
                            rng.uniform(0.001, 5), to_ms(first + i * spacing))
        for i in range(count)
    ]  # fmt: skip
    ticks = iter(first + i * spacing for i in range(count + 2))
    clock: Callable[[], datetime] = lambda: next(ticks)  # noqa: E731 - the clock moves with the frames
    market = MarketState(clock)
    decoder = BinanceDecoder(frozenset(COINS[:6]))
    began = time.process_time()  # CPU time of this process: one core, whatever else the host runs
    for frame in frames:
        market.add_liquidations(decoder(frame).liquidations)
    elapsed = time.process_time() - began
    assert market.totals("7d", now=NOW).count == count
    return count / elapsed


async def bench_sqlite(count: int = 50_000, batch: int = 500) -> float:
    """Events per second written to a SQLite file in batches."""
    events = [
        LiquidationEvent("bybit", COINS[i % len(COINS)], "long" if i % 2 else "short", 100.0 + i, 0.5,
                         50.0 + i / 2, NOW - timedelta(milliseconds=i))
        for i in range(count)
    ]  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        store = await Store.open(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        try:
            began = time.perf_counter()
            for i in range(0, count, batch):
                await store.liquidations.add_many(events[i : i + batch])
            elapsed = time.perf_counter() - began
            assert await store.liquidations.count() == count
        finally:
            await store.close()
    return count / elapsed


def resident_mb() -> float:
    """Resident memory of this process in MB (Linux /proc; 0 where unavailable)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def bench_memory(rate_per_s: float = 5.0, days: int = 7) -> float:
    """MB held by the live windows for `days` of events at `rate_per_s` across all symbols."""
    count = int(rate_per_s * 86_400 * days)
    step_ms = 1000 / rate_per_s
    start_ms = to_ms(NOW) - days * 86_400_000 + 1
    venues = ("binance", "bybit", "okx")
    gc.collect()
    before = resident_mb()
    windows = LiquidationWindows()
    windows.advance(NOW)
    add = windows.add_raw
    for i in range(count):
        add(
            int(start_ms + i * step_ms),
            1_000.0 + (i % 977),
            50_000.0,
            venues[i % 3],
            COINS[i % 12],
            i & 1,
        )
        if i % 500_000 == 0:
            progress(f"memory: {i:,} of {count:,} events")
    windows.advance(NOW)
    gc.collect()
    held = resident_mb() - before
    assert len(windows) == count, len(windows)
    return held


def main() -> None:
    """Run the three measurements and print their figures."""
    progress("decode + normalise + window update")
    rate = bench_decode_and_windows()
    progress("persisting to SQLite")
    stored = asyncio.run(bench_sqlite())
    progress("memory of 7 days of windows")
    memory = bench_memory()
    report("decode+normalise+window update", rate, "events/s", "≥", 50_000)
    report("persist to SQLite", stored, "events/s", "≥", 10_000)
    report("live windows, 7 days at 5 events/s", memory, "MB", "≤", 100)


if __name__ == "__main__":
    main()
