"""What the market alerts and the noise gate remember per chat (open waves, funding, held alerts)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.store.dialect import upsert
from bot.store.outbox import insert_outbox
from bot.store.tables import alert_states
from bot.vocabulary.records import OutboxItem

__all__ = ["AlertStateRepo", "GatedAlerts", "write_gated"]


@dataclass(frozen=True, slots=True)
class GatedAlerts:
    """What the noise gate decided for alerts written with another repository's rows.

    `items` are the outbox rows of the alerts it let out; `states` the chats' whole state documents
    after it (the hour's count, the lines held for a digest).
    """

    items: Sequence[OutboxItem] = ()
    states: Mapping[int, dict[str, Any]] = field(default_factory=dict)


async def _save(conn: AsyncConnection, states: Mapping[int, dict[str, Any]], now: datetime) -> None:
    for chat_id, state in states.items():
        row = {"chat_id": chat_id, "state": state, "updated_at": now}
        changed = {"state": state, "updated_at": now}
        await conn.execute(upsert(conn, alert_states, row, ["chat_id"], changed))


async def write_gated(conn: AsyncConnection, gated: GatedAlerts, now: datetime) -> int:
    """Write the gate's outbox rows and chat states inside the caller's transaction; new rows."""
    added = await insert_outbox(conn, gated.items, now) if gated.items else 0
    await _save(conn, gated.states, now)
    return added


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
        async with self._engine.begin() as conn:
            await _save(conn, states, now)
