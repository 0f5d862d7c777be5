"""Wallet announcements through the chat's noise gate (kind "position"), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.alerts.book import Alert, AlertBook
from bot.feeds.hyperliquid import HyperliquidClient
from bot.store import Store
from bot.store.alert_states import GatedAlerts
from bot.vocabulary.alert_settings import AlertSettings
from bot.vocabulary.events import Signal
from bot.vocabulary.records import Chat
from bot.vocabulary.wallets import Wallet, WalletState
from bot.wallets.changes import plan_changes
from bot.wallets.sync import WalletSync
from tests.fakes.exchange import FakeExchange
from tests.fakes.exchange_wallets import FakePosition

ADDRESS = "0x" + "ab" * 20
CHAT = 1


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


def quiet_now() -> AlertSettings:
    """Quiet hours from an hour ago to an hour from now (UTC): the chat is asleep as the test runs."""
    now = utc_now()
    return AlertSettings(
        quiet_start=(now - timedelta(hours=1)).strftime("%H:%M"),
        quiet_end=(now + timedelta(hours=1)).strftime("%H:%M"),
    )


@pytest.fixture
async def exchange() -> AsyncIterator[FakeExchange]:
    """The fake venues on loopback."""
    async with FakeExchange(("BTC", "ETH")) as fake:
        yield fake


@pytest.fixture
async def client(exchange: FakeExchange) -> AsyncIterator[HyperliquidClient]:
    """A real Hyperliquid client reading the fake."""
    async with httpx.AsyncClient(timeout=2.0) as http:
        yield HyperliquidClient(http, exchange.rest_url, utc_now)


def make_sync(store: Store, reader: object, exchange: FakeExchange) -> WalletSync:
    """A wallet sync over `reader`, marks at the fake's prices."""
    return WalletSync(
        store, reader, utc_now, exchange.prices.get,  # type: ignore[arg-type]
        watches_changed=Signal("watches changed"), tracked=frozenset({"BTC", "ETH"}),
    )  # fmt: skip


async def _wallet(store: Store, settings: AlertSettings) -> Wallet:
    """Chat 1 with these alert settings, watching ADDRESS (added a while ago: the sync reads it)."""
    await store.chats.upsert(Chat(id=CHAT, type="private"), utc_now())
    await store.chats.update_settings(CHAT, settings.to_stored(), utc_now())
    wallet, _ = await store.wallets.add(
        Wallet(chat_id=CHAT, address=ADDRESS, label="main"), utc_now() - timedelta(minutes=5)
    )
    return wallet


async def _book(store: Store) -> AlertBook:
    """The worker's alert book, loaded from the store (a fresh one is a restarted worker)."""
    book = AlertBook(store, utc_now, lambda: None)
    await book.load()
    return book


def _btc(size: float = 0.5) -> FakePosition:
    return FakePosition("BTC", size, 90_000.0, 10, "cross", 82_000.0)


async def _wallet_keys(store: Store) -> list[str]:
    return [key for key, _status in await store.outbox.statuses(CHAT) if key.startswith("wallet:")]


async def test_quiet_hours_hold_the_announcement_for_the_digest_after_them(
    exchange: FakeExchange, store: Store, client: HyperliquidClient
) -> None:
    """In quiet hours a new position is watched but not announced; the digest after them lists it once."""
    wallet = await _wallet(store, quiet_now())
    sync, book = make_sync(store, client, exchange), await _book(store)
    exchange.wallets.open_position(ADDRESS, _btc())
    assert (await sync.sync_once(book)).announced == 0
    assert await _wallet_keys(store) == []
    [watch] = await store.watches.list_for_chat(CHAT)
    assert watch.wallet_id == wallet.id
    restarted = await _book(store)  # what the wallet's transaction wrote, as a new worker reads it
    assert await restarted.send_digests(utc_now()) == 0  # still quiet
    assert (await make_sync(store, client, exchange).sync_once(restarted)).announced == 0
    morning = utc_now() + timedelta(hours=2)
    assert await restarted.send_digests(morning) == 1
    [(key, _)] = await store.outbox.statuses(CHAT)
    digest = await store.outbox.get(key)
    assert digest is not None
    assert key.startswith(f"digest:{CHAT}:")
    text = digest.payload["text"]
    assert text.startswith("📬 <b>1 alert(s) held during quiet hours</b>")
    assert f"• BTC long 10x opened in <b>main</b> <code>{ADDRESS}</code>" in text
    assert await restarted.send_digests(morning) == 0


async def test_position_alerts_off_drop_announcements_but_the_watch_follows(
    exchange: FakeExchange, store: Store, client: HyperliquidClient
) -> None:
    """With position alerts off nothing is announced or held, yet the watch is added, updated, removed."""
    await _wallet(store, AlertSettings().with_mode("position", "off"))
    sync, book = make_sync(store, client, exchange), await _book(store)
    exchange.wallets.open_position(ADDRESS, _btc())
    await sync.sync_once(book)
    [watch] = await store.watches.list_for_chat(CHAT)
    exchange.wallets.open_position(ADDRESS, _btc(size=0.8))
    assert (await sync.sync_once(book)).announced == 0
    [watch] = await store.watches.list_for_chat(CHAT)
    assert watch.quantity == 0.8
    exchange.wallets.close_position(ADDRESS, "BTC")
    assert (await sync.sync_once(book)).announced == 0
    assert await store.watches.list_for_chat(CHAT) == []
    assert await store.outbox.statuses(CHAT) == []
    assert await book.send_digests(utc_now() + timedelta(hours=2)) == 0
    [stored] = await store.wallets.list_for_chat(CHAT)
    assert stored.version == 3  # each change was applied (and is never announced later)


async def test_silent_position_alerts_announce_without_sound(
    exchange: FakeExchange, store: Store, client: HyperliquidClient
) -> None:
    """Position alerts set to silent: the announcement goes out, marked to arrive without sound."""
    wallet = await _wallet(store, AlertSettings().with_mode("position", "silent"))
    sync = make_sync(store, client, exchange)
    exchange.wallets.open_position(ADDRESS, _btc())
    assert (await sync.sync_once(await _book(store))).announced == 1
    item = await store.outbox.get(f"wallet:{wallet.id}:v1:BTC:opened")
    assert item is not None
    assert item.payload.get("silent") is True
    assert item.kind == "position"


async def test_the_hourly_cap_counts_announcements_and_holds_the_one_over_it(
    exchange: FakeExchange, store: Store, client: HyperliquidClient
) -> None:
    """A cap of one an hour: the opening is sent, the change after it held for the next hour's digest."""
    wallet = await _wallet(store, AlertSettings(max_per_hour=1))
    sync, book = make_sync(store, client, exchange), await _book(store)
    exchange.wallets.open_position(ADDRESS, _btc())
    assert (await sync.sync_once(book)).announced == 1
    exchange.wallets.open_position(ADDRESS, _btc(size=0.8))
    assert (await sync.sync_once(book)).announced == 0
    assert await _wallet_keys(store) == [f"wallet:{wallet.id}:v1:BTC:opened"]
    assert await book.send_digests(utc_now() + timedelta(hours=1)) == 1
    digest = await store.outbox.get(f"digest:{CHAT}:{book.epoch(CHAT)}:0")
    assert digest is not None
    assert digest.payload["text"].startswith(
        "📬 <b>1 alert(s) held over your cap of 1 alerts an hour"
    )
    assert "BTC long 10x changed in <b>main</b>" in digest.payload["text"]
    assert "size 0.5 → 0.8 BTC" in digest.payload["text"]


class RacedReader:
    """Reads through a real client, but another read of the wallet (a /wallet) applies first."""

    def __init__(self, client: HyperliquidClient, store: Store) -> None:
        self.client, self.store = client, store

    async def fetch_wallet(self, address: str) -> WalletState:
        """The account; before it is returned, each wallet of the address moves on to it."""
        state = await self.client.fetch_wallet(address)
        for wallet in await self.store.wallets.all():
            plan = plan_changes(wallet, await self.store.wallets.watches_of(wallet.id or 0), state)
            assert await self.store.wallets.apply(wallet.id or 0, plan.changes, utc_now())
        return state


async def test_a_read_that_lost_the_race_leaves_the_gate_untouched(
    exchange: FakeExchange, store: Store, client: HyperliquidClient
) -> None:
    """A read planned on a version another read moved on from is not applied, held or counted."""
    await _wallet(store, quiet_now())
    book = await _book(store)
    exchange.wallets.open_position(ADDRESS, _btc())
    done = await make_sync(store, RacedReader(client, store), exchange).sync_once(book)
    assert done.announced == 0
    assert len(await store.watches.list_for_chat(CHAT)) == 1  # the other read's watch
    assert book.doc(CHAT).get("gate") is None
    assert await book.send_digests(utc_now() + timedelta(hours=2)) == 0


async def test_a_write_that_fails_after_the_gate_decided_takes_the_decision_back(
    store: Store,
) -> None:
    """The gate's verdict is undone when the transaction it joined raises: no held line is left over."""
    await store.chats.upsert(Chat(id=CHAT, type="private"), utc_now())
    await store.chats.update_settings(CHAT, quiet_now().to_stored(), utc_now())
    book = await _book(store)
    alert = Alert("wallet:1:v1:BTC:opened", CHAT, "position", "text", "line")

    async def failing(decide: object) -> bool:
        assert callable(decide)
        gated = decide()
        assert isinstance(gated, GatedAlerts)
        assert gated.states[CHAT]["gate"]["held"] == ["line"]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="went away"):
        await book.deliver_within([alert], utc_now(), failing)
    assert book.doc(CHAT).get("gate") is None
    assert await book.send_digests(utc_now() + timedelta(hours=2)) == 0


@pytest.mark.parametrize("quiet", [False, True])
async def test_a_failed_write_takes_back_only_its_own_share_when_another_alert_passed_since(
    store: Store, quiet: bool
) -> None:
    """Another alert gated while the write ran keeps its count and line; the failed one's are gone."""
    await store.chats.upsert(Chat(id=CHAT, type="private"), utc_now())
    settings = quiet_now() if quiet else AlertSettings()
    await store.chats.update_settings(CHAT, settings.to_stored(), utc_now())
    book = await _book(store)
    alert = Alert("wallet:1:v1:BTC:opened", CHAT, "position", "text", "wallet line")
    other = Alert("liq:BTC:wave:1", CHAT, "position", "text", "wave line")

    async def failing(decide: object) -> bool:
        assert callable(decide)
        decide()
        book.admit(other, utc_now())  # the alert engine, between the decision and the commit
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="went away"):
        await book.deliver_within([alert], utc_now(), failing)
    gate = book.doc(CHAT)["gate"]
    assert gate["held"] == (["wave line"] if quiet else [])
    assert gate["sent"] == (0 if quiet else 1)
