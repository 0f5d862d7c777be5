"""Benchmark of the liquidation map: the cohort map of 6 symbols × 4 venues built from scratch over a
day of 5-minute intervals, one cumulative query, one chart. Prints each figure beside its target;
always exits 0. (Live updates of 30-day books are `bench_map_service.py`.)"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from risk.cluster_queries import cumulative_long_down_to
from risk.clusters import Interval
from risk.cohort_map import build_levels, level_log_ratios, levels_map
from risk.liquidation_map import LiquidationMap, combine_maps
from risk.map_fit import MapFit, default_map_fit
from risk.market_history import MarketHistory
from risk.tiers import TierTable, default_tier_table

VENUES = ("binance", "bybit", "okx", "hyperliquid")
PRICES = {"BTC": 91_250.0, "ETH": 3_400.0, "SOL": 180.0, "XRP": 2.4, "DOGE": 0.32, "BNB": 690.0}
START = datetime(2025, 3, 1, tzinfo=UTC)
STEPS = 288  # one day of 5-minute intervals


def report(figure: str, value: float, unit: str, target: float) -> None:
    """One line: ``<figure>: <value> <unit> (target <= <target>) ok|MISSED``."""
    verdict = "ok" if value <= target else "MISSED"
    print(f"{figure}: {value:.3g} {unit} (target <= {target:g}) {verdict}", flush=True)


def day_of_intervals(rng: np.random.Generator, price: float) -> list[Interval]:
    """A random walk of price and open interest over one day, as the service would build it."""
    closes = price * np.exp(np.cumsum(rng.normal(0, 0.002, STEPS)))
    oi = 1e6 / price * np.exp(np.cumsum(rng.normal(0, 0.003, STEPS + 1)))
    intervals = []
    for i, close in enumerate(closes):
        low, high = close * (1 - rng.uniform(0, 0.003)), close * (1 + rng.uniform(0, 0.003))
        intervals.append(
            Interval(
                START + timedelta(minutes=5 * (i + 1)),
                300.0,
                float(oi[i]),
                float(oi[i + 1]),
                float((low + high + close) / 3),
                float(low),
                float(high),
                float(rng.uniform(0.3, 0.7)),
            )
        )
    return intervals


def update_all(work: list[tuple[TierTable, MarketHistory]], fit: MapFit) -> list[LiquidationMap]:
    """One model update: every venue and symbol's cohort map built from its day of intervals."""
    maps = []
    for table, history in work:
        ratios = level_log_ratios(table, fit.leverages, float(np.median(history.typical)))
        maps.append(levels_map(build_levels(history, fit, ratios), history, fit))
    return maps


def timed(func: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median seconds of ``repeat`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    """Run the three figures."""
    rng = np.random.default_rng(11)
    fit = default_map_fit()
    work = [
        (
            default_tier_table(venue, symbol),
            MarketHistory.from_intervals(day_of_intervals(rng, price)),
        )
        for symbol, price in PRICES.items()
        for venue in VENUES
    ]
    print(f"model update: {len(work)} maps × {STEPS} intervals, 7 runs ...", file=sys.stderr)
    seconds, maps = timed(lambda: update_all(work, fit), repeat=7)
    report(
        "cohort map from scratch, 6 symbols x 4 venues x 288 intervals", seconds * 1e3, "ms", 200
    )

    assert isinstance(maps, list)
    btc = combine_maps(maps[:4])
    mark = PRICES["BTC"]
    seconds, _ = timed(lambda: cumulative_long_down_to(btc, mark, mark * 0.9), repeat=2_000)
    report("cumulative query", seconds * 1e3, "ms", 1)

    from bot.render.map_chart import render_liquidation_map

    def chart() -> bytes:
        return render_liquidation_map(
            btc, symbol="BTC", venue_label="all venues", mark_price=mark, now=START,
            liquidation_price=mark * 0.9,
        )  # fmt: skip

    print("chart: first render in this process (cold), then 4 more ...", file=sys.stderr)
    cold, _ = timed(chart, repeat=1)
    warm, _ = timed(chart, repeat=4)
    report("chart, first render", cold, "s", 1.5)
    report("chart, later renders", warm, "s", 1.5)


if __name__ == "__main__":
    main()
