"""The liquidation map's fits (one JSON document per venue and symbol, replaced by each refit), its
live score (one row per symbol and hour scored) and the maps that score holds (one per symbol, from
its hour's start until the hour is scored)."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.store.dialect import upsert
from bot.store.tables import map_fits, map_holds, map_scores
from bot.vocabulary.records import from_ms, to_ms
from risk.liquidation_map import LiquidationMap

__all__ = [
    "HeldMap",
    "HourScore",
    "MapFitRepo",
    "MapHoldRepo",
    "MapScoreRepo",
    "ScoreTotals",
    "StoredFit",
]

HourScore = tuple[float, float, float]
"""One hour's realized notional, the part near held levels, the part a uniform spread would hit."""
ScoreTotals = tuple[int, float, float, float]
"""Hours scored, and the sums of `HourScore` over them."""
StoredFit = tuple[datetime, str]
"""When a fit was made, and the fit as JSON (`risk.map_fit.MapFit.to_json`)."""
HeldMap = tuple[datetime, LiquidationMap, float]
"""When the hour held began, the map held for it, and the mark it was cleared at (USD)."""


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
        """Record (or replace) one symbol's hour starting at ``start``, and delete the map held for
        that hour (`MapHoldRepo`) in the same transaction: an hour is scored and released together."""
        realized, hit, uniform = score
        row = {"symbol": symbol, "start_ms": to_ms(start), "realized_usd": realized,
               "hit_usd": hit, "uniform_usd": uniform}  # fmt: skip
        changed = {"realized_usd": realized, "hit_usd": hit, "uniform_usd": uniform}
        async with self._engine.begin() as conn:
            await conn.execute(upsert(conn, map_scores, row, ["symbol", "start_ms"], changed))
            await _delete_hold(conn, symbol, start)

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


class MapHoldRepo:
    """The map the live score holds per symbol, kept until its hour is scored (`MapScoreRepo.add`)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def save(self, symbol: str, held: HeldMap) -> None:
        """Hold ``held`` for ``symbol``, replacing the symbol's earlier hold."""
        start, liq_map, mark = held
        row = {
            "symbol": symbol,
            "start_ms": to_ms(start),
            "mark": mark,
            "bins": _bins_json(liq_map),
        }
        changed = {key: value for key, value in row.items() if key != "symbol"}
        async with self._engine.begin() as conn:
            await conn.execute(upsert(conn, map_holds, row, ["symbol"], changed))

    async def load_all(self) -> dict[str, HeldMap]:
        """Every stored hold by symbol (the maps come back with no ``as_of``)."""
        async with self._engine.connect() as conn:
            rows = (await conn.execute(select(map_holds))).mappings().all()
        return {r["symbol"]: (from_ms(r["start_ms"]), _map_of(r["bins"]), r["mark"]) for r in rows}

    async def delete(self, symbol: str, start: datetime) -> None:
        """Drop the symbol's hold of the hour starting at ``start`` (a later hold stays)."""
        async with self._engine.begin() as conn:
            await _delete_hold(conn, symbol, start)


async def _delete_hold(conn: AsyncConnection, symbol: str, start: datetime) -> None:
    t = map_holds
    await conn.execute(delete(t).where(t.c.symbol == symbol, t.c.start_ms == to_ms(start)))


def _bins_json(liq_map: LiquidationMap) -> str:
    """The map's bin width and its occupied bins with their long and short USD, as compact JSON."""
    occupied = (liq_map.long_usd > 0) | (liq_map.short_usd > 0)
    data = {
        "width_pct": liq_map.bin_width_pct,
        "bins": liq_map.bins[occupied].tolist(),
        "long_usd": liq_map.long_usd[occupied].tolist(),
        "short_usd": liq_map.short_usd[occupied].tolist(),
    }
    return json.dumps(data, separators=(",", ":"))


def _map_of(text: str) -> LiquidationMap:
    """The map `_bins_json` wrote."""
    data = json.loads(text)
    bins = np.array(data["bins"], dtype=np.int64)
    is_long = np.arange(2 * len(bins)) < len(bins)
    usd = np.array(data["long_usd"] + data["short_usd"], dtype=np.float64)
    return LiquidationMap(data["width_pct"]).plus(
        np.concatenate([bins, bins]), is_long, usd, as_of=None
    )
