"""The simulated market's REST side: the ingest service's `VenueClient` protocol, answered in process.

Snapshots (mark, funding, open interest) and hourly candles come straight from the market as vocabulary
records; there is no HTTP here because nothing in a REST poll of this market needs a wire to test
(the streamed half goes over a real WebSocket, bot/simulation/wire.py). The market keeps no tier
table of its own: `fetch_tiers` returns none, so the bundled table of the venue it borrows stays in
force, and says so on every card.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.simulation.market import SimulatedMarket
from bot.vocabulary.records import Candle, StoredTierTable, VenueSnapshot

__all__ = ["SimulatedVenueClient"]


class SimulatedVenueClient:
    """`fetch_snapshots`, `fetch_candles` and `fetch_tiers` of a `SimulatedMarket`."""

    def __init__(self, market: SimulatedMarket) -> None:
        self.market = market
        self.venue = market.venue
        self.polls = 0

    async def fetch_snapshots(self, coins: Iterable[str]) -> list[VenueSnapshot]:
        """Mark, funding and open interest of each simulated coin asked for."""
        self.polls += 1
        return self.market.snapshots(tuple(coins))

    async def fetch_candles(self, coin: str, interval_s: int, limit: int) -> list[Candle]:
        """Hourly candles (the market keeps no other interval: none for those)."""
        if interval_s != 3600 or coin not in self.market.symbols:
            return []
        return self.market.candles(coin, limit)

    async def fetch_tiers(self, coins: Iterable[str], now: datetime) -> list[StoredTierTable]:
        """None: the bundled tiers of the borrowed venue apply."""
        del coins, now
        return []
