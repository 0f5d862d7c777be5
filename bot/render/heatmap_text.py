"""The caption under the heatmap (Telegram HTML, at most 1,024 characters). Pure."""

from __future__ import annotations

from html import escape

import numpy as np

from bot.render import numbers as n
from bot.vocabulary.maps import HeatmapView
from bot.vocabulary.venues import SAMPLED_LIQUIDATIONS, venue_name

__all__ = ["render_heatmap_caption"]


def _sampled(venues: tuple[str, ...]) -> str:
    """Which of the venues send only a sample of their liquidations, said after the markers."""
    sampled = [venue_name(v) for v in venues if v in SAMPLED_LIQUIDATIONS]
    if not sampled:
        return ""
    bound = "a lower bound" if len(sampled) == 1 else "lower bounds"
    return f" ({escape(' and '.join(sampled))} sampled: {bound})"


def render_heatmap_caption(view: HeatmapView) -> str:
    """What the colours, the line and the markers are, and the brightest band now."""
    matrix, edges = view.heatmap.matrix, view.heatmap.edges
    lines = [
        f"<b>{escape(view.symbol)} liquidation heatmap</b> · {escape(view.venue_label)} · last 48 h",
        (
            f"Colour: modeled liquidation notional per {view.band_pct:g} % price band (modeled, not observed; past "
            "columns use the fit in force now)"
        ),
        "White line: price · ▼ longs / ▲ shorts liquidated, as the venues report them"
        + _sampled(view.venues),
    ]
    if matrix.size and matrix[:, -1].max() > 0:
        row = int(np.argmax(matrix[:, -1]))
        band = (edges[row] + edges[row + 1]) / 2
        where = "below" if band < view.mark else "above"
        distance = abs(band - view.mark) / view.mark * 100
        lines.append(
            f"Brightest band now: {n.usd_compact(float(matrix[row, -1]))} at {n.price(band)}, "
            f"{n.pct(distance)} {where} the mark ({n.price(view.mark)})"
        )
    realized = sum(usd for _, _, usd, _ in view.liquidations)
    lines.append(f"Realized in the span: {n.usd_compact(realized)} ({len(view.liquidations):,} "
                 "liquidations)")  # fmt: skip
    return "\n".join(lines)[:1024]
