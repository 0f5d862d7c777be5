"""The schedules repository: summaries posted to a chat on a timetable, and which are due."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.dialect import upsert
from bot.store.tables import schedules
from bot.vocabulary.records import Schedule


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
