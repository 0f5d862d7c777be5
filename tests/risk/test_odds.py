"""Realized volatility, touch probability and the safe-leverage bound."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from risk.errors import InsufficientDataError, InvalidInputError
from risk.liquidation import Position, Side, liquidation_price
from risk.odds import distance_sigmas, max_safe_leverage, realized_volatility, touch_probability
from risk.tiers import TierTable, default_tier_table
from risk.venues import Venue
from tests.risk.strategies import positions

vols = st.floats(min_value=0.001, max_value=0.3)
horizons = st.floats(min_value=0.01, max_value=30)
levels = st.floats(min_value=1, max_value=99)


def test_realized_volatility_scales_to_a_day() -> None:
    """Hourly log returns of ±1 % give a daily sigma of stdev·√24."""
    closes = [100.0, 101.0, 100.0, 101.0, 100.0]
    returns = [math.log(101 / 100), -math.log(101 / 100)] * 2
    mean = sum(returns) / 4
    sample = math.sqrt(sum((r - mean) ** 2 for r in returns) / 3)
    assert realized_volatility(closes, 3_600) == pytest.approx(sample * math.sqrt(24))
    assert realized_volatility(closes, 86_400) == pytest.approx(sample)


def test_flat_prices_have_zero_volatility() -> None:
    """Constant closes give zero volatility."""
    assert realized_volatility([5.0] * 10, 60) == 0


def test_volatility_needs_enough_positive_closes() -> None:
    """Fewer than three closes, non-positive closes or intervals are named errors."""
    with pytest.raises(InsufficientDataError, match="at least 3"):
        realized_volatility([1.0, 2.0], 60)
    with pytest.raises(InvalidInputError, match="positive"):
        realized_volatility([1.0, 0.0, 2.0], 60)
    with pytest.raises(InvalidInputError, match="interval"):
        realized_volatility([1.0, 2.0, 3.0], 0)


def test_touch_probability_known_values() -> None:
    """One sigma away over one day: 2·Φ(−1) = 31.73 %; at the mark: 1; no volatility: 0."""
    level = 100 * math.exp(-0.02)
    assert touch_probability(100, level, 0.02, 1) == pytest.approx(0.31731050786, rel=1e-9)
    assert touch_probability(100, 100, 0.02, 1) == 1.0
    assert touch_probability(100, 90, 0.0, 1) == 0.0
    assert touch_probability(100, 100 * math.exp(0.02), 0.02, 1) == pytest.approx(
        0.3173105, rel=1e-6
    )


def test_touch_probability_rejects_bad_inputs() -> None:
    """Negative volatility and non-positive horizons are refused."""
    with pytest.raises(InvalidInputError, match="Volatility"):
        touch_probability(100, 90, -0.1, 1)
    with pytest.raises(InvalidInputError, match="horizon"):
        touch_probability(100, 90, 0.1, 0)


@given(levels, vols, vols, horizons)
def test_touch_probability_rises_with_volatility(
    level: float, v1: float, v2: float, t: float
) -> None:
    """Higher volatility never lowers the chance of touching a level."""
    low, high = sorted((v1, v2))
    assert touch_probability(100, level, low, t) <= touch_probability(100, level, high, t)


@given(levels, vols, horizons, horizons)
def test_touch_probability_rises_with_horizon(level: float, v: float, t1: float, t2: float) -> None:
    """A longer horizon never lowers the chance of touching a level."""
    short, long = sorted((t1, t2))
    assert touch_probability(100, level, v, short) <= touch_probability(100, level, v, long)


@given(levels, levels, vols, horizons)
def test_touch_probability_falls_with_distance(a: float, b: float, v: float, t: float) -> None:
    """A level farther from the mark is never more likely to be touched; all are in [0, 1]."""
    near, far = max(a, b), min(a, b)
    p_near, p_far = touch_probability(100, near, v, t), touch_probability(100, far, v, t)
    assert 0 <= p_far <= p_near <= 1


def test_distance_in_sigmas_is_signed() -> None:
    """Positive before the level, negative past it, mirrored for shorts."""
    assert distance_sigmas(100, 90, Side.LONG, 0.05) == pytest.approx(math.log(100 / 90) / 0.05)
    assert distance_sigmas(80, 90, Side.LONG, 0.05) < 0
    assert distance_sigmas(100, 110, Side.SHORT, 0.05) == pytest.approx(math.log(110 / 100) / 0.05)


def _touch_24h(position: Position, table: TierTable, mark: float, vol: float) -> float:
    """The 24 h touch probability of the position's level (0 if it has none)."""
    level = liquidation_price(position, table).price
    return 0.0 if level is None else touch_probability(mark, level, vol, 1)


@given(positions(), st.floats(min_value=0.005, max_value=0.15))
def test_max_safe_leverage_meets_the_bound_and_is_the_highest(
    case: tuple[Position, TierTable], vol: float
) -> None:
    """At the returned leverage the 24 h touch chance is ≤ 1 %; a little more leverage breaches it."""
    position, table = case
    mark = position.entry_price
    best = max_safe_leverage(position, table, mark_price=mark, daily_vol=vol)
    assume(best is not None)
    assert best is not None
    at_best = dataclasses.replace(position, leverage=best)
    assert _touch_24h(at_best, table, mark, vol) <= 0.01 * (1 + 1e-9)
    venue_max = table.max_leverage_for(position.quantity, position.entry_price)
    if best + 0.02 < venue_max:
        beyond = dataclasses.replace(position, leverage=best + 0.02)
        assert _touch_24h(beyond, table, mark, vol) > 0.01


def test_max_safe_leverage_known_value_and_caps() -> None:
    """Binance BTC at σ 3 %: 12.79x; calm markets are capped at the venue's maximum."""
    table = default_tier_table("binance", "BTC")
    position = Position(Venue.BINANCE, "BTC", Side.LONG, 10, 60_000, 1.0)
    assert max_safe_leverage(position, table, mark_price=60_000, daily_vol=0.03) == 12.79
    calm = max_safe_leverage(position, table, mark_price=60_000, daily_vol=0.0001)
    assert calm == 100  # tier 2's maximum for a 60,000 USDT position


def test_max_safe_leverage_none_when_even_one_x_breaches() -> None:
    """A short in extreme volatility cannot keep the bound even at 1x."""
    position = Position(Venue.BINANCE, "BTC", Side.SHORT, 1, 60_000, 0.1)
    table = default_tier_table("binance", "BTC")
    assert max_safe_leverage(position, table, mark_price=60_000, daily_vol=0.5) is None


def test_max_safe_leverage_bybit_uses_its_entry_maintenance() -> None:
    """Bybit's bound follows its isolated formula: the leverage found puts LP at the target."""
    table = default_tier_table("bybit", "BTC")
    position = Position(Venue.BYBIT, "BTC", Side.LONG, 10, 60_000, 1.0)
    best = max_safe_leverage(position, table, mark_price=60_000, daily_vol=0.03)
    assert best is not None
    at_best = dataclasses.replace(position, leverage=best)
    assert _touch_24h(at_best, table, 60_000, 0.03) == pytest.approx(0.01, rel=0.01)


def test_max_safe_leverage_rejects_a_bad_bound() -> None:
    """The probability bound must lie strictly between 0 and 1."""
    position = Position(Venue.BINANCE, "BTC", Side.LONG, 10, 60_000, 1.0)
    with pytest.raises(InvalidInputError, match="between 0 and 1"):
        max_safe_leverage(
            position,
            default_tier_table("binance", "BTC"),
            mark_price=60_000,
            daily_vol=0.03,
            max_touch_probability=1.0,
        )
