"""The live book from a history in one pass equals the scalar replay, interval by interval."""

from __future__ import annotations

import numpy as np
import pytest

from risk.cohort_book import advance_book, book_map, replay_book
from risk.cohort_live import book_from_history
from risk.cohort_map import level_log_ratios
from risk.map_fit import MapFit
from risk.market_history import MarketHistory
from risk.tiers import default_tier_table


def walk(seed: int, steps: int = 400) -> MarketHistory:
    """A random walk of price and open interest in 5-minute steps."""
    rng = np.random.default_rng(seed)
    close = 60_000 * np.exp(np.cumsum(rng.normal(0, 0.003, steps)))
    low, high = (
        close * (1 - rng.uniform(0, 0.004, steps)),
        close * (1 + rng.uniform(0, 0.004, steps)),
    )
    oi = 1_000 * np.exp(np.cumsum(rng.normal(0, 0.004, steps)))
    end = 1.7e9 + 300.0 * np.arange(1, steps + 1)
    typical = np.asarray((low + high + close) / 3, dtype=np.float64)
    return MarketHistory(
        np.asarray(end, dtype=np.float64), np.full(steps, 300.0),
        np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64), typical,
        np.asarray(oi, dtype=np.float64), 1_000.0,
    )  # fmt: skip


@pytest.mark.parametrize(("seed", "gamma"), [(1, 0.0), (2, 0.0), (3, 0.0), (1, 0.5), (2, 1.0)])
def test_book_from_history_equals_the_scalar_replay(seed: int, gamma: float) -> None:
    """Same levels, same map, to rounding: the vectorised start and the one-by-one replay."""
    history = walk(seed)
    fit = MapFit(((5.0, 0.3), (10.0, 0.4), (50.0, 0.3)), half_life_s=86_400.0, long_share=0.55,
                 stop_share=0.2, target_share=0.1, hazard_exponent=gamma)  # fmt: skip
    ratios = level_log_ratios(default_tier_table("binance", "BTC"), fit.leverages, 60_000.0)
    fast = book_map(book_from_history(history, fit, ratios))
    slow = book_map(replay_book(history, fit, ratios))
    assert fast.first_bin == slow.first_bin
    np.testing.assert_allclose(fast.long_usd, slow.long_usd, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(fast.short_usd, slow.short_usd, rtol=1e-9, atol=1e-6)


def test_a_started_book_steps_on_like_the_replay() -> None:
    """Started on the first 300 intervals by either path, then advanced through the rest: one map."""
    history = walk(4)
    fit = MapFit(((10.0, 0.5), (25.0, 0.5)), stop_share=0.3, target_share=0.2, hazard_exponent=0.5)
    ratios = level_log_ratios(default_tier_table("bybit", "BTC"), fit.leverages, 60_000.0)
    books = [book_from_history(history.head(300), fit, ratios),
             replay_book(history.head(300), fit, ratios)]  # fmt: skip
    for k in range(300, len(history)):
        books = [
            advance_book(
                book,
                fit,
                ratios,
                end_s=float(history.end_s[k]),
                duration_s=300.0,
                low=float(history.low[k]),
                high=float(history.high[k]),
                typical=float(history.typical[k]),
                open_interest=float(history.open_interest[k]),
            )
            for book in books
        ]
    fast, slow = (book_map(book) for book in books)
    assert fast.first_bin == slow.first_bin
    np.testing.assert_allclose(fast.long_usd, slow.long_usd, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(fast.short_usd, slow.short_usd, rtol=1e-9, atol=1e-6)
