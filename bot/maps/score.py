"""The map's live self-score: of the notional the venues reported liquidated, the share that fell
within ±0.5 % of a level the map held just before, beside the share a uniform spread would reach.

Every hour the scorer holds the combined map of each symbol (cleared at the mark, as `/map` shows
it) and, once the hour is over, scores it on the liquidations stored for that hour with
`risk.map_score.self_score`; the result is stored per symbol and hour, so the score survives
restarts. `/map`, the README and ``python -m bot check`` read the last 7 days of it.

The held maps are stored too (`store.map_holds`, one per symbol), so a restart keeps the hour being
scored: the first tick after a start loads them, scores at once an hour that ended while the bot
was down (on the liquidations stored for it, which stop where the ingest stopped), keeps one still
running until its end, and drops one older than the score window. Scoring an hour writes its score
and deletes its hold in one transaction; a crash before that commit leaves the hold to be scored
again, and rescoring an hour replaces its row (an upsert on symbol and hour), so no hour is lost or
counted twice.

Out of sample by construction: each hour is scored against the map as it stood at the hour's start,
with the fit then in force. The minute or so between an hour's end and the next map held is not
scored, nor the time a symbol had no map to hold (no mark yet, or an empty model), nor the hours the
bot was down after the one it held. Realized notional is what the venues report: Binance's and OKX's
sampled streams undercount, Hyperliquid reports none.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.maps.service import LiquidationMapService
from bot.market.state import MarketState, pick_mark
from bot.store import Store
from bot.store.map_fits import HeldMap
from bot.vocabulary.clock import Clock
from bot.vocabulary.maps import MapScore
from risk.liquidation_map import LiquidationMap
from risk.map_clearing import clear_crossed
from risk.map_score import self_score

__all__ = ["SCORE_HOUR", "SCORE_WINDOW", "MapScorer", "load_score"]

logger = logging.getLogger(__name__)

SCORE_HOUR = timedelta(hours=1)
SCORE_WINDOW = timedelta(days=7)
BAND_PCT = 0.5


async def load_score(
    store: Store, symbol: str | None, now: datetime, window: timedelta = SCORE_WINDOW
) -> MapScore | None:
    """The score of the last ``window`` for one symbol (or all); None before any hour was scored."""
    hours, realized, hit, uniform = await store.map_scores.totals(symbol, now - window)
    if hours == 0:
        return None
    if realized <= 0:
        return MapScore(0.0, 0.0, 0.0, hours)
    return MapScore(hit / realized, uniform / realized, realized, hours)


class MapScorer:
    """Holds one map per symbol each hour and scores it when the hour is over (module docstring)."""

    def __init__(
        self,
        store: Store,
        maps: LiquidationMapService,
        market: MarketState,
        clock: Clock,
        *,
        symbols: Sequence[str],
        preferred_venue: str,
    ) -> None:
        self._store, self._maps, self._market, self._clock = store, maps, market, clock
        self._symbols, self._preferred = tuple(symbols), preferred_venue
        self._held: dict[str, HeldMap] = {}
        self._loaded = False

    async def tick(self, now: datetime | None = None) -> int:
        """Score the hours that are over, hold the next maps; returns how many hours were scored."""
        now = now or self._clock()
        if not self._loaded:
            await self._load(now)
            self._loaded = True
        scored = 0
        for symbol in self._symbols:
            held = self._held.pop(symbol, None)
            if held is not None and now - held[0] < SCORE_HOUR:
                self._held[symbol] = held
                continue
            if held is not None:
                await self._score(symbol, *held)
                scored += 1
            await self._hold(symbol, now)
        return scored

    async def _load(self, now: datetime) -> None:
        """Take up the maps held before this start; drop those older than the score window.

        A hold of a symbol no longer scored stays stored (it is scored if the symbol comes back)
        until a start finds it expired.
        """
        for symbol, held in (await self._store.map_holds.load_all()).items():
            if held[0] < now - SCORE_WINDOW:
                await self._store.map_holds.delete(symbol, held[0])
            elif symbol in self._symbols:
                self._held[symbol] = held

    async def _score(
        self, symbol: str, start: datetime, liq_map: LiquidationMap, mark: float
    ) -> None:
        """Score one held hour; storing the score deletes its hold in the same transaction."""
        end = start + SCORE_HOUR
        events = await self._store.liquidations.since(start, symbol, until=end)
        score = self_score(
            liq_map, mark, ((e.price, e.notional_usd, e.side) for e in events), band_pct=BAND_PCT
        )
        realized = score.realized_usd
        await self._store.map_scores.add(
            symbol, start, (realized, score.hit_share * realized, score.uniform_share * realized)
        )
        logger.info("map score %s %s: %.0f%% of $%.0f near held levels (uniform %.0f%%)",
                    symbol, start.isoformat(timespec="minutes"), 100 * score.hit_share, realized,
                    100 * score.uniform_share)  # fmt: skip

    async def _hold(self, symbol: str, now: datetime) -> None:
        quote = pick_mark(self._market.quotes(symbol, now), self._preferred)
        modeled = self._maps.combined_map(symbol)
        if quote is None or quote.mark_price <= 0 or modeled.is_empty:
            return
        mark = quote.mark_price
        held = (now, clear_crossed(modeled, low=mark, high=mark), mark)
        self._held[symbol] = held
        await self._store.map_holds.save(symbol, held)
