"""What `/map` shows, gathered from the live market and the map service: the combined modeled map
(cleared at the mark it is read from), the fits in force, the live score, and (while the model warms
up) the realized liquidations instead.

The charts are drawn in a worker thread (`draw_map`, `draw_heatmap`): matplotlib takes a few hundred
milliseconds, and the event loop must keep answering other chats meanwhile.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.maps.score import load_score
from bot.maps.service import LiquidationMapService
from bot.market.state import MarketState, pick_mark
from bot.render.heatmap_chart import render_heatmap
from bot.render.map_chart import render_liquidation_map
from bot.vocabulary.maps import REALIZED_LOOKBACK, HeatmapView, MapView
from bot.vocabulary.zones import zone
from risk.map_clearing import clear_crossed

__all__ = [
    "draw_heatmap",
    "draw_map",
    "gather_map",
]


async def gather_map(
    market: MarketState,
    maps: LiquidationMapService,
    symbol: str,
    *,
    preferred_venue: str,
    now: datetime,
) -> MapView:
    """The combined modeled map of `symbol`, its mark, the fits in force and the live score
    (`bot.maps.score`), and the realized map if the model is empty."""
    modeled = maps.combined_map(symbol)
    venues = tuple(v for v in maps.venues_for(symbol) if not maps.map_for(v, symbol).is_empty)
    quote = pick_mark(market.quotes(symbol, now), preferred_venue)
    if quote is not None and quote.mark_price > 0:  # no long above the mark, no short below it
        mark = quote.mark_price
        modeled = clear_crossed(modeled, low=mark, high=mark)
    realized = None
    if modeled.is_empty:
        realized = await maps.realized(symbol, now - REALIZED_LOOKBACK, end=now)
    fits = tuple((v, maps.fit_for(v, symbol)) for v in venues)
    score = await load_score(maps.store, symbol, now)
    return MapView(symbol, modeled, venues, quote, now, realized, fits, score)


async def draw_map(view: MapView, timezone: str) -> bytes:
    """The chart PNG of a view that has a mark, drawn off the event loop."""
    assert view.quote is not None, "draw_map needs a view with a mark"
    return await asyncio.to_thread(
        render_liquidation_map,
        view.modeled,
        symbol=view.symbol,
        venue_label=view.venue_label,
        mark_price=view.quote.mark_price,
        now=view.now.astimezone(zone(timezone)),
    )


async def draw_heatmap(view: HeatmapView, timezone: str) -> bytes:
    """The heatmap PNG, drawn off the event loop."""
    return await asyncio.to_thread(render_heatmap, view, view.now.astimezone(zone(timezone)))
