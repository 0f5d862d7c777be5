"""Benchmark of the risk core: one scalar liquidation price, a 1,000,000-position vectorised pass,
one full `assess`. Prints each figure beside its target; always exits 0."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from risk.liquidation import Position, distance_pcts, liquidation_price, liquidation_prices
from risk.report import MarketSnapshot, assess
from risk.tiers import default_tier_table
from risk.venues import Side, Venue


def per_call_s(func: Callable[[], object], number: int, repeat: int = 5) -> float:
    """Best mean seconds per call over ``repeat`` runs of ``number`` calls."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            func()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def report(figure: str, value: float, unit: str, target: float) -> None:
    """One line: ``<figure>: <value> <unit> (target <= <target>) ok|MISSED``."""
    verdict = "ok" if value <= target else "MISSED"
    print(f"{figure}: {value:.3g} {unit} (target <= {target:g}) {verdict}", flush=True)


def bench_scalar() -> None:
    """One Binance BTC liquidation price, tiers included."""
    table = default_tier_table("binance", "BTC")
    position = Position(Venue.BINANCE, "BTC", Side.LONG, 10, 91_250, 0.5)
    seconds = per_call_s(lambda: liquidation_price(position, table), number=20_000)
    report("scalar liquidation price", seconds * 1e6, "µs", 20)


def bench_vectorised() -> None:
    """Liquidation prices (tiers included) and distances for 1,000,000 mixed positions."""
    rng = np.random.default_rng(7)
    n = 1_000_000
    table = default_tier_table("binance", "BTC")
    sides = rng.choice([-1.0, 1.0], n)
    entry = rng.uniform(50_000, 120_000, n)
    quantity = rng.lognormal(-1, 2, n).clip(1e-4, 5_000)
    wallet = quantity * entry / rng.uniform(1, 20, n)
    mark = entry * rng.uniform(0.9, 1.1, n)
    print(f"vectorised pass: {n:,} positions, 5 runs ...", file=sys.stderr, flush=True)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        levels = liquidation_prices(sides, entry, quantity, wallet, table)
        distance_pcts(mark, levels, sides)
        times.append(time.perf_counter() - start)
    report("vectorised 1,000,000 positions", statistics.median(times), "s", 0.5)


def bench_assess() -> None:
    """One full `assess` with odds, funding and clusters."""
    now = datetime(2026, 11, 21, 12, tzinfo=UTC)
    table = default_tier_table("binance", "BTC")
    position = Position(Venue.BINANCE, "BTC", Side.LONG, 10, 91_250, 0.5)
    market = MarketSnapshot(91_250, 91_240, 0.0001, 8, now + timedelta(hours=3), 0.025, now)
    clusters = [(86_400 + 100 * i, 1e6 * i, "long") for i in range(50)]
    seconds = per_call_s(
        lambda: assess(position, market, table, now=now, clusters=clusters), number=2_000
    )
    report("full assess", seconds * 1e3, "ms", 1)


def main() -> None:
    """Run every benchmark."""
    bench_scalar()
    bench_vectorised()
    bench_assess()


if __name__ == "__main__":
    main()
