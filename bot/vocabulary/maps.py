"""What /map shows (the modeled map, its mark, the realized fallback, the fits in force and the live
score), the heatmap view, and the per-chat cooldown's answer."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.vocabulary.quotes import LiveQuote
from bot.vocabulary.venues import venue_name
from risk.heatmap import Heatmap
from risk.liquidation_map import LiquidationMap
from risk.map_fit import MapFit

REALIZED_LOOKBACK = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class MapScore:
    """The map's live self-score over the hours scored so far (at most the last 7 days).

    ``hit_share``: the share of the realized notional that fell within ±0.5 % of a level the map
    held at the start of its hour; ``uniform_share``: the same for a uniform spread over the span
    the map covered (`risk.map_score`); ``realized_usd``: the notional scored.
    """

    hit_share: float
    uniform_share: float
    realized_usd: float
    hours: int


@dataclass(frozen=True, slots=True)
class MapView:
    """One symbol's map as `/map` answers it.

    `venues` are the venues whose (non-empty) maps were added into `modeled`; `quote` is the mark the
    map is read from (None: no price yet); `realized` is filled only while `modeled` is empty.
    """

    symbol: str
    modeled: LiquidationMap
    venues: tuple[str, ...]
    quote: LiveQuote | None
    now: datetime
    realized: LiquidationMap | None = None
    fits: tuple[tuple[str, MapFit], ...] = ()
    """The assumptions in force per venue of `venues`."""
    score: MapScore | None = None

    @property
    def venue_label(self) -> str:
        """The venues as the chart title and caption name them."""
        return " + ".join(venue_name(v) for v in self.venues) or "no venue"


@dataclass(frozen=True, slots=True)
class Admission:
    """Whether a call may go ahead, and if not, how long until it may."""

    allowed: bool
    retry_after_s: float = 0.0

    @property
    def retry_after_whole_s(self) -> int:
        """The wait rounded up to whole seconds (at least 1 when refused), as users read it."""
        return max(1, math.ceil(self.retry_after_s)) if not self.allowed else 0


@dataclass(frozen=True, slots=True, eq=False)
class HeatmapView:
    """One symbol's modeled map over time, as `/map COIN heatmap` draws it.

    ``heatmap.matrix[i, j]``: modeled liquidation notional (USD, both sides) priced in
    ``[edges[i], edges[i+1])`` at ``times[j]``; ``path`` the typical price per model interval;
    ``liquidations`` the realized ones ``(time, price, usd, is_long)`` of the span; ``mark`` now.
    """

    symbol: str
    venues: tuple[str, ...]
    times: tuple[datetime, ...]
    heatmap: Heatmap
    path: tuple[tuple[datetime, float], ...]
    liquidations: tuple[tuple[datetime, float, float, bool], ...]
    mark: float
    now: datetime
    band_pct: float = 0.2
    """Width of a price band, percent of price."""

    @property
    def venue_label(self) -> str:
        """The venues as the chart title names them."""
        return " + ".join(venue_name(v) for v in self.venues) or "no venue"
