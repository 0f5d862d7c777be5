"""The risk desk: turns what a user asked (`PositionArgs`) into a `RiskCard` from live data.

It fills the defaults DESIGN.md names (venue from settings, entry at the current mark, $1,000 of margin),
reads the live quote, the tier table in force, the realized volatility and the liquidation map, and
calls `risk.report.assess`. Anything it cannot do is a `DeskRefusal` with a message for the user
(unknown coin, leverage above the venue's maximum, no price yet); stale data is answered, and flagged.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from bot.market.state import MarketState
from bot.store import Store
from bot.vocabulary.cards import DeskRefusal, RiskCard
from bot.vocabulary.clock import Clock
from bot.vocabulary.positions import PositionArgs
from bot.vocabulary.quotes import LiveQuote
from risk.cluster_queries import cumulative_long_down_to, cumulative_short_up_to, find_clusters
from risk.errors import LeverageTooHighError, RiskError
from risk.liquidation import Position
from risk.liquidation_map import LiquidationMap
from risk.odds import realized_volatility
from risk.report import Cluster, MarketSnapshot, RiskReport, assess
from risk.tiers import TierTable
from risk.venues import MarginMode, Side, parse_side, parse_venue

__all__ = [
    "DEFAULT_MARGIN_USD",
    "RiskDesk",
]

log = logging.getLogger(__name__)
DEFAULT_MARGIN_USD = 1_000.0
WALLET_NEEDS_CROSS = (
    "wallet counts in cross margin only: read as isolated; add 'cross' to back the position "
    "with the wallet"
)
_VOL_CANDLES = 200
_VOL_TTL = timedelta(minutes=5)

TierProvider = Callable[[str, str], TierTable]
TierTimes = Callable[[str, str], datetime | None]
"""`(venue, symbol) -> when the table in force was fetched`; None for the bundled table."""
MapProvider = Callable[[str], LiquidationMap]
"""`symbol -> map`: the modeled map of every venue combined (one price, one cascade)."""


class RiskDesk:
    """Answers `/risk` and prices `/watch` from the live market state."""

    def __init__(
        self,
        market: MarketState,
        store: Store,
        tiers: TierProvider,
        maps: MapProvider,
        *,
        default_venue: str,
        venues: Sequence[str],
        symbols: Sequence[str],
        clock: Clock,
        candle_interval_s: int = 3600,
        tier_times: TierTimes | None = None,
    ) -> None:
        self._market, self._store, self._tiers, self._maps = market, store, tiers, maps
        self.default_venue, self.venues, self.symbols = default_venue, tuple(venues), tuple(symbols)
        self._clock = clock
        self._candle_interval_s = candle_interval_s
        self._tier_times = tier_times
        self._vol: dict[tuple[str, str], tuple[datetime, float | None, int]] = {}

    async def card(self, request: PositionArgs) -> RiskCard | DeskRefusal:
        """The full risk card for `request`, or why there is none."""
        now = self._clock()
        venue = request.venue or self.default_venue
        if venue not in self.venues:
            return DeskRefusal(
                f"{venue} is not followed by this bot; try one of {', '.join(self.venues)}."
            )
        if request.symbol not in self.symbols:
            return DeskRefusal(
                f"{request.symbol} is not tracked; tracked: {', '.join(self.symbols)}."
            )
        quote = self._market.quote(venue, request.symbol, now)
        mark = quote.mark_price if quote else request.entry_price
        if mark is None:
            return DeskRefusal(
                f"No price for {request.symbol} on {venue} yet (the feed has not answered). "
                f"Give an entry to get the liquidation price anyway: /risk {request.symbol} "
                f"{request.leverage:g}x {request.side} @ 91000"
            )
        try:
            table = self._tiers(venue, request.symbol)
            position, margin = _position(request, venue, mark)
            snapshot = await self._snapshot(venue, request.symbol, quote, mark, now)
            liq_map = self._maps(request.symbol)
            report = assess(
                position,
                snapshot,
                table,
                now=now,
                clusters=_clusters(liq_map),
                stale_after_s=self._market.freshness.mark_s,
            )
        except LeverageTooHighError as exc:
            return DeskRefusal(str(exc), max_leverage=exc.max_leverage)
        except RiskError as exc:
            return DeskRefusal(str(exc))
        return RiskCard(
            request=request,
            position=position,
            report=report,
            venue=venue,
            margin_usd=margin,
            quote=quote,
            last_hour=self._market.totals("1h", request.symbol, now),
            cumulative_same_side_usd=_cumulative(liq_map, report),
            warnings=_warnings(quote, venue, request.symbol),
            notes=_notes(request),
            volatility_closes=self._vol.get((venue, request.symbol), (now, None, 0))[2],
            candle_interval_s=self._candle_interval_s,
            tiers_fetched_at=self._tier_times(venue, request.symbol) if self._tier_times else None,
        )

    async def _snapshot(
        self, venue: str, symbol: str, quote: LiveQuote | None, mark: float, now: datetime
    ) -> MarketSnapshot:
        snap = quote.snapshot if quote else None
        interval_h = (snap.funding_interval_h if snap else None) or 8.0
        next_funding = (quote.next_funding_time if quote else None) or _next_funding(
            now, interval_h
        )
        return MarketSnapshot(
            mark_price=mark,
            index_price=(snap.index_price if snap else None) or mark,
            funding_rate=(quote.funding_rate if quote else None) or 0.0,
            funding_interval_hours=interval_h,
            next_funding_time=next_funding,
            daily_volatility=await self._volatility(venue, symbol, now),
            as_of=quote.mark_time if quote else now,
        )

    async def _volatility(self, venue: str, symbol: str, now: datetime) -> float | None:
        cached = self._vol.get((venue, symbol))
        if cached is not None and now - cached[0] < _VOL_TTL:
            return cached[1]
        candles = await self._store.candles.recent(
            venue, symbol, self._candle_interval_s, _VOL_CANDLES
        )
        try:
            vol: float | None = realized_volatility(
                [c.close for c in candles], self._candle_interval_s
            )
        except RiskError:
            vol = None  # too few closes: nothing measured
        measured = len(candles) if vol is not None and math.isfinite(vol) else 0
        if vol is not None and not (math.isfinite(vol) and vol > 0):
            vol = None  # measured flat (`measured` closes without a move): no odds to give
        self._vol[(venue, symbol)] = (now, vol, measured)
        return vol


def _position(request: PositionArgs, venue: str, mark: float) -> tuple[Position, float]:
    entry = request.entry_price or mark
    if request.quantity is not None:
        quantity = request.quantity
    elif request.notional_usd is not None:
        quantity = request.notional_usd / entry
    else:
        quantity = (request.margin_usd or DEFAULT_MARGIN_USD) * request.leverage / entry
    margin = quantity * entry / request.leverage
    wallet = request.wallet_balance if request.margin_mode == "cross" else None
    position = Position(
        venue=parse_venue(venue),
        symbol=request.symbol,
        side=parse_side(request.side),
        leverage=request.leverage,
        entry_price=entry,
        quantity=quantity,
        margin_mode=MarginMode(request.margin_mode),
        wallet_balance=wallet
        if wallet is not None
        else (margin if request.margin_mode == "cross" else None),
    )
    return position, margin


def _next_funding(now: datetime, interval_h: float) -> datetime:
    """The next funding boundary (venues settle on multiples of the interval from 00:00 UTC)."""
    step = timedelta(hours=interval_h)
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + step * (math.floor((now - midnight) / step) + 1)


def _clusters(liq_map: LiquidationMap) -> list[Cluster]:
    return [c for side in (Side.LONG, Side.SHORT) for c in find_clusters(liq_map, side)]


def _cumulative(liq_map: LiquidationMap, report: RiskReport) -> float:
    level = report.liquidation_price
    if level is None or report.liquidated_now:
        return 0.0
    if str(report.position.side) == "long":
        return cumulative_long_down_to(liq_map, report.mark_price, level)
    return cumulative_short_up_to(liq_map, report.mark_price, level)


def _notes(request: PositionArgs) -> tuple[str, ...]:
    """How a request that reads two ways was read."""
    if request.wallet_balance is not None and request.margin_mode != "cross":
        return (WALLET_NEEDS_CROSS,)
    return ()


def _warnings(quote: LiveQuote | None, venue: str, symbol: str) -> tuple[str, ...]:
    if quote is None:
        return (f"no live price for {symbol} on {venue}: computed from your entry only",)
    if quote.stale_reason:
        return (f"data is stale ({quote.stale_reason}): {venue} may be down",)
    return ()
