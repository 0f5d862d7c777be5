"""The chat timezone cache."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.chats.timezones import TimezoneBook
from bot.store import Store
from bot.vocabulary.records import Chat

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


async def test_reads_through_caches_and_forgets(store: Store) -> None:
    """A timezone is read once, kept for the TTL, re-read after it or after `forget`."""
    now = [T0]
    book = TimezoneBook(store, lambda: now[0], ttl=timedelta(minutes=1))
    assert await book.get(5) == "UTC"
    await store.chats.upsert(Chat(id=5, type="private", timezone="Asia/Tokyo"), T0)
    assert await book.get(5) == "UTC"  # cached
    now[0] = T0 + timedelta(seconds=61)
    assert await book.get(5) == "Asia/Tokyo"
    await store.chats.set_timezone(5, "Europe/Berlin", T0)
    assert await book.get(5) == "Asia/Tokyo"
    book.forget(5)
    assert await book.get(5) == "Europe/Berlin"
