"""/liqs: realized liquidation totals per window and the coverage behind them, as Telegram HTML.

Pure: `WindowTotals` and `Coverage` values in, text out. Every total says which venues fed it and
whether a feed had a gap in its window (DESIGN.md section 2); the text stays well under 4,096 chars.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from html import escape

from bot.render import numbers as n
from bot.vocabulary.quotes import Coverage, VenueCoverage, WindowTotals
from bot.vocabulary.records import FeedGap, LiquidationEvent
from bot.vocabulary.venues import SAMPLED_LIQUIDATIONS, venue_name
from bot.vocabulary.zones import zone

__all__ = ["render_liqs"]

TOP_COINS = 5
GAPS_SHOWN = 3
REASON_CHARS = 60
_FEATURED = ("24h", "7d")  # windows whose top coins and biggest liquidation are shown


def render_liqs(
    totals: Sequence[WindowTotals],
    coverages: Sequence[Coverage],
    *,
    symbol: str | None,
    now: datetime,
    timezone: str = "UTC",
) -> str:
    """The whole /liqs answer; `coverages[i]` is the coverage of `totals[i]`'s window."""
    title = f"{escape(symbol)} liquidations" if symbol else "Liquidations, all coins"
    lines = [f"<b>{title}</b> · realized, as the venues reported them"]
    lines += [_window_line(t, c) for t, c in zip(totals, coverages, strict=True)]
    featured = [t for t in totals if t.window in _FEATURED]
    if symbol is None:
        lines += [line for t in featured[:1] if (line := _top_coins(t))]
    lines += _biggest(featured, now, timezone)
    longest_totals, longest = totals[-1], coverages[-1]
    lines += ["", f"<b>Coverage</b> ({escape(longest.window)})"]
    lines += [_venue_line(v, longest_totals, symbol, now, timezone) for v in longest.venues]
    lines.append(_as_of(longest, now, timezone))
    return "\n".join(lines)


def _as_of(coverage: Coverage, now: datetime, timezone: str) -> str:
    """When the totals were taken, after which of the venues ingested send only a sample."""
    sampled = [
        v.venue for v in coverage.venues if v.venue in SAMPLED_LIQUIDATIONS and v.status != "off"
    ]
    when = n.clock_time(now, timezone)
    if not sampled:
        return f"Totals as of {when}"
    verb = "sends" if len(sampled) == 1 else "send"
    names = " and ".join(venue_name(v) for v in sampled)
    return f"{escape(names)} {verb} a sample (lower bound); totals as of {when}"


def _window_line(totals: WindowTotals, coverage: Coverage) -> str:
    label = f"<b>{escape(totals.window)}</b>"
    gap = f" · ⚠️ gap: {_venues(coverage.with_gaps)}" if coverage.with_gaps else ""
    if totals.total_usd <= 0:
        return f"{label} none seen{gap}"
    share = totals.long_share or 0.0
    venues = " · ".join(
        f"{venue_name(v)} {n.usd_compact(usd)}" for v, usd in totals.by_venue.items() if usd > 0
    )
    return (
        f"{label} {n.usd_compact(totals.total_usd)} · {share * 100:.0f}% longs "
        f"({n.usd_compact(totals.long_usd)} L / {n.usd_compact(totals.short_usd)} S) · "
        f"{escape(venues)}{gap}"
    )


def _venues(venues: Sequence[str]) -> str:
    return escape(", ".join(venue_name(v) for v in venues))


def _top_coins(totals: WindowTotals) -> str:
    coins = [(coin, usd) for coin, usd in totals.by_symbol.items() if usd > 0][:TOP_COINS]
    if not coins:
        return ""
    listed = " · ".join(f"{escape(coin)} {n.usd_compact(usd)}" for coin, usd in coins)
    return f"Top coins {escape(totals.window)}: {listed}"


def _biggest(featured: Sequence[WindowTotals], now: datetime, timezone: str) -> list[str]:
    lines, shown = [], set()
    for totals in featured:
        event = totals.largest
        if event is None or event in shown:
            continue
        shown.add(event)
        lines.append(f"Biggest {escape(totals.window)}: {_event(event, now, timezone)}")
    return lines


def _event(event: LiquidationEvent, now: datetime, timezone: str) -> str:
    return (
        f"{n.usd_compact(event.notional_usd)} {escape(event.symbol)} {event.side} on "
        f"{escape(venue_name(event.venue))} at {n.price(event.price)} "
        f"({_when(event.time, now, timezone)})"
    )


def _when(moment: datetime, now: datetime, timezone: str) -> str:
    """Clock time, with the day in front when it is more than a day ago."""
    if now - moment < timedelta(hours=24):
        return n.clock_time(moment, timezone)
    local = moment.astimezone(zone(timezone))
    return f"{local:%b} {local.day} {n.clock_time(moment, timezone)}"


def _venue_line(
    venue: VenueCoverage, totals: WindowTotals, symbol: str | None, now: datetime, timezone: str
) -> str:
    name = escape(venue_name(venue.venue))
    if venue.status == "off":
        return f"{name}: not ingested (not in VENUES)"
    if venue.status == "unavailable":
        return f"{name}: {escape(venue.scope)}"
    count = totals.count_by_venue.get(venue.venue, 0)
    what = f"{escape(symbol)} liquidation" if symbol else "liquidation"
    fed = (
        f"fed {count:,} {what}{'s' if count != 1 else ''}"
        if count
        else f"{'' if venue.gaps else 'up, '}no {what}s seen"
    )
    if venue.gaps:
        gaps = [_gap(g, now, timezone) for g in venue.gaps[-GAPS_SHOWN:]]
        more = len(venue.gaps) - GAPS_SHOWN
        fed = f"⚠️ {'; '.join(gaps)}{f' (+{more} more)' if more > 0 else ''} · {fed}"
    return f"{name}: {fed} · {escape(venue.scope)}"


def _gap(gap: FeedGap, now: datetime, timezone: str) -> str:
    start = _when(gap.started_at, now, timezone)
    if gap.ended_at is None:
        down_s = (now - gap.started_at).total_seconds()
        return f"feed down since {start} ({n.age(down_s)}, {_reason(gap)})"
    end = _when(gap.ended_at, now, timezone)
    return f"gap {start}–{end} ({_reason(gap)})"


def _reason(gap: FeedGap) -> str:
    reason = gap.reason if len(gap.reason) <= REASON_CHARS else f"{gap.reason[:REASON_CHARS]}…"
    return escape(reason)
