"""What the liquidation map is built from: `Interval`, one published interval of one venue and
symbol, and `ClusterModelConfig`, the map's bin width and the position size that picks the tiers.

The model is the cohort map (`risk.cohort_map`: every interval's new positions and the book before
the history, with the fitted assumptions of `risk.map_fit` and `risk.calibration`); its live
updates are `risk.cohort_book`, its queries `risk.cluster_queries`, its value `LiquidationMap` of
`risk.liquidation_map`.

Units: open interest in coins (base units), prices in USD.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from risk.errors import InvalidInputError
from risk.liquidation_map import DEFAULT_BIN_WIDTH_PCT

__all__ = ["ClusterModelConfig", "Interval"]


@dataclass(frozen=True, slots=True)
class ClusterModelConfig:
    """How the map is laid out and sized.

    Args:
        bin_width_pct: width of a price bin in percent of price (the same for every venue, so maps
            add bin by bin).
        position_notional_usd: size of a typical position, used to pick its tier and max leverage.
    """

    bin_width_pct: float = DEFAULT_BIN_WIDTH_PCT
    position_notional_usd: float = 10_000.0

    def __post_init__(self) -> None:
        for name in ("bin_width_pct", "position_notional_usd"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise InvalidInputError(f"The {name} must be a positive number; got {value:g}.")


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
