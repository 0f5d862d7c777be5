"""The market-desk note: a `MarketSummary` as Telegram HTML, headline first.

    📰 Market desk · 14:00 UTC
    $526M liquidated in 1h, 78% longs.
    1h $526M (78% longs) · 4h $880M (70% longs) · 24h $1.1B (62% longs) · 7d $3.2B (55% longs)
    Top coins: BTC $427M · ETH $374M · SOL $80M
    …

Pure: data in, text out. The note fits `limit` characters (4,096 for a message, 1,024 for a photo
caption) by leaving out its least important lines first; the headline and the coverage line (which
venues fed the totals, and their gaps) always stay.
"""

from __future__ import annotations

from html import escape

from bot.render.limits import MAX_CAPTION_CHARS, MAX_TEXT_CHARS
from bot.render.numbers import clock_time, price, signed_pct, usd_compact
from bot.vocabulary.quotes import Coverage, WindowTotals
from bot.vocabulary.summaries import (
    NEAR_PCT,
    CoinClusters,
    FundingRead,
    MarketSummary,
    OpenInterestChange,
)
from bot.vocabulary.venues import venue_name

__all__ = ["CAPTION_LIMIT", "MESSAGE_LIMIT", "render_summary"]

MESSAGE_LIMIT = MAX_TEXT_CHARS
CAPTION_LIMIT = MAX_CAPTION_CHARS


def _share(totals: WindowTotals) -> str:
    share = totals.long_share
    if share is None:
        return ""
    return f"{share:.0%} longs" if share >= 0.5 else f"{1 - share:.0%} shorts"


def _headline(summary: MarketSummary) -> str:
    totals = summary.focus_totals
    if totals.total_usd <= 0:
        return f"<b>No liquidations reported in {totals.window}.</b>"
    return (
        f"<b>{usd_compact(totals.total_usd)} liquidated in {totals.window}, {_share(totals)}.</b>"
    )


def _windows(summary: MarketSummary) -> str:
    parts = []
    for totals in summary.windows:
        share = _share(totals)
        parts.append(
            f"{totals.window} {usd_compact(totals.total_usd)}" + (f" ({share})" if share else "")
        )
    return " · ".join(parts)


def _ranked(label: str, rows: list[tuple[str, float]]) -> str | None:
    if not rows:
        return None
    return f"{label}: " + " · ".join(f"{escape(name)} {usd_compact(v)}" for name, v in rows)


def _venues(rows: list[tuple[str, float]]) -> list[tuple[str, float]]:
    return [(venue_name(venue), amount) for venue, amount in rows]


def _biggest(summary: MarketSummary, timezone: str) -> str | None:
    event = summary.focus_totals.largest
    if event is None:
        return None
    return (
        f"Biggest single: {usd_compact(event.notional_usd)} {escape(event.symbol)} {event.side} "
        f"on {venue_name(event.venue)} at {price(event.price)} ({clock_time(event.time, timezone)})"
    )


def _funding_one(read: FundingRead) -> str:
    return f"{signed_pct(read.rate_8h * 100)} {escape(read.symbol)} on {venue_name(read.venue)}"


def _funding(high: FundingRead | None, low: FundingRead | None) -> str | None:
    if high is None or low is None:
        return None
    if high == low:
        return f"Funding per 8h: {_funding_one(high)}"
    return f"Funding per 8h: highest {_funding_one(high)} · lowest {_funding_one(low)}"


def _open_interest(changes: tuple[OpenInterestChange, ...]) -> str | None:
    if not changes:
        return None
    parts = [f"{escape(c.symbol)} {usd_compact(c.now_usd)} ({c.change_pct:+.1f}%)" for c in changes]
    return "Open interest vs 24h ago: " + " · ".join(parts)


def _cluster_line(coin: CoinClusters) -> str:
    parts = []
    for near, side, where in (
        (coin.long_below, "longs", "below"),
        (coin.short_above, "shorts", "above"),
    ):
        if near is not None:
            parts.append(
                f"{usd_compact(near.notional_usd)} {side} at {price(near.price)} "
                f"({near.distance_pct:.1f}% {where})"
            )
    return f"• {escape(coin.symbol)} {price(coin.mark_price)}: " + " · ".join(parts)


def _coverage(coverage: Coverage) -> str:
    reporting = [v for v in coverage.venues if v.status in ("fed", "quiet", "gap")]
    names = ", ".join(venue_name(v.venue) for v in reporting) or "no venue"
    text = f"Totals from {names}"
    sampled = [venue_name(v.venue) for v in reporting if "sampled" in v.scope]
    if sampled:
        text += f" ({', '.join(sampled)} sampled: a lower bound)"
    silent = [venue_name(v.venue) for v in coverage.venues if v.status == "unavailable"]
    if silent:
        text += f"; {', '.join(silent)} has no public liquidation feed"
    gaps = [venue_name(v.venue) for v in coverage.venues if v.status == "gap"]
    if gaps:
        text += f"; feed gap this {coverage.window}: {', '.join(gaps)}"
    return f"<i>{text}.</i>"


def _sections(summary: MarketSummary, timezone: str) -> list[tuple[int, str | None]]:
    """(priority, text) in reading order; the lowest priority is left out first."""
    scope = f" · {escape(summary.symbol)}" if summary.symbol else ""
    sections: list[tuple[int, str | None]] = [
        (100, f"📰 <b>Market desk{scope}</b> · {clock_time(summary.now, timezone)}"),
        (100, _headline(summary)),
        (80, _windows(summary)),
        (75, None if summary.symbol else _ranked("Top coins", summary.top_coins)),
        (60, _ranked("Top venues", _venues(summary.top_venues))),
        (70, _biggest(summary, timezone)),
        (65, _funding(summary.funding_high, summary.funding_low)),
        (40, _open_interest(summary.open_interest)),
    ]
    for rank, coin in enumerate(summary.clusters):
        title = f"Largest modeled clusters within {NEAR_PCT:g}% of the mark:\n" if rank == 0 else ""
        sections.append((55 - rank, title + _cluster_line(coin)))
    sections.append((90, _coverage(summary.coverage)))
    return sections


def render_summary(
    summary: MarketSummary, timezone: str = "UTC", *, limit: int = MESSAGE_LIMIT
) -> str:
    """The note as HTML of at most `limit` characters, in the chat's timezone."""
    sections = [(p, text) for p, text in _sections(summary, timezone) if text]
    while True:
        text = "\n".join(text for _, text in sections)
        if len(text) <= limit or len(sections) <= 2:
            return text[:limit]
        lowest = min(range(len(sections)), key=lambda i: (sections[i][0], -i))
        del sections[lowest]
