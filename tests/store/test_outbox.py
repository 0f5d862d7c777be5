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
    for key, chat_id in (("a", 1), ("b", 2), ("c", 3)):
        await store.outbox.enqueue(_item(key, chat_id), NOW)
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
        await store.outbox.enqueue(_item(f"k{n}", chat_id=n + 1), NOW)
    batches = await asyncio.gather(*(store.outbox.claim(NOW, limit=7) for _ in range(12)))
    keys = [i.key for batch in batches for i in batch]
    assert len(keys) == len(set(keys)) == 60


async def test_concurrent_claims_keep_each_chat_in_order(store: Store) -> None:
    """Senders claiming at once never hold a chat's later row while its earlier one is out."""
    for n in range(60):
        await store.outbox.enqueue(_item(f"{n % 6}:{n:02d}", chat_id=n % 6 + 1), NOW)
    sent: list[str] = []
    while len(sent) < 60:
        batches = await asyncio.gather(*(store.outbox.claim(NOW, limit=7) for _ in range(4)))
        claimed = [i for batch in batches for i in batch]
        assert claimed
        for batch in batches:
            for item in batch:
                assert item.id is not None
                await store.outbox.mark_sent(item.id, NOW)
        sent += [i.key for i in sorted(claimed, key=lambda i: i.id or 0)]
    for chat in range(6):
        mine = [k for k in sent if k.startswith(f"{chat}:")]
        assert mine == sorted(mine)


async def test_a_deferred_row_holds_back_its_chats_later_rows(store: Store) -> None:
    """A row deferred by a 429 keeps the chat's rows written after it waiting, even when those are due."""
    await store.outbox.enqueue(_item("5%", chat_id=1), NOW)
    (first,) = await store.outbox.claim(NOW, limit=5)
    assert first.id is not None
    await store.outbox.give_back([first.id], NOW + timedelta(seconds=3), "429: retry after 3")
    await store.outbox.enqueue(_item("2%", chat_id=1), NOW + timedelta(seconds=1))
    await store.outbox.enqueue(_item("other chat", chat_id=2), NOW + timedelta(seconds=1))
    early = await store.outbox.claim(NOW + timedelta(seconds=1), limit=5)
    assert [i.key for i in early] == ["other chat"]
    late = await store.outbox.claim(NOW + timedelta(seconds=3), limit=5)
    assert [i.key for i in late] == ["5%", "2%"]


async def test_a_newer_alert_of_a_series_drops_the_waiting_one(store: Store) -> None:
    """A pending row of a watch's ladder is dropped when a closer step of the same ladder is written."""
    ladder = "watch:1:ladder"
    five = OutboxItem("pos:1:2:0", 1, "position", {"text": "5%"}, series=ladder, supersedes=ladder)
    two = OutboxItem("pos:1:3:0", 1, "position", {"text": "2%"}, series=ladder, supersedes=ladder)
    other = OutboxItem("pos:2:2:0", 1, "position", {"text": "5%"}, series="watch:2:ladder")
    await store.outbox.enqueue_many([five, other], NOW)
    await store.outbox.enqueue(two, NOW)
    assert await store.outbox.statuses(1) == [
        ("pos:1:2:0", "dropped"),
        ("pos:2:2:0", "pending"),
        ("pos:1:3:0", "pending"),
    ]
    (claimed, *_rest) = await store.outbox.claim(NOW, limit=5)
    assert claimed.key == "pos:2:2:0"


async def test_give_back_does_not_count_an_attempt(store: Store) -> None:
    """Claims given back untried wait for `not_before` and keep their attempt count."""
    for key in ("a", "b", "c"):
        await store.outbox.enqueue(_item(key), NOW)
    claimed = await store.outbox.claim(NOW, limit=5)
    later = NOW + timedelta(seconds=20)
    await store.outbox.give_back([i.id for i in claimed[1:] if i.id], later, "chat held")
    assert claimed[0].id is not None
    await store.outbox.mark_sent(claimed[0].id, NOW)
    assert await store.outbox.claim(NOW + timedelta(seconds=19), limit=5) == []
    again = await store.outbox.claim(later, limit=5)
    assert [(i.key, i.attempts, i.error) for i in again] == [
        ("b", 1, "chat held"),
        ("c", 1, "chat held"),
    ]
    a = await store.outbox.get("a")
    assert a is not None
    assert (a.status, a.attempts) == ("sent", 1)


async def test_prune_removes_only_finished_rows_older_than_the_cutoff(store: Store) -> None:
    """Sent, failed and dropped rows finished before the cutoff go; waiting rows and newer ones stay."""
    old, recent = NOW - timedelta(days=40), NOW - timedelta(days=1)
    for key in ("sent-old", "failed-old", "pending-old", "sending-old"):
        await store.outbox.enqueue(_item(key, chat_id=len(key)), old)
    await store.outbox.enqueue(_item("sent-recent", chat_id=20), recent)
    claimed = {i.key: i for i in await store.outbox.claim(recent, limit=10)}
    await store.outbox.mark_sent(_id(claimed["sent-old"]), old)
    await store.outbox.mark_sent(_id(claimed["sent-recent"]), recent)
    await store.outbox.mark_failed(_id(claimed["failed-old"]), "403 blocked")
    await store.outbox.retry_later(_id(claimed["pending-old"]), old, "network")
    dropped = OutboxItem(
        key="old-step", chat_id=9, kind="position", payload={"text": "x"}, series="watch:1"
    )
    superseding = OutboxItem(
        key="new-step", chat_id=9, kind="position", payload={"text": "x"}, supersedes="watch:1"
    )
    await store.outbox.enqueue(dropped, old)
    await store.outbox.enqueue(superseding, old)
    assert await store.outbox.prune(NOW - timedelta(days=30)) == 3
    left = {key for key in ("sent-old", "failed-old", "pending-old", "sending-old", "old-step",
                            "new-step", "sent-recent") if await store.outbox.get(key)}  # fmt: skip
    assert left == {"pending-old", "sending-old", "new-step", "sent-recent"}


def _id(item: OutboxItem) -> int:
    assert item.id is not None
    return item.id
