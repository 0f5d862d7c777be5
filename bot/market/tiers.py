"""The maintenance-margin tier tables in force: the newest fetched from the venue, else the bundled one.

The feeds store what they fetch (`store.tiers`); `TierBook.reload` turns those rows into `risk.tiers`
tables. A stored table that does not make a valid table (tiers not contiguous, rates out of range) is
logged and skipped, and the bundled, dated default stays in force.
"""

from __future__ import annotations

import logging
import math

from bot.store import Store
from bot.vocabulary.records import StoredTierTable
from risk.errors import RiskError
from risk.tiers import SizeBasis, Tier, TierTable, default_tier_table
from risk.venues import parse_venue

__all__ = ["TierBook", "tier_table_from_stored"]

log = logging.getLogger(__name__)


def tier_table_from_stored(stored: StoredTierTable) -> TierTable:
    """A risk-engine table from stored rows `[floor, cap, mmr, cum, max_leverage]` (cap None: open)."""
    tiers = tuple(
        Tier(
            floor=float(floor or 0.0),
            cap=math.inf if cap is None else float(cap),
            mmr=float(mmr or 0.0),
            cum=float(cum or 0.0),
            max_leverage=float(lev or 1.0),
        )
        for floor, cap, mmr, cum, lev in stored.tiers
    )
    basis = SizeBasis.CONTRACTS if stored.venue == "okx" else SizeBasis.NOTIONAL_USD
    return TierTable(
        venue=parse_venue(stored.venue),
        symbol=stored.symbol,
        as_of=stored.fetched_at.date(),
        source=stored.source,
        tiers=tiers,
        contract_value=stored.contract_value,
        size_basis=basis,
    )


class TierBook:
    """`(venue, symbol) -> TierTable`: live where fetched, bundled otherwise."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._live: dict[tuple[str, str], TierTable] = {}

    async def reload(self) -> int:
        """Read the stored tables again; returns how many live tables are in force."""
        live: dict[tuple[str, str], TierTable] = {}
        for stored in await self._store.tiers.load_all():
            try:
                live[(stored.venue, stored.symbol)] = tier_table_from_stored(stored)
            except (RiskError, TypeError, ValueError) as exc:
                log.warning("stored tiers of %s %s skipped: %s", stored.venue, stored.symbol, exc)
        self._live = live
        return len(live)

    def __call__(self, venue: str, symbol: str) -> TierTable:
        """The table in force; raises `risk.errors.RiskError` for a venue or coin with none."""
        return self._live.get((venue, symbol)) or default_tier_table(venue, symbol)
