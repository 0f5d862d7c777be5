"""The liquidation map's fits: one JSON document per venue and symbol, replaced by each refit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.dialect import upsert
from bot.store.tables import map_fits

__all__ = ["MapFitRepo", "StoredFit"]

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
