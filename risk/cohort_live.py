"""A live cohort book started from a whole history in one vectorised pass, and the map read from it.

A service starts each venue's book from its stored history (30 days after a backfill) and then steps
it one interval at a time with `risk.cohort_book.advance_book`. Replaying 8,640 intervals one by one
would take seconds per map; `book_from_history` computes the same book with the vectorised path of
`risk.cohort_map` (every level with the interval that clears it), keeping the levels still open
after the last interval with their coins

    coins = u · w_L · exp(−h_L·(t_N − t_birth))      for levels born by N and not cleared by N,

with each level's entry and the lowest low and highest high since its birth, from which reading
the map applies the fit's stops and targets (`risk.map_exits`), as the stepped book does.

The result equals `risk.cohort_book.replay_book` (the scalar reference; the tests hold them equal).
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import numpy.typing as npt

from risk.cohort_book import CohortBook, book_map
from risk.cohort_map import CohortLevels, build_levels
from risk.liquidation_map import DEFAULT_BIN_WIDTH_PCT, LiquidationMap
from risk.map_fit import MapFit
from risk.market_history import MarketHistory, range_extremes

__all__ = ["book_from_history", "map_of_book"]

FloatArray = npt.NDArray[np.float64]


def book_from_history(
    history: MarketHistory,
    fit: MapFit,
    log_ratios: FloatArray,
    *,
    bin_width_pct: float = DEFAULT_BIN_WIDTH_PCT,
) -> CohortBook:
    """The book after the last interval of ``history`` (module docstring)."""
    levels = build_levels(history, fit, log_ratios, bin_width_pct=bin_width_pct)
    last = len(history) - 1
    weights = np.asarray(fit.weights)[levels.bucket]
    rates = np.asarray(fit.bucket_hazards_per_s)[levels.bucket]
    alive = (levels.birth <= last) & (levels.crossing > last)
    age = history.end_s[last] - levels.birth_s
    coins = np.where(alive, levels.unit_coins * weights * np.exp(-rates * age), 0.0)
    held = coins > 0
    low, high = _extremes_since_entry(levels, history, last)
    return CohortBook(
        levels.side[held],
        levels.log_level[held],
        coins[held],
        float(history.end_s[last]),
        float(history.open_interest[last]),
        float(history.typical[last]),
        bin_width_pct,
        levels.entry_log[held],
        low[held],
        high[held],
        fit.stop_share,
        fit.target_share,
        rates[held],
    )


def _extremes_since_entry(
    levels: CohortLevels, history: MarketHistory, last: int
) -> tuple[FloatArray, FloatArray]:
    """Per level, the lowest log low and highest log high from its birth through ``last`` (what
    the book keeps for the stops and targets; prior levels start at the first price)."""
    start = levels.birth + 1
    at = np.full(len(levels.side), last, dtype=np.int64)
    low = range_extremes(np.log(history.low), start, at, lowest=True)
    high = range_extremes(np.log(history.high), start, at, lowest=False)
    prior = levels.birth < 0
    first = math.log(float(history.typical[0]))
    return np.where(prior, np.minimum(low, first), low), np.where(
        prior, np.maximum(high, first), high
    )


def map_of_book(book: CohortBook, as_of: datetime | None) -> LiquidationMap:
    """`risk.cohort_book.book_map` stamped with when its data ends."""
    liq_map = book_map(book)
    return LiquidationMap.from_arrays(
        liq_map.bin_width_pct, liq_map.first_bin, liq_map.long_usd, liq_map.short_usd, as_of=as_of
    )
