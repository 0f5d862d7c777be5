"""Binance cross margin: other symbols (TMM₁, UPNL₁) and hedge-mode legs sharing one price."""

from __future__ import annotations

import pytest

from risk.errors import InvalidInputError
from risk.liquidation import Leg, OtherPosition, Side, cross_liquidation_price, cross_terms
from risk.tiers import default_tier_table
from risk.venues import Venue
from tests.risk.strategies import one_tier_table

BTC_2021 = one_tier_table(Venue.BINANCE, "BTC", 0.025, 16_300)
ETH_2021 = one_tier_table(Venue.BINANCE, "ETH", 0.10, 135_365)


def test_binance_faq_cross_example_btc() -> None:
    """The FAQ's BTCUSDT leg with the ETHUSDT position in the same wallet liquidates at 26,316.89."""
    eth = OtherPosition(Side.LONG, 3_683.979, 1_456.84, 1_335.18, ETH_2021)
    result = cross_liquidation_price(
        [Leg(Side.LONG, 109.488, 32_481.98)], 1_535_443.01, BTC_2021, others=[eth]
    )
    assert result.price == pytest.approx(26_316.89, rel=1e-6)


def test_binance_faq_cross_example_eth() -> None:
    """The FAQ's ETHUSDT leg with the BTCUSDT position at mark 31,967.27 liquidates at 1,153.26."""
    btc = OtherPosition(Side.LONG, 109.488, 32_481.98, 31_967.27, BTC_2021)
    tmm, upnl = cross_terms([btc])
    assert (tmm, upnl) == pytest.approx((71_200.811, -56_354.568), abs=1e-3)
    result = cross_liquidation_price(
        [Leg(Side.LONG, 3_683.979, 1_456.84)], 1_535_443.01, ETH_2021, others=[btc]
    )
    assert result.price == pytest.approx(1_153.26, rel=1e-5)


def test_hedge_legs_share_one_price_at_their_own_tiers() -> None:
    """LONG 1 @ 60,000 and SHORT 0.5 @ 62,000 on 10,000 USDT: both legs tier 1 → 38,461.54 (§11 C7)."""
    table = default_tier_table("binance", "BTC")
    legs = [Leg(Side.LONG, 1.0, 60_000), Leg(Side.SHORT, 0.5, 62_000)]
    result = cross_liquidation_price(legs, 10_000, table)
    assert result.price == pytest.approx(38_461.538461538, rel=1e-9)
    assert result.leg_tiers == (table.tiers[0], table.tiers[0])
    assert result.bankruptcy_price == pytest.approx(38_000)


def test_other_symbols_losses_bring_the_level_closer() -> None:
    """An other symbol's unrealized loss and maintenance margin raise a long's cross level."""
    table = default_tier_table("binance", "BTC")
    legs = [Leg(Side.LONG, 1.0, 60_000)]
    alone = cross_liquidation_price(legs, 20_000, table).price
    loser = OtherPosition(Side.SHORT, 10, 3_000, 3_300, default_tier_table("binance", "ETH"))
    with_other = cross_liquidation_price(legs, 20_000, table, others=[loser]).price
    assert alone is not None
    assert with_other is not None
    assert with_other > alone


def test_short_cross_and_flat_hedge_liquidate_above() -> None:
    """A net-short leg set liquidates above entry; a flat hedge has no bankruptcy price."""
    table = default_tier_table("binance", "BTC")
    short = cross_liquidation_price([Leg(Side.SHORT, 1.0, 60_000)], 6_000, table)
    assert short.price == pytest.approx(65_721.39303482587, rel=1e-9)
    flat = cross_liquidation_price(
        [Leg(Side.LONG, 1.0, 60_000), Leg(Side.SHORT, 1.0, 60_000)], 1_000, table
    )
    assert flat.bankruptcy_price is None
    assert flat.price == pytest.approx(110_000)  # 1,000 = 2·(0.005·P − 50), both legs in tier 2


def test_covered_long_has_no_cross_level() -> None:
    """A long whose wallet covers its whole notional cannot be liquidated in cross either."""
    result = cross_liquidation_price(
        [Leg(Side.LONG, 1.0, 60_000)], 60_000, default_tier_table("binance", "BTC")
    )
    assert result.price is None
    assert result.tier_number == 1


def test_cross_needs_legs_and_a_finite_wallet() -> None:
    """No legs, a NaN wallet or a bad leg are named input errors."""
    table = default_tier_table("binance", "BTC")
    with pytest.raises(InvalidInputError, match="at least one leg"):
        cross_liquidation_price([], 1_000, table)
    with pytest.raises(InvalidInputError, match="wallet balance"):
        cross_liquidation_price([Leg(Side.LONG, 1, 1)], float("nan"), table)
    with pytest.raises(InvalidInputError, match="size"):
        Leg(Side.LONG, 0, 1)
    with pytest.raises(InvalidInputError, match="mark price"):
        OtherPosition(Side.LONG, 1, 1, 0, table)


def test_okx_cross_reserves_the_fee_and_ignores_price_for_tiers() -> None:
    """OKX cross uses contract tiers (no breakpoints in price) and its taker fee."""
    table = default_tier_table("okx", "BTC")
    result = cross_liquidation_price([Leg(Side.LONG, 1.0, 60_000)], 6_000, table)
    assert result.price == pytest.approx(54_000 / (1 - 0.0045), rel=1e-12)
