"""Alert messages as HTML: each renderer returns the message and the one line a digest would show."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape

from bot.render import numbers as n
from bot.vocabulary.records import Watch
from bot.vocabulary.venues import venue_name
from bot.vocabulary.waves import WaveState

__all__ = [
    "Rendered",
    "render_clusters",
    "render_crossed",
    "render_digest",
    "render_funding",
    "render_ladder",
    "render_wave",
    "scope_name",
]

Rendered = tuple[str, str]
"""(message HTML, digest line HTML)."""


def _who(watch: Watch) -> str:
    return (
        f"<b>{escape(watch.symbol)} {watch.side} {watch.leverage:g}x</b> "
        f"#{watch.id} on {venue_name(watch.venue)}"
    )


def _short(watch: Watch) -> str:
    return f"{escape(watch.symbol)} {watch.side} {watch.leverage:g}x #{watch.id}"


def render_ladder(
    watch: Watch, step_pct: float, distance_pct: float, liquidation: float, mark: float
) -> Rendered:
    """The mark came within a ladder step of the liquidation price."""
    icon = "🟠" if step_pct > 2.5 else "🔴"
    where = "below" if watch.side == "long" else "above"
    text = (
        f"{icon} {_who(watch)}: liquidation {n.price(liquidation)} is "
        f"<b>{n.pct(distance_pct)}</b> {where} the mark {n.price(mark)} (within {step_pct:g}%)."
    )
    line = f"{_short(watch)} within {step_pct:g}% ({n.pct(distance_pct)}, mark {n.price(mark)})"
    return text, line


def render_crossed(watch: Watch, liquidation: float, mark: float) -> Rendered:
    """The mark crossed the liquidation price: the last word on this position."""
    text = (
        f"💥 {_who(watch)}: the mark {n.price(mark)} crossed your liquidation price "
        f"{n.price(liquidation)}. The position has likely been liquidated. "
        f"/unwatch {watch.id} to stop watching it."
    )
    line = f"{_short(watch)} crossed its liquidation price {n.price(liquidation)}"
    return text, line


CLUSTERS_SHOWN = 3


def render_clusters(
    watch: Watch, clusters: Sequence[tuple[float, float]], liquidation: float, mark: float
) -> Rendered:
    """Large modeled clusters (price, notional), heaviest first, now between the mark and the
    liquidation price: one message, the heaviest named, the rest summed."""
    sides = "longs" if watch.side == "long" else "shorts"
    total = sum(usd for _price, usd in clusters)
    shown = [
        f"{n.usd_compact(usd)} at {n.price(price)} ({n.pct(100 * abs(price - mark) / mark)} away)"
        for price, usd in clusters[:CLUSTERS_SHOWN]
    ]
    more = len(clusters) - len(shown)
    rest = f"; {more} more" if more > 0 else ""
    total_note = f" ({n.usd_compact(total)} in all)" if len(clusters) > 1 else ""
    text = (
        f"🧲 {_who(watch)}: {'modeled clusters' if len(clusters) > 1 else 'a modeled cluster'} of "
        f"{sides} now {'sit' if len(clusters) > 1 else 'sits'} between the mark "
        f"{n.price(mark)} and your liquidation price {n.price(liquidation)}: "
        f"{'; '.join(shown)}{rest}{total_note}. A cascade through them could carry the price to "
        "your level faster."
    )
    price, usd = clusters[0]
    line = f"{_short(watch)}: {n.usd_compact(usd)} cluster at {n.price(price)}"
    if len(clusters) > 1:
        line += f" (+{len(clusters) - 1} more)"
    return text, line


def scope_name(scope: str) -> str:
    """`ALL` is the whole market; any other scope is a coin."""
    return "the market" if scope == "ALL" else escape(scope)


def _duration(seconds: float) -> str:
    minutes = max(int(seconds // 60), 0)
    return f"{minutes}m" if minutes < 120 else f"{minutes // 60}h {minutes % 60:02d}m"


def render_wave(scope: str, wave: WaveState, now_s: float, timezone: str) -> Rendered:
    """A liquidation wave: opening, growing (edits) and its final state once it closed."""
    started = n.clock_time(datetime.fromtimestamp(wave.started_s, UTC), timezone)
    head = "🌊 Liquidation wave" if wave.open else "✅ Liquidation wave over"
    parts = [f"{head} in <b>{scope_name(scope)}</b>"]
    size = wave.peak_usd if not wave.open else wave.hour_usd
    label = "peak 1h" if not wave.open else "last 1h"
    body = f"{n.usd_compact(size)} liquidated ({label})"
    if wave.long_share is not None:
        body += f", {wave.long_share:.0%} longs"
    multiple = wave.multiple if wave.open else (wave.peak_multiple or wave.multiple)
    if multiple is not None:
        body += f", {multiple:.1f}× the usual hourly rate"
    parts.append(body)
    if wave.start_price and wave.price and scope != "ALL":
        move = 100 * (wave.price / wave.start_price - 1)
        parts.append(
            f"price {n.price(wave.start_price)} → {n.price(wave.price)} ({n.signed_pct(move, 1)})"
        )
    end_s = wave.closed_s if not wave.open and wave.closed_s else now_s
    parts.append(f"since {started} ({_duration(end_s - wave.started_s)})")
    line = f"wave in {scope_name(scope)}: {n.usd_compact(size)} in 1h"
    return "\n".join(parts), line


def render_funding(
    venue: str, symbol: str, rate_8h_pct: float, event: str, extreme_pct: float
) -> Rendered:
    """Funding at an extreme, or its sign flipped."""
    pays = "longs pay shorts" if rate_8h_pct > 0 else "shorts pay longs"
    where = f"<b>{escape(symbol)}</b> on {venue_name(venue)}"
    rate = n.signed_pct(rate_8h_pct)
    if event == "extreme":
        text = (
            f"💸 Funding extreme: {where} at {rate} per 8h (your level ±{extreme_pct:g}%); {pays}."
        )
        line = f"funding {escape(symbol)} {venue_name(venue)} {rate}/8h (extreme)"
    else:
        text = f"🔄 Funding flipped: {where} is now {rate} per 8h; {pays}."
        line = f"funding {escape(symbol)} {venue_name(venue)} flipped to {rate}/8h"
    return text, line


def render_digest(lines: Sequence[str], *, quiet: bool, cap: int, max_lines: int) -> str:
    """One message for the alerts held during quiet hours or over the hourly cap."""
    why = "during quiet hours" if quiet else f"over your cap of {cap} alerts an hour"
    shown = [f"• {line}" for line in lines[-max_lines:]]
    more = len(lines) - len(shown)
    head = f"📬 <b>{len(lines)} alert(s) held {why}</b>"
    earlier = [f"… and {more} earlier"] if more else []
    return "\n".join([head, *earlier, *shown, "/positions for where your watches stand now."])
