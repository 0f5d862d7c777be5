"""A venue's live quote with its age, coverage of the liquidation feeds, and realized totals per window."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.vocabulary.records import FeedGap, LiquidationEvent, VenueSnapshot

CoverageStatus = Literal["fed", "quiet", "gap", "unavailable", "off"]


@dataclass(frozen=True, slots=True)
class Freshness:
    """How old data may be before it is reported stale."""

    mark_s: float = 30.0
    snapshot_s: float = 180.0


@dataclass(frozen=True, slots=True)
class LiveQuote:
    """The newest mark of one symbol on one venue, with the last REST snapshot and its age.

    `snapshot` holds funding and open interest from the last poll; its `mark_price` is overridden by
    `mark_price` here when a streamed mark is newer. `stale_reason` says which part is too old.
    """

    venue: str
    symbol: str
    mark_price: float
    mark_time: datetime
    mark_age_s: float
    snapshot: VenueSnapshot | None
    snapshot_age_s: float | None
    funding_rate: float | None
    next_funding_time: datetime | None
    stale_reason: str | None

    @property
    def stale(self) -> bool:
        """Whether any part is older than its freshness bound."""
        return self.stale_reason is not None


@dataclass(frozen=True, slots=True)
class VenueCoverage:
    """How one venue fed a window: `fed`, `quiet` (up, nothing liquidated), `gap`, `unavailable`."""

    venue: str
    status: CoverageStatus
    events: int
    gaps: tuple[FeedGap, ...]
    scope: str


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which venues fed a window and which had gaps in it."""

    window: str
    start: datetime
    end: datetime
    venues: tuple[VenueCoverage, ...]

    @property
    def fed(self) -> tuple[str, ...]:
        """Venues that delivered at least one liquidation in the window."""
        return tuple(v.venue for v in self.venues if v.events > 0)

    @property
    def with_gaps(self) -> tuple[str, ...]:
        """Venues whose stream had a gap overlapping the window."""
        return tuple(v.venue for v in self.venues if v.gaps)

    @property
    def complete(self) -> bool:
        """No configured venue with a liquidation feed had a gap."""
        return not self.with_gaps


@dataclass(frozen=True, slots=True)
class WindowTotals:
    """Realized liquidations in one window (USD notional), optionally for one symbol."""

    window: str
    start: datetime
    end: datetime
    symbol: str | None
    count: int
    total_usd: float
    long_usd: float
    short_usd: float
    by_venue: dict[str, float] = field(default_factory=dict)
    by_symbol: dict[str, float] = field(default_factory=dict)
    count_by_venue: dict[str, int] = field(default_factory=dict)
    largest: LiquidationEvent | None = None

    @property
    def long_share(self) -> float | None:
        """Longs' share of the total (0–1), None when nothing was liquidated."""
        return self.long_usd / self.total_usd if self.total_usd > 0 else None
