"""The risk card the desk builds for a position, and the refusal it gives instead when it cannot."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.vocabulary.positions import PositionArgs
from bot.vocabulary.quotes import LiveQuote, WindowTotals
from risk.position import Position
from risk.report import RiskReport


@dataclass(frozen=True, slots=True)
class DeskRefusal:
    """Why no card could be made, in words for the user."""

    message: str
    max_leverage: float | None = None


@dataclass(frozen=True, slots=True)
class RiskCard:
    """Everything the risk card shows: the engine's report plus the market context around it."""

    request: PositionArgs
    position: Position
    report: RiskReport
    venue: str
    margin_usd: float
    quote: LiveQuote | None
    last_hour: WindowTotals
    cumulative_same_side_usd: float
    warnings: tuple[str, ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = field(default_factory=tuple)
    """How the request was read where it could be read more than one way (plain text)."""
    volatility_closes: int = 0
    """How many candle closes the realized volatility comes from (with no volatility: how many
    were measured flat; 0 when there were too few to measure)."""
    candle_interval_s: int = 3600
    tiers_fetched_at: datetime | None = None
    """When the venue's tier table in force was fetched; None: the bundled table."""
