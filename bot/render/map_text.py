"""/map's text: the photo caption (at most 1,024 chars) and the warming-up answer, as Telegram HTML.

Pure: a `MapView` in, text out. The caption reads the modeled map from the mark: the nearest long
cluster below and short cluster above, and how much would be liquidated on the way to a few levels.
"""

from __future__ import annotations

from html import escape

from bot.render import numbers as n
from bot.render.limits import MAX_CAPTION_CHARS
from bot.render.map_fit_text import render_defaults_line, render_fit_line, render_score_line
from bot.vocabulary.maps import REALIZED_LOOKBACK, Admission, MapView
from bot.vocabulary.venues import venue_name
from risk.cluster_queries import (
    NearCluster,
    cumulative_long_down_to,
    cumulative_short_up_to,
    find_clusters,
    nearest_clusters,
)
from risk.cluster_reach import reach_through
from risk.liquidation_map import LiquidationMap
from risk.venues import Side

__all__ = [
    "CAPTION_LIMIT",
    "LEVELS_PCT",
    "render_map_caption",
    "render_map_text",
    "render_map_wait",
]

CAPTION_LIMIT = MAX_CAPTION_CHARS
LEVELS_PCT = (1.0, 3.0, 5.0)
REALIZED_SHOWN = 3


def render_map_caption(view: MapView, timezone: str = "UTC", *, live: bool = True) -> str:
    """The caption under the chart; never longer than `CAPTION_LIMIT`.

    `live` False is a one-shot answer (`liqguard map`): no live score, and the fits say no fit follows.
    """
    assert view.quote is not None, "a caption needs a mark"
    mark = view.quote.mark_price
    near = nearest_clusters(view.modeled, mark)
    lines = [
        f"<b>{escape(view.symbol)} liquidation map</b> · {escape(view.venue_label)}"
        + (" combined" if len(view.venues) > 1 else ""),
        f"Mark {n.price(mark)} ({escape(venue_name(view.quote.venue))}) · modeled, not observed",
        _nearest(view.modeled, mark, "longs", near.long_below, "below"),
        _nearest(view.modeled, mark, "shorts", near.short_above, "above"),
        "<b>Longs liquidated down to</b>",
        _cumulative(view.modeled, mark, -1),
        "<b>Shorts liquidated up to</b>",
        _cumulative(view.modeled, mark, +1),
    ]
    tail = [_ages(view, timezone)]
    if view.quote.stale_reason:
        tail.append(f"⚠️ stale: {escape(view.quote.stale_reason[:200])}")
    fits = [render_fit_line(venue, fit, live=live) for venue, fit in view.fits]
    defaults = [fit for _, fit in view.fits if not fit.fitted]
    fits += [render_defaults_line(defaults[0])] if defaults else []
    score = [render_score_line(view.score)] if live else []
    for kept, shown in ((lines, fits), (lines[:4], fits), (lines[:4], fits[:1])):
        caption = "\n".join(kept + shown + score + tail)  # drop the levels first, then fits
        if len(caption) <= CAPTION_LIMIT:
            return caption
    return caption[: CAPTION_LIMIT - 1] + "…"


def render_map_text(view: MapView) -> str:
    """The text answer when there is no chart: no price yet, or the model still warming up."""
    title = f"<b>{escape(view.symbol)} liquidation map</b>"
    if view.quote is None:
        return f"{title}: no price for {escape(view.symbol)} from any venue yet (feeds down?)."
    warming = (
        f"{title}: the model is still warming up. It is built from changes in open interest "
        "(5-minute steps), so it needs some open-interest history first; try again in a few minutes."
    )
    mark = (
        f"Mark {n.price(view.quote.mark_price)} ({escape(venue_name(view.quote.venue))}) · "
        f"data {n.age(view.quote.mark_age_s)} old"
    )
    lines = [warming, *_realized(view), mark]
    if view.quote.stale_reason:
        lines.append(f"⚠️ stale: {escape(view.quote.stale_reason)}")
    return "\n".join(lines)


def render_map_wait(interval_s: float, admission: Admission) -> str:
    """The short answer to a /map asked again too soon (plain text)."""
    return f"One map every {interval_s:g} s; try again in {admission.retry_after_whole_s} s."


def _nearest(
    liq_map: LiquidationMap, mark: float, side: str, cluster: NearCluster | None, where: str
) -> str:
    """The nearest cluster and, from the same bins, the side's total from the mark through it."""
    if cluster is None:
        return f"Nearest {side}: no cluster {where} the mark"
    reach = reach_through(liq_map, mark, cluster)
    return (
        f"Nearest {side}: {n.usd_compact(cluster.notional_usd)} at {n.price(cluster.price)}, "
        f"{n.pct(cluster.distance_pct)} {where} · {n.usd_compact(reach.through_usd)} of {side} "
        "in all from the mark through it"
    )


def _cumulative(liq_map: LiquidationMap, mark: float, sign: int) -> str:
    """`−1% 89,100 $12M · …`: longs down to (sign −1) or shorts up to (sign +1) each level."""
    total = cumulative_long_down_to if sign < 0 else cumulative_short_up_to
    parts = []
    for level_pct in LEVELS_PCT:
        level = mark * (1 + sign * level_pct / 100)
        label = f"{'−' if sign < 0 else '+'}{level_pct:g}%"
        parts.append(f"{label} {n.price(level)} {n.usd_compact(total(liq_map, mark, level))}")
    return " · ".join(parts)


def _ages(view: MapView, timezone: str) -> str:
    assert view.quote is not None
    mark_age = f"mark {n.age(view.quote.mark_age_s)} old"
    as_of = view.modeled.as_of
    if as_of is None:
        return f"model time unknown · {mark_age}"
    model_age_s = (view.now - as_of).total_seconds()
    return f"model as of {n.clock_time(as_of, timezone)} ({n.age(model_age_s)} old) · {mark_age}"


def _realized(view: MapView) -> list[str]:
    hours = f"{REALIZED_LOOKBACK.total_seconds() / 3600:g}h"
    realized = view.realized
    if realized is None or realized.is_empty:
        return [f"No {escape(view.symbol)} liquidations seen in the last {hours} either."]
    assert view.quote is not None
    mark = view.quote.mark_price
    lines = [f"<b>Realized clusters, last {hours}</b> (observed):"]
    for side, name in ((Side.LONG, "longs"), (Side.SHORT, "shorts")):
        clusters = sorted(find_clusters(realized, side), key=lambda c: -c.notional_usd)
        for cluster in clusters[:REALIZED_SHOWN]:
            distance = abs(cluster.price - mark) / mark * 100
            where = "below" if cluster.price < mark else "above"
            lines.append(
                f"  {n.usd_compact(cluster.notional_usd)} of {name} at {n.price(cluster.price)} · "
                f"{n.pct(distance)} {where}"
            )
    return lines
