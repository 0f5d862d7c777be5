"""Properties of the liquidation price that must hold for every venue, table and position."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from risk.liquidation import (
    Leg,
    MarginMode,
    Position,
    Side,
    cross_liquidation_price,
    liquidation_price,
    liquidation_prices,
)
from risk.tiers import TierTable
from risk.venues import Venue
from tests.risk.strategies import positions, sides, tables

PositionOnTable = tuple[Position, TierTable]


def _level(position: Position, table: TierTable) -> float:
    """The liquidation price, with "none" as 0 (a long that never liquidates)."""
    price = liquidation_price(position, table).price
    return 0.0 if price is None else price


@given(positions(Side.LONG))
def test_long_liquidates_below_entry(case: PositionOnTable) -> None:
    """A long's liquidation price, when it has one, is below its entry and above zero."""
    position, table = case
    result = liquidation_price(position, table)
    assert result.price is None or 0 < result.price < position.entry_price


@given(positions(Side.SHORT))
def test_short_liquidates_above_entry(case: PositionOnTable) -> None:
    """A short always has a liquidation price, above its entry."""
    position, table = case
    result = liquidation_price(position, table)
    assert result.price is not None
    assert result.price > position.entry_price


@given(positions(), st.floats(min_value=0.01, max_value=0.99))
def test_level_moves_towards_entry_as_leverage_rises(case: PositionOnTable, shrink: float) -> None:
    """More leverage (less margin) never moves the level away: a long's rises, a short's falls."""
    position, table = case
    lower = dataclasses.replace(position, leverage=max(1.0, position.leverage * shrink))
    high_lev, low_lev = _level(position, table), _level(lower, table)
    if position.side is Side.LONG:
        assert high_lev >= low_lev * (1 - 1e-12)
    else:
        assert high_lev <= low_lev * (1 + 1e-12)


@given(positions(), st.floats(min_value=1.0, max_value=10.0))
def test_more_wallet_moves_the_level_away(case: PositionOnTable, factor: float) -> None:
    """Adding margin moves a long's level down (or to none) and a short's level up."""
    position, table = case
    richer = dataclasses.replace(position, wallet_balance=position.margin * factor)
    before, after = _level(position, table), _level(richer, table)
    if position.side is Side.LONG:
        assert after <= before * (1 + 1e-12)
    else:
        assert after >= before * (1 - 1e-12)


@given(positions())
def test_tier_is_self_consistent(case: PositionOnTable) -> None:
    """The tier used is the one the venue assigns at the level it produced (entry for Bybit)."""
    position, table = case
    result = liquidation_price(position, table)
    if position.venue is Venue.BYBIT:
        expected = table.tier_for(position.quantity, position.entry_price)
    elif result.price is None:
        return
    else:
        expected = table.tier_for(position.quantity, result.price)
    assert result.tier == expected


@given(positions())
def test_equity_equals_maintenance_at_the_level(case: PositionOnTable) -> None:
    """At the liquidation price the margin balance equals the maintenance requirement (plus fee)."""
    position, table = case
    assume(position.venue is not Venue.BYBIT)
    result = liquidation_price(position, table)
    assume(result.price is not None)
    lp, q = result.price, position.quantity
    assert lp is not None
    fee = 0.0005 if position.venue is Venue.OKX else 0.0
    equity = position.margin + position.sign * q * (lp - position.entry_price)
    required = q * lp * (result.tier.mmr + fee) - result.tier.cum
    assert equity == pytest.approx(required, rel=1e-9, abs=1e-9 * q * lp)


@given(tables, st.floats(min_value=100, max_value=100_000), st.floats(min_value=1, max_value=20))
def test_bybit_short_mirrors_long(table: TierTable, entry: float, leverage: float) -> None:
    """On Bybit a short's level is as far above entry as the same long's is below it."""
    assume(table.venue is Venue.BYBIT)
    long = Position(Venue.BYBIT, table.symbol, Side.LONG, leverage, entry, 1_000 / entry)
    short = dataclasses.replace(long, side=Side.SHORT)
    long_lp, short_lp = _level(long, table), _level(short, table)
    assert short_lp - entry == pytest.approx(entry - long_lp, rel=1e-9)


@given(st.lists(positions(), min_size=1, max_size=20))
@settings(max_examples=50)
def test_vectorised_matches_scalar(cases: list[PositionOnTable]) -> None:
    """liquidation_prices equals liquidation_price position by position, NaN for none."""
    table = cases[0][1]
    same = [p for p, t in cases if t is table]
    got = liquidation_prices(
        [p.sign for p in same],
        [p.entry_price for p in same],
        [p.quantity for p in same],
        [p.margin for p in same],
        table,
    )
    for position, value in zip(same, got, strict=True):
        expected = liquidation_price(position, table).price
        if expected is None:
            assert math.isnan(value)
        else:
            assert value == pytest.approx(expected, rel=1e-12)


@given(positions(), st.floats(min_value=0.2, max_value=5))
def test_single_leg_cross_equals_one_symbol_cross(case: PositionOnTable, wallet_x: float) -> None:
    """Binance cross with one leg and no other symbol equals the one-way cross formula."""
    position, table = case
    assume(position.venue in {Venue.BINANCE, Venue.HYPERLIQUID})
    cross = dataclasses.replace(
        position, margin_mode=MarginMode.CROSS, wallet_balance=position.margin * wallet_x
    )
    single = liquidation_price(cross, table)
    legs = [Leg(position.side, position.quantity, position.entry_price)]
    multi = cross_liquidation_price(legs, cross.margin, table)
    if single.price is None:
        assert multi.price is None
    else:
        assert multi.price == pytest.approx(single.price, rel=1e-9)
        assert multi.tier == single.tier
    assert multi.bankruptcy_price == pytest.approx(single.bankruptcy_price)


@given(sides, st.floats(min_value=1, max_value=50), st.floats(min_value=0.001, max_value=5))
def test_vectorised_handles_broadcast_scalars(side: Side, leverage: float, quantity: float) -> None:
    """Scalars broadcast against arrays in the vectorised path."""
    from risk.tiers import default_tier_table

    table = default_tier_table("hyperliquid", "ETH")
    assume(leverage <= table.max_leverage_for(quantity, 3_000))
    wallet = quantity * 3_000 / leverage
    got = liquidation_prices(np.array([side.sign] * 3), 3_000.0, quantity, wallet, table)
    scalar = liquidation_price(
        Position(Venue.HYPERLIQUID, "ETH", side, leverage, 3_000, quantity), table
    )
    expected = math.nan if scalar.price is None else scalar.price
    np.testing.assert_allclose(got, [expected] * 3, rtol=1e-12)
