"""Ingest leadership: one worker holds it at a time."""

from __future__ import annotations

from bot.store import Store
from bot.store.leader import LeaderLock


async def test_one_leader_at_a_time(store: Store, database_url: str) -> None:
    """A second worker gets the lock only once the first releases it (always granted on SQLite)."""
    first = LeaderLock(store.engine)
    other_store = await Store.open(database_url)
    second = LeaderLock(other_store.engine)
    try:
        assert await first.acquire() is True
        if store.dialect == "postgresql":
            assert await second.acquire() is False
            await first.release()
            assert await second.acquire() is True
        else:
            assert await second.acquire() is True
    finally:
        await first.release()
        await second.release()
        await other_store.close()
