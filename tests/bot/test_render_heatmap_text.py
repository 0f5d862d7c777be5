"""The heatmap caption on hand-built views: what it says the markers are and which venues sample."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from bot.render.heatmap_text import render_heatmap_caption
from bot.vocabulary.maps import HeatmapView
from risk.heatmap import Heatmap

NOW = datetime(2025, 3, 1, 14, 5, tzinfo=UTC)


def view(venues: tuple[str, ...]) -> HeatmapView:
    """A one-column view of the venues: $5M in the band just below a mark of 100."""
    heatmap = Heatmap(np.array([99.0, 99.8, 100.6]), np.array([[5e6], [0.0]]))
    return HeatmapView("BTC", venues, (NOW,), heatmap, ((NOW, 100.0),), (), 100.0, NOW)


def test_the_markers_line_names_only_the_sampled_venues_of_the_view() -> None:
    """Bybit alone: every liquidation is drawn; with OKX beside it, OKX is named as sampled."""
    bybit = render_heatmap_caption(view(("bybit",))).split("\n")[2]
    assert bybit == "White line: price · ▼ longs / ▲ shorts liquidated, as the venues report them"
    both = render_heatmap_caption(view(("bybit", "okx"))).split("\n")[2]
    assert both.endswith("as the venues report them (OKX sampled: a lower bound)")
    every = render_heatmap_caption(view(("binance", "bybit", "okx"))).split("\n")[2]
    assert every.endswith("(Binance and OKX sampled: lower bounds)")
