"""The cohort map stepped one interval at a time: the scalar reference, and the live update.

`risk.cohort_map` computes the map of a whole history in one vectorised pass; this module holds the
same model as a book of levels that each interval updates in place of the last (a new value each
time): fade by ``exp(−h·Δt)``, clear the levels the interval's range reached, add the interval's
openings ``n = max(0, OI − f·OI_prev)`` (steps 1–5 of `risk.cohort_map`). Read it as the
definition; the tests hold the vectorised path to it.

A live service keeps one `CohortBook` per venue and symbol, calls `advance_book` once per new
interval (cheap: a few array operations over the levels held) and `book_map` to read the map.

>>> import numpy as np
>>> ratios = np.log([[0.9], [1.1]])
>>> fit = MapFit(((10.0, 1.0),))
>>> book = start_book(fit, ratios, start_price=100.0, open_interest=10.0, start_s=0.0,
...                   variance_per_s=1e-9)
>>> book = advance_book(book, fit, ratios, end_s=300.0, duration_s=300.0,
...                     low=99.0, high=101.0, typical=100.0, open_interest=12.0)
>>> round(book_map(book).total_long_usd)
1200
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from risk.liquidation_map import DEFAULT_BIN_WIDTH_PCT, LiquidationMap
from risk.map_fit import MapFit
from risk.map_prior import legacy_prior
from risk.market_history import MarketHistory

__all__ = ["CohortBook", "advance_book", "book_map", "replay_book", "start_book"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class CohortBook:
    """Open levels (side 0 long / 1 short, log level, coins before scaling) after the interval
    ending at ``end_s``, with that interval's open interest (coins) and typical price (USD)."""

    side: IntArray
    log_level: FloatArray
    coins: FloatArray
    end_s: float
    open_interest: float
    price: float
    bin_width_pct: float = DEFAULT_BIN_WIDTH_PCT


def start_book(
    fit: MapFit,
    log_ratios: FloatArray,
    *,
    start_price: float,
    open_interest: float,
    start_s: float,
    variance_per_s: float,
    bin_width_pct: float = DEFAULT_BIN_WIDTH_PCT,
) -> CohortBook:
    """The book before the first interval: ``open_interest`` coins per side placed by the prior."""
    prior = legacy_prior(
        start_price, variance_per_s, fit.half_life_s, log_ratios, bin_width_pct=bin_width_pct
    )
    weights = np.asarray(fit.weights)
    sides, levels, coins = [], [], []
    for s in (0, 1):
        norm = float(weights @ prior.survival(s, len(weights)))
        held = weights[prior.leverage_index[s]] * prior.mass[s]
        sides.append(np.full(len(held), s, dtype=np.int64))
        levels.append(prior.log_level[s])
        coins.append(open_interest * held / norm if norm > 0 else held * 0.0)
    return CohortBook(
        np.concatenate(sides),
        np.concatenate(levels),
        np.concatenate(coins),
        start_s,
        open_interest,
        start_price,
        bin_width_pct,
    )


def advance_book(
    book: CohortBook,
    fit: MapFit,
    log_ratios: FloatArray,
    *,
    end_s: float,
    duration_s: float,
    low: float,
    high: float,
    typical: float,
    open_interest: float,
) -> CohortBook:
    """The book after one more interval: fade, clear, add (module docstring)."""
    fade = math.exp(-fit.hazard_per_s * duration_s)
    is_long = book.side == 0
    cleared = np.where(is_long, book.log_level >= math.log(low), book.log_level <= math.log(high))
    keep = ~cleared & (book.coins > 0)
    side, level, coins = book.side[keep], book.log_level[keep], book.coins[keep] * fade
    opened = max(0.0, open_interest - fade * book.open_interest)
    if opened > 0:
        new_side, new_level, new_coins = [], [], []
        weights = np.asarray(fit.weights)
        for s, share in ((0, fit.long_share), (1, 1.0 - fit.long_share)):
            finite = np.isfinite(log_ratios[s])
            new_side.append(np.full(int(finite.sum()), s, dtype=np.int64))
            new_level.append(math.log(typical) + log_ratios[s][finite])
            new_coins.append(opened * share * weights[finite])
        side = np.concatenate([side, *new_side])
        level = np.concatenate([level, *new_level])
        coins = np.concatenate([coins, *new_coins])
    return CohortBook(side, level, coins, end_s, open_interest, typical, book.bin_width_pct)


def book_map(book: CohortBook) -> LiquidationMap:
    """The book as a map: both sides scaled by ``OI/max(L, S)``, coins valued at the book's price."""
    is_long = book.side == 0
    biggest = max(float(book.coins[is_long].sum()), float(book.coins[~is_long].sum()))
    scale = book.open_interest / biggest if biggest > 0 else 0.0
    step = math.log1p(book.bin_width_pct / 100)
    held = book.coins > 0
    return LiquidationMap(book.bin_width_pct).plus(
        np.floor(book.log_level[held] / step).astype(np.int64),
        is_long[held],
        book.coins[held] * scale * book.price,
        as_of=None,
    )


def replay_book(
    history: MarketHistory,
    fit: MapFit,
    log_ratios: FloatArray,
    *,
    bin_width_pct: float = DEFAULT_BIN_WIDTH_PCT,
) -> CohortBook:
    """The book after every interval of ``history``, one `advance_book` at a time."""
    book = start_book(
        fit,
        log_ratios,
        start_price=float(history.typical[0]),
        open_interest=history.open_interest_start,
        start_s=history.start_s,
        variance_per_s=history.variance_per_s(),
        bin_width_pct=bin_width_pct,
    )
    for k in range(len(history)):
        book = advance_book(
            book,
            fit,
            log_ratios,
            end_s=float(history.end_s[k]),
            duration_s=float(history.duration_s[k]),
            low=float(history.low[k]),
            high=float(history.high[k]),
            typical=float(history.typical[k]),
            open_interest=float(history.open_interest[k]),
        )
    return book
