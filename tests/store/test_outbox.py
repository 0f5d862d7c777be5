"""The outbox on SQLite and PostgreSQL: idempotent writes, claims, leases and outcomes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.store import Store
from bot.vocabulary.records import OutboxItem

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _item(key: str, chat_id: int = 1) -> OutboxItem:
    return OutboxItem(key=key, chat_id=chat_id, kind="position", payload={"text": key})


async def test_enqueue_is_idempotent(store: Store) -> None:
    """The same key written twice is stored once."""
    assert await store.outbox.enqueue(_item("a"), NOW) is True
    assert await store.outbox.enqueue(_item("a"), NOW) is False
    assert await store.outbox.count("pending") == 1


async def test_claim_takes_each_row_once_oldest_first(store: Store) -> None:
    """Claims return due rows oldest first, and a claimed row is not handed out again."""
    for key in ("a", "b", "c"):
        await store.outbox.enqueue(_item(key), NOW)
    first = await store.outbox.claim(NOW, limit=2)
    second = await store.outbox.claim(NOW, limit=2)
    assert [i.key for i in first] == ["a", "b"]
    assert [i.key for i in second] == ["c"]
    assert all(i.status == "sending" and i.attempts == 1 for i in first + second)
    assert await store.outbox.claim(NOW, limit=2) == []


async def test_retry_later_and_mark_sent(store: Store) -> None:
    """A row given back waits for `not_before`; a sent row keeps its message id."""
    await store.outbox.enqueue(_item("a"), NOW)
    (item,) = await store.outbox.claim(NOW, limit=5)
    assert item.id is not None
    await store.outbox.retry_later(item.id, NOW + timedelta(seconds=30), "429 retry_after 30")
    assert await store.outbox.claim(NOW + timedelta(seconds=29), limit=5) == []
    (again,) = await store.outbox.claim(NOW + timedelta(seconds=30), limit=5)
    assert again.attempts == 2
    assert again.error == "429 retry_after 30"
    await store.outbox.mark_sent(item.id, NOW, message_id=555)
    stored = await store.outbox.get("a")
    assert stored is not None
    assert (stored.status, stored.message_id, stored.error) == ("sent", 555, None)


async def test_expired_lease_is_claimable_and_failed_is_not(store: Store) -> None:
    """A sender that died leaves a lease that runs out; a failed row is never claimed."""
    await store.outbox.enqueue(_item("a"), NOW)
    await store.outbox.enqueue(_item("b"), NOW)
    claimed = await store.outbox.claim(NOW, limit=5, lease_s=60)
    assert claimed[1].id is not None
    await store.outbox.mark_failed(claimed[1].id, "403 blocked")
    assert await store.outbox.claim(NOW + timedelta(seconds=59), limit=5) == []
    reclaimed = await store.outbox.claim(NOW + timedelta(seconds=61), limit=5)
    assert [i.key for i in reclaimed] == ["a"]
    assert await store.outbox.count("failed") == 1


async def test_concurrent_claims_never_share_a_row(store: Store) -> None:
    """Several senders claiming at once get disjoint rows that together cover the outbox."""
    for n in range(60):
        await store.outbox.enqueue(_item(f"k{n}"), NOW)
    batches = await asyncio.gather(*(store.outbox.claim(NOW, limit=7) for _ in range(12)))
    keys = [i.key for batch in batches for i in batch]
    assert len(keys) == len(set(keys)) == 60


async def test_give_back_does_not_count_an_attempt(store: Store) -> None:
    """Claims given back untried wait for `not_before` and keep their attempt count."""
    for key in ("a", "b", "c"):
        await store.outbox.enqueue(_item(key), NOW)
    claimed = await store.outbox.claim(NOW, limit=5)
    later = NOW + timedelta(seconds=20)
    await store.outbox.give_back([i.id for i in claimed[1:] if i.id], later, "chat held")
    assert await store.outbox.claim(NOW + timedelta(seconds=19), limit=5) == []
    again = await store.outbox.claim(later, limit=5)
    assert [(i.key, i.attempts, i.error) for i in again] == [
        ("b", 1, "chat held"),
        ("c", 1, "chat held"),
    ]
    a = await store.outbox.get("a")
    assert a is not None
    assert (a.status, a.attempts) == ("sending", 1)
