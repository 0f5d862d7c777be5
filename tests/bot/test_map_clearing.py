"""Issue #12's fault: long levels above the mark stayed on the map while a model bucket was open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from bot.maps.service import LiquidationMapService
from bot.store import Store
from bot.vocabulary.records import VenueSnapshot
from risk.clusters import ClusterModelConfig
from risk.liquidation_map import LiquidationMap
from risk.map_clearing import clear_crossed
from risk.map_fit import MapFit
from risk.tiers import default_tier_table

T0 = datetime(2025, 3, 1, tzinfo=UTC)
CONFIG = ClusterModelConfig()
FIFTY_X = MapFit(((50.0, 0.5), (10.0, 0.5)), half_life_s=1e9)


def highest_long(liq_map: LiquidationMap) -> float:
    """The price of the highest bin holding longs (0 when none)."""
    held = liq_map.prices[liq_map.long_usd > 0]
    return float(held.max()) if len(held) else 0.0


def snap(minute: float, mark: float, oi: float) -> VenueSnapshot:
    """A Binance BTC snapshot ``minute`` minutes after T0."""
    return VenueSnapshot("binance", "BTC", T0 + timedelta(minutes=minute), mark, open_interest=oi)


async def test_levels_price_ran_through_go_before_the_bucket_ends(store: Store) -> None:
    """Longs opened at 57,000 (50x, liquidating near 56,100) are gone once the mark is at 52,000,
    through two updates inside the same unfinished bucket; the 10x ones below it stay."""
    rising = [snap(m, 57_000, 1_000 if m < 5 else 1_100) for m in range(10)]
    await store.snapshots.add_many([*rising, snap(10.5, 55_000, 1_100), snap(11, 52_000, 1_100)])
    clock = {"now": T0 + timedelta(minutes=10, seconds=50)}
    maps = LiquidationMapService(
        store, default_tier_table, CONFIG, lambda: clock["now"], prior=FIFTY_X
    )
    await maps.rebuild()
    assert highest_long(maps.map_for("binance", "BTC")) < 52_000
    clock["now"] = T0 + timedelta(minutes=12)
    await maps.update()
    clock["now"] = T0 + timedelta(minutes=13)
    await maps.update()
    held = maps.map_for("binance", "BTC")
    assert 0 < highest_long(held) < 52_000
    assert held.as_of == T0 + timedelta(minutes=10)


async def test_a_bucket_that_ends_later_still_steps_the_model(store: Store) -> None:
    """Clearing early does not stop the model: the bucket is applied when it ends."""
    rising = [snap(m, 57_000, 1_000 if m < 5 else 1_100) for m in range(10)]
    await store.snapshots.add_many([*rising, snap(11, 56_000, 1_200)])
    clock = {"now": T0 + timedelta(minutes=12)}
    maps = LiquidationMapService(
        store, default_tier_table, CONFIG, lambda: clock["now"], prior=FIFTY_X
    )
    await maps.rebuild()
    early = maps.map_for("binance", "BTC")
    clock["now"] = T0 + timedelta(minutes=15, seconds=1)
    await maps.update()
    stepped = maps.map_for("binance", "BTC")
    assert stepped.as_of == T0 + timedelta(minutes=15)
    assert stepped.total_short_usd > early.total_short_usd


def test_clear_crossed_removes_longs_at_or_above_the_low_and_shorts_at_or_below_the_high() -> None:
    """The rule is the model's: a bin goes when the range reaches its centre price."""
    from risk.liquidation_map import LiquidationMap

    base = LiquidationMap(0.1)
    bins = np.array([base.bin_of(p) for p in (95.0, 99.0, 101.0, 105.0)])
    liq = base.plus(bins, np.array([True, True, False, False]), np.ones(4), as_of=T0)
    cleared = clear_crossed(liq, low=98.0, high=102.0)
    assert cleared.total_long_usd == 1.0  # the long at 95 stays, 99 is gone
    assert cleared.total_short_usd == 1.0  # the short at 105 stays, 101 is gone
    assert cleared.as_of == T0
