"""The map over time for `/map COIN heatmap`: the modeled map of every venue at evenly spaced past
times, added up, on price bands around the mark, with the price path and realized liquidations.

A past map is read from the venue's current book inputs in one vectorised pass
(`risk.cohort_map.build_levels`, then `levels_map` at each time): the levels alive then, scaled to
the open interest then. It uses the fit in force now (not the one in force then), and the prior's
spread is measured on the whole history; the live score (`bot.maps.score`) is the out-of-sample
figure. The work (a few hundred milliseconds of numpy) runs in a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np

from bot.maps.service import LiquidationMapService
from bot.store import Store
from bot.vocabulary.maps import HeatmapView
from bot.vocabulary.records import LiquidationEvent, from_ms
from risk.cohort_map import build_levels, levels_map
from risk.heatmap import heatmap_matrix
from risk.liquidation_map import LiquidationMap, combine_maps
from risk.map_fit import MapFit
from risk.market_history import MarketHistory

__all__ = ["COLUMNS", "SPAN", "SPAN_PCT", "gather_heatmap"]

SPAN = timedelta(hours=48)
COLUMNS = 96
"""Columns of the heatmap: one per half hour over two days."""
SPAN_PCT = 10.0
ROWS = 160
"""Price bands from the mark −10 % to +10 % (0.125 % each)."""

Inputs = tuple[MarketHistory, MapFit, np.ndarray]


def _maps_at(
    inputs: Inputs, times_s: Sequence[float], bin_width_pct: float
) -> list[LiquidationMap]:
    """One venue's maps at ``times_s`` (empty before its history starts)."""
    history, fit, ratios = inputs
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


def _columns(
    venue_inputs: list[Inputs], times_s: list[float], width: float
) -> list[LiquidationMap]:
    per_venue = [_maps_at(inputs, times_s, width) for inputs in venue_inputs]
    return [combine_maps(column) for column in zip(*per_venue, strict=True)]


async def gather_heatmap(
    maps: LiquidationMapService, store: Store, symbol: str, *, mark: float, now: datetime
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
        await asyncio.to_thread(_columns, inputs, [t.timestamp() for t in times], width)
        if inputs
        else [LiquidationMap(width)] * COLUMNS
    )
    edges = mark * np.linspace(1 - SPAN_PCT / 100, 1 + SPAN_PCT / 100, ROWS + 1)
    path = _path(inputs[0][0], now - SPAN) if inputs else ()
    events = await store.liquidations.since(now - SPAN, symbol, until=now)
    return HeatmapView(
        symbol, tuple(venues), tuple(times), heatmap_matrix(columns, edges), path,
        tuple(_liquidation(e) for e in events), mark, now,
    )  # fmt: skip


def _path(history: MarketHistory, start: datetime) -> tuple[tuple[datetime, float], ...]:
    shown = history.end_s >= start.timestamp()
    return tuple(
        (from_ms(int(t * 1000)), float(p))
        for t, p in zip(history.end_s[shown], history.typical[shown], strict=True)
    )


def _liquidation(event: LiquidationEvent) -> tuple[datetime, float, float, bool]:
    return event.time, event.price, event.notional_usd, event.side == "long"
