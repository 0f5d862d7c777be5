"""What `/map` shows, gathered from the live market and the map service: the combined modeled map,
the mark it is drawn around, and (while the model warms up) the realized liquidations instead.

The chart is drawn in a worker thread (`draw_map`): matplotlib takes a few hundred milliseconds, and
the event loop must keep answering other chats meanwhile.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.maps.service import LiquidationMapService
from bot.market.state import MarketState, pick_mark
from bot.render.map_chart import render_liquidation_map
from bot.vocabulary.maps import REALIZED_LOOKBACK, MapView
from bot.vocabulary.zones import zone

__all__ = [
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
    """The combined modeled map of `symbol`, its mark, and the realized map if the model is empty."""
    modeled = maps.combined_map(symbol)
    venues = tuple(v for v in maps.venues_for(symbol) if not maps.map_for(v, symbol).is_empty)
    quote = pick_mark(market.quotes(symbol, now), preferred_venue)
    realized = None
    if modeled.is_empty:
        realized = await maps.realized(symbol, now - REALIZED_LOOKBACK, end=now)
    return MapView(symbol, modeled, venues, quote, now, realized)


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
