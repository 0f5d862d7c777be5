"""The ingest service: venue clients and streams in, the store and `MarketState` out.

`Ingestor.restore()` rebuilds the live state from the database; `start()`/`stop()` run the WebSocket
streams and the batch writer; `ingest_once(kind)` is one REST poll of every venue (called by the
JobQueue through `register_jobs`). A venue that fails is backed off on its own (its `Retry-After` on a
rate limit, jittered exponential backoff otherwise); the others carry on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol, TypeVar

import httpx

from bot.feeds import binance, bybit, hyperliquid, okx
from bot.feeds.errors import ExchangeError, RateLimited
from bot.feeds.protocol import Decoded, StreamSpec
from bot.feeds.stream import StreamRunner, StreamTimeouts
from bot.market.batch import EventBatcher
from bot.market.state import MarketState
from bot.store import Store
from bot.vocabulary.backoff import Backoff
from bot.vocabulary.clock import Clock
from bot.vocabulary.records import Candle, StoredTierTable, VenueSnapshot

__all__ = [
    "IngestConfig",
    "IngestReport",
    "Ingestor",
    "PollKind",
    "TierListener",
    "VenueClient",
    "venue_client",
]

logger = logging.getLogger(__name__)
PollKind = Literal["snapshots", "candles", "tiers"]
T = TypeVar("T")
TierListener = Callable[[list[StoredTierTable]], None]
"""Told of tier tables as they arrive (fetched or pushed), to put them in force at once."""


class VenueClient(Protocol):
    """The REST side of a venue adapter."""

    venue: str

    async def fetch_snapshots(self, coins: Iterable[str]) -> list[VenueSnapshot]:
        """Mark, funding and open interest per coin."""
        ...

    async def fetch_candles(self, coin: str, interval_s: int, limit: int) -> list[Candle]:
        """Recent candles, oldest first."""
        ...

    async def fetch_tiers(self, coins: Iterable[str], now: datetime) -> list[StoredTierTable]:
        """Maintenance-margin tiers per coin."""
        ...


@dataclass(frozen=True, slots=True)
class IngestConfig:
    """Poll periods, candle shape, batching and resilience settings (defaults are production's)."""

    snapshot_every_s: float = 30.0
    candles_every_s: float = 300.0
    tiers_every_s: float = 3600.0
    prune_every_s: float = 86_400.0
    candle_interval_s: int = 3600
    candle_limit: int = 200
    flush_every_s: float = 1.0
    flush_size: int = 500
    retention: timedelta = timedelta(days=30)
    backoff: Backoff = field(default_factory=Backoff)
    timeouts: StreamTimeouts = field(default_factory=StreamTimeouts)


@dataclass(slots=True)
class IngestReport:
    """What one poll did: rows written, and per venue the error or the wait it is backing off."""

    kind: PollKind
    written: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, datetime] = field(default_factory=dict)


AnyVenueClient = (
    binance.BinanceClient | bybit.BybitClient | okx.OkxClient | hyperliquid.HyperliquidClient
)


def venue_client(
    venue: str, rest_url: str, http: httpx.AsyncClient, clock: Clock
) -> AnyVenueClient:
    """The REST client of one venue (binance, bybit, okx, hyperliquid) on `rest_url`."""
    if venue == "binance":
        return binance.BinanceClient(http, rest_url)
    if venue == "bybit":
        return bybit.BybitClient(http, rest_url)
    if venue == "okx":
        return okx.OkxClient(http, rest_url)
    return hyperliquid.HyperliquidClient(http, rest_url, clock)


class Ingestor:
    """Owns the venue clients and streams; writes to the store and the market state."""

    def __init__(
        self,
        store: Store,
        market: MarketState,
        *,
        clients: Mapping[str, VenueClient],
        streams: Sequence[StreamSpec],
        symbols: Sequence[str],
        clock: Clock,
        config: IngestConfig | None = None,
        on_tiers: TierListener | None = None,
        venue_symbols: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.config = config or IngestConfig()
        self._on_tiers = on_tiers
        self._venue_symbols = dict(venue_symbols or {})
        self.store, self.market, self.clients = store, market, dict(clients)
        self.symbols = tuple(symbols)
        self._clock = clock
        self.batcher = EventBatcher(
            store, interval_s=self.config.flush_every_s, size=self.config.flush_size
        )
        self.runners = [
            StreamRunner(
                spec,
                self.on_items,
                self,
                clock,
                backoff=self.config.backoff,
                timeouts=self.config.timeouts,
            )
            for spec in streams
        ]
        self._tasks: list[asyncio.Task[None]] = []
        self._writer: asyncio.Task[None] | None = None
        self._writes: set[asyncio.Future[Any]] = set()
        self._gap_ids: dict[tuple[str, str], int] = {}
        self._not_before: dict[tuple[str, PollKind], datetime] = {}
        self._failures: dict[tuple[str, PollKind], int] = {}

    @classmethod
    def for_venues(
        cls,
        urls: Mapping[str, tuple[str, str]],
        symbols: Sequence[str],
        http: httpx.AsyncClient,
        store: Store,
        market: MarketState,
        *,
        clock: Clock,
        config: IngestConfig | None = None,
        on_tiers: TierListener | None = None,
        listed: Mapping[str, set[str]] | None = None,
    ) -> Ingestor:
        """Clients and streams of every venue in `urls` (venue -> (REST URL, WebSocket URL)).

        `listed` is each venue's coins (`bot.market.listings`): a venue polls and streams only the
        tracked coins it lists, so a coin one venue lacks cannot fail that venue's polls of every coin.
        """
        clients = {
            venue: venue_client(venue, rest, http, clock) for venue, (rest, _) in urls.items()
        }
        per_venue = {
            venue: tuple(s for s in symbols if listed is None or s in listed.get(venue, {s}))
            for venue in urls
        }
        streams: list[StreamSpec] = []
        for venue, client in clients.items():
            ws, coins = urls[venue][1], per_venue[venue]
            if isinstance(client, binance.BinanceClient):
                streams.append(binance.stream_spec(ws, coins))
            elif isinstance(client, bybit.BybitClient):
                streams.append(bybit.stream_spec(ws, coins))
            elif isinstance(client, okx.OkxClient):
                streams.append(okx.stream_spec(ws, coins, client.contract_values))
            else:
                streams.append(hyperliquid.stream_spec(ws, coins, clock))
        return cls(
            store, market, clients=clients, streams=streams, symbols=symbols, clock=clock,
            config=config, on_tiers=on_tiers, venue_symbols=per_venue,
        )  # fmt: skip

    # start-up and shut-down

    async def restore(self, page_days: int = 1) -> None:
        """Rebuild the market state from the store, closing gaps the last run left open."""
        now = self._clock()
        start = now - timedelta(days=7)
        stale_gaps = [
            g for g in await self.store.gaps.overlapping(start, now) if g.ended_at is None
        ]
        for gap in stale_gaps:
            assert gap.id is not None
            await self.store.gaps.close(gap.id, now)
        await self._record_downtime(now)
        snapshots = await self.store.snapshots.latest()
        self.market.rebuild([], snapshots, await self.store.gaps.overlapping(start, now))
        page = start
        while page < now:
            end = min(page + timedelta(days=page_days), now)
            self.market.load_liquidations(await self.store.liquidations.since(page, until=end))
            page = end
        logger.info("restored %d liquidations and %d snapshots", len(self.market), len(snapshots))

    async def _record_downtime(self, now: datetime) -> None:
        latest: dict[str, datetime] = {}
        for snapshot in await self.store.snapshots.latest():
            latest[snapshot.venue] = max(snapshot.time, latest.get(snapshot.venue, snapshot.time))
        for runner in self.runners:
            venue, since = runner.spec.venue, latest.get(runner.spec.venue)
            if (
                since is not None
                and (now - since).total_seconds() > 3 * self.config.snapshot_every_s
            ):
                gap_id = await self.store.gaps.open(
                    venue, runner.spec.name, since, "bot not running"
                )
                await self.store.gaps.close(gap_id, now)

    async def start(self) -> None:
        """Start the streams and the batch writer."""
        self._tasks = [
            asyncio.create_task(r.run(), name=f"{r.spec.venue} stream") for r in self.runners
        ]
        self._writer = asyncio.create_task(self.batcher.run(), name="liquidation writer")

    async def stop(self) -> None:
        """Stop the streams, let the store writes under way finish, and write what is queued.

        Only the streams are cancelled; a write (a gap, a batch) runs to its end, so no database
        connection is left checked out when the store closes.
        """
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        await asyncio.gather(*self._writes, return_exceptions=True)
        self.batcher.stop()
        if self._writer is not None:
            await self._writer
            self._writer = None
        await self.batcher.flush()

    async def _write(self, write: Coroutine[Any, Any, T]) -> T:
        """Run a store write to its end even when the stream awaiting it is cancelled."""
        task = asyncio.ensure_future(write)
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)
        return await asyncio.shield(task)

    # streams

    def on_items(self, decoded: Decoded) -> None:
        """Take one decoded frame: windows and marks now, the store in the next batch."""
        if decoded.liquidations:
            self.market.add_liquidations(decoded.liquidations)
            self.batcher.add(decoded.liquidations)
        if decoded.marks:
            self.market.update_marks(decoded.marks)
        if decoded.tiers:
            self.batcher.add_tiers(decoded.tiers)
            if self._on_tiers is not None:
                self._on_tiers(decoded.tiers)

    async def gap_opened(self, venue: str, stream: str, started_at: datetime, reason: str) -> None:
        """Record a gap in the market state and the store."""
        self.market.gap_opened(venue, stream, started_at, reason)
        try:
            self._gap_ids[venue, stream] = await self._write(
                self.store.gaps.open(venue, stream, started_at, reason)
            )
        except Exception:  # the gap stays in memory; the stream must go on
            logger.exception("could not store the %s %s gap", venue, stream)

    async def gap_closed(self, venue: str, stream: str, ended_at: datetime) -> None:
        """Close the gap in the market state and the store."""
        self.market.gap_closed(venue, stream, ended_at)
        gap_id = self._gap_ids.pop((venue, stream), None)
        if gap_id is not None:
            try:
                await self._write(self.store.gaps.close(gap_id, ended_at))
            except Exception:  # the gap stays open in the store; coverage errs on the safe side
                logger.exception("could not close the %s %s gap", venue, stream)

    # polling

    async def ingest_once(self, kind: PollKind) -> IngestReport:
        """Poll every venue for `kind` concurrently and persist the results."""
        report = IngestReport(kind)
        now = self._clock()
        due = []
        for venue in self.clients:
            not_before = self._not_before.get((venue, kind))
            if not_before is not None and now < not_before:
                report.skipped[venue] = not_before
            else:
                due.append(venue)
        results = await asyncio.gather(*(self._poll(venue, kind, now, report) for venue in due))
        rows = [row for result in results for row in result]
        report.written = await self._persist(kind, rows)
        return report

    async def _poll(
        self, venue: str, kind: PollKind, now: datetime, report: IngestReport
    ) -> list[Any]:
        client = self.clients[venue]
        symbols = self._venue_symbols.get(venue, self.symbols)
        try:
            if kind == "snapshots":
                result: list[Any] = await client.fetch_snapshots(symbols)
            elif kind == "tiers":
                result = await client.fetch_tiers(symbols, now)
            else:
                result = []
                for coin in symbols:
                    result += await client.fetch_candles(
                        coin, self.config.candle_interval_s, self.config.candle_limit
                    )
        except ExchangeError as exc:
            report.errors[venue] = str(exc)
            self._back_off(venue, kind, now, exc)
            return []
        self._failures.pop((venue, kind), None)
        self._not_before.pop((venue, kind), None)
        return result

    def _back_off(self, venue: str, kind: PollKind, now: datetime, exc: ExchangeError) -> None:
        failures = self._failures.get((venue, kind), 0)
        self._failures[venue, kind] = failures + 1
        if isinstance(exc, RateLimited):
            wait_s = exc.retry_after_s
        else:
            wait_s = self.config.backoff.delay_s(failures)
        self._not_before[venue, kind] = now + timedelta(seconds=wait_s)
        log = logger.warning if failures == 0 else logger.debug
        log("%s %s poll failed (%s); next try in %.1f s", venue, kind, exc, wait_s)

    async def _persist(self, kind: PollKind, rows: list[Any]) -> int:
        try:
            if kind == "snapshots":
                self.market.update_snapshots(rows)
                return await self.store.snapshots.add_many(rows)
            if kind == "candles":
                return await self.store.candles.upsert_many(rows)
            for table in rows:
                await self.store.tiers.save(table)
            if self._on_tiers is not None:
                self._on_tiers(rows)
        except Exception:  # the poll's data is in memory; the next poll writes again
            logger.exception("storing %d %s rows failed", len(rows), kind)
            return 0
        return len(rows)

    async def prune(self) -> int:
        """Delete stored liquidations, snapshots, candles and ended feed gaps older than the
        retention; returns how many rows went."""
        cutoff = self._clock() - self.config.retention
        repos = (self.store.liquidations, self.store.snapshots, self.store.candles, self.store.gaps)
        return sum([await repo.prune(cutoff) for repo in repos])
