"""What the market alerts and the noise gate remember per chat (open waves, funding, held alerts)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.dialect import upsert
from bot.store.tables import alert_states

__all__ = ["AlertStateRepo"]


class AlertStateRepo:
    """One JSON document per chat, written whole by the alert engine (the one worker that alerts)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def all(self) -> dict[int, dict[str, Any]]:
        """Every chat's state."""
        async with self._engine.connect() as conn:
            rows = (await conn.execute(select(alert_states))).mappings().all()
        return {row["chat_id"]: dict(row["state"] or {}) for row in rows}

    async def save(self, states: Mapping[int, dict[str, Any]], now: datetime) -> None:
        """Write these chats' states (insert or replace)."""
        if not states:
            return
        values = [{"chat_id": k, "state": v, "updated_at": now} for k, v in states.items()]
        async with self._engine.begin() as conn:
            for row in values:
                changed = {"state": row["state"], "updated_at": now}
                await conn.execute(upsert(conn, alert_states, row, ["chat_id"], changed))
