"""Write streamed liquidations and tier updates to the store in batches, keeping them on failure."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque

from bot.store import Store
from bot.vocabulary.records import LiquidationEvent, StoredTierTable

__all__ = ["EventBatcher"]

logger = logging.getLogger(__name__)


class EventBatcher:
    """Buffers events; `run()` flushes every `interval_s` or as soon as `size` are waiting.

    A failed write keeps the events for the next flush; beyond `max_pending` the oldest are dropped
    (and logged) so an unreachable database cannot exhaust memory.
    """

    def __init__(
        self, store: Store, *, interval_s: float = 1.0, size: int = 500, max_pending: int = 200_000
    ) -> None:
        self._store = store
        self._interval_s = interval_s
        self._size = size
        self._pending: deque[LiquidationEvent] = deque(maxlen=max_pending)
        self._tiers: dict[tuple[str, str], StoredTierTable] = {}
        self._wake = asyncio.Event()
        self._stopping = False
        self.written = 0
        self.failures = 0

    def add(self, events: list[LiquidationEvent]) -> None:
        """Queue events for the next flush."""
        if len(self._pending) + len(events) > (self._pending.maxlen or 0):
            logger.error("store unreachable: dropping the oldest queued liquidations")
        self._pending.extend(events)
        if len(self._pending) >= self._size:
            self._wake.set()

    def add_tiers(self, tables: list[StoredTierTable]) -> None:
        """Queue tier tables (the newest per venue and symbol wins)."""
        for table in tables:
            self._tiers[table.venue, table.symbol] = table
        self._wake.set()

    @property
    def pending(self) -> int:
        """Events waiting to be written."""
        return len(self._pending)

    async def flush(self) -> int:
        """Write what is queued now; returns how many events were written."""
        batch = list(self._pending)
        tiers = list(self._tiers.values())
        try:
            for table in tiers:
                await self._store.tiers.save(table)
                self._tiers.pop((table.venue, table.symbol), None)
            if batch:
                await self._store.liquidations.add_many(batch)
        except Exception:  # the database is down or refused: keep the batch and try again later
            self.failures += 1
            logger.exception("writing %d liquidations failed; will retry", len(batch))
            return 0
        for _ in batch:
            self._pending.popleft()
        self.written += len(batch)
        return len(batch)

    async def run(self) -> None:
        """Flush every interval (or when the batch is full) until `stop`, then flush once more.

        It is stopped, not cancelled: a write cut off half way would leave a database connection
        neither used nor returned.
        """
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._interval_s):
                    await self._wake.wait()
            self._wake.clear()
            await self.flush()
        await self.flush()

    def stop(self) -> None:
        """Ask `run` to finish after its current write."""
        self._stopping = True
        self._wake.set()
