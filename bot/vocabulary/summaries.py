"""What a market summary says, as values: windows, top coins and venues, funding extremes, open-interest change, clusters near the mark."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.vocabulary.quotes import Coverage, WindowTotals
from risk.cluster_queries import NearCluster

NEAR_PCT = 3.0


@dataclass(frozen=True, slots=True)
class FundingRead:
    """One venue's funding on one coin, restated per 8 hours (fraction: 0.0001 = 0.01 %)."""

    venue: str
    symbol: str
    rate_8h: float


@dataclass(frozen=True, slots=True)
class OpenInterestChange:
    """A coin's open interest (USD, summed over the venues that have both ends) now and 24 h ago."""

    symbol: str
    before_usd: float
    now_usd: float
    venues: tuple[str, ...]

    @property
    def change_pct(self) -> float:
        """The change in percent of the earlier value."""
        return 100.0 * (self.now_usd - self.before_usd) / self.before_usd


@dataclass(frozen=True, slots=True)
class CoinClusters:
    """The largest modeled long cluster below and short cluster above the mark, within `NEAR_PCT`."""

    symbol: str
    mark_price: float
    long_below: NearCluster | None
    short_above: NearCluster | None

    @property
    def largest_usd(self) -> float:
        """The larger of the two clusters' notionals (0 when neither)."""
        return max((c.notional_usd for c in (self.long_below, self.short_above) if c), default=0.0)


@dataclass(frozen=True, slots=True)
class MarketSummary:
    """Everything a summary says; `symbol` set when it covers one coin only."""

    now: datetime
    focus: str
    symbol: str | None
    windows: tuple[WindowTotals, ...]
    coverage: Coverage
    funding_high: FundingRead | None
    funding_low: FundingRead | None
    open_interest: tuple[OpenInterestChange, ...]
    clusters: tuple[CoinClusters, ...]

    @property
    def focus_totals(self) -> WindowTotals:
        """The totals of the focus window."""
        return next(w for w in self.windows if w.window == self.focus)

    @property
    def top_coins(self) -> list[tuple[str, float]]:
        """The focus window's largest coins by liquidated USD."""
        return _top(self.focus_totals.by_symbol)

    @property
    def top_venues(self) -> list[tuple[str, float]]:
        """The focus window's largest venues by liquidated USD."""
        return _top(self.focus_totals.by_venue)


TOP_N = 3


def _top(amounts: dict[str, float]) -> list[tuple[str, float]]:
    ranked = sorted(((k, v) for k, v in amounts.items() if v > 0), key=lambda kv: (-kv[1], kv[0]))
    return ranked[:TOP_N]
