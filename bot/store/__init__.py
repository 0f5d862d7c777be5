"""The database layer: tables, migrations and small repositories. No SQL lives outside this package.

`Store.open(url)` creates the engine, runs the migrations (creating a SQLite file on first run) and
hands out one repository per table family.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.alert_states import AlertStateRepo
from bot.store.chats import ChatRepo
from bot.store.database import create_engine, migrate
from bot.store.map_fits import MapFitRepo, MapHoldRepo, MapScoreRepo
from bot.store.market_data import CandleRepo, GapRepo, LiquidationRepo, SnapshotRepo, TierRepo
from bot.store.outbox import OutboxRepo
from bot.store.schedules import ScheduleRepo
from bot.store.wallets import WalletRepo
from bot.store.watches import WatchRepo
from bot.vocabulary.records import StoredTierTable

__all__ = ["Store", "StoredTierTable"]

log = logging.getLogger(__name__)

CLOSE_WAIT_S = 10.0
"""How long `Store.close` waits for connections still in use to be given back."""


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
        self.map_holds = MapHoldRepo(engine)

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

    def connections_in_use(self) -> int:
        """Connections checked out of the pool now (0 for a pool that does not count them)."""
        counted = getattr(self.engine.sync_engine.pool, "checkedout", None)
        return int(counted()) if counted is not None else 0

    async def close(self, wait_s: float = CLOSE_WAIT_S) -> None:
        """Release every connection, once the ones in use are given back (up to `wait_s`).

        Disposing closes only idle connections: one still in use (a job or handler finishing its
        write as the process stops) would go back to the discarded pool and never be closed.
        """
        pool = self.engine.sync_engine.pool
        given_back = asyncio.Event()

        def checked_in(*_: object) -> None:
            given_back.set()

        event.listen(pool, "checkin", checked_in)
        try:
            async with asyncio.timeout(wait_s):
                while True:
                    given_back.clear()
                    if self.connections_in_use() == 0:
                        break
                    await given_back.wait()
        except TimeoutError:
            log.warning(
                "closing the database with %d connection(s) still in use",
                self.connections_in_use(),
            )
        finally:
            event.remove(pool, "checkin", checked_in)
        await self.engine.dispose()
