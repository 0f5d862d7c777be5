"""The watches repository: watched positions and the alert state each carries."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.tables import watches
from bot.vocabulary.records import Watch


def watch_from_row(row: RowMapping) -> Watch:
    """The watch a `watches` row holds."""
    return Watch(
        id=row["id"],
        chat_id=row["chat_id"],
        venue=row["venue"],
        symbol=row["symbol"],
        side=row["side"],
        leverage=row["leverage"],
        entry_price=row["entry_price"],
        quantity=row["quantity"],
        margin_mode=row["margin_mode"],
        wallet_balance=row["wallet_balance"],
        paused=bool(row["paused"]),
        alert_state=dict(row["alert_state"] or {}),
        created_at=row["created_at"],
        owner_id=row["owner_id"],
        owner_name=row["owner_name"],
        wallet_id=row["wallet_id"],
        reference_liquidation_price=row["reference_liquidation_price"],
    )


def watch_values(watch: Watch, now: datetime) -> dict[str, Any]:
    """The row of a new watch, created at `now`."""
    return {
        "chat_id": watch.chat_id,
        "venue": watch.venue,
        "symbol": watch.symbol,
        "side": watch.side,
        "leverage": watch.leverage,
        "entry_price": watch.entry_price,
        "quantity": watch.quantity,
        "margin_mode": watch.margin_mode,
        "wallet_balance": watch.wallet_balance,
        "paused": watch.paused,
        "alert_state": watch.alert_state,
        "created_at": now,
        "wallet_id": watch.wallet_id,
        "reference_liquidation_price": watch.reference_liquidation_price,
        "owner_id": watch.owner_id,
        "owner_name": watch.owner_name[:64] if watch.owner_name else None,
    }


class WatchRepo:
    """Watched positions; a chat sees and removes only its own."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, watch: Watch, now: datetime) -> Watch:
        """Store a watch and return it with its id."""
        values = watch_values(watch, now)
        async with self._engine.begin() as conn:
            result = await conn.execute(watches.insert().values(values).returning(watches.c.id))
            watch_id = result.scalar_one()
        return replace(watch, id=watch_id, created_at=now, owner_name=values["owner_name"])

    async def list_for_chat(self, chat_id: int) -> list[Watch]:
        """The chat's watches, oldest first."""
        query = select(watches).where(watches.c.chat_id == chat_id).order_by(watches.c.id)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [watch_from_row(row) for row in rows]

    async def active(self) -> list[Watch]:
        """Every watch that alerts should evaluate (not paused)."""
        query = select(watches).where(watches.c.paused.is_(False)).order_by(watches.c.id)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [watch_from_row(row) for row in rows]

    async def fingerprint(self) -> tuple[int, int, float]:
        """(count, sum of ids, sum of sizes and venue liquidation prices) of the active watches.

        Changes when one is added, removed or paused, and when a wallet's sync (in any process)
        updates the size or the venue's liquidation price of a synced one.
        """
        reference = func.coalesce(watches.c.reference_liquidation_price, 0.0)
        synced = func.coalesce(func.sum(watches.c.quantity + reference), 0.0)
        query = select(func.count(), func.coalesce(func.sum(watches.c.id), 0), synced).where(
            watches.c.paused.is_(False)
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).one()
        return int(row[0]), int(row[1]), float(row[2])

    async def get(self, chat_id: int, watch_id: int) -> Watch | None:
        """One of the chat's watches, or None."""
        query = select(watches).where(watches.c.chat_id == chat_id, watches.c.id == watch_id)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        return watch_from_row(row) if row else None

    async def remove(self, chat_id: int, watch_id: int) -> bool:
        """Remove one of the chat's watches; False when the chat has no such watch."""
        query = delete(watches).where(watches.c.chat_id == chat_id, watches.c.id == watch_id)
        async with self._engine.begin() as conn:
            result = await conn.execute(query)
        return result.rowcount > 0

    async def remove_all(self, chat_id: int) -> int:
        """Remove every watch of the chat; returns how many there were."""
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(watches).where(watches.c.chat_id == chat_id))
        return result.rowcount

    async def set_paused_for_chat(self, chat_id: int, paused: bool) -> int:
        """Pause or resume all watches of a chat; returns how many changed."""
        query = update(watches).where(watches.c.chat_id == chat_id).values(paused=paused)
        async with self._engine.begin() as conn:
            result = await conn.execute(query)
        return result.rowcount

    async def save_alert_state(self, watch_id: int, state: dict[str, Any]) -> None:
        """Persist the alert ladder state of a watch (so a restart sends nothing twice)."""
        query = update(watches).where(watches.c.id == watch_id).values(alert_state=state)
        async with self._engine.begin() as conn:
            await conn.execute(query)

    async def save_alert_states(self, states: dict[int, dict[str, Any]]) -> None:
        """Persist the alert state of many watches in one transaction."""
        if not states:
            return
        query = (
            update(watches)
            .where(watches.c.id == bindparam("watch_id"))
            .values(alert_state=bindparam("state"))
        )
        rows = [{"watch_id": k, "state": v} for k, v in states.items()]
        async with self._engine.begin() as conn:
            await conn.execute(query, rows)
