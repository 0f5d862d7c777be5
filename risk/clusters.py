"""The liquidation-map model: where leveraged positions would be liquidated, by price bin.

Modeled, not observed. No venue publishes where its traders' liquidation prices sit; this module
estimates it from public data with a simple, stated model (queries are in `risk.cluster_queries`).

Model, one interval at a time (`apply_interval`; the same in one vectorised pass: `apply_intervals`):

1. **Fade.** Every level is multiplied by ``0.5 ** (duration_s / half_life_s)``: old positions are
   closed, moved or topped up in ways the model cannot see, so their weight decays.
2. **Clear.** A long level is cleared (set to zero) when the interval's low reaches its bin's centre
   price, a short level when the high reaches it: those positions were liquidated.
3. **Shrink.** When open interest falls from ``OI₀`` to ``OI₁`` every level keeps ``OI₁/OI₀`` of its
   notional: closed positions are taken out in proportion, from every level and both sides.
4. **Add.** When open interest rises, the added notional ``ΔOI·P`` (``ΔOI`` in coins, ``P`` the
   interval's typical price ``(high + low + close)/3``) is treated as positions opened at ``P``.
   It is split into longs and shorts by the interval's taker buy share of volume (evenly when
   unknown) and across leverage buckets by `ClusterModelConfig.leverage_weights` (default 5x 15 %,
   10x 30 %, 25x 25 %, 50x 20 %, 100x 10 %). Each bucket's liquidation price is the risk engine's
   (`risk.liquidation`) for an isolated position of ``position_notional_usd`` at ``P`` with the
   venue's tiers; a bucket above the venue's maximum leverage at that size uses the maximum.
   Positions opened in an interval are not cleared by that same interval's range.

Units: notional in USD valued at the opening price; ``open_interest`` in coins (base units).

Bins: the logarithmic grid of `risk.liquidation_map` (``bin_width_pct`` wide, the same for every
venue, so maps add bin by bin with `combine_maps`); a bin's price is its geometric centre.

Inputs: open interest per interval (snapshots), the interval's high, low, close and taker buy volume
(candles), the venue's maintenance-margin tiers.

Limits: every contract has a long and a short; the model attributes new open interest to the taker
(aggressor) side and treats the maker side as unleveraged. Leverage mix, position size and cross
margin are unknown and assumed; hedged, closed-and-reopened and topped-up positions are invisible;
open interest that existed before the first interval is not modeled at all. Read the map as where
liquidations would plausibly bunch up, not as the venues' order books.

`LiquidationMap` is an immutable value: every update returns a new map.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from risk.errors import InvalidInputError
from risk.liquidation import liquidation_price, liquidation_prices
from risk.liquidation_map import DEFAULT_BIN_WIDTH_PCT, LiquidationMap, combine_maps, realized_map
from risk.position import Position
from risk.tiers import SizeBasis, TierTable
from risk.venues import Side

__all__ = [
    "DEFAULT_LEVERAGE_WEIGHTS",
    "ClusterModelConfig",
    "Interval",
    "LiquidationMap",
    "Opening",
    "apply_interval",
    "apply_intervals",
    "combine_maps",
    "interval_openings",
    "realized_map",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DEFAULT_LEVERAGE_WEIGHTS: tuple[tuple[float, float], ...] = (
    (5.0, 0.15),
    (10.0, 0.30),
    (25.0, 0.25),
    (50.0, 0.20),
    (100.0, 0.10),
)
"""``(leverage, share of new notional)`` pairs of the default leverage mix."""


@dataclass(frozen=True, slots=True)
class ClusterModelConfig:
    """The model's assumptions.

    Args:
        leverage_weights: ``(leverage, weight)`` pairs; weights are positive and sum to 1.
        half_life_s: how fast old levels fade, in seconds (default one day).
        bin_width_pct: width of a price bin in percent of price.
        position_notional_usd: size of a typical position, used to pick its tier and max leverage.
        rebuild_half_lives: how many half-lives of history a rebuild replays (5: 3 % weight left).
    """

    leverage_weights: tuple[tuple[float, float], ...] = DEFAULT_LEVERAGE_WEIGHTS
    half_life_s: float = 86_400.0
    bin_width_pct: float = DEFAULT_BIN_WIDTH_PCT
    position_notional_usd: float = 10_000.0
    rebuild_half_lives: float = 5.0

    def __post_init__(self) -> None:
        if not self.leverage_weights:
            raise InvalidInputError("The leverage mix needs at least one bucket.")
        if any(lev < 1 or w <= 0 for lev, w in self.leverage_weights):
            raise InvalidInputError("Leverage buckets need leverage ≥ 1 and a positive weight.")
        if not math.isclose(sum(w for _, w in self.leverage_weights), 1.0, abs_tol=1e-9):
            raise InvalidInputError("The leverage weights must sum to 1.")
        for name in ("half_life_s", "bin_width_pct", "position_notional_usd", "rebuild_half_lives"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise InvalidInputError(f"The {name} must be a positive number; got {value:g}.")

    @property
    def rebuild_lookback_s(self) -> float:
        """Seconds of history a rebuild replays: ``rebuild_half_lives · half_life_s``."""
        return self.rebuild_half_lives * self.half_life_s


@dataclass(frozen=True, slots=True)
class Interval:
    """One step of market data for one venue and symbol.

    ``open_interest_before``/``_after`` are in coins at the interval's start and end; prices in USD;
    ``taker_buy_share`` is taker buy volume over total volume (``None`` when unknown).
    """

    end: datetime
    duration_s: float
    open_interest_before: float
    open_interest_after: float
    typical_price: float
    low: float
    high: float
    taker_buy_share: float | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.duration_s) and self.duration_s >= 0):
            raise InvalidInputError(f"An interval's duration must be ≥ 0; got {self.duration_s:g}.")
        for oi in (self.open_interest_before, self.open_interest_after):
            if not (math.isfinite(oi) and oi >= 0):
                raise InvalidInputError(f"Open interest must be ≥ 0; got {oi:g}.")
        if not (0 < self.low <= self.typical_price <= self.high < math.inf):
            raise InvalidInputError(
                "An interval needs 0 < low ≤ typical price ≤ high; "
                f"got {self.low:g}, {self.typical_price:g}, {self.high:g}."
            )
        share = self.taker_buy_share
        if share is not None and not 0 <= share <= 1:
            raise InvalidInputError(f"The taker buy share must be in [0, 1]; got {share:g}.")

    @property
    def added_notional_usd(self) -> float:
        """``ΔOI·P`` when open interest rose, else 0."""
        return max(0.0, self.open_interest_after - self.open_interest_before) * self.typical_price

    @property
    def kept_fraction(self) -> float:
        """``OI₁/OI₀`` when open interest fell, else 1."""
        if self.open_interest_after < self.open_interest_before:
            return self.open_interest_after / self.open_interest_before
        return 1.0


class Opening(NamedTuple):
    """Modeled new positions: ``notional_usd`` of ``side`` at ``leverage`` liquidating at ``price``."""

    side: Side
    leverage: float
    price: float
    notional_usd: float


def _clamped_leverage(table: TierTable, quantity: float, price: float, leverage: float) -> float:
    return min(leverage, table.max_leverage_for(quantity, price))


def interval_openings(
    interval: Interval, table: TierTable, config: ClusterModelConfig
) -> list[Opening]:
    """The positions step 4 of the model adds for one interval (empty unless open interest rose).

    Each bucket ``(L, w)`` gets ``ΔOI·P·w·b`` of longs and ``ΔOI·P·w·(1 − b)`` of shorts, ``b`` the
    taker buy share (½ when unknown), at the engine's liquidation price of an isolated position of
    ``position_notional_usd`` entered at ``P`` with leverage ``min(L, venue max)``. Buckets that
    cannot be liquidated (``LP ≤ 0``) are left out.

    Example: ΔOI 100 BTC at 60,000 on Binance, all taker buys, 10x only: one opening of
    $6,000,000 of longs at the 10x long liquidation price of 60,000, ``(1 − 0.1)/(1 − 0.004)·60,000 ≈
    54,217``.
    """
    added = interval.added_notional_usd
    if added <= 0:
        return []
    price = interval.typical_price
    buy = 0.5 if interval.taker_buy_share is None else interval.taker_buy_share
    quantity = config.position_notional_usd / price
    openings = []
    for leverage, weight in config.leverage_weights:
        used = _clamped_leverage(table, quantity, price, leverage)
        for side, share in ((Side.LONG, buy), (Side.SHORT, 1.0 - buy)):
            if share <= 0:
                continue
            position = Position(table.venue, table.symbol, side, used, price, quantity)
            lp = liquidation_price(position, table).price
            if lp is not None:
                openings.append(Opening(side, used, lp, added * weight * share))
    return openings


def apply_interval(
    state: LiquidationMap, interval: Interval, table: TierTable, config: ClusterModelConfig
) -> LiquidationMap:
    """The map after one interval: fade, clear, shrink, add (module docstring); a new value.

    The scalar reference for `apply_intervals`; clear to read, slow on long histories.
    """
    fade = 0.5 ** (interval.duration_s / config.half_life_s)
    keep = fade * interval.kept_fraction
    long_usd, short_usd = state.long_usd * keep, state.short_usd * keep
    bins = state.bins
    long_usd[bins >= state.first_bin_at_or_above(interval.low)] = 0.0
    short_usd[bins <= state.last_bin_at_or_below(interval.high)] = 0.0
    openings = interval_openings(interval, table, config)
    faded = LiquidationMap.from_arrays(
        state.bin_width_pct, state.first_bin, long_usd, short_usd, as_of=interval.end
    )
    return faded.plus(
        np.array([state.bin_of(o.price) for o in openings], dtype=np.int64),
        np.array([o.side is Side.LONG for o in openings], dtype=np.bool_),
        np.array([o.notional_usd for o in openings], dtype=np.float64),
        as_of=interval.end,
    )


class _Columns(NamedTuple):
    duration: FloatArray
    before: FloatArray
    after: FloatArray
    price: FloatArray
    low: FloatArray
    high: FloatArray
    buy: FloatArray


def _columns(intervals: Sequence[Interval]) -> _Columns:
    def column(name: str) -> FloatArray:
        return np.fromiter((getattr(i, name) for i in intervals), np.float64, len(intervals))

    buy = np.fromiter(
        (0.5 if i.taker_buy_share is None else i.taker_buy_share for i in intervals),
        np.float64,
        len(intervals),
    )
    return _Columns(
        column("duration_s"),
        column("open_interest_before"),
        column("open_interest_after"),
        column("typical_price"),
        column("low"),
        column("high"),
        buy,
    )


def _max_leverages(table: TierTable, quantity: FloatArray, price: FloatArray) -> FloatArray:
    """Vectorised ``table.max_leverage_for(quantity, price)``."""
    sizes = quantity / table.contract_value
    if table.size_basis is SizeBasis.NOTIONAL_USD:
        sizes = quantity * price
    caps = np.array([t.max_leverage for t in table.tiers])
    index = np.searchsorted(table.arrays[0], sizes, side="right") - 1
    result: FloatArray = caps[index]
    return result


def _suffix_after(values: FloatArray, accumulate: np.ufunc, empty: float) -> FloatArray:
    """``out[i] = accumulate(values[i+1:])``, ``empty`` for the last element."""
    tail = accumulate.accumulate(values[::-1])[::-1]
    return np.append(tail[1:], empty)


def apply_intervals(
    state: LiquidationMap,
    intervals: Sequence[Interval],
    table: TierTable,
    config: ClusterModelConfig,
) -> LiquidationMap:
    """`apply_interval` over many intervals in one vectorised pass; the same result, a new value.

    A notional ``a`` added at interval ``i`` ends as ``a·Π_{j>i} f_j`` (``f_j`` interval ``j``'s fade
    times kept fraction) unless a later interval's range cleared its bin; notional already in the map
    ends as ``v·Π_j f_j`` unless any interval cleared it.
    """
    if not intervals:
        return state
    col = _columns(intervals)
    step = state.log_step
    factor, long_from, short_to = _step_terms(col, step, config.half_life_s)
    bins, total = state.bins, float(np.prod(factor))
    faded = LiquidationMap.from_arrays(
        state.bin_width_pct,
        state.first_bin,
        np.where(bins >= long_from.min(), 0.0, state.long_usd * total),
        np.where(bins <= short_to.max(), 0.0, state.short_usd * total),
        as_of=intervals[-1].end,
    )
    rose = np.flatnonzero(col.after > col.before)
    if len(rose) == 0:
        return faded
    new_bins, is_long, usd = _openings_vectorised(col, rose, table, config, step)
    per_interval = 2 * len(config.leverage_weights)

    def later(values: FloatArray, accumulate: np.ufunc, empty: float) -> FloatArray:
        return np.repeat(_suffix_after(values, accumulate, empty)[rose], per_interval)

    cleared = np.where(
        is_long,
        new_bins >= later(long_from, np.minimum, np.inf),
        new_bins <= later(short_to, np.maximum, -np.inf),
    )
    keep = ~cleared & np.isfinite(new_bins) & (usd > 0)
    survive = later(factor, np.multiply, 1.0)
    return faded.plus(
        new_bins[keep].astype(np.int64), is_long[keep], (usd * survive)[keep], as_of=faded.as_of
    )


def _step_terms(
    col: _Columns, step: float, half_life_s: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per interval: factor ``f`` (fade × kept fraction), first long and last short bin cleared."""
    kept = np.ones_like(col.before)
    fell = col.after < col.before
    kept[fell] = col.after[fell] / col.before[fell]
    factor: FloatArray = 0.5 ** (col.duration / half_life_s) * kept
    long_from: FloatArray = np.ceil(np.log(col.low) / step - 0.5)
    short_to: FloatArray = np.floor(np.log(col.high) / step - 0.5)
    return factor, long_from, short_to


def _openings_vectorised(
    col: _Columns, rose: IntArray, table: TierTable, config: ClusterModelConfig, step: float
) -> tuple[FloatArray, npt.NDArray[np.bool_], FloatArray]:
    """Bins (``NaN`` where no liquidation), long flags and USD of every opening, interval-major.

    For each rising interval: every leverage bucket, long then short (as `interval_openings`).
    """
    weights = np.array([w for _, w in config.leverage_weights])
    leverages = np.array([lev for lev, _ in config.leverage_weights])
    price = col.price[rose]
    quantity = config.position_notional_usd / price
    added = (col.after[rose] - col.before[rose]) * price
    buy = col.buy[rose]
    used = np.minimum(leverages[None, :], _max_leverages(table, quantity, price)[:, None])
    shape = (len(rose), len(weights), 2)
    sign = np.broadcast_to(np.array([1.0, -1.0]), shape)
    share = np.stack([buy, 1.0 - buy], axis=-1)[:, None, :]
    usd = np.broadcast_to(added[:, None, None] * weights[None, :, None] * share, shape)
    entry = np.broadcast_to(price[:, None, None], shape)
    qty = np.broadcast_to(quantity[:, None, None], shape)
    wallet = qty * entry / used[:, :, None]
    lp = liquidation_prices(sign.ravel(), entry.ravel(), qty.ravel(), wallet.ravel(), table)
    with np.errstate(invalid="ignore"):
        new_bins = np.floor(np.log(lp) / step)
    return new_bins, sign.ravel() > 0, usd.ravel().copy()
