"""The durable alert outbox: every alert and summary is written here first, then delivered.

A row moves pending → sending (claimed with a lease) → sent, or back to pending with a later
`not_before` (429, network error), or to failed. A claim whose lease ran out (the sender crashed) is
claimable again. Claims are one UPDATE … RETURNING whose subquery takes `FOR UPDATE SKIP LOCKED` on
PostgreSQL, so any number of senders share the outbox without taking the same row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.dialect import insert_ignore
from bot.store.tables import outbox
from bot.vocabulary.records import OutboxItem

__all__ = ["OutboxRepo", "outbox_values"]


def _item(row: RowMapping) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        key=row["key"],
        chat_id=row["chat_id"],
        kind=row["kind"],
        payload=dict(row["payload"]),
        status=row["status"],
        attempts=row["attempts"],
        not_before=row["not_before"],
        message_id=row["message_id"],
        error=row["error"],
    )


def outbox_values(item: OutboxItem, now: datetime) -> dict[str, object]:
    """The row of a new pending outbox item, written at `now`."""
    return {
        "key": item.key,
        "chat_id": item.chat_id,
        "kind": item.kind,
        "payload": item.payload,
        "status": "pending",
        "attempts": 0,
        "not_before": item.not_before or now,
        "created_at": now,
    }


class OutboxRepo:
    """Messages waiting for delivery, each keyed so it is written and sent once."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def enqueue(self, item: OutboxItem, now: datetime) -> bool:
        """Write a message; False (and nothing written) when its key is already there."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                insert_ignore(conn, outbox, ["key"]).values(outbox_values(item, now))
            )
        return result.rowcount > 0

    async def enqueue_many(self, items: Sequence[OutboxItem], now: datetime) -> int:
        """Write many messages in one transaction; returns how many were new (keys not yet there)."""
        added = 0
        async with self._engine.begin() as conn:
            for start in range(0, len(items), 500):
                values = [outbox_values(item, now) for item in items[start : start + 500]]
                result = await conn.execute(insert_ignore(conn, outbox, ["key"]).values(values))
                added += max(result.rowcount, 0)
        return added

    async def claim(self, now: datetime, limit: int, lease_s: float = 60.0) -> list[OutboxItem]:
        """Take up to `limit` due messages for sending, oldest first, under a lease."""
        due = or_(
            (outbox.c.status == "pending") & (outbox.c.not_before <= now),
            (outbox.c.status == "sending") & (outbox.c.claimed_until < now),
        )
        ids = (
            select(outbox.c.id)
            .where(due)
            .order_by(outbox.c.not_before, outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        query = (
            update(outbox)
            .where(outbox.c.id.in_(ids))
            .values(
                status="sending",
                claimed_until=now + timedelta(seconds=lease_s),
                attempts=outbox.c.attempts + 1,
            )
            .returning(*outbox.c)
        )
        async with self._engine.begin() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return sorted((_item(row) for row in rows), key=lambda i: (i.not_before or now, i.id or 0))

    async def mark_sent(self, item_id: int, now: datetime, message_id: int | None = None) -> None:
        """Record a delivered message (and the Telegram message id, for later edits)."""
        await self._set(
            item_id,
            status="sent",
            sent_at=now,
            message_id=message_id,
            claimed_until=None,
            error=None,
        )

    async def retry_later(self, item_id: int, not_before: datetime, error: str) -> None:
        """Give a claimed message back, to be tried again at `not_before`."""
        await self._set(
            item_id, status="pending", not_before=not_before, claimed_until=None, error=error[:1000]
        )

    async def give_back(self, item_ids: Sequence[int], not_before: datetime, reason: str) -> None:
        """Return claims that were never tried (chat held, rate limit) without counting an attempt."""
        query = (
            update(outbox)
            .where(outbox.c.id.in_(list(item_ids)), outbox.c.status == "sending")
            .values(
                status="pending",
                not_before=not_before,
                claimed_until=None,
                attempts=outbox.c.attempts - 1,
                error=reason[:1000],
            )
        )
        async with self._engine.begin() as conn:
            await conn.execute(query)

    async def mark_failed(self, item_id: int, error: str) -> None:
        """Give up on a message (blocked chat, bad request); it is never sent."""
        await self._set(item_id, status="failed", claimed_until=None, error=error[:1000])

    async def get(self, key: str) -> OutboxItem | None:
        """The message with this idempotency key, or None."""
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(outbox).where(outbox.c.key == key))).mappings().first()
        return _item(row) if row else None

    async def count(self, status: str) -> int:
        """How many messages are in `status`."""
        query = select(func.count()).select_from(outbox).where(outbox.c.status == status)
        async with self._engine.connect() as conn:
            return int(await conn.scalar(query) or 0)

    async def _set(self, item_id: int, **values: object) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(update(outbox).where(outbox.c.id == item_id).values(**values))
