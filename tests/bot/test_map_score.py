"""The live self-score: each hour's map held, scored on that hour's liquidations, stored, summed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.maps.score import SCORE_WINDOW, MapScorer, load_score
from bot.maps.service import LiquidationMapService
from bot.market.state import MarketState
from bot.store import Store
from bot.vocabulary.clock import Clock
from bot.vocabulary.records import LiquidationEvent, VenueSnapshot
from risk.clusters import ClusterModelConfig
from risk.map_fit import MapFit
from risk.tiers import default_tier_table

T0 = datetime(2025, 3, 1, tzinfo=UTC)
TEN_X = MapFit(((10.0, 1.0),), half_life_s=1e12)


async def _live_map(store: Store, clock: Clock) -> tuple[LiquidationMapService, MarketState]:
    """A BTC map built on 25 minutes of Binance snapshots from T0, and the market's last mark."""
    snaps = [VenueSnapshot("binance", "BTC", T0 + timedelta(minutes=m), 60_000.0 + 90 * (m % 3),
                           open_interest=1_000 if m < 10 else 1_100) for m in range(25)]  # fmt: skip
    await store.snapshots.add_many(snaps)
    maps = LiquidationMapService(
        store, default_tier_table, ClusterModelConfig(), clock, prior=TEN_X
    )
    await maps.rebuild()
    market = MarketState(clock, ["binance"])
    market.update_snapshots([snaps[-1]])
    return maps, market


def _scorer(
    store: Store, maps: LiquidationMapService, market: MarketState, clock: Clock
) -> MapScorer:
    return MapScorer(store, maps, market, clock, symbols=["BTC"], preferred_venue="binance")


def _strongest_long(maps: LiquidationMapService) -> float:
    """The price of the map's largest long level."""
    held = maps.map_for("binance", "BTC")
    return float(held.prices[held.long_usd.argmax()])


async def test_an_hour_is_scored_on_the_map_held_at_its_start(store: Store) -> None:
    """A liquidation at a held level counts, one far from every level does not; stored and summed."""
    now = {"t": T0 + timedelta(minutes=30)}
    maps, market = await _live_map(store, lambda: now["t"])
    scorer = _scorer(store, maps, market, lambda: now["t"])
    assert await scorer.tick() == 0  # holds the map
    level = _strongest_long(maps)
    await store.liquidations.add_many([
        LiquidationEvent("bybit", "BTC", "long", level * 1.002, 1.0, 300_000.0, now["t"] + timedelta(minutes=5)),
        LiquidationEvent("bybit", "BTC", "long", 40_000.0, 1.0, 100_000.0, now["t"] + timedelta(minutes=9)),
        LiquidationEvent("bybit", "BTC", "long", level, 1.0, 999.0, now["t"] + timedelta(minutes=61)),
    ])  # fmt: skip
    now["t"] += timedelta(minutes=30)
    assert await scorer.tick() == 0  # the hour is not over
    now["t"] += timedelta(minutes=31)
    assert await scorer.tick() == 1
    score = await load_score(store, "BTC", now["t"])
    assert score is not None
    assert score.hours == 1
    assert score.realized_usd == pytest.approx(400_000.0)
    assert score.hit_share == pytest.approx(0.75)
    assert 0 <= score.uniform_share < score.hit_share


async def test_an_hour_held_before_a_restart_is_scored_after_it(store: Store) -> None:
    """A map held by one scorer is scored by the next one on the same store, as after a restart."""
    now = {"t": T0 + timedelta(minutes=30)}
    maps, market = await _live_map(store, lambda: now["t"])
    first = _scorer(store, maps, market, lambda: now["t"])
    assert await first.tick() == 0  # holds the map, then the process stops
    level = _strongest_long(maps)
    await store.liquidations.add_many([
        LiquidationEvent("bybit", "BTC", "long", level, 1.0, 200_000.0, now["t"] + timedelta(minutes=5)),
    ])  # fmt: skip
    now["t"] += timedelta(minutes=61)
    restarted = _scorer(store, maps, market, lambda: now["t"])
    assert await restarted.tick() == 1
    score = await load_score(store, "BTC", now["t"])
    assert score is not None
    assert score.hours == 1
    assert score.realized_usd == pytest.approx(200_000.0)
    assert score.hit_share == pytest.approx(1.0)
    holds = await store.map_holds.load_all()
    assert holds["BTC"][0] == now["t"]  # the scored hour's hold is gone; the next hour's is held


async def test_an_hour_still_running_at_a_restart_is_scored_once_at_its_end(store: Store) -> None:
    """A hold not yet over is kept through a restart and scored when its hour ends, and only then."""
    now = {"t": T0 + timedelta(minutes=30)}
    maps, market = await _live_map(store, lambda: now["t"])
    assert await _scorer(store, maps, market, lambda: now["t"]).tick() == 0
    await store.liquidations.add_many([
        LiquidationEvent("bybit", "BTC", "long", _strongest_long(maps), 1.0, 50_000.0,
                         now["t"] + timedelta(minutes=40)),
    ])  # fmt: skip
    now["t"] += timedelta(minutes=20)
    restarted = _scorer(store, maps, market, lambda: now["t"])
    assert await restarted.tick() == 0  # the hour is not over: kept, not replaced
    assert (await store.map_holds.load_all())["BTC"][0] == T0 + timedelta(minutes=30)
    now["t"] += timedelta(minutes=41)
    assert await restarted.tick() == 1
    assert await restarted.tick() == 0
    assert await _scorer(store, maps, market, lambda: now["t"]).tick() == 0  # another restart
    score = await load_score(store, "BTC", now["t"])
    assert score is not None
    assert score.hours == 1
    assert score.realized_usd == pytest.approx(50_000.0)


async def test_a_hold_older_than_the_score_window_is_dropped(store: Store) -> None:
    """A hold found at a start more than 7 days old is deleted, not scored."""
    now = {"t": T0 + timedelta(minutes=30)}
    maps, market = await _live_map(store, lambda: now["t"])
    stale = T0 - SCORE_WINDOW - timedelta(hours=1)
    await store.map_holds.save("ETH", (stale, maps.combined_map("BTC"), 3_000.0))
    await store.map_holds.save("BTC", (stale, maps.combined_map("BTC"), 60_000.0))
    assert await _scorer(store, maps, market, lambda: now["t"]).tick() == 0
    holds = await store.map_holds.load_all()
    assert {symbol: held[0] for symbol, held in holds.items()} == {"BTC": now["t"]}
    assert await load_score(store, None, stale) is None


async def test_no_score_before_the_first_hour_is_over(store: Store) -> None:
    """Nothing scored yet reads as no score, not as zero."""
    assert await load_score(store, "BTC", T0) is None
