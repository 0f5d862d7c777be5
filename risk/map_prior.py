"""Where open interest that predates the history sits: the stated prior of the cohort map.

The history starts with ``OI₀`` coins already open. Their entries are not seen, so they are placed
by a prior, stated here and not fitted:

* **Ages** are stationary for the exit hazard ``h_L`` of each leverage (`risk.map_fit`):
  ``a ~ Exp(h_L)`` (a memoryless exit leaves the ages of the open positions exponential with the
  same rate), taken at ``n_ages`` quantiles; a bucket's stock is ``w_L/h_L`` per unit of inflow.
* **Entries** follow the past price path as a random walk back from the first price ``P₀``: the
  entry log price of a position of age ``a`` is ``x ~ N(ln P₀, σ²·a)``, ``σ²`` the variance of log
  price per second measured on the history, at ``n_offsets`` points of ±4 standard deviations.
* **Leverage** is the fit's mix; the liquidation level is ``b = x + ln r_L`` with ``r_L`` the
  venue's ``LP/entry`` at leverage ``L`` (below 1 for longs, above 1 for shorts).
* **Sides.** Published open interest is the larger side; the prior holds the split ``β`` of new
  positions (the fit's long share): the larger side gets ``OI₀`` coins, the smaller
  ``OI₀·min(β, 1 − β)/max(β, 1 − β)`` (`legacy_side_share`).
* **Survival** to the start: a position whose level the path crossed is gone, and so is one whose
  stop or target it reached (`risk.map_exits`: shares ``σ`` and ``τ``, taken at four points each,
  each touched independently). For a Brownian
  bridge from ``x`` to ``ln P₀`` over time ``a`` the chance of never touching ``b`` is (Borodin &
  Salminen, 2002)

      q = 1 − exp(−2·(x − b)·(ln P₀ − b) / (σ²·a))      longs, when ``ln P₀ > b`` (else 0)

  and the mirror image for shorts (``b`` above both ends).

Units: ``mass`` is coins per unit of opening notional valued at ``P₀``; the map scales it so each
side's legacy holds ``OI₀`` coins. Levels are pooled on the map's log grid (bin centres) to keep
the book small.

Limits: one σ for the whole past; no trend, no memory of past crowding; within a leverage
bucket, one exit hazard.

>>> import numpy as np
>>> prior = legacy_prior(100.0, 1e-9, 86_400.0, np.log([[0.9], [1.1]]), bin_width_pct=0.1)
>>> bool(np.all(np.exp(prior.log_level[0]) < 100.0) and np.all(np.exp(prior.log_level[1]) > 100.0))
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from risk.errors import InvalidInputError
from risk.map_exits import exit_survival
from risk.map_fit import MapFit

__all__ = ["LegacyPrior", "bridge_survival", "legacy_prior", "legacy_side_share"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class LegacyPrior:
    """Per side (index 0 long, 1 short): flat arrays of leverage bucket, log level and mass."""

    leverage_index: tuple[IntArray, IntArray]
    log_level: tuple[FloatArray, FloatArray]
    mass: tuple[FloatArray, FloatArray]

    def entry_log(self, side: int, log_ratios: FloatArray) -> FloatArray:
        """Per level of ``side``, the log entry price (level less its bucket's ``ln r_L``)."""
        entry: FloatArray = self.log_level[side] - log_ratios[side][self.leverage_index[side]]
        return entry

    def start_kept(
        self, side: int, log_ratios: FloatArray, start_price: float, fit: MapFit
    ) -> FloatArray:
        """Per level, the exit share `risk.map_exits` gives at the first price alone: the map
        divides it out, since the bridge already counted the path to ``P₀``."""
        count = len(self.mass[side])
        first = np.full(count, math.log(start_price))
        kept = exit_survival(
            self.entry_log(side, log_ratios),
            self.log_level[side],
            first,
            first,
            np.full(count, 1 if side == 0 else -1, dtype=np.int64),
            stop_share=fit.stop_share,
            target_share=fit.target_share,
        )
        return np.maximum(kept, 1e-12)

    def survival(self, side: int, bucket_count: int) -> FloatArray:
        """Per leverage bucket, the total mass that survived to the start (``Σ q``)."""
        totals = np.bincount(self.leverage_index[side], self.mass[side], minlength=bucket_count)
        return np.asarray(totals, dtype=np.float64)


def legacy_side_share(long_share: float, side: int) -> float:
    """Coins of the prior book on ``side`` (0 long, 1 short) per coin of open interest.

    >>> legacy_side_share(0.6, 0), round(legacy_side_share(0.6, 1), 4)
    (1.0, 0.6667)
    """
    share = long_share if side == 0 else 1.0 - long_share
    return min(1.0, share / max(long_share, 1.0 - long_share))


def bridge_survival(
    entry_log: FloatArray, end_log: float, level_log: FloatArray, var_time: FloatArray, sign: int
) -> FloatArray:
    """Chance a Brownian bridge from ``entry_log`` to ``end_log`` (variance ``var_time``) never
    touches ``level_log``; ``sign`` +1 for a level below (longs), −1 above (shorts).

    >>> round(float(bridge_survival(np.array([0.0]), 0.0, np.array([-0.1]), np.array([0.01]), 1)[0]), 4)
    0.8647
    """
    gap_start = sign * (entry_log - level_log)
    gap_end = sign * (end_log - level_log)
    with np.errstate(over="ignore"):
        q = 1.0 - np.exp(-2.0 * gap_start * gap_end / var_time)
    alive: FloatArray = np.where((gap_start > 0) & (gap_end > 0), q, 0.0)
    return alive


EXIT_POINTS = (np.arange(4) + 0.5) / 4
"""Where the stops (fractions of the way from entry to the level) and targets (fractions of the
margin distance into profit) of the prior are taken: midpoints of four even slices."""


def _exits_survival(
    entry: FloatArray,
    end_log: float,
    ratio: float,
    var_time: FloatArray,
    sign: int,
    *,
    stop_share: float,
    target_share: float,
) -> FloatArray:
    """Chance the bridge from entry to ``P₀`` reached neither a stop nor a target (independent)."""
    stops = np.mean(
        [bridge_survival(entry, end_log, entry + f * ratio, var_time, sign) for f in EXIT_POINTS],
        axis=0,
    )
    targets = np.mean(
        [bridge_survival(entry, end_log, entry - f * ratio, var_time, -sign) for f in EXIT_POINTS],
        axis=0,
    )
    kept: FloatArray = (1 - stop_share + stop_share * stops) * (
        1 - target_share + target_share * targets
    )
    return kept


def legacy_prior(
    start_price: float,
    variance_per_s: float,
    half_life_s: float,
    log_ratios: FloatArray,
    *,
    bin_width_pct: float,
    n_ages: int = 24,
    n_offsets: int = 41,
    stop_share: float = 0.0,
    target_share: float = 0.0,
    hazard_scales: tuple[float, ...] | None = None,
) -> LegacyPrior:
    """The prior book at the start of the history (module docstring), per leverage bucket.

    Args:
        start_price: ``P₀``, the first price of the history (USD).
        variance_per_s: ``σ²``, variance of log price per second.
        half_life_s: the fit's half-life; ages are ``Exp(ln 2 / half_life_s)``.
        log_ratios: shape ``(2, G)``: ``ln r_L`` per bucket, longs then shorts.
        bin_width_pct: the map's bin width; levels are pooled on its log grid.
        stop_share: share of positions with a stop, spread evenly from entry to the level.
        target_share: share with a profit target, spread evenly within one margin distance.
        hazard_scales: per bucket, ``h_L/h`` (default 1): bucket ``L``'s ages are ``Exp(h_L)`` and
            its mass is scaled by ``h/h_L`` (a stationary stock is inflow over exit rate).
    """
    if not (start_price > 0 and variance_per_s > 0 and half_life_s > 0):
        raise InvalidInputError("The prior needs a positive start price, variance and half-life.")
    quantiles = (np.arange(n_ages) + 0.5) / n_ages
    z = np.linspace(-4.0, 4.0, n_offsets)
    z_weight = np.exp(-0.5 * z * z)
    z_weight /= z_weight.sum() * n_ages
    x0, step = math.log(start_price), math.log1p(bin_width_pct / 100)
    scales = hazard_scales or (1.0,) * log_ratios.shape[1]
    sides: list[tuple[IntArray, FloatArray, FloatArray]] = []
    for side, sign in ((0, 1), (1, -1)):
        buckets, levels, masses = [], [], []
        for g, ratio in enumerate(log_ratios[side]):
            ages = -np.log1p(-quantiles) * half_life_s / math.log(2) / scales[g]
            var_time = (variance_per_s * ages)[:, None]
            entry = x0 + np.sqrt(var_time) * z[None, :]
            value = z_weight[None, :] * np.exp(x0 - entry) / scales[g]  # coins per notional at P₀
            level = entry + float(ratio)
            mass = value * bridge_survival(entry, x0, level, var_time, sign)
            if stop_share or target_share:
                mass = mass * _exits_survival(
                    entry,
                    x0,
                    float(ratio),
                    var_time,
                    sign,
                    stop_share=stop_share,
                    target_share=target_share,
                )
            bins = np.floor(level.ravel() / step).astype(np.int64)
            lo = int(bins.min())
            pooled = np.bincount(bins - lo, mass.ravel())
            held = np.flatnonzero(pooled > 0)
            buckets.append(np.full(len(held), g, dtype=np.int64))
            levels.append((held + lo + 0.5) * step)
            masses.append(pooled[held])
        sides.append((np.concatenate(buckets), np.concatenate(levels), np.concatenate(masses)))
    return LegacyPrior(
        (sides[0][0], sides[1][0]), (sides[0][1], sides[1][1]), (sides[0][2], sides[1][2])
    )
