"""Ids a user sees or a key contains are never handed out twice, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from bot.store import Store
from bot.store.database import create_engine, migrate
from bot.vocabulary.records import Chat, OutboxItem, Schedule, Watch

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _watch(chat_id: int) -> Watch:
    return Watch(
        chat_id=chat_id, venue="binance", symbol="BTC", side="long", leverage=10,
        entry_price=60_000, quantity=0.1,
    )  # fmt: skip


async def test_a_removed_watch_number_is_not_given_again(store: Store) -> None:
    """Chat B's new watch does not get the number of chat A's removed one."""
    for chat_id in (1, 2):
        await store.chats.upsert(Chat(id=chat_id, type="private"), NOW)
    first = await store.watches.add(_watch(1), NOW)
    assert first.id is not None
    assert await store.watches.remove(1, first.id)
    second = await store.watches.add(_watch(2), NOW)
    assert second.id is not None
    assert second.id > first.id


async def test_a_removed_schedule_and_outbox_row_keep_their_ids(store: Store) -> None:
    """Schedules and outbox rows deleted at the top of their table leave their ids unused."""
    await store.chats.upsert(Chat(id=1, type="group"), NOW)
    first = await store.schedules.upsert(Schedule(chat_id=1, kind="summary", cadence="hourly"))
    assert await store.schedules.remove(1, "summary")
    second = await store.schedules.upsert(Schedule(chat_id=1, kind="summary", cadence="hourly"))
    assert second.id is not None
    assert first.id is not None
    assert second.id > first.id
    await store.outbox.enqueue(OutboxItem("a", 1, "position", {"op": "send"}), NOW)
    async with store.engine.begin() as conn:
        first_id = (await conn.execute(text("SELECT max(id) FROM outbox"))).scalar_one()
        await conn.execute(text("DELETE FROM outbox"))
    await store.outbox.enqueue(OutboxItem("b", 1, "position", {"op": "send"}), NOW)
    item = await store.outbox.get("b")
    assert item is not None
    assert item.id is not None
    assert item.id > first_id


async def test_upgrade_starts_watch_numbers_above_those_keys_named(tmp_path: object) -> None:
    """A SQLite database from before 0003 gives new watches numbers above any an alert key named."""
    url = f"sqlite+aiosqlite:///{tmp_path}/old.db"
    engine = create_engine(url)
    await migrate(engine, "0002")
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO chats (id, type, timezone, settings, paused, created_at, updated_at) "
                "VALUES (1, 'private', 'UTC', '{}', 0, :now, :now)"
            ),
            {"now": NOW},
        )
        await conn.execute(
            text(
                "INSERT INTO outbox (key, chat_id, kind, payload, status, attempts, not_before, "
                "created_at) VALUES ('pos:7:1:0', 1, 'position', '{}', 'sent', 1, :now, :now)"
            ),
            {"now": NOW},
        )
    await migrate(engine)
    await engine.dispose()
    store = await Store.open(url)
    try:
        watch = await store.watches.add(_watch(1), NOW)
        assert watch.id == 8
    finally:
        await store.close()
