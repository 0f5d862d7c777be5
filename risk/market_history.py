"""`MarketHistory`: a run of model intervals as columns, and where price first ran through a level.

The cohort map (`risk.cohort_map`) and its calibration (`risk.calibration`) read history as numpy
columns; `MarketHistory.from_intervals` builds them from the `risk.clusters.Interval` values the
map service already makes from stored candles and open interest. Times are seconds since the epoch
(``end_s``), so nothing here reads a clock.

`first_crossings` answers, for many levels at once, "the first interval at or after ``start`` whose
low reached the level" (or whose high did, for shorts), with a sparse table of range minima and a
binary descent: ``O((N + Q)·log N)`` for ``N`` intervals and ``Q`` levels.

>>> import numpy as np
>>> lows = np.array([100.0, 98.0, 99.0, 95.0])
>>> first_crossings(lows, np.array([0, 0, 2]), np.array([97.0, 99.5, 98.5]), below=True).tolist()
[3, 1, 3]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from risk.clusters import Interval
from risk.errors import InvalidInputError

__all__ = ["MarketHistory", "first_crossings", "range_extremes"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class MarketHistory:
    """Interval columns, oldest first: end time (s), duration (s), low, high, typical price (USD) and
    open interest in coins at each end; ``open_interest_start`` is the coins before the first."""

    end_s: FloatArray
    duration_s: FloatArray
    low: FloatArray
    high: FloatArray
    typical: FloatArray
    open_interest: FloatArray
    open_interest_start: float

    def __post_init__(self) -> None:
        n = len(self.end_s)
        columns = (self.duration_s, self.low, self.high, self.typical, self.open_interest)
        if n == 0 or any(len(c) != n for c in columns):
            raise InvalidInputError("A market history needs ≥ 1 interval and equal columns.")
        if not (np.all(self.low > 0) and np.all(self.low <= self.high)):
            raise InvalidInputError("Every interval needs 0 < low ≤ high.")

    @classmethod
    def from_intervals(cls, intervals: Sequence[Interval]) -> MarketHistory:
        """Columns of ``intervals`` (consecutive, oldest first)."""
        if not intervals:
            raise InvalidInputError("A market history needs at least one interval.")

        def column(values: Sequence[float]) -> FloatArray:
            return np.asarray(values, dtype=np.float64)

        return cls(
            column([i.end.timestamp() for i in intervals]),
            column([i.duration_s for i in intervals]),
            column([i.low for i in intervals]),
            column([i.high for i in intervals]),
            column([i.typical_price for i in intervals]),
            column([i.open_interest_after for i in intervals]),
            float(intervals[0].open_interest_before),
        )

    def __len__(self) -> int:
        return len(self.end_s)

    @property
    def start_s(self) -> float:
        """When the first interval began, seconds since the epoch."""
        return float(self.end_s[0] - self.duration_s[0])

    @property
    def days(self) -> float:
        """The span of the history in days."""
        return float(self.end_s[-1] - self.start_s) / 86_400

    def head(self, count: int) -> MarketHistory:
        """The first ``count`` intervals (the history as it stood at interval ``count − 1``)."""
        if not 1 <= count <= len(self):
            raise InvalidInputError(f"A head needs 1 … {len(self)} intervals; got {count}.")
        cut = slice(0, count)
        return MarketHistory(
            self.end_s[cut],
            self.duration_s[cut],
            self.low[cut],
            self.high[cut],
            self.typical[cut],
            self.open_interest[cut],
            self.open_interest_start,
        )

    def variance_per_s(self) -> float:
        """Variance of log price per second, from successive typical prices (a random-walk σ²)."""
        steps = np.diff(np.log(self.typical))
        seconds = self.duration_s[1:]
        if len(steps) == 0 or float(seconds.sum()) <= 0:
            return (0.02**2) / 86_400  # 2 %/day when there is nothing to measure
        return max(float(np.sum(steps**2) / seconds.sum()), 1e-12)


def _range_minima(values: FloatArray) -> list[FloatArray]:
    """``table[k][j] = min(values[j : j + 2**k])`` for every ``j`` that fits."""
    table = [values]
    width = 1
    while 2 * width <= len(values):
        prev = table[-1]
        table.append(np.minimum(prev[:-width], prev[width:]))
        width *= 2
    return table


def first_crossings(
    series: FloatArray, start: IntArray, level: FloatArray, *, below: bool
) -> IntArray:
    """Per level, the first index ``j ≥ start`` with ``series[j] ≤ level`` (``below``) or
    ``series[j] ≥ level`` (not ``below``); ``len(series)`` where none does."""
    values = series if below else -series
    target = level if below else -level
    table = _range_minima(values)
    n = len(values)
    pos = np.asarray(start, dtype=np.int64).copy()
    for k in range(len(table) - 1, -1, -1):
        width = 1 << k
        fits = pos + width <= n
        index = np.where(fits, pos, 0)
        mins = table[k][np.minimum(index, len(table[k]) - 1)]
        pos = np.where(fits & (mins > target), pos + width, pos)
    result: IntArray = np.minimum(pos, n)
    return result


def range_extremes(
    series: FloatArray, start: IntArray, stop: IntArray, *, lowest: bool
) -> FloatArray:
    """Per query, ``min(series[start : stop + 1])`` (``lowest``) or the max; ``+inf`` (``−inf``)
    where the range is empty (``stop < start``). Two overlapping windows of the sparse table: O(1)
    per query.

    >>> range_extremes(np.array([3.0, 1.0, 2.0]), np.array([0, 2, 1]), np.array([2, 2, 0]),
    ...                lowest=True).tolist()
    [1.0, 2.0, inf]
    """
    values = series if lowest else -series
    table = _range_minima(values)
    lo = np.asarray(start, dtype=np.int64)
    hi = np.asarray(stop, dtype=np.int64)
    empty = hi < lo
    span = np.where(empty, 1, hi - lo + 1)
    k = np.floor(np.log2(span)).astype(np.int64)
    out = np.full(len(lo), np.inf)
    for level in np.unique(k[~empty]):
        pick = ~empty & (k == level)
        row = table[int(level)]
        out[pick] = np.minimum(row[lo[pick]], row[hi[pick] - (1 << int(level)) + 1])
    result: FloatArray = out if lowest else -out
    return result


def hazard_fades(duration_s: FloatArray, half_life_s: float) -> FloatArray:
    """``exp(−h·Δt)`` per interval: the share of positions not closed voluntarily over it."""
    fades: FloatArray = np.exp(-math.log(2) / half_life_s * duration_s)
    return fades
