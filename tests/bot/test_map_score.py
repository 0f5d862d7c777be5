"""The live self-score: each hour's map held, scored on that hour's liquidations, stored, summed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.maps.score import MapScorer, load_score
from bot.maps.service import LiquidationMapService
from bot.market.state import MarketState
from bot.store import Store
from bot.vocabulary.records import LiquidationEvent, VenueSnapshot
from risk.clusters import ClusterModelConfig
from risk.map_fit import MapFit
from risk.tiers import default_tier_table

T0 = datetime(2025, 3, 1, tzinfo=UTC)
TEN_X = MapFit(((10.0, 1.0),), half_life_s=1e12)


async def test_an_hour_is_scored_on_the_map_held_at_its_start(store: Store) -> None:
    """A liquidation at a held level counts, one far from every level does not; stored and summed."""
    snaps = [VenueSnapshot("binance", "BTC", T0 + timedelta(minutes=m), 60_000.0 + 90 * (m % 3),
                           open_interest=1_000 if m < 10 else 1_100) for m in range(25)]  # fmt: skip
    await store.snapshots.add_many(snaps)
    now = {"t": T0 + timedelta(minutes=30)}
    maps = LiquidationMapService(
        store, default_tier_table, ClusterModelConfig(), lambda: now["t"], prior=TEN_X
    )
    await maps.rebuild()
    market = MarketState(lambda: now["t"], ["binance"])
    market.update_snapshots([snaps[-1]])
    scorer = MapScorer(store, maps, market, lambda: now["t"], symbols=["BTC"],
                       preferred_venue="binance")  # fmt: skip
    assert await scorer.tick() == 0  # holds the map
    held = maps.map_for("binance", "BTC")
    level = float(held.prices[held.long_usd.argmax()])
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


async def test_no_score_before_the_first_hour_is_over(store: Store) -> None:
    """Nothing scored yet reads as no score, not as zero."""
    assert await load_score(store, "BTC", T0) is None
