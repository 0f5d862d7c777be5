"""The maintenance-margin tier tables in force: the newest fetched from the venue, else the bundled one.

The feeds store what they fetch (`store.tiers`); `TierBook.reload` turns those rows into `risk.tiers`
tables. A stored table that does not make a valid table (tiers not contiguous, rates out of range) is
logged and skipped, and the bundled, dated default stays in force.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from datetime import datetime

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
        self._fetched_at: dict[tuple[str, str], datetime] = {}

    async def reload(self) -> int:
        """Read the stored tables again; returns how many live tables are in force."""
        self._live, self._fetched_at = {}, {}
        self.put(await self._store.tiers.load_all())
        return len(self._live)

    def put(self, tables: Iterable[StoredTierTable]) -> None:
        """Put fetched or pushed tables in force now (Binance's `!contractInfo` pushes one)."""
        for stored in tables:
            key = (stored.venue, stored.symbol)
            known = self._fetched_at.get(key)
            if known is not None and known > stored.fetched_at:
                continue
            try:
                self._live[key] = tier_table_from_stored(stored)
            except (RiskError, TypeError, ValueError) as exc:
                log.warning("stored tiers of %s %s skipped: %s", stored.venue, stored.symbol, exc)
                continue
            self._fetched_at[key] = stored.fetched_at

    def fetched_at(self, venue: str, symbol: str) -> datetime | None:
        """When the table in force was fetched from the venue; None while the bundled one is."""
        return self._fetched_at.get((venue, symbol))

    def __call__(self, venue: str, symbol: str) -> TierTable:
        """The table in force; raises `risk.errors.RiskError` for a venue or coin with none."""
        return self._live.get((venue, symbol)) or default_tier_table(venue, symbol)
