"""Hypothesis strategies and small builders shared by the risk tests."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
from hypothesis import strategies as st

from risk.liquidation import Position
from risk.map_fit import MapFit
from risk.market_history import MarketHistory
from risk.tiers import DEFAULT_TIER_TABLES, Tier, TierTable
from risk.venues import Side, Venue

TABLE_KEYS = sorted(DEFAULT_TIER_TABLES, key=lambda k: (k[0].value, k[1]))


def one_tier_table(
    venue: Venue, symbol: str, mmr: float, cum: float = 0.0, max_leverage: float = 125.0
) -> TierTable:
    """A table of one unbounded tier, as reference cases that state their tier use."""
    tier = Tier(0.0, math.inf, mmr, cum, max_leverage)
    return TierTable(venue, symbol, date(2024, 10, 24), "test", (tier,))


sides = st.sampled_from([Side.LONG, Side.SHORT])
tables = st.sampled_from(TABLE_KEYS).map(lambda key: DEFAULT_TIER_TABLES[key])
entry_prices = st.floats(min_value=0.01, max_value=500_000, allow_nan=False)
notionals = st.floats(min_value=10, max_value=20_000_000, allow_nan=False)


@st.composite
def positions(draw: st.DrawFn, side: Side | None = None) -> tuple[Position, TierTable]:
    """A valid isolated position on one of the bundled tables (leverage within the venue's limit)."""
    table = draw(tables)
    entry = draw(entry_prices)
    quantity = draw(notionals) / entry
    size = table.size_of(quantity, entry)
    if size >= table.max_size:
        quantity = quantity * 0.5 * table.max_size / size
    max_leverage = table.max_leverage_for(quantity, entry)
    leverage = draw(st.floats(min_value=1, max_value=max_leverage))
    chosen = side if side is not None else draw(sides)
    return Position(table.venue, table.symbol, chosen, leverage, entry, quantity), table


@st.composite
def market_histories(draw: st.DrawFn, max_intervals: int = 40) -> MarketHistory:
    """A small consistent history: 5-minute intervals, a random walk of price, open interest > 0."""
    n = draw(st.integers(min_value=1, max_value=max_intervals))
    steps = draw(st.lists(st.floats(-0.03, 0.03), min_size=n, max_size=n))
    spreads = draw(st.lists(st.floats(0.0, 0.02), min_size=n, max_size=n))
    ois = draw(st.lists(st.floats(50.0, 150.0), min_size=n + 1, max_size=n + 1))
    typical = 60_000.0 * np.exp(np.cumsum(steps))
    spread = np.asarray(spreads)
    end = 1.7e9 + 300.0 * np.arange(1, n + 1, dtype=np.float64)
    return MarketHistory(
        end, np.full(n, 300.0), typical * (1 - spread), typical * (1 + spread), typical,
        np.asarray(ois[1:]), float(ois[0]),
    )  # fmt: skip


fit_weights_strategy = st.lists(st.floats(0.01, 1.0), min_size=1, max_size=5)


@st.composite
def map_fits(draw: st.DrawFn) -> MapFit:
    """A valid fit: a few leverage buckets, a half-life, a long share, stop and target shares, and
    an exit rate that may depend on leverage."""
    raw = draw(fit_weights_strategy)
    leverages = draw(st.lists(st.sampled_from([2.0, 5.0, 10.0, 20.0, 50.0, 100.0]),
                              min_size=len(raw), max_size=len(raw), unique=True))  # fmt: skip
    total = sum(raw)
    weights = tuple((lev, w / total) for lev, w in zip(leverages, raw, strict=True))
    return MapFit(
        weights,
        draw(st.floats(3_600.0, 30 * 86_400.0)),
        draw(st.floats(0.05, 0.95)),
        stop_share=draw(st.sampled_from([0.0, 0.3, 0.9])),
        target_share=draw(st.sampled_from([0.0, 0.5])),
        hazard_exponent=draw(st.sampled_from([0.0, 0.5, 1.0])),
    )
