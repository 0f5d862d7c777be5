"""The map over time for `/map COIN heatmap`: the modeled map of every venue at evenly spaced past
times, added up, on price bands around the mark, with the price path and realized liquidations.

A past map is read from the venue's current book inputs in one vectorised pass
(`risk.cohort_map.build_levels` over the 7 days before the first column, then `levels_map` at each
time): the levels alive then, scaled to the open interest then. It uses the fit in force now (not
the one in force then) and places what opened before those 7 days by the prior, so its last column
can differ a little from the live map; the live score (`bot.maps.score`) is the out-of-sample
figure. The work (a few hundred milliseconds of numpy) runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np

from bot.maps.service import LiquidationMapService
from bot.vocabulary.maps import HeatmapView
from bot.vocabulary.records import LiquidationEvent, from_ms
from risk.cohort_map import build_levels, levels_map
from risk.heatmap import heatmap_matrix
from risk.liquidation_map import LiquidationMap, combine_maps
from risk.map_fit import MapFit
from risk.market_history import MarketHistory

__all__ = ["BAND_BINS", "COLUMNS", "SPAN", "SPAN_PCT", "band_edges", "columns_at", "gather_heatmap"]

SPAN = timedelta(hours=48)
COLUMNS = 96
"""Columns of the heatmap: one per half hour over two days."""
SPAN_PCT = 10.0
BAND_BINS = 2
"""Map bins per price band: bands on the map's own grid, so every band holds whole bins (re-binning
0.1 % bins into 0.125 % bands stripes the picture)."""

BUILD_DAYS = 7.0
"""History the heatmap's levels are built from before its first column: 7 days, a little over two
half-lives of the default fit; what opened earlier is placed by the prior."""

Inputs = tuple[MarketHistory, MapFit, np.ndarray]


def _tail(history: MarketHistory, start_s: float) -> MarketHistory:
    """The intervals ending after ``start_s``; the open interest before them starts the prior."""
    i = int(np.searchsorted(history.end_s, start_s, side="right"))
    if i == 0 or i >= len(history):
        return history
    return MarketHistory(
        history.end_s[i:], history.duration_s[i:], history.low[i:], history.high[i:],
        history.typical[i:], history.open_interest[i:], float(history.open_interest[i - 1]),
    )  # fmt: skip


def _maps_at(
    inputs: Inputs, times_s: Sequence[float], bin_width_pct: float
) -> list[LiquidationMap]:
    """One venue's maps at ``times_s`` (empty before its history starts), from the last
    `BUILD_DAYS` before the first column (older positions enter through the prior)."""
    history, fit, ratios = inputs
    history = _tail(history, times_s[0] - BUILD_DAYS * 86_400)
    levels = build_levels(history, fit, ratios, bin_width_pct=bin_width_pct)
    maps = []
    for t in times_s:
        at = int(np.searchsorted(history.end_s, t, side="right")) - 1
        maps.append(
            LiquidationMap(bin_width_pct)
            if at < 0
            else levels_map(levels, history, fit, at=at, bin_width_pct=bin_width_pct)
        )
    return maps


def columns_at(
    venue_inputs: list[Inputs], times_s: list[float], width: float
) -> list[LiquidationMap]:
    """Every venue's map at each of ``times_s``, added up per time: the heatmap's columns."""
    per_venue = [_maps_at(inputs, times_s, width) for inputs in venue_inputs]
    return [combine_maps(column) for column in zip(*per_venue, strict=True)]


def band_edges(mark: float, bin_width_pct: float) -> np.ndarray:
    """Edges of the price bands from the mark −`SPAN_PCT` to +`SPAN_PCT`, on the map's bin grid."""
    step = math.log1p(bin_width_pct / 100)
    first = math.floor(math.log(mark * (1 - SPAN_PCT / 100)) / step)
    last = math.ceil(math.log(mark * (1 + SPAN_PCT / 100)) / step)
    edges: np.ndarray = np.exp(np.arange(first, last + 1, BAND_BINS) * step)
    return edges


async def gather_heatmap(
    maps: LiquidationMapService, symbol: str, *, mark: float, now: datetime
) -> HeatmapView:
    """The heatmap of ``symbol`` over the last `SPAN`, banded around ``mark`` (module docstring)."""
    venues, inputs = [], []
    for venue in maps.venues_for(symbol):
        found = maps.model_inputs(venue, symbol)
        if found is not None:
            venues.append(venue)
            inputs.append(found)
    step = SPAN / COLUMNS
    times = [now - SPAN + step * (k + 1) for k in range(COLUMNS)]
    width = maps.config.bin_width_pct
    columns = (
        await asyncio.to_thread(columns_at, inputs, [t.timestamp() for t in times], width)
        if inputs
        else [LiquidationMap(width)] * COLUMNS
    )
    edges = band_edges(mark, width)
    path = _path(inputs[0][0], now - SPAN) if inputs else ()
    events = await maps.realized_events(symbol, now - SPAN, now)
    return HeatmapView(
        symbol, tuple(venues), tuple(times), heatmap_matrix(columns, edges), path,
        tuple(_liquidation(e) for e in events), mark, now, BAND_BINS * width,
    )  # fmt: skip


def _path(history: MarketHistory, start: datetime) -> tuple[tuple[datetime, float], ...]:
    shown = history.end_s >= start.timestamp()
    return tuple(
        (from_ms(int(t * 1000)), float(p))
        for t, p in zip(history.end_s[shown], history.typical[shown], strict=True)
    )


def _liquidation(event: LiquidationEvent) -> tuple[datetime, float, float, bool]:
    return event.time, event.price, event.notional_usd, event.side == "long"
