"""Where open interest that predates the history sits: the stated prior of the cohort map.

The history starts with ``OI₀`` coins already open. Their entries are not seen, so they are placed
by a prior, stated here and not fitted:

* **Ages** are stationary for the exit hazard ``h``: ``a ~ Exp(h)`` (a memoryless exit leaves the
  ages of the open positions exponential with the same rate), taken at ``n_ages`` quantiles.
* **Entries** follow the past price path as a random walk back from the first price ``P₀``: the
  entry log price of a position of age ``a`` is ``x ~ N(ln P₀, σ²·a)``, ``σ²`` the variance of log
  price per second measured on the history, at ``n_offsets`` points of ±4 standard deviations.
* **Leverage** is the fit's mix; the liquidation level is ``b = x + ln r_L`` with ``r_L`` the
  venue's ``LP/entry`` at leverage ``L`` (below 1 for longs, above 1 for shorts).
* **Survival** to the start: a position whose level the path crossed is gone. For a Brownian
  bridge from ``x`` to ``ln P₀`` over time ``a`` the chance of never touching ``b`` is (Borodin &
  Salminen, 2002)

      q = 1 − exp(−2·(x − b)·(ln P₀ − b) / (σ²·a))      longs, when ``ln P₀ > b`` (else 0)

  and the mirror image for shorts (``b`` above both ends).

Units: ``mass`` is coins per unit of opening notional valued at ``P₀``; the map scales it so each
side's legacy holds ``OI₀`` coins. Levels are pooled on the map's log grid (bin centres) to keep
the book small.

Limits: one σ for the whole past; no trend, no memory of past crowding; positions exit at one
hazard whatever their leverage.

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

__all__ = ["LegacyPrior", "bridge_survival", "legacy_prior"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class LegacyPrior:
    """Per side (index 0 long, 1 short): flat arrays of leverage bucket, log level and mass."""

    leverage_index: tuple[IntArray, IntArray]
    log_level: tuple[FloatArray, FloatArray]
    mass: tuple[FloatArray, FloatArray]

    def survival(self, side: int, bucket_count: int) -> FloatArray:
        """Per leverage bucket, the total mass that survived to the start (``Σ q``)."""
        totals = np.bincount(self.leverage_index[side], self.mass[side], minlength=bucket_count)
        return np.asarray(totals, dtype=np.float64)


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


def legacy_prior(
    start_price: float,
    variance_per_s: float,
    half_life_s: float,
    log_ratios: FloatArray,
    *,
    bin_width_pct: float,
    n_ages: int = 24,
    n_offsets: int = 41,
) -> LegacyPrior:
    """The prior book at the start of the history (module docstring), per leverage bucket.

    Args:
        start_price: ``P₀``, the first price of the history (USD).
        variance_per_s: ``σ²``, variance of log price per second.
        half_life_s: the fit's half-life; ages are ``Exp(ln 2 / half_life_s)``.
        log_ratios: shape ``(2, G)``: ``ln r_L`` per bucket, longs then shorts.
        bin_width_pct: the map's bin width; levels are pooled on its log grid.
    """
    if not (start_price > 0 and variance_per_s > 0 and half_life_s > 0):
        raise InvalidInputError("The prior needs a positive start price, variance and half-life.")
    quantiles = (np.arange(n_ages) + 0.5) / n_ages
    ages = -np.log1p(-quantiles) * half_life_s / math.log(2)
    z = np.linspace(-4.0, 4.0, n_offsets)
    z_weight = np.exp(-0.5 * z * z)
    z_weight /= z_weight.sum() * n_ages
    x0, step = math.log(start_price), math.log1p(bin_width_pct / 100)
    var_time = (variance_per_s * ages)[:, None]
    entry = x0 + np.sqrt(var_time) * z[None, :]
    value = z_weight[None, :] * np.exp(x0 - entry)  # coins per unit notional at P₀
    sides: list[tuple[IntArray, FloatArray, FloatArray]] = []
    for side, sign in ((0, 1), (1, -1)):
        buckets, levels, masses = [], [], []
        for g, ratio in enumerate(log_ratios[side]):
            level = entry + float(ratio)
            mass = value * bridge_survival(entry, x0, level, var_time, sign)
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
