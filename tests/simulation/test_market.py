"""The simulated market: deterministic, cascading where crowded, and as the venue would report it."""

from __future__ import annotations

import itertools
import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from bot.simulation.crowd import Crowd, liquidation_level
from bot.simulation.market import SimulatedMarket
from bot.simulation.script import demo_script
from tests.simulation.conftest import DAY_START, SimulatedDay, run_day, scripted_day_script


def test_same_seed_same_day() -> None:
    """Two runs of one script and seed give the same prices and liquidations, another seed does not."""
    first = SimulatedMarket(demo_script(DAY_START, seed=3))
    second = SimulatedMarket(demo_script(DAY_START, seed=3))
    other = SimulatedMarket(demo_script(DAY_START, seed=4))
    a = [first.step(1.0) for _ in range(300)]
    b = [second.step(1.0) for _ in range(300)]
    c = [other.step(1.0) for _ in range(300)]
    assert [m.marks for m in a] == [m.marks for m in b]
    assert [m.liquidations for m in a] == [m.liquidations for m in b]
    assert [m.marks for m in a] != [m.marks for m in c]


def test_shock_through_crowded_longs_cascades() -> None:
    """The demo's 1.6 % shock liquidates over $50M of longs and carries price past the shock itself."""
    market = SimulatedMarket(demo_script(DAY_START))
    start = market.mark("BTC")
    events = [e for _ in range(45) for e in market.step(1.0).liquidations if e.symbol == "BTC"]
    longs_usd = sum(e.notional_usd for e in events if e.side == "long")
    assert longs_usd > 50e6
    assert market.mark("BTC") < start * (1 - 0.016) * 0.995
    assert all(e.price >= market.mark("BTC") for e in events if e.side == "long")


def test_warmup_history_is_five_minute_snapshots_up_to_the_start() -> None:
    """The warm-up writes 24h of 5-minute snapshots per coin up to the start, and its liquidations."""
    market = SimulatedMarket(demo_script(DAY_START))
    btc = [s for s in market.history if s.symbol == "BTC"]
    assert len(btc) == 24 * 12
    assert btc[-1].time == DAY_START
    assert all((b.time - a.time).total_seconds() == 300 for a, b in itertools.pairwise(btc))
    assert all(s.open_interest and s.open_interest_usd for s in btc)
    warm_liquidations = market.history_liquidations
    assert warm_liquidations
    assert all(e.time <= DAY_START for e in warm_liquidations)
    last = btc[-1]
    assert last.open_interest is not None
    assert last.open_interest_usd is not None
    assert math.isclose(last.open_interest * last.mark_price, last.open_interest_usd)


def test_crowded_longs_tilt_funding_positive() -> None:
    """BTC's flow is two-thirds long, so its funding is above the 0.01 % base; candles are hourly."""
    market = SimulatedMarket(demo_script(DAY_START))
    snapshot = next(s for s in market.snapshots() if s.symbol == "BTC")
    assert snapshot.funding_rate is not None
    assert snapshot.funding_rate > 0.0001
    candles = market.candles("BTC", 200)
    assert len(candles) == 200
    assert all(c.low <= min(c.open, c.close) <= max(c.open, c.close) <= c.high for c in candles)


def test_scripted_day_has_both_shocks_and_waves(scripted_day: SimulatedDay) -> None:
    """A scripted day liquidates longs in the BTC drop and shorts in the ETH squeeze."""
    btc_longs = sum(
        e.notional_usd for e in scripted_day.liquidations if e.symbol == "BTC" and e.side == "long"
    )
    eth_shorts = sum(
        e.notional_usd for e in scripted_day.liquidations if e.symbol == "ETH" and e.side == "short"
    )
    assert btc_longs > 50e6
    assert eth_shorts > 1e6
    assert len(scripted_day.marks["BTC"]) == 8641
    assert all(p > 0 for path in scripted_day.marks.values() for p in path)


def test_a_scripted_day_runs_in_seconds() -> None:
    """24 simulated hours at 10 s steps are reproducible from the script alone."""
    again = run_day(scripted_day_script(), step_s=60.0)
    assert again.market.elapsed_s == 86_400
    assert again.liquidations == run_day(scripted_day_script(), step_s=60.0).liquidations


@given(
    entry=st.floats(100, 100_000),
    leverage=st.sampled_from([5.0, 10.0, 25.0, 50.0, 100.0]),
)
def test_liquidation_level_sits_on_the_losing_side(entry: float, leverage: float) -> None:
    """A long's level is below entry and a short's above, closer the higher the leverage."""
    long_level = liquidation_level(entry, leverage, 1.0)
    short_level = liquidation_level(entry, leverage, -1.0)
    assert long_level < entry < short_level
    assert liquidation_level(entry, leverage * 2, 1.0) > long_level


def test_sweep_takes_only_what_price_ran_through() -> None:
    """A sweep removes longs at or above the low and shorts at or below the high, nothing else."""
    crowd = Crowd()
    crowd.add(np.array([95.0, 90.0, 105.0, 110.0]), np.array([1.0, 1.0, -1.0, -1.0]),
              np.array([1.0, 2.0, 3.0, 4.0]))  # fmt: skip
    swept = crowd.sweep(93.0, 106.0)
    assert sorted(swept.levels.tolist()) == [95.0, 105.0]
    assert swept.net_selling_usd() == 1.0 - 3.0
    assert sorted(crowd.levels.tolist()) == [90.0, 110.0]
