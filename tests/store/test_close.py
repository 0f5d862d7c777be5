"""Closing the store: a write still under way finishes, and no connection is left to the collector."""

from __future__ import annotations

import asyncio
import gc
import warnings

from sqlalchemy import text

from bot.store import Store


async def test_close_waits_for_a_connection_in_use(database_url: str) -> None:
    """A query running when the store closes completes, and its connection is closed, not dropped."""
    store = await Store.open(database_url)
    started = asyncio.Event()

    async def slow_read() -> int:
        async with store.engine.connect() as connection:
            started.set()
            await asyncio.sleep(0.3)
            return int((await connection.execute(text("SELECT 1"))).scalar_one())

    reader = asyncio.create_task(slow_read())
    await started.wait()
    await store.close()
    assert reader.done()
    assert await reader == 1
    assert store.connections_in_use() == 0
    del reader
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
