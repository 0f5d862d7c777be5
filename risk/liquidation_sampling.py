"""Realized liquidations as evidence: complete streams, and streams sampled one event per second.

Bybit publishes every liquidation; Binance and OKX push only the last event of each second per
symbol, so their totals are lower bounds. The thinning is modeled, not ignored:

* **Expected observed notional.** If events arrive as a Poisson stream of ``λ`` per second with
  mean size ``μ`` USD, a second shows at most one event, so the expected observed notional per
  second is ``μ·(1 − e^(−λ))`` against a true ``μ·λ`` (`expected_sampled_notional`).
* **Unthinning.** The rate around an observed event is read from how many of the ``2k + 1``
  seconds around it hold an event: occupancy ``q = occupied/(2k + 2)`` (shrunk so that it stays
  below 1) gives ``λ̂ = −ln(1 − q)``, and the event stands for ``λ̂/(1 − e^(−λ̂))`` events of its
  size (the mean of a Poisson count given that it is at least 1). When every second around it is
  taken the stream is saturated there: the estimate is a lower bound, flagged ``censored``.

A complete stream is taken as it is (factor 1, never censored).

>>> round(expected_sampled_notional(2.0, 10_000.0), 2)
8646.65
>>> import numpy as np
>>> s = LiquidationStream(np.array([0, 5_000, 9_000]), np.array([1e4, 1e4, 1e4]),
...                       np.array([True, True, False]), complete=False)
>>> unthinned_usd(s).round(0).tolist()[0]
10939.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from risk.errors import InvalidInputError
from risk.market_history import MarketHistory

__all__ = [
    "IntervalEvidence",
    "LiquidationStream",
    "expected_sampled_notional",
    "interval_evidence",
    "unthinned_usd",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

NEIGHBOURHOOD_S = 2
"""``k``: the seconds either side of an event that tell the local rate."""


@dataclass(frozen=True, slots=True, eq=False)
class LiquidationStream:
    """One venue's realized liquidations of one symbol: time (ms since the epoch), notional (USD),
    side of the liquidated position (``is_long``), and whether the venue publishes every event."""

    t_ms: IntArray
    usd: FloatArray
    is_long: BoolArray
    complete: bool

    def __post_init__(self) -> None:
        if not len(self.t_ms) == len(self.usd) == len(self.is_long):
            raise InvalidInputError("A liquidation stream needs equal columns.")
        if np.any(self.usd < 0):
            raise InvalidInputError("A liquidation's notional must be ≥ 0.")


def expected_sampled_notional(rate_per_s: float, mean_usd: float) -> float:
    """``μ·(1 − e^(−λ))``: observed USD per second of a stream sampled once a second."""
    if not (rate_per_s >= 0 and mean_usd >= 0):
        raise InvalidInputError("The rate and mean size must be ≥ 0.")
    return mean_usd * -math.expm1(-rate_per_s)


def _occupancy(seconds: IntArray, k: int) -> IntArray:
    """Per event, how many distinct seconds in ``[s − k, s + k]`` hold an event."""
    unique = np.unique(seconds)
    lo = np.searchsorted(unique, seconds - k, side="left")
    hi = np.searchsorted(unique, seconds + k, side="right")
    counts: IntArray = (hi - lo).astype(np.int64)
    return counts


def _factors(stream: LiquidationStream) -> tuple[FloatArray, BoolArray]:
    n = len(stream.usd)
    if stream.complete or n == 0:
        return np.ones(n), np.zeros(n, dtype=np.bool_)
    k = NEIGHBOURHOOD_S
    occupied = _occupancy(stream.t_ms // 1000, k)
    q = occupied / (2 * k + 2)
    rate = -np.log1p(-q)
    return rate / -np.expm1(-rate), occupied >= 2 * k + 1


def unthinned_usd(stream: LiquidationStream) -> FloatArray:
    """Per event, the notional it stands for once the sampling is undone (module docstring)."""
    factors, _ = _factors(stream)
    estimate: FloatArray = stream.usd * factors
    return estimate


@dataclass(frozen=True, slots=True, eq=False)
class IntervalEvidence:
    """Realized liquidations per history interval and side (index 0 long, 1 short), shape
    ``(N, 2)``: estimated USD, whether that is only a lower bound, and what was observed;
    ``heard`` (shape ``(N,)``) says in which intervals the streams were listened to, so that
    their silence there means no liquidation."""

    usd: FloatArray
    censored: BoolArray
    events: int
    observed_usd: float
    heard: BoolArray


def interval_evidence(
    history: MarketHistory, streams: list[LiquidationStream], heard: BoolArray | None = None
) -> IntervalEvidence:
    """The streams' unthinned notional summed into the history's intervals (events outside it
    are left out); several venues' streams of the symbol add up. ``heard`` marks the intervals in
    which the streams were listened to (default: all; none without a stream)."""
    n = len(history)
    if heard is not None and len(heard) != n:
        raise InvalidInputError("The heard mask needs one flag per interval.")
    usd = np.zeros((n, 2))
    censored = np.zeros((n, 2), dtype=np.bool_)
    starts = history.end_s - history.duration_s
    events, observed = 0, 0.0
    for stream in streams:
        t_s = stream.t_ms / 1000.0
        index = np.searchsorted(history.end_s, t_s, side="left")
        inside = (index < n) & (t_s >= starts[np.minimum(index, n - 1)])
        factors, flags = _factors(stream)
        side = np.where(stream.is_long, 0, 1)
        np.add.at(usd, (index[inside], side[inside]), (stream.usd * factors)[inside])
        censored[index[inside & flags], side[inside & flags]] = True
        events += int(inside.sum())
        observed += float(stream.usd[inside].sum())
    if not streams:
        listened = np.zeros(n, dtype=np.bool_)
    else:
        listened = np.ones(n, dtype=np.bool_) if heard is None else heard.astype(np.bool_)
    return IntervalEvidence(usd, censored, events, observed, listened)
