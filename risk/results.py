"""The value a liquidation calculation returns, and the venue's closing-fee rule."""

from __future__ import annotations

from dataclasses import dataclass

from risk.errors import InvalidInputError
from risk.tiers import Tier
from risk.venues import Venue

__all__ = ["NEGLIGIBLE_PRICE", "OKX_DEFAULT_TAKER_FEE_RATE", "LiquidationResult", "fee_rate_for"]

NEGLIGIBLE_PRICE = 1e-9
"""A computed price below this fraction of the entry price is a zero blurred by rounding: "none"."""

OKX_DEFAULT_TAKER_FEE_RATE = 0.0005
"""OKX's base-level taker fee for USDT swaps (0.05 %), reserved as the closing fee in its formula."""


@dataclass(frozen=True, slots=True)
class LiquidationResult:
    """A liquidation price with its bankruptcy price and the tier that produced it.

    ``price``/``bankruptcy_price`` are USD per base unit, ``None`` when the position cannot be
    liquidated (or cannot go bankrupt). ``tier`` is the tier at the liquidation price (at entry when
    there is none); ``tier_number`` counts from 1 as the venues do. ``leg_tiers`` holds each leg's
    tier for a multi-leg cross calculation (empty otherwise).
    """

    price: float | None
    bankruptcy_price: float | None
    tier: Tier
    tier_number: int
    leg_tiers: tuple[Tier, ...] = ()


def fee_rate_for(venue: Venue, taker_fee_rate: float | None) -> float:
    """The closing-fee rate ``f`` of the venue's formula: OKX's taker rate, zero elsewhere.

    Raises:
        InvalidInputError: a fee is given for a venue whose formula has none, or it is not in [0, 1%].
    """
    if venue is not Venue.OKX:
        if taker_fee_rate is not None:
            raise InvalidInputError(f"The {venue} formula has no fee term; leave the fee unset.")
        return 0.0
    fee = OKX_DEFAULT_TAKER_FEE_RATE if taker_fee_rate is None else taker_fee_rate
    if not 0 <= fee <= 0.01:
        raise InvalidInputError(f"A taker fee rate must be between 0 and 0.01; got {fee:g}.")
    return fee
