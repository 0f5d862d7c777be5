"""Funding normalisation and what a position pays or earns."""

from __future__ import annotations

import pytest

from risk.errors import InvalidInputError
from risk.funding import (
    annualised_funding_rate,
    funding_cost,
    funding_payment,
    funding_rate_8h,
)
from risk.venues import Side


@pytest.mark.parametrize(
    ("rate", "hours", "per_8h", "per_year"),
    [
        (0.0001, 8, 0.0001, 0.1095),
        (0.0001, 4, 0.0002, 0.219),
        (0.0000125, 1, 0.0001, 0.1095),
        (-0.0003, 8, -0.0003, -0.3285),
    ],
)
def test_rates_normalise_across_intervals(
    rate: float, hours: float, per_8h: float, per_year: float
) -> None:
    """1 h, 4 h and 8 h rates restate to 8 h and to a simple yearly rate, keeping their sign."""
    assert funding_rate_8h(rate, hours) == pytest.approx(per_8h)
    assert annualised_funding_rate(rate, hours) == pytest.approx(per_year)


def test_longs_pay_positive_funding_and_shorts_earn_it() -> None:
    """A positive rate is a cost for a long and an income for a short, on the mark notional."""
    assert funding_payment(Side.LONG, 2, 50_000, 0.0001) == pytest.approx(-10)
    assert funding_payment(Side.SHORT, 2, 50_000, 0.0001) == pytest.approx(10)
    assert funding_payment(Side.LONG, 2, 50_000, -0.0001) == pytest.approx(10)


def test_daily_cost_counts_the_settlements_of_a_day() -> None:
    """Hourly funding settles 24 times a day, 8-hourly 3 times."""
    hourly = funding_cost(Side.LONG, 1, 60_000, 0.0000125, 1)
    eight = funding_cost(Side.LONG, 1, 60_000, 0.0001, 8)
    assert hourly.next_usd == pytest.approx(-0.75)
    assert hourly.per_day_usd == pytest.approx(-18)
    assert eight.per_day_usd == pytest.approx(-18)
    assert eight.rate_annual == pytest.approx(0.1095)


def test_bad_funding_inputs_are_named() -> None:
    """A NaN rate, a non-positive or over-a-day interval are refused."""
    with pytest.raises(InvalidInputError, match="funding rate"):
        funding_rate_8h(float("nan"), 8)
    with pytest.raises(InvalidInputError, match="funding interval"):
        funding_rate_8h(0.0001, 0)
    with pytest.raises(InvalidInputError, match="at most 24 hours"):
        annualised_funding_rate(0.0001, 48)
