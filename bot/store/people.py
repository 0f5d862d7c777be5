"""Repositories for what users own: chats, watched positions and schedules."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.dialect import upsert
from bot.store.tables import chats, schedules, watches
from bot.vocabulary.records import Chat, Schedule, Watch

__all__ = ["ChatRepo", "ScheduleRepo", "WatchRepo", "watch_from_row", "watch_values"]


def _chat(row: RowMapping) -> Chat:
    return Chat(
        id=row["id"],
        type=row["type"],
        title=row["title"],
        timezone=row["timezone"],
        settings=dict(row["settings"] or {}),
        paused=bool(row["paused"]),
    )


class ChatRepo:
    """Chats the bot talks to, with their timezone and alert settings."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def upsert(self, chat: Chat, now: datetime) -> Chat:
        """Record a chat (type and title refreshed; settings, timezone and pause kept) and return it."""
        values = {
            "id": chat.id,
            "type": chat.type,
            "title": chat.title,
            "timezone": chat.timezone,
            "settings": chat.settings,
            "paused": chat.paused,
            "created_at": now,
            "updated_at": now,
        }
        changed = {"type": chat.type, "title": chat.title, "updated_at": now}
        async with self._engine.begin() as conn:
            await conn.execute(upsert(conn, chats, values, ["id"], changed))
            row = (await conn.execute(select(chats).where(chats.c.id == chat.id))).mappings().one()
        return _chat(row)

    async def get(self, chat_id: int) -> Chat | None:
        """The chat with this id, or None."""
        async with self._engine.connect() as conn:
            row = (
                (await conn.execute(select(chats).where(chats.c.id == chat_id))).mappings().first()
            )
        return _chat(row) if row else None

    async def update_settings(self, chat_id: int, settings: dict[str, Any], now: datetime) -> None:
        """Replace the chat's alert settings."""
        await self._set(chat_id, now, settings=settings)

    async def all(self) -> list[Chat]:
        """Every chat (the alert engine reads their settings)."""
        async with self._engine.connect() as conn:
            rows = (await conn.execute(select(chats).order_by(chats.c.id))).mappings().all()
        return [_chat(row) for row in rows]

    async def set_timezone(self, chat_id: int, timezone: str, now: datetime) -> None:
        """Set the IANA timezone replies and quiet hours use."""
        await self._set(chat_id, now, timezone=timezone)

    async def set_paused(self, chat_id: int, paused: bool, now: datetime) -> None:
        """Pause (the chat blocked the bot) or resume delivery to the chat."""
        await self._set(chat_id, now, paused=paused)

    async def delete(self, chat_id: int) -> bool:
        """Forget a chat with its watches and schedules; True when it existed."""
        async with self._engine.begin() as conn:
            await conn.execute(delete(watches).where(watches.c.chat_id == chat_id))
            await conn.execute(delete(schedules).where(schedules.c.chat_id == chat_id))
            result = await conn.execute(delete(chats).where(chats.c.id == chat_id))
        return result.rowcount > 0

    async def _set(self, chat_id: int, now: datetime, **values: Any) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(chats).where(chats.c.id == chat_id).values(updated_at=now, **values)
            )


def watch_from_row(row: RowMapping) -> Watch:
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
        return replace(watch, id=watch_id, created_at=now)

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
        synced = func.coalesce(
            func.sum(
                watches.c.quantity + func.coalesce(watches.c.reference_liquidation_price, 0.0)
            ),
            0.0,
        )
        query = select(func.count(), func.coalesce(func.sum(watches.c.id), 0), synced).where(
            watches.c.paused.is_(False)
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).one()
        return int(row[0]), int(row[1]), float(row[2])

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


def _schedule(row: RowMapping) -> Schedule:
    return Schedule(
        id=row["id"],
        chat_id=row["chat_id"],
        kind=row["kind"],
        cadence=row["cadence"],
        at_time=row["at_time"],
        topic_id=row["topic_id"],
        created_by=row["created_by"],
        next_run_at=row["next_run_at"],
        last_run_at=row["last_run_at"],
    )


class ScheduleRepo:
    """Summaries posted on a timetable: one schedule per chat and kind."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def upsert(self, schedule: Schedule) -> Schedule:
        """Create or replace the chat's schedule of this kind and return it with its id."""
        values = {
            "chat_id": schedule.chat_id,
            "kind": schedule.kind,
            "cadence": schedule.cadence,
            "at_time": schedule.at_time,
            "topic_id": schedule.topic_id,
            "created_by": schedule.created_by,
            "next_run_at": schedule.next_run_at,
            "last_run_at": schedule.last_run_at,
        }
        changed = {k: v for k, v in values.items() if k not in ("chat_id", "kind", "last_run_at")}
        key = (schedules.c.chat_id == schedule.chat_id) & (schedules.c.kind == schedule.kind)
        async with self._engine.begin() as conn:
            await conn.execute(upsert(conn, schedules, values, ["chat_id", "kind"], changed))
            row = (await conn.execute(select(schedules).where(key))).mappings().one()
        return _schedule(row)

    async def list_for_chat(self, chat_id: int) -> list[Schedule]:
        """The chat's schedules."""
        query = select(schedules).where(schedules.c.chat_id == chat_id).order_by(schedules.c.id)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_schedule(row) for row in rows]

    async def due(self, now: datetime) -> list[Schedule]:
        """Schedules whose next run is at or before `now`."""
        query = (
            select(schedules)
            .where(schedules.c.next_run_at <= now)
            .order_by(schedules.c.next_run_at, schedules.c.id)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_schedule(row) for row in rows]

    async def mark_run(self, schedule_id: int, ran_at: datetime, next_run_at: datetime) -> None:
        """Record a run and when the next one is due."""
        query = (
            update(schedules)
            .where(schedules.c.id == schedule_id)
            .values(last_run_at=ran_at, next_run_at=next_run_at)
        )
        async with self._engine.begin() as conn:
            await conn.execute(query)

    async def remove(self, chat_id: int, kind: str) -> bool:
        """Remove the chat's schedule of this kind; False when there was none."""
        query = delete(schedules).where(schedules.c.chat_id == chat_id, schedules.c.kind == kind)
        async with self._engine.begin() as conn:
            result = await conn.execute(query)
        return result.rowcount > 0
