"""Levels the price has already run through: cleared from a map between model steps.

The model (`risk.cohort_map`) clears a level when an interval's range reaches it, but an interval is
applied only once it has ended. Between steps the live price can run through levels the map still
holds; a long whose liquidation price is above the mark (or a short's below it) cannot still be
open. `clear_crossed` removes them, with the same rule the model uses: a long bin goes when the low
reaches its price (geometric centre), a short bin when the high does.

>>> from risk.liquidation_map import LiquidationMap
>>> import numpy as np
>>> m = LiquidationMap(1.0).plus(
...     np.array([100, 110]), np.array([True, True]), np.array([5.0, 7.0]), as_of=None
... )
>>> clear_crossed(m, low=m.price_of(105), high=m.price_of(105)).total_long_usd
5.0
"""

from __future__ import annotations

import math

import numpy as np

from risk.errors import InvalidInputError
from risk.liquidation_map import LiquidationMap

__all__ = ["clear_crossed"]


def clear_crossed(liq_map: LiquidationMap, *, low: float, high: float) -> LiquidationMap:
    """``liq_map`` without the long bins priced ≥ ``low`` and the short bins priced ≤ ``high``.

    ``low``/``high`` are the lowest and highest price traded since the map's last step (USD). The
    map's ``as_of`` is kept: the model has not stepped, only the levels price ran through are gone.

    Raises:
        InvalidInputError: ``low`` or ``high`` is not a positive number, or ``low > high``.
    """
    if not (math.isfinite(low) and math.isfinite(high) and 0 < low <= high):
        raise InvalidInputError(f"Clearing needs 0 < low ≤ high; got {low:g} and {high:g}.")
    if liq_map.is_empty:
        return liq_map
    bins = liq_map.bins
    longs = np.where(bins >= liq_map.first_bin_at_or_above(low), 0.0, liq_map.long_usd)
    shorts = np.where(bins <= liq_map.last_bin_at_or_below(high), 0.0, liq_map.short_usd)
    return LiquidationMap.from_arrays(
        liq_map.bin_width_pct, liq_map.first_bin, longs, shorts, as_of=liq_map.as_of
    )
