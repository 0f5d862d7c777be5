"""The wallet sync against the fake exchange's `clearinghouseState`, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.alerts.book import AlertBook
from bot.feeds.hyperliquid import HyperliquidClient
from bot.store import Store
from bot.vocabulary.events import Signal
from bot.vocabulary.records import Chat
from bot.vocabulary.wallets import Wallet
from bot.wallets.changes import plan_changes
from bot.wallets.pacing import WalletPacing
from bot.wallets.sync import WalletSync
from tests.fakes.exchange import FakeExchange
from tests.fakes.exchange_wallets import FakePosition, WalletFailure

ADDRESS = "0x" + "ab" * 20
OTHER = "0x" + "cd" * 20


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


@pytest.fixture
async def exchange() -> AsyncIterator[FakeExchange]:
    """The fake venues on loopback."""
    async with FakeExchange(("BTC", "ETH")) as fake:
        yield fake


@pytest.fixture
async def sync(exchange: FakeExchange, store: Store) -> AsyncIterator[WalletSync]:
    """A wallet sync reading the fake through a real client; marks at the fake's prices."""
    async with httpx.AsyncClient(timeout=2.0) as http:
        client = HyperliquidClient(http, exchange.rest_url, utc_now)
        yield WalletSync(
            store, client, utc_now, exchange.prices.get,
            watches_changed=Signal("watches changed"), tracked=frozenset({"BTC", "ETH"}),
        )  # fmt: skip


@pytest.fixture
async def book(store: Store) -> AlertBook:
    """The worker's alert book, whose gate the announcements pass (default settings: all on)."""
    loaded = AlertBook(store, utc_now, lambda: None)
    await loaded.load()
    return loaded


async def _wallet(
    store: Store, chat_id: int = 1, address: str = ADDRESS, chat_type: str = "private"
) -> Wallet:
    await store.chats.upsert(Chat(id=chat_id, type=chat_type), utc_now())
    added_at = utc_now() - timedelta(minutes=5)  # not just added: the sync reads it
    wallet, _ = await store.wallets.add(Wallet(chat_id=chat_id, address=address), added_at)
    return wallet


def _btc(size: float = 0.5, leverage: int = 10, liq: float | None = 82_000.0) -> FakePosition:
    return FakePosition("BTC", size, 90_000.0, leverage, "cross", liq)


async def test_opened_changed_closed_positions_follow_as_watches_and_announcements(
    exchange: FakeExchange, store: Store, sync: WalletSync, book: AlertBook
) -> None:
    """A position that opens, grows and closes is added, updated and dropped, each announced once."""
    wallet = await _wallet(store)
    exchange.wallets.open_position(ADDRESS, _btc())
    assert (await sync.sync_once(book)).announced == 1
    [watch] = await store.watches.list_for_chat(1)
    assert (watch.symbol, watch.quantity, watch.reference_liquidation_price) == (
        "BTC",
        0.5,
        82_000.0,
    )
    assert watch.wallet_id == wallet.id
    exchange.wallets.open_position(ADDRESS, _btc(size=0.8, liq=84_500.0))
    assert (await sync.sync_once(book)).announced == 1
    [watch] = await store.watches.list_for_chat(1)
    assert (watch.quantity, watch.reference_liquidation_price) == (0.8, 84_500.0)
    assert (await sync.sync_once(book)).announced == 0
    exchange.wallets.close_position(ADDRESS, "BTC")
    assert (await sync.sync_once(book)).announced == 1
    assert await store.watches.list_for_chat(1) == []
    keys = [item.key for item in await store.outbox.claim(utc_now(), 10)]
    assert sorted(keys) == [
        f"wallet:{wallet.id}:v1:BTC:opened",
        f"wallet:{wallet.id}:v2:BTC:changed",
        f"wallet:{wallet.id}:v3:BTC:closed",
    ]


async def test_announcements_go_to_the_chats_alert_topic(
    exchange: FakeExchange, store: Store, sync: WalletSync, book: AlertBook
) -> None:
    """A group that sends alerts to a forum topic gets its wallet announcements there too."""
    wallet = await _wallet(store, chat_id=-5, chat_type="supergroup")
    await store.chats.update_settings(-5, {"topic_id": 42}, utc_now())
    exchange.wallets.open_position(ADDRESS, _btc())
    await sync.sync_once(book)
    item = await store.outbox.get(f"wallet:{wallet.id}:v1:BTC:opened")
    assert item is not None
    assert item.payload["message_thread_id"] == 42
    assert "0xabab…abab" in item.payload["text"]


async def test_liquidation_drift_updates_the_watch_without_an_announcement(
    exchange: FakeExchange, store: Store, sync: WalletSync, book: AlertBook
) -> None:
    """The venue's liquidation price moving alone (funding, other positions) is written, not announced."""
    await _wallet(store)
    exchange.wallets.open_position(ADDRESS, _btc(liq=82_000.0))
    await sync.sync_once(book)
    exchange.wallets.open_position(ADDRESS, _btc(liq=82_900.0))
    assert (await sync.sync_once(book)).announced == 0
    [watch] = await store.watches.list_for_chat(1)
    assert watch.reference_liquidation_price == 82_900.0


async def test_an_outage_keeps_the_last_known_positions_with_the_error(
    exchange: FakeExchange, store: Store, sync: WalletSync, book: AlertBook
) -> None:
    """A 5xx or a malformed answer leaves positions and watches in place and notes the error."""
    await _wallet(store)
    exchange.wallets.open_position(ADDRESS, _btc())
    await sync.sync_once(book)
    exchange.wallets.fail(WalletFailure(502))
    exchange.wallets.fail(WalletFailure(200, body='{"marginSummary": {}}'))
    assert (await sync.sync_once(book)).failed == 1
    assert (await sync.sync_once(book)).failed == 1
    assert sync.malformed == 1
    [wallet] = await store.wallets.list_for_chat(1)
    assert wallet.state is not None
    assert len(wallet.state.positions) == 1
    assert wallet.error == "Hyperliquid sent an answer we could not read"
    assert len(await store.watches.list_for_chat(1)) == 1
    await sync.sync_once(book)
    [wallet] = await store.wallets.list_for_chat(1)
    assert wallet.error is None


async def test_429_ends_the_round_and_holds_off_for_retry_after(
    exchange: FakeExchange, store: Store, sync: WalletSync, book: AlertBook
) -> None:
    """A 429 stops the round and no read goes out until its Retry-After has passed."""
    await _wallet(store)
    await _wallet(store, chat_id=2, address=OTHER)
    exchange.wallets.fail(WalletFailure(429, retry_after_s=30))
    done = await sync.sync_once(book)
    assert done.held_s == 30
    reads = len(exchange.wallets.reads)
    assert (await sync.sync_once(book)).skipped
    assert len(exchange.wallets.reads) == reads


async def test_an_outage_over_rounds_holds_the_sync_off(
    exchange: FakeExchange, store: Store, sync: WalletSync, book: AlertBook
) -> None:
    """One wallet failing three rounds running holds the sync off instead of asking every round."""
    await _wallet(store)
    exchange.wallets.fail(WalletFailure(503), times=10)
    rounds = [await sync.sync_once(book) for _ in range(4)]
    assert [r.failed for r in rounds[:3]] == [1, 1, 1]
    assert 0 < rounds[2].held_s <= sync.pacing.backoff.initial_s
    assert rounds[3].skipped
    assert len(exchange.wallets.reads) == 3


async def test_one_read_per_address_serves_every_chat_and_rounds_keep_the_budget(
    exchange: FakeExchange, store: Store, sync: WalletSync, book: AlertBook
) -> None:
    """Two chats watching one address cost one read; a round reads no more than its budget allows."""
    await _wallet(store, chat_id=1)
    await _wallet(store, chat_id=2)
    exchange.wallets.open_position(ADDRESS, _btc())
    await sync.sync_once(book)
    assert exchange.wallets.reads == [ADDRESS]
    assert len(await store.watches.list_for_chat(2)) == 1
    sync.pacing = WalletPacing(interval_s=30, weight_per_min=4)
    for i in range(3):
        await _wallet(store, chat_id=10 + i, address=f"0x{i:040x}")
    exchange.wallets.reads.clear()
    await sync.sync_once(book)
    assert len(exchange.wallets.reads) == sync.pacing.reads_per_round == 1
    assert exchange.wallets.reads[0] != ADDRESS  # the longest unread goes first


async def test_a_wallet_just_added_is_left_to_the_command_reading_it(
    exchange: FakeExchange, store: Store, sync: WalletSync, book: AlertBook
) -> None:
    """A wallet added this moment and never read is not read by the round (the /wallet reads it)."""
    await store.chats.upsert(Chat(id=1, type="private"), utc_now())
    wallet, _ = await store.wallets.add(Wallet(chat_id=1, address=ADDRESS), utc_now())
    exchange.wallets.open_position(ADDRESS, _btc())
    assert (await sync.sync_once(book)).read == 0
    read = await sync.read_new(wallet)
    assert read.state is not None
    assert len(read.state.positions) == 1
    assert (await sync.sync_once(book)).announced == 0


async def test_two_reads_planned_on_one_version_apply_once(
    exchange: FakeExchange, store: Store, sync: WalletSync, book: AlertBook
) -> None:
    """Of two reads planned on the same version, the second finds it moved on and writes nothing."""
    wallet = await _wallet(store)
    exchange.wallets.open_position(ADDRESS, _btc())
    await sync.sync_once(book)
    await sync.sync_once(book)
    stale = replace(wallet, version=0)  # a read planned before the first one applied
    async with httpx.AsyncClient() as http:
        state = await HyperliquidClient(http, exchange.rest_url, utc_now).fetch_wallet(ADDRESS)
    plan = plan_changes(stale, [], state)
    assert not await store.wallets.apply(wallet.id or 0, plan.changes, utc_now())
    assert len(await store.watches.list_for_chat(1)) == 1


async def test_a_removed_wallet_takes_its_watches_and_is_not_recreated(
    exchange: FakeExchange, store: Store, sync: WalletSync, book: AlertBook
) -> None:
    """Removing a wallet removes its watches; typed watches of the chat stay."""
    wallet = await _wallet(store)
    exchange.wallets.open_position(ADDRESS, _btc())
    await sync.sync_once(book)
    assert wallet.id is not None
    assert await store.wallets.remove(1, wallet.id)
    assert await store.watches.list_for_chat(1) == []
    await sync.sync_once(book)
    assert await store.watches.list_for_chat(1) == []
