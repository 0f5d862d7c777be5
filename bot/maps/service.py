"""The liquidation-map service: feeds the cohort model of `risk.cohort_map` from the store, keeps maps.

Each venue and symbol that has snapshots gets a track: its model intervals (`bot.maps.buckets`) over
the last ``history_days`` (30: what the backfill brings), the fit in force (`risk.map_fit.MapFit`:
the stored fit of `bot.maps.refit`, or the stated defaults), and a cohort book. `rebuild` starts each
book from the whole history in one vectorised pass (`risk.cohort_live`); `update` steps it with
each bucket that has ended since (`risk.cohort_book.advance_book`, a few array operations). Between
buckets, levels the marks of the unfinished bucket ran through are cleared from the map shown
(`risk.map_clearing`): those positions are liquidated now, not when the bucket ends.

Maps are immutable values: readers get a consistent map while an update runs. Data written late,
for a bucket already applied, is not replayed until the next rebuild.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from bot.maps.buckets import DEFAULT_INTERVAL_S, BucketState, intervals_from_market_data
from bot.store import Store
from bot.vocabulary.clock import Clock
from bot.vocabulary.records import LiquidationEvent, to_ms
from risk.clusters import ClusterModelConfig, Interval
from risk.cohort_book import CohortBook, advance_book
from risk.cohort_live import book_from_history, map_of_book
from risk.cohort_map import level_log_ratios
from risk.errors import RiskError
from risk.liquidation_map import LiquidationMap, combine_maps, realized_map
from risk.map_clearing import clear_crossed
from risk.map_fit import MapFit, default_map_fit
from risk.market_history import MarketHistory
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

MAX_LOOKBACK = timedelta(days=90)
"""The longest history a rebuild replays, whatever ``history_days`` says."""

TierTableProvider = Callable[[str, str], TierTable]
"""``(venue, symbol) -> TierTable``; e.g. `risk.tiers.default_tier_table` or the live refresh."""


@dataclass(slots=True)
class _Track:
    liq_map: LiquidationMap
    fit: MapFit = field(default_factory=default_map_fit)
    state: BucketState = field(default_factory=BucketState)
    intervals: list[Interval] = field(default_factory=list)
    book: CohortBook | None = None
    ratios: npt.NDArray[np.float64] | None = None


class LiquidationMapService:
    """Keeps one modeled liquidation map per venue and symbol, up to date with the stored market data.

    ``update(now)`` is the job to run after each market-data poll; ``rebuild(now)`` runs at start-up
    (and after the backfill); ``apply_fit`` swaps a track's assumptions after a refit.
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
        history_days: float = 30.0,
        prior: MapFit | None = None,
    ) -> None:
        self._store, self._tier_tables, self.config, self._clock = store, tier_tables, config, clock
        self.interval_s, self.candle_interval_s = interval_s, candle_interval_s
        self.history = min(timedelta(days=history_days), MAX_LOOKBACK)
        self.prior = prior or default_map_fit()
        self._tracks: dict[tuple[str, str], _Track] = {}
        self._lock = asyncio.Lock()
        self._refused: set[tuple[str, str]] = set()
        self._fits: dict[tuple[str, str], MapFit] = {}

    async def update(self, now: datetime | None = None) -> int:
        """Apply every bucket that ended since the last update; returns how many intervals."""
        async with self._lock:
            return await self._advance_all(now or self._clock(), self._tracks)

    async def rebuild(self, now: datetime | None = None) -> int:
        """Forget the maps and start them again from the stored history; returns the intervals."""
        fits = await self._stored_fits()
        async with self._lock:
            fresh: dict[tuple[str, str], _Track] = {}
            self._fits = fits
            applied = await self._advance_all(now or self._clock(), fresh, report_progress=True)
            self._tracks = fresh  # readers keep the old maps until the new ones are all built
        logger.info("liquidation maps rebuilt: %d maps, %d intervals", len(self._tracks), applied)
        return applied

    async def _stored_fits(self) -> dict[tuple[str, str], MapFit]:
        fits = {}
        for key, (_, text) in (await self._store.map_fits.load_all()).items():
            try:
                fits[key] = MapFit.from_json(text)
            except RiskError as exc:
                logger.warning("stored fit of %s %s ignored: %s", *key, exc)
        return fits

    def _new_track(self, fit: MapFit) -> _Track:
        return _Track(LiquidationMap(self.config.bin_width_pct), fit)

    async def _advance_all(
        self, now: datetime, tracks: dict[tuple[str, str], _Track], *, report_progress: bool = False
    ) -> int:
        pairs = sorted({(s.venue, s.symbol) for s in await self._store.snapshots.latest()})
        applied = 0
        for number, (venue, symbol) in enumerate(pairs, 1):
            applied += await self._advance(venue, symbol, now, tracks)
            if report_progress:
                logger.info("liquidation map %d/%d: %s %s", number, len(pairs), venue, symbol)
        return applied

    async def _advance(
        self, venue: str, symbol: str, now: datetime, tracks: dict[tuple[str, str], _Track]
    ) -> int:
        table = self._table(venue, symbol)
        if table is None:
            return 0
        key = (venue, symbol)
        if key not in tracks:
            tracks[key] = self._new_track(self._fits.get(key, self.prior))
        track = tracks[key]
        step_ms = self.interval_s * 1000
        ended = track.state.ended_at
        applied = 0
        if ended is None or to_ms(ended) < to_ms(now) // step_ms * step_ms:
            applied = await self._step(track, venue, symbol, table, now)
        await self._clear_open_bucket(track, venue, symbol)
        return applied

    async def _step(
        self, track: _Track, venue: str, symbol: str, table: TierTable, now: datetime
    ) -> int:
        """Apply the buckets that ended since the track's last one."""
        start = track.state.ended_at or now - self.history
        snapshots = await self._store.snapshots.history(venue, symbol, start)
        span_s = (now - start).total_seconds() + self.candle_interval_s
        limit = math.ceil(span_s / self.candle_interval_s) + 1
        candles = await self._store.candles.recent(venue, symbol, self.candle_interval_s, limit)
        fine_limit = math.ceil(span_s / self.interval_s) + 1
        candles += await self._store.candles.recent(venue, symbol, self.interval_s, fine_limit)
        intervals, state = intervals_from_market_data(
            snapshots, candles, track.state, interval_s=self.interval_s, until=now
        )
        track.state = state
        if intervals:
            cut = now - self.history
            track.intervals = [i for i in track.intervals if i.end > cut] + intervals
            self._step_book(track, table, intervals)
        return len(intervals)

    def _step_book(self, track: _Track, table: TierTable, intervals: list[Interval]) -> None:
        """Start the book from the whole history, or advance it through the new intervals."""
        if track.book is None or track.ratios is None:
            self._start_book(track, table)
            return
        book, ratios = track.book, track.ratios
        for i in intervals:
            book = advance_book(
                book, track.fit, ratios, end_s=i.end.timestamp(), duration_s=i.duration_s,
                low=i.low, high=i.high, typical=i.typical_price, open_interest=i.open_interest_after,
            )  # fmt: skip
        track.book = book
        track.liq_map = map_of_book(book, intervals[-1].end)

    def _start_book(self, track: _Track, table: TierTable) -> None:
        history = MarketHistory.from_intervals(track.intervals)
        track.ratios = level_log_ratios(
            table, track.fit.leverages, float(np.median(history.typical)),
            self.config.position_notional_usd,
        )  # fmt: skip
        track.book = book_from_history(
            history, track.fit, track.ratios, bin_width_pct=self.config.bin_width_pct
        )
        track.liq_map = map_of_book(track.book, track.intervals[-1].end)

    async def _clear_open_bucket(self, track: _Track, venue: str, symbol: str) -> None:
        """Clear the levels the marks of the unfinished bucket ran through (`risk.map_clearing`):
        they are liquidated now, not when the bucket ends."""
        if track.state.ended_at is None or track.liq_map.is_empty:
            return
        snapshots = await self._store.snapshots.history(venue, symbol, track.state.ended_at)
        marks = [s.mark_price for s in snapshots if s.mark_price > 0]
        if marks:
            track.liq_map = clear_crossed(track.liq_map, low=min(marks), high=max(marks))

    async def apply_fit(self, venue: str, symbol: str, fit: MapFit) -> None:
        """Use ``fit`` for one venue and symbol from now on: its book starts again on its history."""
        table = self._table(venue, symbol)
        async with self._lock:
            track = self._tracks.get((venue, symbol))
            if track is None or table is None:
                return
            track.fit = fit
            if track.intervals:
                self._start_book(track, table)
            await self._clear_open_bucket(track, venue, symbol)

    def _table(self, venue: str, symbol: str) -> TierTable | None:
        try:
            return self._tier_tables(venue, symbol)
        except RiskError as exc:
            if (venue, symbol) not in self._refused:
                self._refused.add((venue, symbol))
                logger.warning("no liquidation map for %s %s: %s", venue, symbol, exc)
            return None

    def table_for(self, venue: str, symbol: str) -> TierTable | None:
        """The tier table the maps of one venue and symbol are placed with (None: refused)."""
        return self._table(venue, symbol)

    def history_for(self, venue: str, symbol: str, since: datetime) -> MarketHistory | None:
        """The model intervals of one venue and symbol that end after ``since`` (None: none)."""
        track = self._tracks.get((venue, symbol))
        intervals = [i for i in track.intervals if i.end > since] if track else []
        return MarketHistory.from_intervals(intervals) if intervals else None

    def model_inputs(
        self, venue: str, symbol: str
    ) -> tuple[MarketHistory, MapFit, npt.NDArray[np.float64]] | None:
        """The history, fit and level ratios one venue and symbol's book runs on (None: no book)."""
        track = self._tracks.get((venue, symbol))
        if track is None or not track.intervals or track.ratios is None:
            return None
        return MarketHistory.from_intervals(track.intervals), track.fit, track.ratios

    def fit_for(self, venue: str, symbol: str) -> MapFit:
        """The assumptions in force for one venue and symbol (the stated defaults until a fit)."""
        track = self._tracks.get((venue, symbol))
        return track.fit if track else self.prior

    def pairs(self) -> list[tuple[str, str]]:
        """Every ``(venue, symbol)`` with a track."""
        return sorted(self._tracks)

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

    @property
    def store(self) -> Store:
        """The store the maps are built from (their fits and live score live there too)."""
        return self._store

    async def realized_events(
        self, symbol: str, start: datetime, end: datetime
    ) -> list[LiquidationEvent]:
        """The liquidations of ``symbol`` the venues reported in ``[start, end)``, oldest first."""
        return await self._store.liquidations.since(start, symbol, until=end)

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
