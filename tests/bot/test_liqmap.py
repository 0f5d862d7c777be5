"""The liquidation-map service against the real store: buckets, updates, rebuilds and realized maps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.maps.service import BucketState, LiquidationMapService, intervals_from_market_data
from bot.store import Store
from bot.vocabulary.records import Candle, LiquidationEvent, VenueSnapshot
from risk.clusters import ClusterModelConfig
from risk.errors import UnknownSymbolError
from risk.map_fit import MapFit
from risk.tiers import TierTable, default_tier_table
from risk.venues import Side

T0 = datetime(2025, 3, 1, tzinfo=UTC)  # a bucket boundary
CONFIG = ClusterModelConfig()
TEN_X = MapFit(((10.0, 1.0),), half_life_s=1e12)
LONG_10X_AT_60K = 60_000 * 0.9 / 0.996  # Binance BTC tier 1


def snapshot(minute: float, oi: float | None, mark: float = 60_000.0, **kw) -> VenueSnapshot:
    """A snapshot ``minute`` minutes after T0."""
    venue = kw.pop("venue", "binance")
    return VenueSnapshot(venue, "BTC", T0 + timedelta(minutes=minute), mark, open_interest=oi, **kw)


def hourly(buy_share: float | None, venue: str = "binance") -> Candle:
    """The hourly candle from T0 with the given taker buy share of its volume."""
    taker = None if buy_share is None else 1_000 * buy_share
    return Candle(venue, "BTC", 3600, T0, 60_000, 60_500, 59_500, 60_000, 1_000, taker)


def flat_then_rise(venue: str = "binance") -> list[VenueSnapshot]:
    """OI 1,000 for 10 minutes, then 1,100 from minute 10 to 25, one snapshot a minute."""
    return [snapshot(m, 1_000 if m < 10 else 1_100, venue=venue) for m in range(25)]


def tables(venue: str, symbol: str) -> TierTable:
    """The bundled tables, refusing symbols they do not know."""
    return default_tier_table(venue, symbol)


def service(store: Store, prior: MapFit = TEN_X) -> LiquidationMapService:
    """A service on the store whose clock stands at minute 30."""
    return LiquidationMapService(
        store, tables, CONFIG, lambda: T0 + timedelta(minutes=30), prior=prior
    )


def test_intervals_take_range_from_marks_and_share_from_the_covering_candle():
    """Buckets become intervals: marks give low/high/close, the hourly candle the taker share."""
    snaps = [snapshot(0, 1_000), snapshot(5, 1_000, 59_000), snapshot(7, 1_050, 61_000)]
    intervals, state = intervals_from_market_data(
        snaps, [hourly(0.7)], BucketState(), until=T0 + timedelta(minutes=10)
    )
    (step,) = intervals  # the first bucket only sets the baseline
    assert (step.low, step.high) == (59_000, 61_000)
    assert step.typical_price == pytest.approx((59_000 + 61_000 + 61_000) / 3)
    assert (step.open_interest_before, step.open_interest_after) == (1_000, 1_050)
    assert step.taker_buy_share == pytest.approx(0.7)
    assert step.duration_s == 300
    assert state == BucketState(T0 + timedelta(minutes=10), 1_050)


def test_unfinished_bucket_waits_and_usd_open_interest_is_converted():
    """A bucket still running is not applied; USD open interest is divided by the mark."""
    snaps = [snapshot(0, None, open_interest_usd=60e6), snapshot(6, None, open_interest_usd=66e6)]
    early, state = intervals_from_market_data(
        snaps, [], BucketState(), until=T0 + timedelta(minutes=9)
    )
    assert early == []
    assert state.open_interest == pytest.approx(1_000)
    later, _ = intervals_from_market_data(snaps, [], state, until=T0 + timedelta(minutes=10))
    assert later[0].open_interest_after == pytest.approx(1_100)
    assert later[0].taker_buy_share is None


def test_gap_in_snapshots_is_covered_by_the_next_interval():
    """A bucket without snapshots is skipped and the next interval lasts across it."""
    snaps = [snapshot(0, 1_000), snapshot(12, 1_000)]
    (step,), _ = intervals_from_market_data(
        snaps, [], BucketState(), until=T0 + timedelta(minutes=15)
    )
    assert step.duration_s == 600


async def test_rebuild_models_a_rise_from_stored_data(store):
    """A rise of 100 BTC at 60,000: the larger side holds the open interest (1,100 BTC) at its
    price, longs below the price and shorts above, the new cohort at the 10x level."""
    await store.snapshots.add_many(flat_then_rise())
    await store.candles.upsert_many([hourly(1.0)])
    svc = service(store)
    applied = await svc.rebuild()
    liq_map = svc.map_for("binance", "BTC")
    assert applied == 4  # buckets at minutes 5, 10, 15, 20 after the baseline at 0
    assert max(liq_map.total_long_usd, liq_map.total_short_usd) == pytest.approx(1_100 * 60_000)
    assert liq_map.prices[liq_map.long_usd > 0].max() < 60_000
    assert liq_map.prices[liq_map.short_usd > 0].min() > 60_000
    assert liq_map.notional_at(Side.LONG, liq_map.bin_of(LONG_10X_AT_60K)) > 50 * 60_000
    assert liq_map.as_of == T0 + timedelta(minutes=25)


async def test_incremental_updates_match_a_rebuild_after_restart(store):
    """Updating as data arrives holds what a fresh service rebuilds from the store, side by side
    (the prior's spread of the open interest before the history is measured on the history at hand,
    so levels may sit a little apart)."""
    prior = MapFit(((10.0, 0.5), (25.0, 0.5)), half_life_s=3600)
    await store.candles.upsert_many([hourly(0.6)])
    live = service(store, prior)
    rows = [snapshot(m, 1_000 + 7 * m - (40 if m > 17 else 0), 60_000 + 30 * m) for m in range(30)]
    await store.snapshots.add_many(rows[:12])
    assert await live.update(T0 + timedelta(minutes=12)) == 1
    await store.snapshots.add_many(rows[12:])
    assert await live.update(T0 + timedelta(minutes=30)) == 4
    restarted = service(store, prior)
    await restarted.rebuild(T0 + timedelta(minutes=30))
    a, b = live.map_for("binance", "BTC"), restarted.map_for("binance", "BTC")
    assert a.as_of == b.as_of
    assert a.total_long_usd == pytest.approx(b.total_long_usd, rel=0.05)
    assert a.total_short_usd == pytest.approx(b.total_short_usd, rel=0.05)
    assert a.total_long_usd > 0
    assert a.total_short_usd > 0


async def test_update_with_nothing_new_changes_nothing(store):
    """A second update in the same bucket applies no interval and keeps the map."""
    await store.snapshots.add_many(flat_then_rise())
    svc = service(store)
    await svc.update()
    before = svc.map_for("binance", "BTC")
    assert await svc.update() == 0
    assert svc.map_for("binance", "BTC") is before


async def test_combined_map_adds_the_venues(store):
    """The all-venue map of a symbol holds both venues' notional; unknown pairs are skipped."""
    await store.snapshots.add_many(flat_then_rise("binance") + flat_then_rise("bybit"))
    await store.snapshots.add_many([snapshot(m, 5.0, venue="okx") for m in range(25)])

    def binance_and_bybit(venue: str, symbol: str) -> TierTable:
        if venue == "okx":
            raise UnknownSymbolError(symbol, venue, [])
        return default_tier_table(venue, symbol)

    svc = LiquidationMapService(
        store, binance_and_bybit, CONFIG, lambda: T0 + timedelta(hours=1), prior=TEN_X
    )
    await svc.rebuild()
    assert svc.venues_for("BTC") == ["binance", "bybit"]
    combined = svc.combined_map("BTC")
    one = svc.map_for("binance", "BTC")
    assert combined.total_long_usd == pytest.approx(2 * one.total_long_usd)
    assert combined.total_short_usd == pytest.approx(2 * one.total_short_usd)
    assert svc.map_for("okx", "BTC").is_empty
    assert svc.combined_map("ETH").is_empty


async def test_realized_map_from_stored_liquidations(store):
    """Realized clusters come from the stored events, per side, optionally for one venue."""
    events = [
        LiquidationEvent("binance", "BTC", "long", 59_000, 10, 590_000, T0),
        LiquidationEvent("bybit", "BTC", "long", 59_000, 5, 295_000, T0 + timedelta(minutes=1)),
        LiquidationEvent("okx", "BTC", "short", 61_000, 1, 61_000, T0 + timedelta(minutes=2)),
        LiquidationEvent("okx", "ETH", "short", 3_000, 1, 3_000, T0 + timedelta(minutes=2)),
    ]
    await store.liquidations.add_many(events)
    svc = service(store)
    every = await svc.realized("BTC", T0)
    assert every.notional_at(Side.LONG, every.bin_of(59_000)) == pytest.approx(885_000)
    assert every.total_short_usd == pytest.approx(61_000)
    only_bybit = await svc.realized("BTC", T0, venue="bybit")
    assert only_bybit.total_long_usd == pytest.approx(295_000)
    assert only_bybit.total_short_usd == 0
