"""Live market state: the latest quote per venue and symbol, rolling liquidation windows, coverage.

`MarketState` is what handlers and alerts read. The feeds write into it (`update_snapshots` from REST
polls, `update_marks` from the mark streams, `add_liquidations`, `gap_opened`/`gap_closed`), and
`rebuild` restores it from the database on start-up so a restart loses no window. Time comes from the
injected clock; every read takes an optional `now`. Data older than its freshness bound is reported as
stale, with the reason, rather than hidden.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from bot.market.windows import WINDOWS, LiquidationWindows
from bot.vocabulary.clock import Clock
from bot.vocabulary.quotes import (
    Coverage,
    CoverageStatus,
    Freshness,
    LiveQuote,
    VenueCoverage,
    WindowTotals,
)
from bot.vocabulary.records import FeedGap, LiquidationEvent, MarkTick, VenueSnapshot

__all__ = [
    "LIQUIDATION_SCOPE",
    "WINDOWS",
    "MarkListener",
    "MarketState",
    "WindowTotals",
    "pick_mark",
]

logger = logging.getLogger(__name__)
ADVANCE_EVERY = timedelta(milliseconds=250)
MarkListener = Callable[[MarkTick], None]

LIQUIDATION_SCOPE: Mapping[str, str] = {
    "binance": "all USDⓈ-M symbols, sampled (at most one per symbol per second): a lower bound",
    "bybit": "tracked symbols, every liquidation",
    "okx": "all USDT/USDC swaps, sampled (at most one per contract per second): a lower bound",
    "hyperliquid": "no public liquidation feed",
}
"""What each venue's liquidation feed covers, as the coverage report states it."""


class MarketState:
    """The bot's live view of the market; one instance per process."""

    def __init__(
        self,
        clock: Clock,
        venues: Iterable[str] = tuple(LIQUIDATION_SCOPE),
        *,
        freshness: Freshness | None = None,
        windows: Mapping[str, timedelta] = WINDOWS,
    ) -> None:
        self.venues = tuple(venues)
        self.freshness = freshness or Freshness()
        self._clock = clock
        self._windows = LiquidationWindows(windows)
        self._retention = max(windows.values())
        self._snapshots: dict[tuple[str, str], VenueSnapshot] = {}
        self._marks: dict[tuple[str, str], MarkTick] = {}
        self._listeners: list[MarkListener] = []
        self._gaps: list[FeedGap] = []
        self._advanced_at: datetime | None = None

    # quotes

    def update_snapshots(self, snapshots: Iterable[VenueSnapshot]) -> None:
        """Keep each snapshot unless a newer one of that venue and symbol is held."""
        for snapshot in snapshots:
            key = (snapshot.venue, snapshot.symbol)
            held = self._snapshots.get(key)
            if held is None or held.time <= snapshot.time:
                self._snapshots[key] = snapshot

    def update_marks(self, ticks: Iterable[MarkTick]) -> None:
        """Keep each newer mark and tell every listener about it."""
        for tick in ticks:
            key = (tick.venue, tick.symbol)
            held = self._marks.get(key)
            if held is not None and held.time > tick.time:
                continue
            self._marks[key] = tick
            for listener in self._listeners:
                try:
                    listener(tick)
                except Exception:  # a listener's bug must not stop the feed
                    logger.exception("mark listener %r failed", listener)

    def add_mark_listener(self, listener: MarkListener) -> Callable[[], None]:
        """Call `listener` on every new mark; returns a function that removes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def quote(self, venue: str, symbol: str, now: datetime | None = None) -> LiveQuote | None:
        """The newest mark with the last snapshot and staleness; None if nothing was ever seen."""
        now = now or self._clock()
        snapshot = self._snapshots.get((venue, symbol))
        tick = self._marks.get((venue, symbol))
        if snapshot is None and tick is None:
            return None
        funding = snapshot.funding_rate if snapshot else None
        next_funding = snapshot.next_funding_time if snapshot else None
        if tick is not None and (snapshot is None or tick.time >= snapshot.time):
            mark, mark_time = tick.mark_price, tick.time
            if tick.funding_rate is not None:
                funding, next_funding = tick.funding_rate, tick.next_funding_time or next_funding
        else:
            assert snapshot is not None
            mark, mark_time = snapshot.mark_price, snapshot.time
        mark_age = (now - mark_time).total_seconds()
        snapshot_age = (now - snapshot.time).total_seconds() if snapshot else None
        reasons = []
        if mark_age > self.freshness.mark_s:
            reasons.append(f"mark {mark_age:.0f}s old")
        if snapshot_age is None or snapshot_age > self.freshness.snapshot_s:
            reasons.append(
                "no funding/open-interest poll"
                if snapshot_age is None
                else f"funding/open interest {snapshot_age:.0f}s old"
            )
        return LiveQuote(
            venue, symbol, mark, mark_time, mark_age, snapshot, snapshot_age, funding,
            next_funding, "; ".join(reasons) or None,
        )  # fmt: skip

    def quotes(self, symbol: str | None = None, now: datetime | None = None) -> list[LiveQuote]:
        """Every venue's quote (of one symbol, or all), venue order as configured."""
        keys = sorted(set(self._snapshots) | set(self._marks))
        order = {venue: i for i, venue in enumerate(self.venues)}
        keys.sort(key=lambda k: (order.get(k[0], len(order)), k[1]))
        found = [self.quote(v, s, now) for v, s in keys if symbol is None or s == symbol]
        return [q for q in found if q is not None]

    # liquidations

    def add_liquidations(self, events: Iterable[LiquidationEvent]) -> None:
        """Count new liquidations in the rolling windows (those older than a window skip it).

        Eviction runs at most every `ADVANCE_EVERY` of clock time here (a cascade brings thousands of
        frames a second); every read advances the windows exactly.
        """
        now = self._clock()
        if self._advanced_at is None or now - self._advanced_at >= ADVANCE_EVERY:
            self._windows.advance(now)
            self._advanced_at = now
        self._windows.extend(events)

    def totals(
        self, window: str, symbol: str | None = None, now: datetime | None = None
    ) -> WindowTotals:
        """Totals of one window (`1h`, `4h`, `12h`, `24h`, `7d`)."""
        return self._windows.totals(window, now or self._clock(), symbol)

    def heard_since(self, now: datetime | None = None) -> datetime | None:
        """Since when liquidations have been heard, within the longest window (`LiquidationWindows`)."""
        return self._windows.heard_since(now or self._clock())

    def all_totals(
        self, symbol: str | None = None, now: datetime | None = None
    ) -> list[WindowTotals]:
        """Totals of every window, shortest first."""
        now = now or self._clock()
        return [self._windows.totals(name, now, symbol) for name in self._windows.names]

    @property
    def window_names(self) -> list[str]:
        """The windows, shortest first."""
        return self._windows.names

    # gaps and coverage

    def gap_opened(self, venue: str, stream: str, started_at: datetime, reason: str) -> None:
        """A stream stopped at `started_at`."""
        self._gaps.append(FeedGap(venue, stream, started_at, None, reason))
        cutoff = self._clock() - self._retention
        self._gaps = [g for g in self._gaps if g.ended_at is None or g.ended_at >= cutoff]

    def gap_closed(self, venue: str, stream: str, ended_at: datetime) -> None:
        """The open gap of that stream ended at `ended_at`."""
        for i, gap in enumerate(self._gaps):
            if gap.venue == venue and gap.stream == stream and gap.ended_at is None:
                self._gaps[i] = replace(gap, ended_at=ended_at)

    def gaps(self, start: datetime, end: datetime) -> list[FeedGap]:
        """Gaps overlapping [start, end], open ones included."""
        return [
            g for g in self._gaps
            if g.started_at <= end and (g.ended_at is None or g.ended_at >= start)
        ]  # fmt: skip

    def coverage(self, window: str, now: datetime | None = None) -> Coverage:
        """Which venues fed `window`, which had gaps, and what each feed covers."""
        totals = self.totals(window, now=now)
        gaps = self.gaps(totals.start, totals.end)
        rows = []
        for venue in LIQUIDATION_SCOPE:
            events = totals.count_by_venue.get(venue, 0)
            venue_gaps = tuple(g for g in gaps if g.venue == venue)
            status: CoverageStatus
            if venue not in self.venues:
                status = "off"
            elif venue == "hyperliquid":
                status = "unavailable"
            elif venue_gaps:
                status = "gap"
            else:
                status = "fed" if events else "quiet"
            rows.append(VenueCoverage(venue, status, events, venue_gaps, LIQUIDATION_SCOPE[venue]))
        return Coverage(window, totals.start, totals.end, tuple(rows))

    # restart

    def rebuild(
        self,
        events: Iterable[LiquidationEvent],
        snapshots: Iterable[VenueSnapshot],
        gaps: Iterable[FeedGap] = (),
    ) -> None:
        """Replace the state with what the database holds (events oldest first)."""
        self._windows.clear()
        self._advanced_at = None
        self._snapshots.clear()
        self._marks.clear()
        self.add_liquidations(events)
        self.update_snapshots(snapshots)
        self._gaps = list(gaps)

    def load_liquidations(self, events: Iterable[LiquidationEvent]) -> None:
        """Add one more chunk of stored events after `rebuild` (for restoring in pages)."""
        self.add_liquidations(events)

    def __len__(self) -> int:
        """Liquidations held in the longest window."""
        return len(self._windows)


def pick_mark(quotes: Sequence[LiveQuote], preferred_venue: str) -> LiveQuote | None:
    """The preferred venue's quote when fresh, else the first fresh one, else the freshest stale one."""
    fresh = [q for q in quotes if not q.stale]
    for quote in fresh:
        if quote.venue == preferred_venue:
            return quote
    if fresh:
        return fresh[0]
    return min(quotes, key=lambda q: q.mark_age_s, default=None)
