"""What /map shows (the modeled map, its mark, the realized fallback) and the per-chat cooldown's answer."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.vocabulary.quotes import LiveQuote
from bot.vocabulary.venues import venue_name
from risk.liquidation_map import LiquidationMap

REALIZED_LOOKBACK = timedelta(hours=24)


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
