"""The market-desk summary that `/summary` and scheduled posts send, gathered into one value.

`compose_summary` reads the live market state (rolling liquidation totals, quotes, coverage), the
store (open interest 24 hours ago) and the liquidation maps (the largest modeled clusters within 3 %
of the mark); `bot.render.summary_text` turns the `MarketSummary` into the note. The *focus* window is the
one the headline speaks of (`1h` for `/summary` and hourly posts, `4h`, `24h` for daily ones); top
coins, top venues, the biggest liquidation and the coverage are read from it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from bot.market.state import MarketState, pick_mark
from bot.vocabulary.quotes import LiveQuote
from bot.vocabulary.records import VenueSnapshot
from bot.vocabulary.summaries import (
    NEAR_PCT,
    CoinClusters,
    FundingRead,
    MarketSummary,
    OpenInterestChange,
)
from risk.cluster_queries import NearCluster, find_clusters
from risk.funding import funding_rate_8h
from risk.liquidation_map import LiquidationMap
from risk.venues import Side

__all__ = [
    "FOCUS_BY_CADENCE",
    "SUMMARY_WINDOWS",
    "SnapshotSource",
    "coin_clusters",
    "compose_summary",
]

SUMMARY_WINDOWS = ("1h", "4h", "24h", "7d")
FOCUS_BY_CADENCE = {"hourly": "1h", "4h": "4h", "daily": "24h"}
OI_LOOKBACK = timedelta(hours=24)
OI_START_SLACK = timedelta(hours=1)
"""A venue's open-interest change counts only when its oldest snapshot is within this of 24 h ago."""


class SnapshotSource(Protocol):
    """Where stored snapshots come from (`bot.store.market_data.SnapshotRepo`)."""

    async def first_since(
        self, venue: str, symbol: str, start: datetime
    ) -> VenueSnapshot | None: ...


MapSource = Callable[[str], LiquidationMap]
"""``symbol -> LiquidationMap``: every venue's modeled map added up (`combined_map`)."""


def _funding_reads(quotes: Sequence[LiveQuote]) -> list[FundingRead]:
    reads = []
    for quote in quotes:
        if quote.funding_rate is None or quote.stale:
            continue
        interval_h = (quote.snapshot.funding_interval_h if quote.snapshot else None) or 8.0
        rate = funding_rate_8h(quote.funding_rate, interval_h)
        reads.append(FundingRead(quote.venue, quote.symbol, rate))
    return reads


def _oi_usd(snapshot: VenueSnapshot | None) -> float | None:
    if snapshot is None:
        return None
    if snapshot.open_interest_usd is not None:
        return snapshot.open_interest_usd
    if snapshot.open_interest is not None:
        return snapshot.open_interest * snapshot.mark_price
    return None


async def _open_interest(
    snapshots: SnapshotSource, symbol: str, quotes: Sequence[LiveQuote], now: datetime
) -> OpenInterestChange | None:
    start = now - OI_LOOKBACK
    before_total = now_total = 0.0
    venues = []
    for quote in quotes:
        now_usd = _oi_usd(quote.snapshot)
        if now_usd is None:
            continue
        first = await snapshots.first_since(quote.venue, symbol, start)
        before_usd = _oi_usd(first)
        if first is None or before_usd is None or first.time > start + OI_START_SLACK:
            continue
        before_total, now_total = before_total + before_usd, now_total + now_usd
        venues.append(quote.venue)
    if before_total <= 0:
        return None
    return OpenInterestChange(symbol, before_total, now_total, tuple(venues))


def _near(cluster_price: float, notional: float, side: Side, mark: float) -> NearCluster:
    return NearCluster(cluster_price, notional, side, 100.0 * abs(cluster_price - mark) / mark)


def coin_clusters(symbol: str, liq_map: LiquidationMap, mark: float) -> CoinClusters:
    """The largest long cluster within `NEAR_PCT` below `mark` and short cluster within it above."""
    span = mark * NEAR_PCT / 100
    longs = find_clusters(liq_map, Side.LONG, low=mark - span, high=mark)
    shorts = find_clusters(liq_map, Side.SHORT, low=mark, high=mark + span)
    big_long = max(longs, key=lambda c: c.notional_usd, default=None)
    big_short = max(shorts, key=lambda c: c.notional_usd, default=None)
    return CoinClusters(
        symbol,
        mark,
        _near(big_long.price, big_long.notional_usd, Side.LONG, mark) if big_long else None,
        _near(big_short.price, big_short.notional_usd, Side.SHORT, mark) if big_short else None,
    )


async def compose_summary(
    market: MarketState,
    snapshots: SnapshotSource,
    maps: MapSource,
    *,
    symbols: Sequence[str],
    preferred_venue: str,
    now: datetime,
    focus: str = "1h",
    symbol: str | None = None,
) -> MarketSummary:
    """The summary of the whole tracked market (or of `symbol`) at `now`."""
    coins = [symbol] if symbol is not None else list(symbols)
    windows = tuple(market.totals(w, symbol, now) for w in SUMMARY_WINDOWS)
    funding = [r for coin in coins for r in _funding_reads(market.quotes(coin, now))]
    open_interest, clusters = [], []
    for coin in coins:
        quotes = market.quotes(coin, now)
        change = await _open_interest(snapshots, coin, quotes, now)
        if change is not None:
            open_interest.append(change)
        mark, liq_map = pick_mark(quotes, preferred_venue), maps(coin)
        if mark is not None and not liq_map.is_empty:
            near = coin_clusters(coin, liq_map, mark.mark_price)
            if near.largest_usd > 0:
                clusters.append(near)
    return MarketSummary(
        now=now,
        focus=focus,
        symbol=symbol,
        windows=windows,
        coverage=market.coverage(focus, now),
        funding_high=max(funding, key=lambda r: r.rate_8h, default=None),
        funding_low=min(funding, key=lambda r: r.rate_8h, default=None),
        open_interest=tuple(open_interest),
        clusters=tuple(sorted(clusters, key=lambda c: -c.largest_usd)),
    )
