"""Funding: rates normalised across funding intervals, and what a position pays or earns.

Venues quote the rate of one funding interval: 8 h on most Binance and Bybit symbols (4 h or 1 h on
some), 1–8 h on OKX, 1 h on Hyperliquid (whose hourly rate is an eighth of its 8-hour rate).
A positive rate means longs pay shorts; a negative rate, shorts pay longs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from risk.errors import InvalidInputError
from risk.position import require_positive
from risk.venues import Side

__all__ = [
    "HOURS_PER_YEAR",
    "FundingCost",
    "annualised_funding_rate",
    "funding_cost",
    "funding_payment",
    "funding_rate_8h",
]

HOURS_PER_YEAR = 24 * 365


def _check(rate: float, interval_hours: float) -> None:
    if not math.isfinite(rate):
        raise InvalidInputError(f"The funding rate must be a number; got {rate:g}.")
    require_positive("funding interval", interval_hours)
    if interval_hours > 24:
        raise InvalidInputError(f"Funding intervals are at most 24 hours; got {interval_hours:g}.")


def funding_rate_8h(rate: float, interval_hours: float) -> float:
    """A funding rate per ``interval_hours`` restated per 8 hours: ``r_8h = r · 8 / interval_hours``.

    Units: fractions per interval (0.0001 = 0.01 %). Sign kept: positive means longs pay.

    Example: Hyperliquid's hourly 0.00125 % is 0.01 % per 8 h.

    >>> round(funding_rate_8h(0.0000125, 1), 6)
    0.0001
    """
    _check(rate, interval_hours)
    return rate * 8 / interval_hours


def annualised_funding_rate(rate: float, interval_hours: float) -> float:
    """A funding rate per ``interval_hours`` as a simple (not compounded) yearly rate.

        r_year = r · 8,760 / interval_hours          (365 days of 24 h)

    Units: fraction per year (0.1095 = 10.95 %). Sign kept: positive means longs pay.

    Example: 0.01 % every 8 h is 0.01 % × 1,095 = 10.95 % a year.

    >>> round(annualised_funding_rate(0.0001, 8), 4)
    0.1095
    """
    _check(rate, interval_hours)
    return rate * HOURS_PER_YEAR / interval_hours


def funding_payment(side: Side, quantity: float, mark_price: float, rate: float) -> float:
    """Cash flow of one funding settlement to the position holder, in USD.

        payment = −s · Q · mark · r

    Sign convention: negative = the position pays, positive = it earns (a long pays when the rate is
    positive). Source: Binance/Bybit/OKX/Hyperliquid funding docs — funding is the position's notional
    at the mark price times the rate.

    Example: 1 BTC long at mark 60,000, rate 0.01 %: pays 6 USD.

    >>> funding_payment(Side.LONG, 1.0, 60_000, 0.0001)
    -6.0
    """
    require_positive("size", quantity)
    require_positive("mark price", mark_price)
    _check(rate, 8)
    return -side.sign * quantity * mark_price * rate


@dataclass(frozen=True, slots=True)
class FundingCost:
    """What a position pays or earns from funding, in USD (negative = pays).

    ``next_usd`` is the next settlement at the current rate; ``per_day_usd`` assumes the rate holds for
    24 hours (``next_usd · 24 / interval_hours``).
    """

    next_usd: float
    per_day_usd: float
    rate_8h: float
    rate_annual: float


def funding_cost(
    side: Side, quantity: float, mark_price: float, rate: float, interval_hours: float
) -> FundingCost:
    """The position's funding at the next settlement and per day, with the normalised rates.

    >>> c = funding_cost(Side.SHORT, 2.0, 3_000, 0.0000125, 1)
    >>> round(c.next_usd, 4), round(c.per_day_usd, 3), round(c.rate_8h, 6)
    (0.075, 1.8, 0.0001)
    """
    payment = funding_payment(side, quantity, mark_price, rate)
    return FundingCost(
        next_usd=payment,
        per_day_usd=payment * 24 / interval_hours,
        rate_8h=funding_rate_8h(rate, interval_hours),
        rate_annual=annualised_funding_rate(rate, interval_hours),
    )
