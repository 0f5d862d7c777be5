"""Benchmark of the bot's map service on the cohort model: one map update of 6 symbols × 4 venues
on 30-day books, the heatmap (48 h of columns over 3 venues' 30-day histories, then the PNG), and a
refit over 7 days. Prints each figure beside its target; always exits 0."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from bot.maps.heatmap import COLUMNS, SPAN, band_edges, columns_at
from bot.render.heatmap_chart import render_heatmap
from bot.vocabulary.maps import HeatmapView
from risk.calibration import fit_map
from risk.cohort_book import advance_book
from risk.cohort_live import book_from_history, map_of_book
from risk.cohort_map import level_log_ratios
from risk.heatmap import heatmap_matrix
from risk.liquidation_sampling import LiquidationStream
from risk.map_fit import default_map_fit
from risk.market_history import MarketHistory
from risk.tiers import default_tier_table

VENUES = ("binance", "bybit", "okx", "hyperliquid")
PRICES = {"BTC": 91_250.0, "ETH": 3_400.0, "SOL": 180.0, "XRP": 2.4, "DOGE": 0.32, "BNB": 690.0}
STEPS = 30 * 288
END = datetime(2026, 3, 1, tzinfo=UTC)


def report(figure: str, value: float, unit: str, target: float) -> None:
    """One line: ``<figure>: <value> <unit> (target <= <target>) ok|MISSED``."""
    verdict = "ok" if value <= target else "MISSED"
    print(f"{figure}: {value:.3g} {unit} (target <= {target:g}) {verdict}", flush=True)


def walk(rng: np.random.Generator, price: float, steps: int = STEPS) -> MarketHistory:
    """A random walk of price and open interest in 5-minute steps ending at END."""
    close = price * np.exp(np.cumsum(rng.normal(0, 0.002, steps)))
    low = close * (1 - rng.uniform(0, 0.003, steps))
    high = close * (1 + rng.uniform(0, 0.003, steps))
    oi = 1e8 / price * np.exp(np.cumsum(rng.normal(0, 0.003, steps)))
    end = END.timestamp() - 300.0 * np.arange(steps)[::-1]

    def f64(values: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype=np.float64)

    return MarketHistory(f64(end), np.full(steps, 300.0), f64(low), f64(high),
                         f64((low + high + close) / 3), f64(oi), float(oi[0]))  # fmt: skip


def timed(func: Callable[[], object], repeat: int) -> float:
    """Median seconds of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Run the three figures."""
    rng = np.random.default_rng(5)
    fit = default_map_fit()
    tracks = []
    print("starting 24 books on 30 days each ...", file=sys.stderr)
    for symbol, price in PRICES.items():
        for venue in VENUES:
            history = walk(rng, price)
            ratios = level_log_ratios(default_tier_table(venue, symbol), fit.leverages, price)
            tracks.append((history, ratios, book_from_history(history, fit, ratios)))

    def update() -> None:
        for history, ratios, book in tracks:
            k = len(history) - 1
            stepped = advance_book(
                book, fit, ratios, end_s=float(history.end_s[k]) + 300, duration_s=300.0,
                low=float(history.low[k]), high=float(history.high[k]),
                typical=float(history.typical[k]), open_interest=float(history.open_interest[k]),
            )  # fmt: skip
            map_of_book(stepped, END)

    report("map update, 6 symbols x 4 venues, 30-day books", timed(update, 7) * 1e3, "ms", 200)

    btc = [(h, fit, r) for h, r, _ in tracks[:3]]
    times = [END - SPAN + SPAN / COLUMNS * (k + 1) for k in range(COLUMNS)]
    mark = float(tracks[0][0].typical[-1])

    def heatmap() -> None:
        columns = columns_at(btc, [t.timestamp() for t in times], 0.1)
        edges = band_edges(mark, 0.1)
        view = HeatmapView("BTC", ("binance", "bybit", "okx"), tuple(times),
                           heatmap_matrix(columns, edges), (), (), mark, END)  # fmt: skip
        render_heatmap(view, END)

    report("heatmap, 3 venues x 30 days, 96 columns, PNG", timed(heatmap, 3), "s", 1.5)

    history = walk(rng, 91_250.0, 7 * 288)
    t = rng.uniform(history.start_s, history.end_s[-1], 3_000)
    stream = LiquidationStream((np.sort(t) * 1000).astype(np.int64), rng.uniform(1e3, 1e5, 3_000),
                               rng.uniform(0, 1, 3_000) < 0.5, complete=False)  # fmt: skip
    table = default_tier_table("binance", "BTC")
    report(
        "refit, 7 days of 5-min data", timed(lambda: fit_map(history, [stream], table), 1), "s", 5
    )


if __name__ == "__main__":
    main()
