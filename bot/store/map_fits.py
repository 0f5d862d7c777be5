"""The liquidation map's fits (one JSON document per venue and symbol, replaced by each refit) and
its live score (one row per symbol and hour scored)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.dialect import upsert
from bot.store.tables import map_fits, map_scores
from bot.vocabulary.records import to_ms

__all__ = ["HourScore", "MapFitRepo", "MapScoreRepo", "ScoreTotals", "StoredFit"]

HourScore = tuple[float, float, float]
"""One hour's realized notional, the part near held levels, the part a uniform spread would hit."""
ScoreTotals = tuple[int, float, float, float]
"""Hours scored, and the sums of `HourScore` over them."""
StoredFit = tuple[datetime, str]
"""When a fit was made, and the fit as JSON (`risk.map_fit.MapFit.to_json`)."""


class MapFitRepo:
    """Fits written by the worker's hourly refit, read at every rebuild."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def save(self, venue: str, symbol: str, fitted_at: datetime, fit_json: str) -> None:
        """Replace the fit of one venue and symbol."""
        row = {"venue": venue, "symbol": symbol, "fitted_at": fitted_at, "fit": fit_json}
        changed = {"fitted_at": fitted_at, "fit": fit_json}
        async with self._engine.begin() as conn:
            await conn.execute(upsert(conn, map_fits, row, ["venue", "symbol"], changed))

    async def load_all(self) -> dict[tuple[str, str], StoredFit]:
        """Every stored fit by ``(venue, symbol)``."""
        async with self._engine.connect() as conn:
            rows = (await conn.execute(select(map_fits))).mappings().all()
        return {(r["venue"], r["symbol"]): (r["fitted_at"], r["fit"]) for r in rows}


class MapScoreRepo:
    """The live self-score, written hourly by the worker's scorer."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, symbol: str, start: datetime, score: HourScore) -> None:
        """Record (or replace) one symbol's hour starting at ``start``."""
        realized, hit, uniform = score
        row = {"symbol": symbol, "start_ms": to_ms(start), "realized_usd": realized,
               "hit_usd": hit, "uniform_usd": uniform}  # fmt: skip
        changed = {"realized_usd": realized, "hit_usd": hit, "uniform_usd": uniform}
        async with self._engine.begin() as conn:
            await conn.execute(upsert(conn, map_scores, row, ["symbol", "start_ms"], changed))

    async def totals(self, symbol: str | None, since: datetime) -> ScoreTotals:
        """Hours scored since ``since`` (one symbol, or all) and their sums."""
        t = map_scores
        query = select(
            func.count(), func.sum(t.c.realized_usd), func.sum(t.c.hit_usd),
            func.sum(t.c.uniform_usd),
        ).where(t.c.start_ms >= to_ms(since))  # fmt: skip
        if symbol is not None:
            query = query.where(t.c.symbol == symbol)
        async with self._engine.connect() as conn:
            hours, realized, hit, uniform = (await conn.execute(query)).one()
        return int(hours or 0), float(realized or 0), float(hit or 0), float(uniform or 0)
