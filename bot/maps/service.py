"""The liquidation-map service: feeds the model of `risk.clusters` from the store and keeps the maps.

Each venue and symbol that has snapshots gets a map. Time is cut into buckets of ``interval_s``
(default 5 minutes, aligned to the epoch); a bucket is applied once it has ended. For each bucket:

- open interest at its end is the last snapshot's (coins; ``open_interest_usd / mark`` where only
  the USD value is known; unchanged where neither is);
- its low, high and close are the snapshots' mark prices (the trigger price of liquidations), widened
  by candles no longer than the bucket; the typical price is ``(high + low + close)/3``;
- the taker buy share is ``Σ taker_buy_volume / Σ volume`` of the candles overlapping the bucket
  (the ingestor keeps hourly candles, so this is the hour's balance), ``None`` when unknown.

The first bucket of a venue and symbol only sets the baseline open interest. Maps live in memory;
`rebuild` replays ``config.rebuild_lookback_s`` of stored data at start-up, so a restart keeps them
(up to the store's retention). Data written late, for a bucket already applied, is not replayed.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.store import Store
from bot.vocabulary.clock import Clock
from bot.vocabulary.records import Candle, VenueSnapshot, from_ms, to_ms
from risk.clusters import ClusterModelConfig, Interval, apply_intervals
from risk.errors import RiskError
from risk.liquidation_map import LiquidationMap, combine_maps, realized_map
from risk.tiers import TierTable

__all__ = [
    "DEFAULT_INTERVAL_S",
    "MAX_LOOKBACK",
    "BucketState",
    "LiquidationMapService",
    "TierTableProvider",
    "intervals_from_market_data",
]

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 300
"""Model step: 5 minutes."""

MAX_LOOKBACK = timedelta(days=90)
"""The longest history a rebuild replays, whatever the half-life (the store keeps 30 days)."""

TierTableProvider = Callable[[str, str], TierTable]
"""``(venue, symbol) -> TierTable``; e.g. `risk.tiers.default_tier_table` or the live refresh."""


@dataclass(frozen=True, slots=True)
class BucketState:
    """Where a venue and symbol's model stands: the end of the last bucket applied and its OI (coins)."""

    ended_at: datetime | None = None
    open_interest: float | None = None


@dataclass(slots=True)
class _Bucket:
    """The snapshots and fine candles of one bucket, reduced as they arrive."""

    low: float = math.inf
    high: float = -math.inf
    close: float = math.nan
    open_interest: float | None = None

    def add_snapshot(self, snapshot: VenueSnapshot) -> None:
        mark = snapshot.mark_price
        self.low, self.high, self.close = min(self.low, mark), max(self.high, mark), mark
        oi = snapshot.open_interest
        if oi is None and snapshot.open_interest_usd is not None and mark > 0:
            oi = snapshot.open_interest_usd / mark
        if oi is not None:
            self.open_interest = oi

    def widen(self, candle: Candle) -> None:
        self.low, self.high = min(self.low, candle.low), max(self.high, candle.high)


def _taker_buy_share(candles: Iterable[Candle]) -> float | None:
    known = [c for c in candles if c.taker_buy_volume is not None]
    volume = sum(c.volume for c in known)
    if volume <= 0:
        return None
    return min(1.0, max(0.0, sum(c.taker_buy_volume or 0.0 for c in known) / volume))


def _overlapping(candles: Sequence[Candle], start_ms: int, end_ms: int) -> list[Candle]:
    return [
        c
        for c in candles
        if to_ms(c.open_time) < end_ms and to_ms(c.open_time) + c.interval_s * 1000 > start_ms
    ]


def intervals_from_market_data(
    snapshots: Sequence[VenueSnapshot],
    candles: Sequence[Candle],
    state: BucketState,
    *,
    interval_s: int = DEFAULT_INTERVAL_S,
    until: datetime,
) -> tuple[list[Interval], BucketState]:
    """The model's intervals for the buckets that ended by ``until``, and the state after them.

    Buckets at or before ``state.ended_at`` and buckets without snapshots are skipped (the next
    interval's duration covers the gap, so fading is not lost). See the module docstring.
    """
    step_ms = interval_s * 1000
    last_ms = to_ms(until) // step_ms * step_ms
    first_ms = to_ms(state.ended_at) if state.ended_at is not None else -math.inf
    buckets: dict[int, _Bucket] = {}
    for snapshot in snapshots:
        t = to_ms(snapshot.time)
        if first_ms <= t < last_ms and snapshot.mark_price > 0:
            buckets.setdefault(t // step_ms * step_ms, _Bucket()).add_snapshot(snapshot)
    intervals: list[Interval] = []
    ended_at, oi = state.ended_at, state.open_interest
    for start_ms in sorted(buckets):
        bucket, end_ms = buckets[start_ms], start_ms + step_ms
        covering = _overlapping(candles, start_ms, end_ms)
        for candle in covering:
            if candle.interval_s <= interval_s and candle.low > 0:
                bucket.widen(candle)
        after = bucket.open_interest if bucket.open_interest is not None else oi
        if oi is not None and after is not None and ended_at is not None:
            typical = (bucket.high + bucket.low + bucket.close) / 3
            intervals.append(
                Interval(
                    end=from_ms(end_ms),
                    duration_s=(end_ms - to_ms(ended_at)) / 1000,
                    open_interest_before=oi,
                    open_interest_after=after,
                    typical_price=min(max(typical, bucket.low), bucket.high),
                    low=bucket.low,
                    high=bucket.high,
                    taker_buy_share=_taker_buy_share(covering),
                )
            )
        ended_at, oi = from_ms(end_ms), after
    return intervals, BucketState(ended_at, oi)


@dataclass(slots=True)
class _Track:
    liq_map: LiquidationMap
    state: BucketState = field(default_factory=BucketState)


class LiquidationMapService:
    """Keeps one modeled liquidation map per venue and symbol, up to date with the stored market data.

    ``update(now)`` is the job to run after each market-data poll; ``rebuild(now)`` runs once at
    start-up. Maps are immutable values: readers get a consistent map while an update runs.
    """

    def __init__(
        self,
        store: Store,
        tier_tables: TierTableProvider,
        config: ClusterModelConfig,
        clock: Clock,
        *,
        interval_s: int = DEFAULT_INTERVAL_S,
        candle_interval_s: int = 3600,
    ) -> None:
        self._store, self._tier_tables, self.config, self._clock = store, tier_tables, config, clock
        self.interval_s, self.candle_interval_s = interval_s, candle_interval_s
        self._tracks: dict[tuple[str, str], _Track] = {}
        self._lock = asyncio.Lock()
        self._refused: set[tuple[str, str]] = set()

    async def update(self, now: datetime | None = None) -> int:
        """Apply every bucket that ended since the last update; returns how many intervals."""
        async with self._lock:
            return await self._advance_all(now or self._clock())

    async def rebuild(self, now: datetime | None = None) -> int:
        """Forget the maps and replay the stored history of the lookback; returns the intervals."""
        async with self._lock:
            self._tracks.clear()
            applied = await self._advance_all(now or self._clock(), report_progress=True)
        logger.info("liquidation maps rebuilt: %d maps, %d intervals", len(self._tracks), applied)
        return applied

    async def _advance_all(self, now: datetime, *, report_progress: bool = False) -> int:
        pairs = sorted({(s.venue, s.symbol) for s in await self._store.snapshots.latest()})
        applied = 0
        for number, (venue, symbol) in enumerate(pairs, 1):
            applied += await self._advance(venue, symbol, now)
            if report_progress:
                logger.info("liquidation map %d/%d: %s %s", number, len(pairs), venue, symbol)
        return applied

    async def _advance(self, venue: str, symbol: str, now: datetime) -> int:
        table = self._table(venue, symbol)
        if table is None:
            return 0
        track = self._tracks.setdefault(
            (venue, symbol), _Track(LiquidationMap(self.config.bin_width_pct))
        )
        step_ms = self.interval_s * 1000
        ended = track.state.ended_at
        if ended is not None and to_ms(ended) >= to_ms(now) // step_ms * step_ms:
            return 0  # no bucket has ended since the last update
        lookback = min(timedelta(seconds=self.config.rebuild_lookback_s), MAX_LOOKBACK)
        start = track.state.ended_at or now - lookback
        snapshots = await self._store.snapshots.history(venue, symbol, start)
        span_s = (now - start).total_seconds() + self.candle_interval_s
        limit = math.ceil(span_s / self.candle_interval_s) + 1
        candles = await self._store.candles.recent(venue, symbol, self.candle_interval_s, limit)
        intervals, state = intervals_from_market_data(
            snapshots, candles, track.state, interval_s=self.interval_s, until=now
        )
        track.liq_map = apply_intervals(track.liq_map, intervals, table, self.config)
        track.state = state
        return len(intervals)

    def _table(self, venue: str, symbol: str) -> TierTable | None:
        try:
            return self._tier_tables(venue, symbol)
        except RiskError as exc:
            if (venue, symbol) not in self._refused:
                self._refused.add((venue, symbol))
                logger.warning("no liquidation map for %s %s: %s", venue, symbol, exc)
            return None

    def map_for(self, venue: str, symbol: str) -> LiquidationMap:
        """The modeled map of one venue and symbol (empty when there is none yet)."""
        track = self._tracks.get((venue, symbol))
        return track.liq_map if track else LiquidationMap(self.config.bin_width_pct)

    def venues_for(self, symbol: str) -> list[str]:
        """The venues with a map of ``symbol``."""
        return sorted(v for v, s in self._tracks if s == symbol)

    def combined_map(self, symbol: str) -> LiquidationMap:
        """Every venue's map of ``symbol`` added bin by bin (empty when there is none)."""
        maps = [t.liq_map for (_, s), t in self._tracks.items() if s == symbol]
        return combine_maps(maps) if maps else LiquidationMap(self.config.bin_width_pct)

    async def realized(
        self, symbol: str, start: datetime, *, end: datetime | None = None, venue: str | None = None
    ) -> LiquidationMap:
        """Where liquidations of ``symbol`` actually printed in ``[start, end)``, per price bin."""
        events = await self._store.liquidations.since(start, symbol, until=end)
        return realized_map(
            ((e.price, e.notional_usd, e.side) for e in events if venue in (None, e.venue)),
            bin_width_pct=self.config.bin_width_pct,
            as_of=end or self._clock(),
        )
