"""The simulated market's positions: who is leveraged where, and who is liquidated when price moves.

Each open position group has an entry, a leverage, a side and a notional. Its liquidation price is
the simple isolated-margin level (no tiers; the simulation is its own truth, not a venue):

    long:  entry · (1 − 1/leverage + mmr)        short: entry · (1 + 1/leverage − mmr)

`Crowd.sweep(low, high)` liquidates every long whose level is at or above `low` and every short at or
below `high` (price ran through them) and returns them; the market turns their notional into price
impact, which can carry price through the next levels: a cascade.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["LEVERAGE_MIX", "MAINTENANCE_RATE", "Crowd", "Swept", "liquidation_level"]

FloatArray = npt.NDArray[np.float64]
MAINTENANCE_RATE = 0.005
LEVERAGE_MIX = ((5.0, 0.15), (10.0, 0.30), (25.0, 0.25), (50.0, 0.20), (100.0, 0.10))
"""Leverage and the share of new notional opened at it."""


def liquidation_level(entry: float, leverage: float, sign: float) -> float:
    """The level above (short, sign −1) or below (long, sign +1) `entry` where margin runs out."""
    return entry * (1.0 - sign * (1.0 / leverage - MAINTENANCE_RATE))


@dataclass(frozen=True, slots=True)
class Swept:
    """Positions liquidated by one sweep: levels, sides (+1 long, −1 short) and notionals (USD)."""

    levels: FloatArray
    signs: FloatArray
    notional_usd: FloatArray

    @property
    def total_usd(self) -> float:
        """The notional liquidated."""
        return float(self.notional_usd.sum())

    def net_selling_usd(self) -> float:
        """Longs liquidated sell, shorts liquidated buy: the net notional pushed onto the book."""
        return float((self.notional_usd * self.signs).sum())


_EMPTY: FloatArray = np.empty(0)


class Crowd:
    """Open position groups of one coin, column by column.

    The highest long level, the lowest short level and each side's total are kept up to date on
    every change, so the common step (price ran through nothing) costs two comparisons.
    """

    def __init__(self) -> None:
        self.levels: FloatArray = np.empty(0)
        self.signs: FloatArray = np.empty(0)
        self.notional_usd: FloatArray = np.empty(0)
        self._top_long = -np.inf
        self._bottom_short = np.inf
        self._side_usd = {1.0: 0.0, -1.0: 0.0}

    def _summarise(self) -> None:
        longs = self.signs > 0
        self._top_long = float(self.levels[longs].max()) if longs.any() else -np.inf
        self._bottom_short = float(self.levels[~longs].min()) if (~longs).any() else np.inf
        self._side_usd = {
            1.0: float(self.notional_usd[longs].sum()),
            -1.0: float(self.notional_usd[~longs].sum()),
        }

    def __len__(self) -> int:
        return int(self.levels.size)

    def open(self, entry: float, sign: float, notional_usd: float) -> None:
        """Open `notional_usd` at `entry` on one side, spread over the leverage mix."""
        levels = [liquidation_level(entry, lev, sign) for lev, _ in LEVERAGE_MIX]
        amounts = [notional_usd * share for _, share in LEVERAGE_MIX]
        self.add(np.array(levels), np.full(len(levels), sign), np.array(amounts))

    def add(self, levels: FloatArray, signs: FloatArray, notional_usd: FloatArray) -> None:
        """Add position groups as they are."""
        self.levels = np.concatenate([self.levels, levels])
        self.signs = np.concatenate([self.signs, signs])
        self.notional_usd = np.concatenate([self.notional_usd, notional_usd])
        self._summarise()

    def sweep(self, low: float, high: float) -> Swept:
        """Remove and return the longs with a level ≥ `low` and the shorts with a level ≤ `high`."""
        if low > self._top_long and high < self._bottom_short:
            return Swept(_EMPTY, _EMPTY, _EMPTY)
        hit = ((self.signs > 0) & (self.levels >= low)) | ((self.signs < 0) & (self.levels <= high))
        swept = Swept(self.levels[hit], self.signs[hit], self.notional_usd[hit])
        keep = ~hit
        self.levels, self.signs = self.levels[keep], self.signs[keep]
        self.notional_usd = self.notional_usd[keep]
        self._summarise()
        return swept

    def shrink(self, fraction: float) -> None:
        """Close `fraction` of every group (traders taking profit or cutting)."""
        self.notional_usd = self.notional_usd * (1.0 - fraction)
        self._summarise()

    def side_usd(self, sign: float) -> float:
        """Open notional of one side (+1 long, −1 short)."""
        return self._side_usd[sign]
