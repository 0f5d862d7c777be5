"""The alert engine on the real store: outbox rows and their keys, restarts, the gate, clusters, waves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from bot.alerts.book import AlertBook
from bot.alerts.engine import AlertEngine
from bot.alerts.market_watch import MarketAlerts
from bot.market.state import MarketState
from bot.market.tiers import TierBook
from bot.store import Store
from bot.vocabulary.alert_settings import AlertSettings
from bot.vocabulary.positions import watch_position
from bot.vocabulary.records import Chat, LiquidationEvent, MarkTick, VenueSnapshot, Watch
from risk.liquidation import liquidation_price
from risk.liquidation_map import LiquidationMap

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
CHAT = 77


@dataclass
class Clock:
    """Wall time the test moves."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        """The current time."""
        return self.now


@dataclass
class Rig:
    """An engine over a store, with the pieces a test looks at."""

    store: Store
    clock: Clock
    market: MarketState
    book: AlertBook
    engine: AlertEngine
    wakes: list[int] = field(default_factory=list)


async def make_rig(
    store: Store, clock: Clock | None = None, liq_map: LiquidationMap | None = None
) -> Rig:
    """A loaded engine whose maps provider returns `liq_map` (empty by default)."""
    clock = clock or Clock()
    market = MarketState(clock, ("binance",))
    tiers = TierBook(store)
    await tiers.reload()
    wakes: list[int] = []
    book = AlertBook(store, clock, lambda: wakes.append(1))
    await book.load()
    the_map = liq_map or LiquidationMap()
    engine = AlertEngine(store, market, tiers, lambda _symbol: the_map, book, clock)
    await engine.reload()
    return Rig(store, clock, market, book, engine, wakes)


async def add_watch(store: Store, settings: AlertSettings | None = None, tz: str = "UTC") -> Watch:
    """Chat 77 watching a BTC 10x long at 90,000 of 0.5 BTC on Binance."""
    await store.chats.upsert(Chat(CHAT, "private", timezone=tz), NOW)
    if settings is not None:
        await store.chats.update_settings(CHAT, settings.to_stored(), NOW)
    watch = Watch(CHAT, "binance", "BTC", "long", 10, 90_000, 0.5)
    return await store.watches.add(watch, NOW)


async def liq_of(store: Store, watch: Watch) -> float:
    """The watch's liquidation price as the risk engine has it."""
    tiers = TierBook(store)
    await tiers.reload()
    price = liquidation_price(watch_position(watch), tiers("binance", "BTC")).price
    assert price is not None
    return price


def mark_at(liquidation: float, distance_pct: float) -> float:
    """The long's mark that sits `distance_pct` above its liquidation price."""
    return liquidation / (1 - distance_pct / 100)


def tick(price: float, clock: Clock) -> MarkTick:
    """A Binance BTC mark at the clock's time."""
    return MarkTick("binance", "BTC", price, clock())


async def keys(store: Store) -> list[str]:
    """Every outbox key of the test's chat, in written order (whatever became of the row)."""
    return [key for key, _status in await store.outbox.statuses(CHAT)]


async def test_a_fall_down_the_ladder_enqueues_each_step_once(store: Store) -> None:
    """10 %, 5 %, 2 % and the crossing each write one row with its key; the state is saved."""
    watch = await add_watch(store)
    rig = await make_rig(store)
    lp = await liq_of(store, watch)
    for d in (12, 9, 8.5, 4.5, 5.2, 4.8, 1.5, -0.1, -2):
        await rig.engine.evaluate([tick(mark_at(lp, d), rig.clock)])
    w = watch.id
    assert await keys(store) == [
        f"pos:{w}:1:0",
        f"pos:{w}:2:0",
        f"pos:{w}:3:0",
        f"pos:{w}:crossed:0",
    ]
    [saved] = await store.watches.active()
    assert saved.alert_state == {"level": 3, "crossed": True, "arm": 0, "clusters": {}}
    item = await store.outbox.get(f"pos:{w}:2:0")
    assert item is not None
    assert item.chat_id == CHAT
    assert "within 5%" in item.payload["text"]
    assert rig.wakes


async def test_a_restart_re_evaluating_the_same_state_enqueues_nothing(store: Store) -> None:
    """A new engine on the same store, fed the same tick, writes no row; nor after a lost save."""
    watch = await add_watch(store)
    lp = await liq_of(store, watch)
    first = await make_rig(store)
    await first.engine.evaluate([tick(mark_at(lp, 4), first.clock)])
    second = await make_rig(store)
    assert await second.engine.evaluate([tick(mark_at(lp, 4), second.clock)]) == 0
    assert watch.id is not None
    await store.watches.save_alert_state(watch.id, {})  # a crash between the outbox and the save
    third = await make_rig(store)
    assert await third.engine.evaluate([tick(mark_at(lp, 4), third.clock)]) == 1
    assert await store.outbox.count("pending") == 1


async def test_silent_and_off_modes(store: Store) -> None:
    """A silent ladder goes out without sound; a switched-off crossing is not written at all."""
    settings = AlertSettings().with_mode("position", "silent").with_mode("crossed", "off")
    watch = await add_watch(store, settings)
    rig = await make_rig(store)
    lp = await liq_of(store, watch)
    await rig.engine.evaluate([tick(mark_at(lp, 9), rig.clock)])
    await rig.engine.evaluate([tick(mark_at(lp, -1), rig.clock)])
    assert await keys(store) == [f"pos:{watch.id}:1:0"]
    item = await store.outbox.get(f"pos:{watch.id}:1:0")
    assert item is not None
    assert item.payload.get("silent") is True


async def test_quiet_hours_hold_alerts_and_one_digest_follows(store: Store) -> None:
    """Alerts in quiet hours write no rows; when they end one digest lists them."""
    settings = AlertSettings(quiet_start="11:00", quiet_end="13:00")
    watch = await add_watch(store, settings)
    rig = await make_rig(store)
    lp = await liq_of(store, watch)
    for d in (9, 4, 1):
        await rig.engine.evaluate([tick(mark_at(lp, d), rig.clock)])
    assert await rig.book.send_digests(rig.clock()) == 0
    assert await store.outbox.count("pending") == 0
    rig.clock.now = NOW + timedelta(hours=1, minutes=1)
    assert await rig.book.send_digests(rig.clock()) == 1
    assert await rig.book.send_digests(rig.clock()) == 0
    [digest_key] = [k for k in await keys(store) if k.startswith(f"digest:{CHAT}:")]
    assert digest_key == f"digest:{CHAT}:{rig.book.epoch(CHAT)}:0"
    digest = await store.outbox.get(digest_key)
    assert digest is not None
    text = digest.payload["text"]
    assert text.startswith("📬 <b>3 alert(s) held during quiet hours</b>")
    assert [line for line in text.splitlines() if line.startswith("•")] == [
        f"• BTC long 10x #{watch.id} within {step}% ({d}%, mark {p})"
        for step, d, p in (
            (10, "9.0", f"{mark_at(lp, 9):,.0f}"),
            (5, "4.0", f"{mark_at(lp, 4):,.0f}"),
            (2, "1.0", f"{mark_at(lp, 1):,.0f}"),
        )
    ]
    restarted = await make_rig(store, rig.clock)
    assert await restarted.book.send_digests(rig.clock()) == 0


async def test_a_large_cluster_in_the_way_is_announced_once(store: Store) -> None:
    """A long cluster between the mark and the liquidation price: one alert, then quiet."""
    watch = await add_watch(store)
    lp = await liq_of(store, watch)
    mark = mark_at(lp, 8)
    empty = LiquidationMap()
    cluster_bin = empty.bin_of((mark + lp) / 2)
    longs = np.zeros(20)
    longs[10] = 300e6
    longs[2] = 1e6
    liq_map = LiquidationMap.from_arrays(0.1, cluster_bin - 10, longs, np.zeros(20), as_of=NOW)
    rig = await make_rig(store, liq_map=liq_map)
    rig.market.update_marks([tick(mark, rig.clock)])
    assert await rig.engine.check_clusters() == 1
    assert await rig.engine.check_clusters() == 0
    [key] = await keys(store)
    assert key == f"cluster:{watch.id}:{cluster_bin}:0"
    item = await store.outbox.get(key)
    assert item is not None
    assert "$300M of longs" in item.payload["text"]


async def test_a_wave_is_sent_once_edited_as_it_grows_and_closed(store: Store) -> None:
    """A growing 1h total makes one message and edits of it; the lull a final edit."""
    await store.chats.upsert(Chat(CHAT, "group"), NOW)
    settings = AlertSettings(wave_min_usd=1e6).with_mode("wave", "on")
    await store.chats.update_settings(CHAT, settings.to_stored(), NOW)
    rig = await make_rig(store)
    alerts = MarketAlerts(rig.market, rig.book, ["BTC"], rig.clock)

    def liquidate(usd: float) -> None:
        event = LiquidationEvent("binance", "BTC", "long", 90_000, usd / 90_000, usd, rig.clock())
        rig.market.add_liquidations([event])

    liquidate(1.2e6)
    await alerts.evaluate()
    for _ in range(2):
        rig.clock.now += timedelta(seconds=90)
        liquidate(1e6)
        await alerts.evaluate()
    rig.clock.now += timedelta(hours=1, minutes=1)
    await alerts.evaluate()
    rig.clock.now += timedelta(minutes=11)
    await alerts.evaluate()
    start = int(NOW.timestamp())
    btc, market = f"wave:{CHAT}:BTC:{start}", f"wave:{CHAT}:ALL:{start}"
    found = await keys(store)
    assert [k for k in found if k.startswith(btc)] == [
        btc, f"{btc}:edit:1", f"{btc}:edit:2", f"{btc}:edit:3",
    ]  # fmt: skip
    assert market not in found  # BTC alone made the market's wave: one alert, BTC's
    final = await store.outbox.get(f"{btc}:edit:3")
    assert final is not None
    assert final.payload["edit_of"] == btc
    assert final.payload["text"].startswith("✅ Liquidation wave over in <b>BTC</b>")
    assert "$3.2M liquidated (peak 1h), 100% longs" in final.payload["text"]


async def wave_rig(store: Store, symbols: list[str]) -> tuple[Rig, MarketAlerts]:
    """A group with wave alerts on from $1M, and the market alerts over the rig's market."""
    await store.chats.upsert(Chat(CHAT, "group"), NOW)
    settings = AlertSettings(wave_min_usd=1e6).with_mode("wave", "on")
    await store.chats.update_settings(CHAT, settings.to_stored(), NOW)
    rig = await make_rig(store)
    return rig, MarketAlerts(rig.market, rig.book, symbols, rig.clock)


def liquidate(rig: Rig, symbol: str, usd: float, price: float) -> None:
    """A long of `usd` liquidated at `price`, the mark there too, at the rig's time."""
    rig.market.update_snapshots([VenueSnapshot("binance", symbol, rig.clock(), price)])
    event = LiquidationEvent("binance", symbol, "long", price, usd / price, usd, rig.clock())
    rig.market.add_liquidations([event])


async def test_a_wave_opens_with_the_move_since_it_began(store: Store) -> None:
    """The opening message's price line starts where the market was calm, not at the opening mark."""
    rig, alerts = await wave_rig(store, ["BTC"])
    for price, usd in ((60_000, 0.1e6), (59_600, 0.5e6), (59_220, 0.5e6)):
        liquidate(rig, "BTC", usd, price)
        await alerts.evaluate()
        rig.clock.now += timedelta(seconds=30)
    [key] = [k for k in await keys(store) if k.startswith(f"wave:{CHAT}:BTC:")]
    assert key == f"wave:{CHAT}:BTC:{int(NOW.timestamp())}"
    item = await store.outbox.get(key)
    assert item is not None
    assert "price 60,000 → 59,220 (-1.3%)" in item.payload["text"]
    assert "since 12:00 UTC (1m)" in item.payload["text"]


async def test_a_market_wave_of_many_coins_is_its_own_alert(store: Store) -> None:
    """When no one coin makes the market's wave, the market gets its own alert beside the coins'."""
    rig, alerts = await wave_rig(store, ["BTC", "ETH"])
    liquidate(rig, "BTC", 1.1e6, 60_000)
    liquidate(rig, "ETH", 1.1e6, 3_000)
    await alerts.evaluate()
    scopes = sorted(k.split(":")[2] for k in await keys(store) if k.startswith("wave:"))
    assert scopes == ["ALL", "BTC", "ETH"]


async def test_the_confirmation_counts_as_the_first_step(store: Store) -> None:
    """A watch confirmed 7 % from liquidation sends no "within 10 %"; its next alert is the 5 % step."""
    await store.chats.upsert(Chat(CHAT, "private"), NOW)
    inside = Watch(
        CHAT, "binance", "BTC", "long", 10, 90_000, 0.5, alert_state={"confirmed_pct": 7}
    )
    outside = Watch(
        CHAT, "binance", "BTC", "long", 10, 90_000, 0.5, alert_state={"confirmed_pct": 12}
    )
    first = await store.watches.add(inside, NOW)
    second = await store.watches.add(outside, NOW)
    rig = await make_rig(store)
    lp = await liq_of(store, first)
    await rig.engine.evaluate([tick(mark_at(lp, 7), rig.clock)])
    assert await keys(store) == [f"pos:{second.id}:1:0"]
    await rig.engine.evaluate([tick(mark_at(lp, 4.5), rig.clock)])
    assert await keys(store) == [
        f"pos:{second.id}:1:0",
        f"pos:{first.id}:2:0",
        f"pos:{second.id}:2:0",
    ]
