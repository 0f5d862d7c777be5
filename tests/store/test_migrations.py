"""Migrations and durability across restarts, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import inspect

from bot.store import Store
from bot.store.database import create_engine, downgrade, migrate
from bot.vocabulary.records import Chat, LiquidationEvent, Watch

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
TABLES = {
    "chats",
    "watches",
    "liquidation_events",
    "market_snapshots",
    "candles",
    "feed_gaps",
    "tier_tables",
    "outbox",
    "schedules",
    "alert_states",
    "wallets",
    "map_fits",
    "map_scores",
    "map_holds",
    "alembic_version",
}


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


async def test_upgrade_from_empty_creates_every_table(database_url: str) -> None:
    """Migrating an empty database creates every table."""
    assert await _tables(database_url) == set()
    engine = create_engine(database_url)
    await migrate(engine)
    await engine.dispose()
    assert await _tables(database_url) == TABLES


async def test_upgrade_is_idempotent_and_reversible(database_url: str) -> None:
    """Upgrading twice changes nothing; downgrading to base and up again works."""
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        await migrate(engine)
        assert await _tables(database_url) == TABLES
        await downgrade(engine, "base")
        assert await _tables(database_url) == {"alembic_version"}
        await migrate(engine)
        assert await _tables(database_url) == TABLES
    finally:
        await engine.dispose()


async def test_the_map_holds_migration_goes_down_and_up(database_url: str) -> None:
    """0006 down to 0005 drops only the held maps' table; up again brings it back."""
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        await downgrade(engine, "0005")
        assert await _tables(database_url) == TABLES - {"map_holds"}
        await migrate(engine, "0006")
        assert await _tables(database_url) == TABLES
    finally:
        await engine.dispose()


async def test_data_survives_a_restart(database_url: str) -> None:
    """What was written before closing the store is read back after reopening it."""
    first = await Store.open(database_url)
    await first.chats.upsert(Chat(id=9, type="private", timezone="Asia/Tokyo"), NOW)
    watch = await first.watches.add(
        Watch(
            chat_id=9,
            venue="okx",
            symbol="ETH",
            side="short",
            leverage=25,
            entry_price=3_150.5,
            quantity=2.0,
        ),
        NOW,
    )
    event = LiquidationEvent("okx", "ETH", "short", 3_200.0, 1.5, 4_800.0, NOW)
    await first.liquidations.add_many([event])
    await first.close()

    second = await Store.open(database_url)
    try:
        chat = await second.chats.get(9)
        assert chat is not None
        assert chat.timezone == "Asia/Tokyo"
        assert await second.watches.list_for_chat(9) == [watch]
        assert await second.liquidations.since(NOW) == [event]
    finally:
        await second.close()


async def test_processes_starting_together_take_turns(database_url: str) -> None:
    """Several engines migrating one empty database at once all succeed (web and worker at start)."""
    engines = [create_engine(database_url) for _ in range(3)]
    try:
        await asyncio.gather(*(migrate(engine) for engine in engines))
    finally:
        for engine in engines:
            await engine.dispose()
    assert await _tables(database_url) == TABLES
