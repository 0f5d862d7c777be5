"""Repositories for market data: liquidations, snapshots, candles, feed gaps and tier tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.dialect import upsert, upsert_from_excluded
from bot.store.tables import candles, feed_gaps, liquidation_events, market_snapshots, tier_tables
from bot.vocabulary.records import (
    Candle,
    FeedGap,
    LiquidationEvent,
    StoredTierTable,
    VenueSnapshot,
    from_ms,
    to_ms,
)

__all__ = [
    "CandleRepo",
    "GapRepo",
    "LiquidationRepo",
    "SnapshotRepo",
    "TierRepo",
]


class LiquidationRepo:
    """Realized liquidations, written in batches by the feeds."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add_many(self, events: Sequence[LiquidationEvent]) -> int:
        """Insert a batch in one transaction; returns how many rows were written."""
        if not events:
            return 0
        rows = [
            {
                "venue": e.venue,
                "symbol": e.symbol,
                "side": e.side,
                "price": e.price,
                "quantity": e.quantity,
                "notional_usd": e.notional_usd,
                "ts_ms": to_ms(e.time),
            }
            for e in events
        ]
        async with self._engine.begin() as conn:
            await conn.execute(insert(liquidation_events), rows)
        return len(rows)

    async def since(
        self, start: datetime, symbol: str | None = None, *, until: datetime | None = None
    ) -> list[LiquidationEvent]:
        """Events at or after `start` (and before `until`), oldest first, optionally for one symbol."""
        query = select(liquidation_events).where(liquidation_events.c.ts_ms >= to_ms(start))
        if until is not None:
            query = query.where(liquidation_events.c.ts_ms < to_ms(until))
        if symbol is not None:
            query = query.where(liquidation_events.c.symbol == symbol)
        query = query.order_by(liquidation_events.c.ts_ms, liquidation_events.c.id)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            LiquidationEvent(
                r.venue, r.symbol, r.side, r.price, r.quantity, r.notional_usd, from_ms(r.ts_ms)
            )
            for r in rows
        ]

    async def first_time(self, venue: str, start: datetime) -> datetime | None:
        """The time of the venue's first event (any symbol) at or after `start`, or None."""
        t = liquidation_events
        query = (
            select(t.c.ts_ms)
            .where(t.c.ts_ms >= to_ms(start), t.c.venue == venue)
            .order_by(t.c.ts_ms)
            .limit(1)
        )
        async with self._engine.connect() as conn:
            value = await conn.scalar(query)
        return None if value is None else from_ms(int(value))

    async def count(self) -> int:
        """How many events are stored."""
        async with self._engine.connect() as conn:
            value = await conn.scalar(select(func.count()).select_from(liquidation_events))
        return int(value or 0)

    async def prune(self, before: datetime) -> int:
        """Delete events older than `before`; returns how many."""
        query = delete(liquidation_events).where(liquidation_events.c.ts_ms < to_ms(before))
        async with self._engine.begin() as conn:
            result = await conn.execute(query)
        return result.rowcount


def _snapshot(row: RowMapping) -> VenueSnapshot:
    next_ms = row["next_funding_ms"]
    return VenueSnapshot(
        venue=row["venue"],
        symbol=row["symbol"],
        time=from_ms(row["ts_ms"]),
        mark_price=row["mark_price"],
        index_price=row["index_price"],
        funding_rate=row["funding_rate"],
        funding_interval_h=row["funding_interval_h"],
        next_funding_time=from_ms(next_ms) if next_ms is not None else None,
        open_interest=row["open_interest"],
        open_interest_usd=row["open_interest_usd"],
    )


class SnapshotRepo:
    """Mark, index, funding and open interest per venue and symbol over time."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add_many(self, snapshots: Sequence[VenueSnapshot]) -> int:
        """Insert a batch of snapshots; returns how many."""
        if not snapshots:
            return 0
        rows = [
            {
                "venue": s.venue,
                "symbol": s.symbol,
                "ts_ms": to_ms(s.time),
                "mark_price": s.mark_price,
                "index_price": s.index_price,
                "funding_rate": s.funding_rate,
                "funding_interval_h": s.funding_interval_h,
                "next_funding_ms": to_ms(s.next_funding_time) if s.next_funding_time else None,
                "open_interest": s.open_interest,
                "open_interest_usd": s.open_interest_usd,
            }
            for s in snapshots
        ]
        async with self._engine.begin() as conn:
            await conn.execute(insert(market_snapshots), rows)
        return len(rows)

    async def latest(self) -> list[VenueSnapshot]:
        """The newest snapshot of every venue and symbol."""
        t = market_snapshots
        newest = (
            select(t.c.venue, t.c.symbol, func.max(t.c.ts_ms).label("ts_ms"))
            .group_by(t.c.venue, t.c.symbol)
            .subquery()
        )
        query = (
            select(t)
            .join(
                newest,
                (t.c.venue == newest.c.venue)
                & (t.c.symbol == newest.c.symbol)
                & (t.c.ts_ms == newest.c.ts_ms),
            )
            .order_by(t.c.venue, t.c.symbol, t.c.id.desc())
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        seen: dict[tuple[str, str], VenueSnapshot] = {}
        for row in rows:
            seen.setdefault((row["venue"], row["symbol"]), _snapshot(row))
        return list(seen.values())

    async def history(self, venue: str, symbol: str, start: datetime) -> list[VenueSnapshot]:
        """Snapshots of one venue and symbol at or after `start`, oldest first."""
        t = market_snapshots
        query = (
            select(t)
            .where(t.c.venue == venue, t.c.symbol == symbol, t.c.ts_ms >= to_ms(start))
            .order_by(t.c.ts_ms, t.c.id)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_snapshot(row) for row in rows]

    async def first_since(self, venue: str, symbol: str, start: datetime) -> VenueSnapshot | None:
        """The oldest snapshot of one venue and symbol at or after `start` (one indexed row), or None."""
        t = market_snapshots
        query = (
            select(t)
            .where(t.c.venue == venue, t.c.symbol == symbol, t.c.ts_ms >= to_ms(start))
            .order_by(t.c.ts_ms, t.c.id)
            .limit(1)
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        return _snapshot(row) if row else None

    async def prune(self, before: datetime) -> int:
        """Delete snapshots older than `before`; returns how many."""
        query = delete(market_snapshots).where(market_snapshots.c.ts_ms < to_ms(before))
        async with self._engine.begin() as conn:
            result = await conn.execute(query)
        return result.rowcount


class CandleRepo:
    """Candles per venue, symbol and interval; a re-fetched candle replaces the stored one."""

    _VALUES = ("open", "high", "low", "close", "volume", "taker_buy_volume")

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def upsert_many(self, items: Sequence[Candle]) -> int:
        """Insert or update candles; returns how many were given."""
        if not items:
            return 0
        rows = [
            {
                "venue": c.venue,
                "symbol": c.symbol,
                "interval_s": c.interval_s,
                "open_ms": to_ms(c.open_time),
                "open": c.open,
                "high": c.high,
                "low": c.low,
                "close": c.close,
                "volume": c.volume,
                "taker_buy_volume": c.taker_buy_volume,
            }
            for c in items
        ]
        keys = ["venue", "symbol", "interval_s", "open_ms"]
        async with self._engine.begin() as conn:
            await conn.execute(upsert_from_excluded(conn, candles, keys, self._VALUES), rows)
        return len(rows)

    async def recent(self, venue: str, symbol: str, interval_s: int, limit: int) -> list[Candle]:
        """The newest `limit` candles, returned oldest first."""
        t = candles
        query = (
            select(t)
            .where(t.c.venue == venue, t.c.symbol == symbol, t.c.interval_s == interval_s)
            .order_by(t.c.open_ms.desc())
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            Candle(
                r.venue,
                r.symbol,
                r.interval_s,
                from_ms(r.open_ms),
                r.open,
                r.high,
                r.low,
                r.close,
                r.volume,
                r.taker_buy_volume,
            )
            for r in reversed(rows)
        ]

    async def prune(self, before: datetime) -> int:
        """Delete candles opened before `before`; returns how many."""
        query = delete(candles).where(candles.c.open_ms < to_ms(before))
        async with self._engine.begin() as conn:
            result = await conn.execute(query)
        return result.rowcount


def _gap(row: RowMapping) -> FeedGap:
    ended = row["ended_ms"]
    return FeedGap(
        id=row["id"],
        venue=row["venue"],
        stream=row["stream"],
        started_at=from_ms(row["started_ms"]),
        ended_at=from_ms(ended) if ended is not None else None,
        reason=row["reason"],
    )


class GapRepo:
    """Stretches where a feed delivered nothing: what coverage reports are made of."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def open(self, venue: str, stream: str, started_at: datetime, reason: str) -> int:
        """Record the start of a gap; returns its id."""
        values = {
            "venue": venue,
            "stream": stream,
            "started_ms": to_ms(started_at),
            "reason": reason[:256],
        }
        async with self._engine.begin() as conn:
            result = await conn.execute(feed_gaps.insert().values(values).returning(feed_gaps.c.id))
            return int(result.scalar_one())

    async def close(self, gap_id: int, ended_at: datetime) -> None:
        """Record the end of a gap."""
        query = update(feed_gaps).where(feed_gaps.c.id == gap_id).values(ended_ms=to_ms(ended_at))
        async with self._engine.begin() as conn:
            await conn.execute(query)

    async def overlapping(self, start: datetime, end: datetime) -> list[FeedGap]:
        """Gaps that overlap [start, end], including ones still open."""
        t = feed_gaps
        query = (
            select(t)
            .where(t.c.started_ms <= to_ms(end))
            .where((t.c.ended_ms.is_(None)) | (t.c.ended_ms >= to_ms(start)))
            .order_by(t.c.started_ms)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_gap(row) for row in rows]

    async def prune(self, before: datetime) -> int:
        """Delete gaps that ended before `before` (an open gap stays); returns how many."""
        t = feed_gaps
        query = delete(t).where(t.c.ended_ms.is_not(None), t.c.ended_ms < to_ms(before))
        async with self._engine.begin() as conn:
            result = await conn.execute(query)
        return result.rowcount


class TierRepo:
    """The latest fetched maintenance-margin tier table per venue and symbol."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def save(self, table: StoredTierTable) -> None:
        """Replace the stored table of that venue and symbol."""
        values: dict[str, Any] = {
            "venue": table.venue,
            "symbol": table.symbol,
            "fetched_at": table.fetched_at,
            "tiers": table.tiers,
            "contract_value": table.contract_value,
            "source": table.source,
        }
        changed = {k: v for k, v in values.items() if k not in ("venue", "symbol")}
        async with self._engine.begin() as conn:
            await conn.execute(upsert(conn, tier_tables, values, ["venue", "symbol"], changed))

    async def load_all(self) -> list[StoredTierTable]:
        """Every stored table."""
        async with self._engine.connect() as conn:
            rows = (await conn.execute(select(tier_tables))).mappings().all()
        return [
            StoredTierTable(
                r["venue"],
                r["symbol"],
                r["fetched_at"],
                list(r["tiers"]),
                r["contract_value"],
                r["source"],
            )
            for r in rows
        ]
