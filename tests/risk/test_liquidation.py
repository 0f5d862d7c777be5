"""Liquidation and bankruptcy prices against known values, edge cases and named errors."""

from __future__ import annotations

import math
from datetime import date
from typing import Literal, TypedDict

import numpy as np
import pytest

from risk.errors import InvalidInputError, LeverageTooHighError, PositionTooLargeError
from risk.liquidation import (
    MarginMode,
    Position,
    Side,
    bankruptcy_price,
    distance_pct,
    distance_pcts,
    liquidation_price,
    liquidation_prices,
)
from risk.tiers import Tier, TierTable, default_tier_table
from risk.venues import Venue
from tests.risk.strategies import one_tier_table

# The project's own reference numbers: (venue, side, leverage, entry, quantity, expected LP, tier).
# Binance cases use the 2024-10-24 BTCUSDT brackets (liquidation-math.md §11, C1–C6); Bybit and
# Hyperliquid the bundled BTC tables (C8–C11).
DEFAULT_TABLE_CASES = [
    (Venue.BINANCE, Side.LONG, 10, 60_000, 1.0, 54_221.10552763819, 2),
    (Venue.BINANCE, Side.SHORT, 10, 60_000, 1.0, 65_721.39303482587, 2),
    (Venue.BINANCE, Side.LONG, 10, 60_000, 0.1, 54_216.86746987952, 1),
    (Venue.BINANCE, Side.LONG, 10, 55_000, 1.0, 49_698.79518072289, 1),
    (Venue.BINANCE, Side.LONG, 20, 60_000, 10.0, 57_281.40703517588, 2),
    (Venue.BINANCE, Side.SHORT, 10, 60_000, 50.0, 65_573.26732673268, 4),
    (Venue.BYBIT, Side.LONG, 10, 60_000, 1.0, 54_300.0, 1),
    (Venue.BYBIT, Side.SHORT, 10, 60_000, 1.0, 65_700.0, 1),
    (Venue.HYPERLIQUID, Side.LONG, 10, 60_000, 1.0, 54_683.54430379747, 1),
    (Venue.HYPERLIQUID, Side.SHORT, 10, 60_000, 1.0, 65_185.18518518518, 1),
]


@pytest.mark.parametrize(
    ("venue", "side", "leverage", "entry", "quantity", "expected", "tier_number"),
    DEFAULT_TABLE_CASES,
)
def test_known_values_with_bundled_tables(
    venue: Venue,
    side: Side,
    leverage: float,
    entry: float,
    quantity: float,
    expected: float,
    tier_number: int,
) -> None:
    """Isolated BTC positions reproduce the reference prices and tiers on the bundled tables."""
    position = Position(venue, "BTC", side, leverage, entry, quantity)
    result = liquidation_price(position, default_tier_table(venue, "BTC"))
    assert result.price == pytest.approx(expected, rel=1e-9)
    assert result.tier_number == tier_number


# (venue, side, leverage, entry, quantity, wallet, mmr, cum, expected, rel): documented examples.
STATED_TIER_CASES = [
    # Binance FAQ inputs as an isolated wallet (freqtrade test_liquidation_price_binance case 2).
    (
        Venue.BINANCE,
        Side.LONG,
        2.5,
        32_481.98,
        109.488,
        1_535_443.01,
        0.025,
        16_300,
        18_778.73,
        1e-6,
    ),
    # freqtrade synthetic cases: MMR 1 %, cum 0.01.
    (Venue.BINANCE, Side.SHORT, 5, 10, 1, 2, 0.01, 0.01, 11.89108910891089, 1e-9),
    (Venue.BINANCE, Side.LONG, 5, 10, 1, 2, 0.01, 0.01, 8.070707070707071, 1e-9),
    # Bybit Help "Liquidation Price (USDT Contract)": 19,700; older article 9,850 and 8,160.
    (Venue.BYBIT, Side.LONG, 50, 20_000, 1, 400, 0.005, 0, 19_700.0, 1e-12),
    (Venue.BYBIT, Side.LONG, 50, 10_000, 1, 200, 0.005, 0, 9_850.0, 1e-12),
    (Venue.BYBIT, Side.SHORT, 40, 8_000, 1, 200, 0.005, 0, 8_160.0, 1e-12),
    # Hyperliquid positions as returned by the exchange (MMR 1/(2·50) at the time).
    (Venue.HYPERLIQUID, Side.LONG, 5, 66_930, 0.0015, 20.043862, 0.01, 0, 54_108.51043771, 1e-4),
    (Venue.HYPERLIQUID, Side.SHORT, 2, 68_595, 0.00069, 23.64871, 0.01, 0, 101_849.99354283, 1e-4),
]


@pytest.mark.parametrize(
    ("venue", "side", "leverage", "entry", "quantity", "wallet", "mmr", "cum", "expected", "rel"),
    STATED_TIER_CASES,
)
def test_known_values_with_stated_tiers(
    venue: Venue,
    side: Side,
    leverage: float,
    entry: float,
    quantity: float,
    wallet: float,
    mmr: float,
    cum: float,
    expected: float,
    rel: float,
) -> None:
    """Documented examples that state their own tier reproduce their published price."""
    position = Position(venue, "BTC", side, leverage, entry, quantity, wallet_balance=wallet)
    result = liquidation_price(position, one_tier_table(venue, "BTC", mmr, cum))
    assert result.price == pytest.approx(expected, rel=rel)


def test_okx_reserves_the_taker_fee() -> None:
    """OKX adds the taker fee to the maintenance rate: (EP − WB/Q)/(1 − (MMR + f))."""
    position = Position(Venue.OKX, "BTC", Side.LONG, 3, 10, 1, wallet_balance=10 / 3)
    table = one_tier_table(Venue.OKX, "BTC", 0.01)
    assert liquidation_price(position, table, taker_fee_rate=0.0006).price == pytest.approx(
        6.738090425173506, rel=1e-12
    )
    default_fee = liquidation_price(position, table).price
    assert default_fee == pytest.approx((10 - 10 / 3) / (1 - 0.0105), rel=1e-12)


def test_okx_tier_is_chosen_by_contracts() -> None:
    """An OKX BTC position of 15 BTC is 1,500 contracts of 0.01 BTC, which is tier 2."""
    position = Position(Venue.OKX, "BTC", Side.LONG, 20, 60_000, 15.0)
    result = liquidation_price(position, default_tier_table("okx", "BTC"))
    assert result.tier_number == 2
    assert result.price == pytest.approx((60_000 - 3_000) / (1 - 0.0055), rel=1e-12)


@pytest.mark.parametrize("venue", [Venue.BINANCE, Venue.OKX, Venue.HYPERLIQUID])
def test_one_x_long_cannot_be_liquidated(venue: Venue) -> None:
    """A 1x long has no liquidation or bankruptcy price ("none", not a negative number)."""
    position = Position(venue, "ETH", Side.LONG, 1, 3_000, 2.0)
    result = liquidation_price(position, default_tier_table(venue, "ETH"))
    assert (result.price, result.bankruptcy_price) == (None, None)
    assert result.tier_number == 1


def test_bybit_one_x_long_keeps_its_entry_maintenance_margin() -> None:
    """Bybit's formula holds MM at the entry value, so a 1x long liquidates at EP·MMR, not never."""
    position = Position(Venue.BYBIT, "ETH", Side.LONG, 1, 3_000, 2.0)
    result = liquidation_price(position, default_tier_table("bybit", "ETH"))
    assert result.price == pytest.approx(3_000 * 0.005)
    assert result.bankruptcy_price is None


def test_one_x_short_liquidates_near_double_entry() -> None:
    """A 1x short liquidates a little below twice its entry price on Binance."""
    position = Position(Venue.BINANCE, "BTC", Side.SHORT, 1, 60_000, 0.1)
    result = liquidation_price(position, default_tier_table("binance", "BTC"))
    assert result.price == pytest.approx(12_000 / 0.1 / 1.004, rel=1e-12)
    assert result.bankruptcy_price == pytest.approx(120_000)


def test_bybit_extra_margin_moves_the_level_by_its_size_per_coin() -> None:
    """200 USDT of extra margin on 1 BTC moves Bybit's liquidation price 200 away."""
    table = one_tier_table(Venue.BYBIT, "BTC", 0.005)
    base = Position(Venue.BYBIT, "BTC", Side.LONG, 50, 20_000, 1)
    more = Position(Venue.BYBIT, "BTC", Side.LONG, 50, 20_000, 1, extra_margin=200)
    assert liquidation_price(base, table).price == pytest.approx(19_700)
    assert liquidation_price(more, table).price == pytest.approx(19_500)


def test_bybit_cross_uses_the_equity_equation() -> None:
    """Bybit cross solves equity = maintenance margin at the level, not Bybit's isolated form."""
    table = one_tier_table(Venue.BYBIT, "BTC", 0.005)
    position = Position(Venue.BYBIT, "BTC", Side.LONG, 10, 60_000, 1, margin_mode=MarginMode.CROSS)
    assert liquidation_price(position, table).price == pytest.approx(54_000 / 0.995)


def test_bankruptcy_price_is_where_equity_is_zero() -> None:
    """BP = EP − s·WB/Q for both sides."""
    long = Position(Venue.BINANCE, "BTC", Side.LONG, 10, 60_000, 1)
    short = Position(Venue.BINANCE, "BTC", Side.SHORT, 4, 60_000, 1)
    assert bankruptcy_price(long) == pytest.approx(54_000)
    assert bankruptcy_price(short) == pytest.approx(75_000)


def test_leverage_above_the_tier_maximum_is_refused() -> None:
    """Binance refuses 125x on a 1,000,000 USDT BTC position (tier 3 allows 75x) and says so."""
    position = Position(Venue.BINANCE, "BTC", Side.LONG, 125, 100_000, 10)
    with pytest.raises(LeverageTooHighError, match="maximum is 75x") as caught:
        liquidation_price(position, default_tier_table("binance", "BTC"))
    assert caught.value.max_leverage == 75


def test_position_beyond_the_largest_tier_is_refused() -> None:
    """A 2 B USDT BTC position is larger than Binance's table allows."""
    position = Position(Venue.BINANCE, "BTC", Side.LONG, 1, 100_000, 20_000)
    with pytest.raises(PositionTooLargeError, match="1,800,000,000"):
        liquidation_price(position, default_tier_table("binance", "BTC"))


def test_okx_too_large_states_the_usd_limit() -> None:
    """An OKX position beyond the last contract tier is refused with its USD equivalent."""
    position = Position(Venue.OKX, "BTC", Side.LONG, 1, 100_000, 20_000)
    with pytest.raises(PositionTooLargeError, match="1,000,000,000"):
        liquidation_price(position, default_tier_table("okx", "BTC"))


class PositionNumbers(TypedDict):
    """The numeric fields of a `Position`, so one can be set to a bad value by name."""

    leverage: float
    entry_price: float
    quantity: float
    wallet_balance: float | None
    extra_margin: float


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("entry_price", 0.0, "entry price must be a positive number"),
        ("quantity", -1.0, "size must be a positive number"),
        ("quantity", math.nan, "size must be a positive number"),
        ("leverage", 0.5, "Leverage must be at least 1x"),
        ("wallet_balance", 0.0, "wallet balance must be a positive number"),
        ("extra_margin", -5.0, "Extra margin must be 0 or more"),
    ],
)
def test_invalid_position_inputs_are_named(
    field: Literal["entry_price", "quantity", "leverage", "wallet_balance", "extra_margin"],
    value: float,
    message: str,
) -> None:
    """Non-positive prices and sizes, leverage below 1x and bad margins raise InvalidInputError."""
    numbers = PositionNumbers(
        leverage=10.0, entry_price=60_000.0, quantity=1.0, wallet_balance=None, extra_margin=0.0
    )
    numbers[field] = value
    with pytest.raises(InvalidInputError, match=message):
        Position(Venue.BINANCE, "BTC", Side.LONG, **numbers)


def test_table_for_another_symbol_is_refused() -> None:
    """Pricing a BTC position with the ETH table is an error, not a wrong number."""
    position = Position(Venue.BINANCE, "BTC", Side.LONG, 10, 60_000, 1)
    with pytest.raises(InvalidInputError, match="ETH on binance"):
        liquidation_price(position, default_tier_table("binance", "ETH"))


def test_fee_is_refused_where_the_formula_has_none() -> None:
    """Only OKX's formula has a fee term; a fee for Binance is an error."""
    position = Position(Venue.BINANCE, "BTC", Side.LONG, 10, 60_000, 1)
    with pytest.raises(InvalidInputError, match="no fee term"):
        liquidation_price(position, default_tier_table("binance", "BTC"), taker_fee_rate=0.0005)
    with pytest.raises(InvalidInputError, match=r"between 0 and 0\.01"):
        liquidation_price(
            Position(Venue.OKX, "BTC", Side.LONG, 10, 60_000, 1),
            default_tier_table("okx", "BTC"),
            taker_fee_rate=0.5,
        )


def test_position_normalises_its_words() -> None:
    """Venue, symbol, side and margin mode given as strings become the enums and base symbol."""
    # Strings on purpose: __post_init__ coerces untyped words (CLI, JSON) to the enums.
    position = Position(" Binance ", "btcusdt", "short", 5, 100, 1, margin_mode="cross")  # type: ignore[arg-type]
    assert (position.venue, position.symbol, position.side) == (Venue.BINANCE, "BTC", Side.SHORT)
    assert position.margin_mode is MarginMode.CROSS
    assert position.margin == pytest.approx(20)


def test_distance_is_signed_from_the_mark() -> None:
    """Distance is positive before the level, zero at it and negative past it, for both sides."""
    assert distance_pct(100, 90, Side.LONG) == pytest.approx(10)
    assert distance_pct(90, 90, Side.LONG) == 0
    past_long = distance_pct(85, 90, Side.LONG)
    assert past_long is not None
    assert past_long < 0
    assert distance_pct(100, 110, Side.SHORT) == pytest.approx(10)
    past_short = distance_pct(120, 110, Side.SHORT)
    assert past_short is not None
    assert past_short < 0
    assert distance_pct(100, None, Side.LONG) is None
    with pytest.raises(InvalidInputError):
        distance_pct(0, 90, Side.LONG)


def test_vectorised_distances_match_scalar() -> None:
    """distance_pcts gives the scalar distance per element and NaN where there is no level."""
    got = distance_pcts([100, 100, 100], [90, 110, np.nan], [1, -1, 1])
    assert got[:2] == pytest.approx([10, 10])
    assert np.isnan(got[2])
    with pytest.raises(InvalidInputError):
        distance_pcts([0], [1], [1])


def test_vectorised_path_checks_its_inputs() -> None:
    """Sides other than ±1 and non-positive sizes are refused by the vectorised path."""
    table = default_tier_table("binance", "BTC")
    with pytest.raises(InvalidInputError, match="Sides"):
        liquidation_prices([0], [100], [1], [10], table)
    with pytest.raises(InvalidInputError, match="size"):
        liquidation_prices([1], [100], [0], [10], table)


def test_vectorised_bybit_and_okx_match_known_values() -> None:
    """The vectorised path uses Bybit's isolated form and OKX's contract tiers and fee."""
    bybit = liquidation_prices([1, -1], 60_000, 1.0, 6_000, default_tier_table("bybit", "BTC"))
    assert bybit == pytest.approx([54_300, 65_700])
    okx = liquidation_prices([1], 60_000, 15.0, 45_000, default_tier_table("okx", "BTC"))
    assert okx == pytest.approx([(60_000 - 3_000) / (1 - 0.0055)])


STEP_TABLE = TierTable(
    Venue.BINANCE,
    "BTC",
    date(2024, 1, 1),
    "test: a discontinuous step table",
    (Tier(0, 100_000, 0.01, 0, 50), Tier(100_000, math.inf, 0.2, 0, 2)),
)


def test_step_table_short_liquidates_where_maintenance_jumps() -> None:
    """With a jump in MM at 100,000 notional, a short whose equity is short of it there dies there."""
    position = Position(Venue.BINANCE, "BTC", Side.SHORT, 4.5, 90_000, 1.0, wallet_balance=20_000)
    result = liquidation_price(position, STEP_TABLE)
    assert result.price == pytest.approx(100_000)
    assert result.tier_number == 2
    vector = liquidation_prices([-1], 90_000, 1.0, 20_000, STEP_TABLE)
    assert vector == pytest.approx([100_000])


def test_long_liquidates_where_an_oversized_cum_makes_maintenance_jump() -> None:
    """A cum above the continuity value makes MM jump up as price falls through 100,000: LP there."""
    table = TierTable(
        Venue.BINANCE,
        "BTC",
        date(2024, 1, 1),
        "test: cum 5,000 where continuity gives 1,000",
        (Tier(0, 100_000, 0.01, 0, 50), Tier(100_000, math.inf, 0.02, 5_000, 10)),
    )
    position = Position(Venue.BINANCE, "BTC", Side.LONG, 6, 120_000, 1.0, wallet_balance=20_000)
    result = liquidation_price(position, table)
    assert result.price == pytest.approx(100_000)
    assert result.tier_number == 1
    vector = liquidation_prices([1], 120_000, 1.0, 20_000, table)
    assert vector == pytest.approx([100_000])
