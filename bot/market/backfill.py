"""History at start: the venues' published open interest and candles, stored so the map starts warm.

On first start each venue and symbol gets ``days`` (30) of 5-minute history; after downtime only the
missing stretch, from its newest stored snapshot to now. The stretch is fetched in chunks of
``chunk_days``, newest first (a backfill cut short still leaves a recent, unbroken history), and
each chunk is logged as it lands: ``backfill binance BTC open interest 12/30 days``. Venues run side
by side; the symbols of one venue one after another (their rate limits are per venue).

What each venue publishes (see `bot.feeds`): Binance 30 days of 5-minute open interest and klines
with taker-buy volume; Bybit 5-minute open interest and klines (no taker-buy split); OKX the latest
1,440 five-minute points (5 days) and candles (no taker-buy split); Hyperliquid no open-interest
history at all, so its map starts from live data. No venue publishes everyone's liquidation history
without a key (Binance withdrew `allForceOrders`; OKX's REST `liquidation-orders` is undocumented),
so realized liquidations start with the streams.

A point the venue stamps ``t`` (the end of its 5-minute period) is stored as a snapshot at ``t − 1
ms`` with the close of the candle that ends at ``t`` as its mark, so it closes the model bucket it
measures (`bot.maps.service`). The 5-minute candles are stored beside it (interval 300).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from bot.feeds.errors import ExchangeError, RateLimited
from bot.store import Store
from bot.vocabulary.clock import Clock
from bot.vocabulary.records import Candle, OpenInterestPoint, VenueSnapshot

__all__ = [
    "NO_HISTORY",
    "Backfill",
    "BackfillReport",
    "HistoryClient",
    "snapshots_from_history",
]

logger = logging.getLogger(__name__)

STEP = timedelta(minutes=5)
NO_HISTORY = {
    "hyperliquid": "Hyperliquid publishes no open-interest history; its map starts from live data",
}
ATTEMPTS = 3
MAX_WAIT_S = 30.0


@runtime_checkable
class HistoryClient(Protocol):
    """The history side of a venue adapter (`bot.feeds.binance`, `bybit`, `okx`)."""

    venue: str

    async def fetch_open_interest_history(
        self, coin: str, start: datetime, end: datetime
    ) -> list[OpenInterestPoint]:
        """5-minute open interest in ``[start, end]``, oldest first."""
        ...

    async def fetch_candle_history(
        self, coin: str, interval_s: int, start: datetime, end: datetime
    ) -> list[Candle]:
        """Candles opened in ``[start, end]``, oldest first."""
        ...


@dataclass(frozen=True, slots=True)
class BackfillReport:
    """What one venue and symbol's backfill stored, over which stretch, and why it stopped early."""

    venue: str
    symbol: str
    start: datetime
    end: datetime
    snapshots: int = 0
    candles: int = 0
    stopped: str | None = None


def snapshots_from_history(
    points: Sequence[OpenInterestPoint], candles: Sequence[Candle]
) -> list[VenueSnapshot]:
    """Snapshots at ``t − 1 ms`` for each point stamped ``t``, marked at the close of the candle
    ending at ``t``; points without such a candle are left out (no price, no level)."""
    closes = {c.open_time + timedelta(seconds=c.interval_s): c.close for c in candles}
    snapshots = []
    for point in points:
        mark = closes.get(point.time)
        if mark is None or mark <= 0:
            continue
        usd = point.open_interest_usd
        snapshots.append(
            VenueSnapshot(
                point.venue, point.symbol, point.time - timedelta(milliseconds=1), mark,
                open_interest=point.open_interest,
                open_interest_usd=usd if usd is not None else point.open_interest * mark,
            )
        )  # fmt: skip
    return snapshots


class Backfill:
    """Fetches and stores the missing history of every venue and symbol (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        clients: Mapping[str, HistoryClient],
        symbols: Sequence[str],
        clock: Clock,
        *,
        days: float = 30.0,
        chunk_days: float = 3.0,
        venues_without_history: Sequence[str] = (),
    ) -> None:
        self._store, self._clients, self._symbols = store, dict(clients), tuple(symbols)
        self._clock, self.days, self.chunk_days = clock, days, chunk_days
        self._without = tuple(venues_without_history)
        self._oldest: dict[tuple[str, str], datetime] = {}

    async def run(self) -> list[BackfillReport]:
        """Backfill every venue (side by side) and symbol; returns one report per venue and symbol."""
        now = self._clock()
        newest = {(s.venue, s.symbol): s.time for s in await self._store.snapshots.latest()}
        for venue in self._without:
            logger.info("backfill %s: %s", venue, NO_HISTORY.get(venue, "no history published"))
        per_venue = await asyncio.gather(
            *(self._venue(client, newest, now) for client in self._clients.values())
        )
        reports = [report for reports in per_venue for report in reports]
        stored = sum(r.snapshots for r in reports)
        logger.info("backfill done: %d open-interest points for %d maps", stored, len(reports))
        return reports

    async def _venue(
        self, client: HistoryClient, newest: Mapping[tuple[str, str], datetime], now: datetime
    ) -> list[BackfillReport]:
        reports = []
        for symbol in self._symbols:
            start = max(newest.get((client.venue, symbol), now - timedelta(days=self.days)),
                        now - timedelta(days=self.days))  # fmt: skip
            if now - start < 2 * STEP:
                continue  # nothing missing
            reports.append(await self._symbol(client, symbol, start, now))
        return reports

    async def _symbol(
        self, client: HistoryClient, symbol: str, start: datetime, end: datetime
    ) -> BackfillReport:
        total_days = (end - start).total_seconds() / 86_400
        report = BackfillReport(client.venue, symbol, start, end)
        chunk_end = end
        while chunk_end > start:
            chunk_start = max(start, chunk_end - timedelta(days=self.chunk_days))
            try:
                stored = await self._chunk(client, symbol, chunk_start, chunk_end)
            except ExchangeError as exc:
                logger.warning("backfill %s %s stopped: %s", client.venue, symbol, exc)
                return _stopped(report, str(exc))
            report = BackfillReport(
                client.venue, symbol, chunk_start, end,
                report.snapshots + stored[0], report.candles + stored[1],
            )  # fmt: skip
            done_days = (end - chunk_start).total_seconds() / 86_400
            logger.info("backfill %s %s open interest %.0f/%.0f days", client.venue, symbol,
                        done_days, total_days)  # fmt: skip
            if stored[0] == 0:
                kept_days = (end - self._oldest.get((client.venue, symbol), end)).total_seconds()
                reason = f"the venue keeps {kept_days / 86_400:.1f} days of open interest"
                logger.info("backfill %s %s: %s", client.venue, symbol, reason)
                return _stopped(report, reason)
            chunk_end = chunk_start - timedelta(milliseconds=1)
        return report

    async def _chunk(
        self, client: HistoryClient, symbol: str, start: datetime, end: datetime
    ) -> tuple[int, int]:
        """Fetch and store one chunk; (snapshots, candles) stored. Rate limits are waited out."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                points = await client.fetch_open_interest_history(symbol, start, end)
                if not points:
                    return 0, 0
                candles = await client.fetch_candle_history(symbol, 300, start - STEP, end)
                break
            except ExchangeError as exc:
                if attempt == ATTEMPTS:
                    raise
                wait_s = exc.retry_after_s if isinstance(exc, RateLimited) else float(attempt)
                await asyncio.sleep(min(wait_s, MAX_WAIT_S))
        snapshots = snapshots_from_history(points, candles)
        if snapshots:
            self._oldest[(client.venue, symbol)] = snapshots[0].time
        await self._store.candles.upsert_many(candles)
        await self._store.snapshots.add_many(snapshots)
        return len(snapshots), len(candles)


def _stopped(report: BackfillReport, reason: str) -> BackfillReport:
    return BackfillReport(
        report.venue, report.symbol, report.start, report.end, report.snapshots, report.candles,
        reason,
    )  # fmt: skip
