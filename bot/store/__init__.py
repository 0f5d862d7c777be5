"""The database layer: tables, migrations and small repositories. No SQL lives outside this package.

`Store.open(url)` creates the engine, runs the migrations (creating a SQLite file on first run) and
hands out one repository per table family.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.alert_states import AlertStateRepo
from bot.store.chats import ChatRepo
from bot.store.database import create_engine, migrate
from bot.store.map_fits import MapFitRepo, MapScoreRepo
from bot.store.market_data import CandleRepo, GapRepo, LiquidationRepo, SnapshotRepo, TierRepo
from bot.store.outbox import OutboxRepo
from bot.store.schedules import ScheduleRepo
from bot.store.wallets import WalletRepo
from bot.store.watches import WatchRepo
from bot.vocabulary.records import StoredTierTable

__all__ = ["Store", "StoredTierTable"]


class Store:
    """All repositories over one engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.chats = ChatRepo(engine)
        self.watches = WatchRepo(engine)
        self.schedules = ScheduleRepo(engine)
        self.liquidations = LiquidationRepo(engine)
        self.snapshots = SnapshotRepo(engine)
        self.candles = CandleRepo(engine)
        self.gaps = GapRepo(engine)
        self.tiers = TierRepo(engine)
        self.outbox = OutboxRepo(engine)
        self.alert_states = AlertStateRepo(engine)
        self.wallets = WalletRepo(engine)
        self.map_fits = MapFitRepo(engine)
        self.map_scores = MapScoreRepo(engine)

    @classmethod
    async def open(cls, url: str) -> Store:
        """Connect to `url` and bring the schema up to date."""
        engine = create_engine(url)
        try:
            await migrate(engine)
        except BaseException:
            await engine.dispose()
            raise
        return cls(engine)

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    async def close(self) -> None:
        """Release every connection."""
        await self.engine.dispose()
