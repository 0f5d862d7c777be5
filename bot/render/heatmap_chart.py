"""The liquidation heatmap as PNG bytes: price × time, modeled intensity as colour, the price path
and the realized liquidations drawn over it; headless (matplotlib's Agg canvas, no pyplot).

Legible on a phone: 1080 × 1350 px (a portrait photo Telegram shows full width), large type, the
colour scale in $M per price band on a log scale so small and large clusters both show.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter

from bot.vocabulary.maps import HeatmapView

__all__ = ["render_heatmap"]

FIGURE_INCHES = (7.2, 9.0)
DPI = 150
PATH_COLOUR = "#ffffff"
LONG_MARK = "#ff4d6d"
SHORT_MARK = "#4dd2ff"


def _price(value: float, _position: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.4g}"


def _millions(value: float, _position: float) -> str:
    if value < 1e5:
        return f"{value / 1e6:,.2f}"
    return f"{value / 1e6:,.1f}" if value < 1e7 else f"{value / 1e6:,.0f}"


def render_heatmap(view: HeatmapView, timezone_now: datetime) -> bytes:
    """The view as a PNG; ``timezone_now`` is ``view.now`` in the chat's timezone (tick labels)."""
    figure = Figure(figsize=FIGURE_INCHES, dpi=DPI)
    FigureCanvasAgg(figure)
    figure.subplots_adjust(left=0.16, right=0.86, top=0.90, bottom=0.12)
    axes = figure.add_subplot()
    times = np.array([_hours(view, t) for t in view.times])
    step = times[1] - times[0] if len(times) > 1 else 0.5
    x_edges = np.append(times - step, times[-1])
    matrix = view.heatmap.matrix
    positive = matrix[matrix > 0]
    axes.set_facecolor("#0b0b1a")
    if len(positive):
        norm = LogNorm(vmin=max(float(np.percentile(positive, 5)), 1.0), vmax=float(positive.max()))
        mesh = axes.pcolormesh(x_edges, view.heatmap.edges, np.where(matrix > 0, matrix, np.nan),
                               cmap="inferno", norm=norm, shading="flat")  # fmt: skip
        bar = figure.colorbar(mesh, ax=axes, fraction=0.05, pad=0.02)
        bar.set_label(f"modeled liquidations per {view.band_pct:g} % band ($M)", fontsize=11)
        bar.ax.yaxis.set_major_formatter(FuncFormatter(_millions))
        bar.ax.yaxis.set_minor_formatter(NullFormatter())
        bar.ax.tick_params(labelsize=10)
    else:
        axes.text(0.5, 0.5, "no modeled levels yet", transform=axes.transAxes, ha="center",
                  color="#bbbbbb", fontsize=16)  # fmt: skip
    _draw_path_and_liquidations(axes, view)
    axes.axhline(view.mark, color="#dddddd", ls="--", lw=1.0)
    axes.set_ylim(view.heatmap.edges[0], view.heatmap.edges[-1])
    axes.set_xlim(x_edges[0], x_edges[-1])
    axes.yaxis.set_major_formatter(FuncFormatter(_price))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda h, _: _clock(timezone_now, h)))
    on_the_hour = -(timezone_now.hour % 6 + timezone_now.minute / 60)  # ticks at 00, 06, 12, 18
    axes.set_xticks(np.arange(on_the_hour, x_edges[0], -6)[::-1])
    axes.tick_params(labelsize=11)
    axes.set_ylabel("price (USD)", fontsize=12)
    axes.set_xlabel(f"time ({timezone_now:%Z})", fontsize=11)
    figure.suptitle(f"{view.symbol} liquidation heatmap · {view.venue_label}", fontsize=15,
                    weight="bold")  # fmt: skip
    axes.set_title(
        f"modeled, not observed · last 48 h · {timezone_now:%Y-%m-%d %H:%M %Z}\n"
        "white: price · ▼ longs / ▲ shorts liquidated (observed)", fontsize=10,
    )  # fmt: skip
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _hours(view: HeatmapView, moment: datetime) -> float:
    """Hours from ``view.now`` (negative in the past): the x axis."""
    return (moment - view.now).total_seconds() / 3600


def _clock(now: datetime, hours: float) -> str:
    """A tick label: the local time ``hours`` from ``now``, with the day at midnight."""
    moment = now + timedelta(hours=hours)
    return (
        f"{moment:%H:%M}"
        if moment.hour or moment.minute > 30
        else f"{moment:%d %b}\n{moment:%H:%M}"
    )


def _draw_path_and_liquidations(axes: Axes, view: HeatmapView) -> None:
    """The price path as a white line; realized liquidations as markers sized by notional."""
    if view.path:
        xs = [_hours(view, t) for t, _ in view.path]
        axes.plot(xs, [p for _, p in view.path], color=PATH_COLOUR, lw=1.6)
    for is_long, marker, colour in ((True, "v", LONG_MARK), (False, "^", SHORT_MARK)):
        shown = [e for e in view.liquidations if e[3] is is_long]
        if not shown:
            continue
        usd = np.array([u for _, _, u, _ in shown])
        sizes = 12 + 120 * np.sqrt(usd / usd.max())
        axes.scatter([_hours(view, t) for t, _, _, _ in shown], [p for _, p, _, _ in shown],
                     s=sizes, marker=marker, c=colour, edgecolors="black", linewidths=0.4,
                     zorder=3)  # fmt: skip
