"""Hypothesis strategies and small builders shared by the risk tests."""

from __future__ import annotations

import math
from datetime import date

from hypothesis import strategies as st

from risk.liquidation import Position
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
