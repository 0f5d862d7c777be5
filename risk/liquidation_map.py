"""`LiquidationMap`: long and short notional per price bin, on a grid shared by every venue.

Bins form a logarithmic grid anchored at 1 USD: bin ``k`` covers ``[g^k, g^(k+1))`` USD with
``g = 1 + bin_width_pct/100``, and its price is the geometric centre ``g^(k+½)``. The grid does not
depend on any price, so maps of different venues (or modeled and realized maps) add bin by bin.

The model that fills a map is the cohort map (`risk.cohort_map`); the questions asked of it are in
`risk.cluster_queries`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt

from risk.errors import InvalidInputError
from risk.venues import Side, parse_side

__all__ = ["DEFAULT_BIN_WIDTH_PCT", "LiquidationMap", "combine_maps", "realized_map"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DEFAULT_BIN_WIDTH_PCT = 0.1
"""Bins 0.1 % wide: about $90 at a BTC price of 90,000."""


def _readonly(values: FloatArray) -> FloatArray:
    values.setflags(write=False)
    return values


def _empty() -> FloatArray:
    return _readonly(np.zeros(0))


@dataclass(frozen=True, slots=True)
class LiquidationMap:
    """Long and short notional (USD) in bins ``first_bin … first_bin + n − 1``; an immutable value.

    ``as_of`` is when the data behind the map ends (the last interval applied). The arrays are
    read-only; `from_arrays` and `plus` return new maps.
    """

    bin_width_pct: float = DEFAULT_BIN_WIDTH_PCT
    first_bin: int = 0
    long_usd: FloatArray = field(default_factory=_empty)
    short_usd: FloatArray = field(default_factory=_empty)
    as_of: datetime | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.bin_width_pct) and self.bin_width_pct > 0):
            raise InvalidInputError(f"The bin width must be positive; got {self.bin_width_pct:g}.")
        if self.long_usd.shape != self.short_usd.shape or self.long_usd.ndim != 1:
            raise InvalidInputError("The long and short arrays must be 1-D and of equal length.")

    @classmethod
    def from_arrays(
        cls,
        bin_width_pct: float,
        first_bin: int,
        long_usd: FloatArray,
        short_usd: FloatArray,
        *,
        as_of: datetime | None,
    ) -> LiquidationMap:
        """A map of copies of the arrays, trimmed of empty bins at both ends."""
        occupied = np.flatnonzero((long_usd > 0) | (short_usd > 0))
        if len(occupied) == 0:
            return cls(bin_width_pct, as_of=as_of)
        lo, hi = int(occupied[0]), int(occupied[-1]) + 1
        return cls(
            bin_width_pct,
            first_bin + lo,
            _readonly(np.array(long_usd[lo:hi], dtype=np.float64)),
            _readonly(np.array(short_usd[lo:hi], dtype=np.float64)),
            as_of,
        )

    @property
    def log_step(self) -> float:
        """``ln g``: the width of a bin in log price."""
        return math.log1p(self.bin_width_pct / 100)

    @property
    def bins(self) -> IntArray:
        """The bin numbers held."""
        return np.arange(self.first_bin, self.first_bin + len(self.long_usd), dtype=np.int64)

    @property
    def prices(self) -> FloatArray:
        """Each held bin's price (geometric centre), USD."""
        centres: FloatArray = np.exp((self.bins + 0.5) * self.log_step)
        return centres

    @property
    def total_long_usd(self) -> float:
        """All long notional in the map."""
        return float(self.long_usd.sum())

    @property
    def total_short_usd(self) -> float:
        """All short notional in the map."""
        return float(self.short_usd.sum())

    @property
    def is_empty(self) -> bool:
        """Whether the map holds nothing."""
        return len(self.long_usd) == 0

    def bin_of(self, price: float) -> int:
        """The bin holding ``price``."""
        return int(np.floor(np.log(price) / self.log_step))

    def price_of(self, bin_number: int) -> float:
        """The price (geometric centre) of bin ``bin_number``."""
        return math.exp((bin_number + 0.5) * self.log_step)

    def bounds_of(self, bin_number: int) -> tuple[float, float]:
        """``(low, high)`` edges of a bin, USD."""
        step = self.log_step
        return math.exp(bin_number * step), math.exp((bin_number + 1) * step)

    def first_bin_at_or_above(self, price: float) -> int:
        """The lowest bin priced ≥ ``price`` (a long there is cleared by a low of ``price``)."""
        return int(np.ceil(np.log(price) / self.log_step - 0.5))

    def last_bin_at_or_below(self, price: float) -> int:
        """The highest bin priced ≤ ``price`` (a short there is cleared by a high of ``price``)."""
        return int(np.floor(np.log(price) / self.log_step - 0.5))

    def notional_at(self, side: Side, bin_number: int) -> float:
        """The notional of ``side`` in one bin (0 outside the map)."""
        index = bin_number - self.first_bin
        values = self.long_usd if side is Side.LONG else self.short_usd
        return float(values[index]) if 0 <= index < len(values) else 0.0

    def plus(
        self, bins: IntArray, is_long: BoolArray, usd: FloatArray, *, as_of: datetime | None
    ) -> LiquidationMap:
        """A new map with ``usd[i]`` added at bin ``bins[i]`` (long where ``is_long[i]``)."""
        held = len(self.long_usd)
        if len(bins) == 0:
            return LiquidationMap.from_arrays(
                self.bin_width_pct, self.first_bin, self.long_usd, self.short_usd, as_of=as_of
            )
        lo, hi = int(bins.min()), int(bins.max()) + 1
        if held:
            lo, hi = min(lo, self.first_bin), max(hi, self.first_bin + held)
        offset = self.first_bin - lo
        longs, shorts = np.zeros(hi - lo), np.zeros(hi - lo)
        longs[offset : offset + held] = self.long_usd
        shorts[offset : offset + held] = self.short_usd
        longs += np.bincount(bins[is_long] - lo, weights=usd[is_long], minlength=hi - lo)
        shorts += np.bincount(bins[~is_long] - lo, weights=usd[~is_long], minlength=hi - lo)
        return LiquidationMap.from_arrays(self.bin_width_pct, lo, longs, shorts, as_of=as_of)


def combine_maps(maps: Iterable[LiquidationMap]) -> LiquidationMap:
    """The bin-by-bin sum of maps on the same grid (e.g. every venue of one symbol).

    ``as_of`` is the oldest of the maps' (the combined data is as old as its oldest part).

    Raises:
        InvalidInputError: the maps have different bin widths, or there are none.
    """
    items = list(maps)
    if not items:
        raise InvalidInputError("Combining needs at least one map.")
    width = items[0].bin_width_pct
    if any(m.bin_width_pct != width for m in items):
        raise InvalidInputError("Only maps with the same bin width can be combined.")
    dates = [m.as_of for m in items if m.as_of is not None]
    as_of = min(dates) if dates else None
    bins = np.concatenate([np.concatenate([m.bins, m.bins]) for m in items])
    is_long = np.concatenate([np.arange(2 * len(m.bins)) < len(m.bins) for m in items])
    usd = np.concatenate([np.concatenate([m.long_usd, m.short_usd]) for m in items])
    return LiquidationMap(width).plus(bins, is_long, usd, as_of=as_of)


def realized_map(
    events: Iterable[tuple[float, float, Side | str]],
    *,
    bin_width_pct: float = DEFAULT_BIN_WIDTH_PCT,
    as_of: datetime | None = None,
) -> LiquidationMap:
    """Realized liquidations per bin: each ``(price, notional_usd, side)`` event in its price's bin.

    Observed, not modeled: ``side`` is the side of the liquidated position, as the venues report it.

    Raises:
        InvalidInputError: a price is not positive, a notional is negative, or a side is unknown.
    """
    rows = [(float(p), float(n), parse_side(str(s)) is Side.LONG) for p, n, s in events]
    if any(not (math.isfinite(p) and p > 0 and math.isfinite(n) and n >= 0) for p, n, _ in rows):
        raise InvalidInputError("Every liquidation needs a positive price and a notional ≥ 0.")
    empty = LiquidationMap(bin_width_pct)
    prices = np.array([p for p, _, _ in rows], dtype=np.float64)
    return empty.plus(
        np.floor(np.log(prices) / empty.log_step).astype(np.int64),
        np.array([is_long for _, _, is_long in rows], dtype=np.bool_),
        np.array([n for _, n, _ in rows], dtype=np.float64),
        as_of=as_of,
    )
