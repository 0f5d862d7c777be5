"""Charts as PNG bytes, drawn headless with matplotlib's Agg canvas (no pyplot, no global state)."""

from __future__ import annotations

import io
from datetime import datetime

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from risk.cluster_queries import MapDrawing, bins_for_drawing
from risk.liquidation_map import LiquidationMap

__all__ = ["render_liquidation_map"]

LONG_COLOUR = "#d1495b"
SHORT_COLOUR = "#2e86ab"
MARK_COLOUR = "#333333"
POSITION_COLOUR = "#f18f01"
FIGURE_INCHES = (8.0, 5.0)
DPI = 150  # 1200 × 750 px: sharp on a phone, well under Telegram's photo limits


def _millions(value: float, _position: float) -> str:
    return f"{value / 1e6:,.0f}" if abs(value) >= 1e7 else f"{value / 1e6:,.1f}"


def _price(value: float, _position: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.4g}"


def _draw_bars(axes: Axes, drawing: MapDrawing) -> None:
    """Per-bar notional as filled steps: longs and shorts, translucent where they overlap; each side
    that has bars is named in the legend."""
    for values, colour, side in ((drawing.long_usd, LONG_COLOUR, "longs"),
                                 (drawing.short_usd, SHORT_COLOUR, "shorts")):  # fmt: skip
        label = f"{side} liquidated at this price (bars)" if values.any() else None
        axes.stairs(values, drawing.edges, fill=True, color=colour, alpha=0.45, label=label)
    axes.set_ylabel("per bin ($M)")
    axes.yaxis.set_major_formatter(FuncFormatter(_millions))


def _draw_cumulative(axes: Axes, drawing: MapDrawing) -> None:
    """Cumulative longs from the mark down and shorts from the mark up, as step curves."""
    half = len(drawing.long_usd) // 2
    lows, highs = drawing.edges[:half], drawing.edges[half + 1 :]
    axes.step(lows, drawing.cumulative_long_usd[:half], where="post", color=LONG_COLOUR, lw=2.2,
              label="longs liquidated down to price (in all)")  # fmt: skip
    axes.step(highs, drawing.cumulative_short_usd[half:], where="pre", color=SHORT_COLOUR, lw=2.2,
              label="shorts liquidated up to price (in all)")  # fmt: skip
    axes.set_ylabel("cumulative ($M)")
    axes.set_ylim(bottom=0)
    axes.yaxis.set_major_formatter(FuncFormatter(_millions))


def render_liquidation_map(
    map_data: LiquidationMap,
    *,
    symbol: str,
    venue_label: str,
    mark_price: float,
    now: datetime,
    liquidation_price: float | None = None,
    span_pct: float = 10.0,
) -> bytes:
    """The liquidation map around the mark as a PNG: per-bin bars, cumulative curves, mark line.

    Amounts are shown in $M; times in ``now``'s own timezone. ``liquidation_price`` (a position's)
    is drawn as a line when given and the span widens to show it (up to 50 %).
    """
    if liquidation_price is not None and liquidation_price > 0:
        needed = abs(liquidation_price - mark_price) / mark_price * 100 * 1.1
        span_pct = min(max(span_pct, needed), 50.0)
    drawing = bins_for_drawing(map_data, mark_price, span_pct=span_pct)
    figure = Figure(figsize=FIGURE_INCHES, dpi=DPI)
    figure.subplots_adjust(left=0.09, right=0.89, top=0.86, bottom=0.23)
    FigureCanvasAgg(figure)
    bars = figure.add_subplot()
    curves = bars.twinx()
    _draw_bars(bars, drawing)
    _draw_cumulative(curves, drawing)
    mark_label = f"mark {_price(mark_price, 0)}"
    bars.axvline(mark_price, color=MARK_COLOUR, ls="--", lw=1.4, label=mark_label)
    if liquidation_price is not None:
        label = f"your liquidation {_price(liquidation_price, 0)}"
        bars.axvline(liquidation_price, color=POSITION_COLOUR, lw=2.0, label=label)
    bars.set_xlim(drawing.edges[0], drawing.edges[-1])
    bars.set_ylim(bottom=0)
    bars.xaxis.set_major_formatter(FuncFormatter(_price))
    bars.set_xlabel("price (USD)")
    bars.grid(axis="x", alpha=0.25)
    if drawing.is_empty:
        bars.set_ylim(0, 1e6)
        curves.set_ylim(0, 1e6)
        bars.text(0.5, 0.55, "no modeled levels yet", transform=bars.transAxes, ha="center",
                  fontsize=14, color="#777777")  # fmt: skip
    handles = bars.get_legend_handles_labels()[0] + curves.get_legend_handles_labels()[0]
    figure.legend(handles=handles, loc="lower center", ncols=2, fontsize=9, frameon=False)
    figure.suptitle(f"{symbol} liquidation map · {venue_label}", fontsize=14, weight="bold")
    bars.set_title(f"modeled, not observed · {now:%Y-%m-%d %H:%M %Z}".rstrip(), fontsize=9)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
