"""Tier tables: bundled data, lookups, builders and validation."""

from __future__ import annotations

import itertools
import math
from datetime import date

import pytest

from risk.errors import InvalidInputError, UnknownSymbolError, UnknownVenueError
from risk.tiers import (
    DEFAULT_TIER_TABLES,
    SizeBasis,
    Tier,
    TierTable,
    build_tiers,
    default_tier_table,
    hyperliquid_tiers,
    normalise_symbol,
)
from risk.venues import Venue

TRACKED = ("BTC", "ETH", "SOL", "XRP", "DOGE", "BNB")


@pytest.mark.parametrize("venue", list(Venue))
@pytest.mark.parametrize("symbol", TRACKED)
def test_every_tracked_symbol_has_a_dated_sourced_table(venue: Venue, symbol: str) -> None:
    """Each venue has a table for each tracked symbol, dated, sourced and ordered by mmr."""
    table = default_tier_table(venue, symbol)
    assert table.as_of >= date(2024, 1, 1)
    assert table.source
    assert table.estimated == ("estimated, replace by live refresh" in table.source)
    assert all(t.mmr < 1 / t.max_leverage for t in table.tiers), "mmr must stay below the IM rate"


@pytest.mark.parametrize(
    ("venue", "symbol"),
    [
        ("binance", "BTC"),
        ("binance", "ETH"),
        ("hyperliquid", "BTC"),
        ("hyperliquid", "ETH"),
        ("hyperliquid", "SOL"),
        ("hyperliquid", "XRP"),
    ],
)
def test_real_tables_are_not_marked_estimated_and_are_continuous(venue: str, symbol: str) -> None:
    """Exchange data is not marked estimated, and its cum follows the continuity recursion."""
    table = default_tier_table(venue, symbol)
    assert not table.estimated
    assert table.is_continuous


def test_binance_btc_snapshot_values() -> None:
    """The 2024-10-24 BTCUSDT brackets: tier 5 is 12–70 M at 2 %, cum 131,450, 25x."""
    table = default_tier_table("binance", "BTCUSDT")
    assert table.as_of == date(2024, 10, 24)
    assert table.tiers[4] == Tier(12_000_000, 70_000_000, 0.02, 131_450, 25)
    assert table.tier_for_notional(12_000_000) is table.tiers[4]
    assert table.tier_for_notional(11_999_999.99) is table.tiers[3]
    assert table.max_leverage_for_notional(49_999) == 125


def test_hyperliquid_tiers_follow_the_docs() -> None:
    """BTC 40x (MMR 1.25 %) up to 150 M, then 20x (2.5 %) with deduction 1,875,000."""
    table = default_tier_table("hyperliquid", "BTC")
    assert table.tiers == (
        Tier(0, 150_000_000, 0.0125, 0, 40),
        Tier(150_000_000, math.inf, 0.025, 1_875_000, 20),
    )
    assert hyperliquid_tiers([(0, 3)])[0].mmr == pytest.approx(1 / 6)


def test_okx_tables_count_contracts() -> None:
    """OKX tiers are keyed by contracts of ctVal: 15 BTC is 1,500 contracts, tier 2."""
    table = default_tier_table("okx", "BTC-USDT-SWAP")
    assert table.size_basis is SizeBasis.CONTRACTS
    assert table.contract_value == 0.01
    assert table.size_of(15, 60_000) == pytest.approx(1_500)
    assert table.tier_for(15, 1.0) is table.tiers[1]
    assert table.maintenance_margin(15, 60_000) == pytest.approx(15 * 60_000 * 0.005)
    with pytest.raises(InvalidInputError, match="count contracts"):
        table.tier_for_notional(1_000)


def test_beyond_the_table_uses_the_last_tier() -> None:
    """Sizes past the last cap fall in the last tier (for levels beyond the table)."""
    table = default_tier_table("binance", "BTC")
    assert table.tier_for_size(5e9) is table.tiers[-1]
    assert table.max_size == 1_800_000_000


def test_build_tiers_makes_mm_continuous() -> None:
    """Built tiers give the same maintenance margin from both sides of every boundary."""
    tiers = build_tiers(
        [(0, 10_000, 0.01, 50), (10_000, 50_000, 0.02, 25), (50_000, 1e6, 0.05, 10)]
    )
    for lower, upper in itertools.pairwise(tiers):
        at = upper.floor
        assert at * lower.mmr - lower.cum == pytest.approx(at * upper.mmr - upper.cum)
    steps = build_tiers([(0, 1, 0.01, 50), (1, 2, 0.02, 25)], continuous=False)
    assert [t.cum for t in steps] == [0, 0]


def test_live_refresh_can_replace_a_table() -> None:
    """A TierTable built from payload values is accepted wherever the default is."""
    table = TierTable(
        Venue.BYBIT,
        "SOLUSDT",
        date(2026, 11, 1),
        "GET /v5/market/risk-limit",
        build_tiers([(0, 200_000, 0.01, 50), (200_000, 1_000_000, 0.015, 40)]),
    )
    assert (table.venue, table.symbol) == (Venue.BYBIT, "SOL")
    assert table.tiers[1].cum == pytest.approx(1_000)
    assert not table.is_continuous or table.tiers[1].cum == pytest.approx(200_000 * 0.005)


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        ((), "at least one tier"),
        ((Tier(1, 2, 0.01, 0, 10),), "start at size 0"),
        ((Tier(0, 2, 0.01, 0, 10), Tier(3, 4, 0.02, 0, 5)), "contiguous"),
        ((Tier(0, 2, 0.02, 0, 10), Tier(2, 4, 0.01, 0, 5)), "must not decrease"),
    ],
)
def test_malformed_tables_are_refused(tiers: tuple[Tier, ...], message: str) -> None:
    """Empty, gapped, non-zero-start or decreasing-rate tables raise InvalidInputError."""
    with pytest.raises(InvalidInputError, match=message):
        TierTable(Venue.BINANCE, "BTC", date(2024, 1, 1), "test", tiers)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((2, 1, 0.01, 0, 10), "floor < cap"),
        ((0, 1, 1.5, 0, 10), "between 0 and 1"),
        ((0, 1, 0.01, -1, 10), "cum must be finite"),
        ((0, 1, 0.01, 0, 0.5), "max leverage"),
    ],
)
def test_malformed_tiers_are_refused(args: tuple[float, ...], message: str) -> None:
    """A tier with bad bounds, rate, amount or leverage raises InvalidInputError."""
    with pytest.raises(InvalidInputError, match=message):
        Tier(*args)


def test_bad_contract_value_is_refused() -> None:
    """A table's contract value must be positive."""
    with pytest.raises(InvalidInputError, match="Contract value"):
        TierTable(
            Venue.OKX, "BTC", date(2024, 1, 1), "t", (Tier(0, 1, 0.01, 0, 10),), contract_value=0
        )


def test_unknown_venue_and_symbol_say_what_is_allowed() -> None:
    """Lookups name the allowed venues and symbols in their errors."""
    with pytest.raises(UnknownVenueError, match="binance, bybit, okx, hyperliquid"):
        default_tier_table("kraken", "BTC")
    with pytest.raises(UnknownSymbolError, match="BNB, BTC, DOGE, ETH, SOL, XRP") as caught:
        default_tier_table("binance", "PEPE")
    assert caught.value.symbol == "PEPE"
    assert len(DEFAULT_TIER_TABLES) == 24


@pytest.mark.parametrize(
    ("raw", "base"),
    [
        ("btc", "BTC"),
        ("BTCUSDT", "BTC"),
        ("BTC-USDT-SWAP", "BTC"),
        ("ETH/USDC:USDC", "ETH"),
        ("USDT", "USDT"),
    ],
)
def test_symbols_normalise_to_their_base(raw: str, base: str) -> None:
    """Exchange spellings of a symbol reduce to its base asset."""
    assert normalise_symbol(raw) == base
