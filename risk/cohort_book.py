"""The cohort map stepped one interval at a time: the scalar reference, and the live update.

`risk.cohort_map` computes the map of a whole history in one vectorised pass; this module holds the
same model as a book of levels that each interval updates in place of the last (a new value each
time): fade each level by ``exp(−h_L·Δt)`` (its bucket's exit rate), clear the levels the interval's range reached, widen each level's
running low and high, add the interval's openings ``n = max(0, OI − f·OI_prev)`` (``f = exp(−h_book·Δt)``) (steps 1–5 of
`risk.cohort_map`); reading the map applies the stops and targets those extremes reached
(`risk.map_exits`). Read it as the
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
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from risk.cohort_map import hazard_scales
from risk.liquidation_map import DEFAULT_BIN_WIDTH_PCT, LiquidationMap
from risk.map_exits import exit_survival
from risk.map_fit import MapFit
from risk.map_prior import legacy_prior, legacy_side_share
from risk.market_history import MarketHistory

__all__ = ["CohortBook", "advance_book", "book_map", "replay_book", "start_book"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class CohortBook:
    """Open levels (side 0 long / 1 short, log level, coins before scaling and before stops and
    targets) after the interval ending at ``end_s``, with that interval's open interest (coins)
    and typical price (USD); per level the log entry and the lowest low and highest high (log)
    since entry, and the fit's stop and target shares that reading the map applies; per level
    its exit rate ``h_L`` (per second)."""

    side: IntArray
    log_level: FloatArray
    coins: FloatArray
    end_s: float
    open_interest: float
    price: float
    bin_width_pct: float = DEFAULT_BIN_WIDTH_PCT
    entry_log: FloatArray = field(default_factory=lambda: np.zeros(0))
    low_log: FloatArray = field(default_factory=lambda: np.zeros(0))
    high_log: FloatArray = field(default_factory=lambda: np.zeros(0))
    stop_share: float = 0.0
    target_share: float = 0.0
    hazard_per_s: FloatArray = field(default_factory=lambda: np.zeros(0))

    def hazards(self, fit: MapFit) -> FloatArray:
        """Per level, its exit rate (per second); the fit's one rate without per-level records."""
        if len(self.hazard_per_s) != len(self.coins):
            return np.full(len(self.coins), fit.hazard_per_s)
        return self.hazard_per_s

    def kept_shares(self) -> FloatArray:
        """Per level, the share not stopped out or taken profit (1 without path records)."""
        if len(self.entry_log) != len(self.coins) or not (self.stop_share or self.target_share):
            return np.ones(len(self.coins))
        return exit_survival(
            self.entry_log,
            self.log_level,
            self.low_log,
            self.high_log,
            np.where(self.side == 0, 1, -1).astype(np.int64),
            stop_share=self.stop_share,
            target_share=self.target_share,
        )


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
        start_price,
        variance_per_s,
        fit.half_life_s,
        log_ratios,
        bin_width_pct=bin_width_pct,
        stop_share=fit.stop_share,
        target_share=fit.target_share,
        hazard_scales=hazard_scales(fit),
    )
    weights = np.asarray(fit.weights)
    rates = np.asarray(fit.bucket_hazards_per_s)
    sides, levels, coins, entries, hazards = [], [], [], [], []
    for s in (0, 1):
        norm = float(weights @ prior.survival(s, len(weights)))
        kept = prior.start_kept(s, log_ratios, start_price, fit)
        held = weights[prior.leverage_index[s]] * prior.mass[s] / kept
        sides.append(np.full(len(held), s, dtype=np.int64))
        levels.append(prior.log_level[s])
        entries.append(prior.entry_log(s, log_ratios))
        hazards.append(rates[prior.leverage_index[s]])
        share = legacy_side_share(fit.long_share, s)
        coins.append(open_interest * share * held / norm if norm > 0 else held * 0.0)
    first = np.full(sum(len(c) for c in coins), math.log(start_price))
    return CohortBook(
        np.concatenate(sides),
        np.concatenate(levels),
        np.concatenate(coins),
        start_s,
        open_interest,
        start_price,
        bin_width_pct,
        np.concatenate(entries),
        first,
        first.copy(),
        fit.stop_share,
        fit.target_share,
        np.concatenate(hazards),
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
    fade = math.exp(-fit.book_hazard_per_s * duration_s)
    is_long = book.side == 0
    cleared = np.where(is_long, book.log_level >= math.log(low), book.log_level <= math.log(high))
    keep = ~cleared & (book.coins > 0)
    rate = book.hazards(fit)[keep]
    side, level = book.side[keep], book.log_level[keep]
    coins = book.coins[keep] * np.exp(-rate * duration_s)
    paths = len(book.entry_log) == len(book.coins)
    entry = book.entry_log[keep] if paths else level * np.nan
    low_log = np.minimum(book.low_log[keep], math.log(low)) if paths else level * np.nan
    high_log = np.maximum(book.high_log[keep], math.log(high)) if paths else level * np.nan
    opened = max(0.0, open_interest - fade * book.open_interest)
    if opened > 0:
        new_side, new_level, new_coins, new_rate = [], [], [], []
        weights = np.asarray(fit.weights)
        rates = np.asarray(fit.bucket_hazards_per_s)
        for s, share in ((0, fit.long_share), (1, 1.0 - fit.long_share)):
            finite = np.isfinite(log_ratios[s])
            new_side.append(np.full(int(finite.sum()), s, dtype=np.int64))
            new_level.append(math.log(typical) + log_ratios[s][finite])
            new_coins.append(opened * share * weights[finite])
            new_rate.append(rates[finite])
        count = sum(len(c) for c in new_coins)
        side = np.concatenate([side, *new_side])
        level = np.concatenate([level, *new_level])
        coins = np.concatenate([coins, *new_coins])
        rate = np.concatenate([rate, *new_rate])
        entry = np.concatenate([entry, np.full(count, math.log(typical))])
        low_log = np.concatenate([low_log, np.full(count, np.inf)])
        high_log = np.concatenate([high_log, np.full(count, -np.inf)])
    return CohortBook(
        side,
        level,
        coins,
        end_s,
        open_interest,
        typical,
        book.bin_width_pct,
        entry,
        low_log,
        high_log,
        fit.stop_share,
        fit.target_share,
        rate,
    )


def book_map(book: CohortBook) -> LiquidationMap:
    """The book as a map: both sides scaled by ``OI/max(L, S)``, coins valued at the book's price."""
    is_long = book.side == 0
    coins = book.coins * book.kept_shares()
    biggest = max(float(coins[is_long].sum()), float(coins[~is_long].sum()))
    scale = book.open_interest / biggest if biggest > 0 else 0.0
    step = math.log1p(book.bin_width_pct / 100)
    held = coins > 0
    return LiquidationMap(book.bin_width_pct).plus(
        np.floor(book.log_level[held] / step).astype(np.int64),
        is_long[held],
        coins[held] * scale * book.price,
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
