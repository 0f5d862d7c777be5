"""The hourly refit: the map's assumptions fitted per venue and symbol to the liquidations realized.

For each venue and symbol with a map, the model intervals of the last ``window`` (7 days) and the
liquidations stored for them go to `risk.calibration.fit_map` (in a worker thread: a fit takes up to
a few seconds of numpy and the event loop must keep answering). What is passed says how the venue
reports: Bybit's stream is complete; Binance's and OKX's push at most one liquidation per symbol per
second, so they are passed as sampled streams and unthinned by the fit (`risk.liquidation_sampling`);
Hyperliquid publishes none, so its fit keeps the stated defaults.

Silence is evidence only where the stream was heard: an interval counts as heard from the venue's
first stored liquidation in the window (any symbol: before it the bot was not listening, as after a
first start, whose backfilled history has no liquidations) unless a gap of the venue's stream
(disconnect, missed heartbeat, bot not running) overlaps it (`heard_intervals`). With less than the
grid's ``min_days`` heard the fit keeps the defaults too (``fitted`` False, with the evidence
counted). Every result is stored (`bot.store.map_fits`) and put in force at once
(`LiquidationMapService.apply_fit`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from bot.maps.service import LiquidationMapService
from bot.store import Store
from bot.vocabulary.clock import Clock
from bot.vocabulary.records import FeedGap, LiquidationEvent, to_ms
from bot.vocabulary.venues import COMPLETE_LIQUIDATIONS, NO_LIQUIDATIONS
from risk.calibration import CalibrationGrid, fit_map
from risk.liquidation_sampling import LiquidationStream
from risk.map_fit import MapFit
from risk.market_history import MarketHistory

__all__ = ["REFIT_WINDOW", "FitReport", "MapRefit", "heard_intervals", "stream_of"]

logger = logging.getLogger(__name__)

REFIT_WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class FitReport:
    """One venue and symbol's refit: the fit now in force and how long it took."""

    venue: str
    symbol: str
    fit: MapFit
    seconds: float


def stream_of(events: list[LiquidationEvent], venue: str) -> LiquidationStream:
    """A venue's stored liquidations as the fit takes them: complete for Bybit, sampled otherwise."""
    return LiquidationStream(
        np.array([to_ms(e.time) for e in events], dtype=np.int64),
        np.array([e.notional_usd for e in events], dtype=np.float64),
        np.array([e.side == "long" for e in events], dtype=np.bool_),
        complete=venue in COMPLETE_LIQUIDATIONS,
    )


def heard_intervals(
    history: MarketHistory, first_heard: datetime | None, gaps: list[FeedGap], now: datetime
) -> npt.NDArray[np.bool_]:
    """Per interval of `history`, whether the stream was heard all through it: it starts at or
    after `first_heard` and no gap (an open one runs to `now`) overlaps it."""
    starts = history.end_s - history.duration_s
    if first_heard is None:
        return np.zeros(len(history), dtype=np.bool_)
    heard = starts >= first_heard.timestamp()
    for gap in gaps:
        ended = (gap.ended_at or now).timestamp()
        heard &= ~((starts < ended) & (history.end_s > gap.started_at.timestamp()))
    return heard


class MapRefit:
    """Refits every map (see the module docstring); `refit` is the hourly job."""

    def __init__(
        self,
        store: Store,
        maps: LiquidationMapService,
        clock: Clock,
        *,
        window: timedelta = REFIT_WINDOW,
        grid: CalibrationGrid | None = None,
    ) -> None:
        self._store, self._maps, self._clock = store, maps, clock
        self.window, self.grid = window, grid or CalibrationGrid()

    async def refit(self, now: datetime | None = None) -> list[FitReport]:
        """Fit, store and apply every venue and symbol's assumptions; one report each."""
        now = now or self._clock()
        start = now - self.window
        reports = []
        by_symbol: dict[str, list[LiquidationEvent]] = {}
        first_heard: dict[str, datetime | None] = {}
        gaps = await self._store.gaps.overlapping(start, now)
        for venue, symbol in self._maps.pairs():
            history = self._maps.history_for(venue, symbol, start)
            table = self._maps.table_for(venue, symbol)
            if history is None or table is None:
                continue
            if symbol not in by_symbol:
                by_symbol[symbol] = await self._store.liquidations.since(start, symbol, until=now)
            events = [e for e in by_symbol[symbol] if e.venue == venue]
            if venue not in first_heard:
                first_heard[venue] = await self._store.liquidations.first_time(venue, start)
            heard = heard_intervals(
                history, first_heard[venue], [g for g in gaps if g.venue == venue], now
            )
            streams = [] if venue in NO_LIQUIDATIONS else [stream_of(events, venue)]
            began = asyncio.get_running_loop().time()
            fit = await asyncio.to_thread(
                fit_map, history, streams, table, prior=self._maps.prior, grid=self.grid,
                position_notional_usd=self._maps.config.position_notional_usd, heard=heard,
            )  # fmt: skip
            seconds = asyncio.get_running_loop().time() - began
            await self._store.map_fits.save(venue, symbol, now, fit.to_json())
            await self._maps.apply_fit(venue, symbol, fit)
            logger.info("map fit %s %s (%.1f s): %s", venue, symbol, seconds, fit.describe())
            reports.append(FitReport(venue, symbol, fit, seconds))
        return reports
