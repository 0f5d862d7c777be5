"""The durable alert outbox: every alert and summary is written here first, then delivered.

A row moves pending → sending (claimed with a lease) → sent, or back to pending with a later
`not_before` (429, network error), or to failed; a pending row of a series (one watch's ladder) is
dropped when a newer row superseding that series is written. A claim whose lease ran out (the sender
crashed) is claimable again.

Order in a chat. A chat's rows are claimed in the order they were written (by id), and a row is
claimable only when every earlier row of its chat still waiting (pending or sending) is claimed with
it: a row held back until later (429, backoff) holds back the rows written after it, and a row
another sender has under lease holds back the rest of its chat until it is sent.

Claims are one UPDATE … RETURNING whose candidates take `FOR UPDATE SKIP LOCKED` on PostgreSQL, so
any number of senders share the outbox without taking the same row; a row skipped because another
sender is claiming it holds back its chat's later rows (they are not among this claim's candidates).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, FromClause, and_, delete, exists, func, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.dml import Update

from bot.store.dialect import insert_ignore
from bot.store.tables import outbox
from bot.vocabulary.records import OutboxItem

__all__ = ["OutboxRepo", "insert_outbox", "outbox_values"]


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


WAITING = ("pending", "sending")
FINISHED = ("sent", "failed", "dropped")


def _due(table: FromClause, now: datetime) -> ColumnElement[bool]:
    """Rows that may be sent now: pending and due, or claimed by a sender whose lease ran out."""
    return or_(
        (table.c.status == "pending") & (table.c.not_before <= now),
        (table.c.status == "sending") & (table.c.claimed_until < now),
    )


def outbox_values(item: OutboxItem, now: datetime) -> dict[str, object]:
    """The row of a new pending outbox item, written at `now`."""
    return {
        "key": item.key,
        "series": item.series,
        "chat_id": item.chat_id,
        "kind": item.kind,
        "payload": item.payload,
        "status": "pending",
        "attempts": 0,
        "not_before": item.not_before or now,
        "created_at": now,
    }


async def insert_outbox(conn: AsyncConnection, items: Sequence[OutboxItem], now: datetime) -> int:
    """`OutboxRepo.enqueue_many` inside the caller's transaction (a repository that writes its own
    rows with the alerts they cause); returns how many rows were new."""
    added = 0
    for start in range(0, len(items), 500):
        values = [outbox_values(item, now) for item in items[start : start + 500]]
        result = await conn.execute(insert_ignore(conn, outbox, ["key"]).values(values))
        added += max(result.rowcount, 0)
    for item in items:
        if item.supersedes is not None:
            await conn.execute(_supersede(item))
    return added


def _supersede(item: OutboxItem) -> Update:
    """Drop the rows of `item.supersedes` written before `item` and still pending."""
    newer = select(outbox.c.id).where(outbox.c.key == item.key).scalar_subquery()
    return (
        update(outbox)
        .where(
            and_(
                outbox.c.series == item.supersedes,
                outbox.c.status == "pending",
                outbox.c.chat_id == item.chat_id,
                outbox.c.id < newer,
            )
        )
        .values(status="dropped", error=f"superseded by {item.key}"[:1000])
    )


class OutboxRepo:
    """Messages waiting for delivery, each keyed so it is written and sent once."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def enqueue(self, item: OutboxItem, now: datetime) -> bool:
        """Write a message; False (and nothing written) when its key is already there."""
        return await self.enqueue_many([item], now) > 0

    async def enqueue_many(self, items: Sequence[OutboxItem], now: datetime) -> int:
        """Write many messages in one transaction; returns how many were new (keys not yet there).

        Each new row that `supersedes` a series drops that series' rows written before it and still
        pending (never those being sent or sent).
        """
        async with self._engine.begin() as conn:
            return await insert_outbox(conn, items, now)

    async def claim(self, now: datetime, limit: int, lease_s: float = 60.0) -> list[OutboxItem]:
        """Take up to `limit` due messages for sending under a lease, each chat's in written order."""
        earlier = outbox.alias("earlier")
        held_back = exists().where(
            earlier.c.chat_id == outbox.c.chat_id,
            earlier.c.id < outbox.c.id,
            earlier.c.status.in_(WAITING),
            ~_due(earlier, now),
        )
        candidates = (
            select(outbox.c.id, outbox.c.chat_id)
            .where(_due(outbox, now), ~held_back)
            .order_by(outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .cte("candidates")
        )
        waiting = outbox.alias("waiting")
        skipped_before = exists().where(
            waiting.c.chat_id == candidates.c.chat_id,
            waiting.c.id < candidates.c.id,
            waiting.c.status.in_(WAITING),
            waiting.c.id.not_in(select(candidates.c.id).scalar_subquery()),
        )
        ids = select(candidates.c.id).where(~skipped_before)
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
        return sorted((_item(row) for row in rows), key=lambda i: i.id or 0)

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

    async def prune(self, before: datetime) -> int:
        """Delete rows that finished (sent, failed or dropped) before `before`; returns how many.

        Rows still waiting are never pruned. Pruning a key lets it be written again, which is safe
        because every key names one alert once (an arm count, a digest number, a run time, a wave's
        start) and an edit follows its original within the wave's hours, not weeks.
        """
        finished_at = func.coalesce(outbox.c.sent_at, outbox.c.created_at)
        query = delete(outbox).where(outbox.c.status.in_(FINISHED), finished_at < before)
        async with self._engine.begin() as conn:
            result = await conn.execute(query)
        return result.rowcount

    async def statuses(self, chat_id: int) -> list[tuple[str, str]]:
        """(key, status) of every row of a chat, in written order (tests and the alert replay)."""
        query = select(outbox.c.key, outbox.c.status).where(outbox.c.chat_id == chat_id)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query.order_by(outbox.c.id))).all()
        return [(row[0], row[1]) for row in rows]

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
