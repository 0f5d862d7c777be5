"""The liquidation-map model on hand-built open-interest histories with known answers."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk.clusters import (
    DEFAULT_LEVERAGE_WEIGHTS,
    ClusterModelConfig,
    Interval,
    LiquidationMap,
    apply_interval,
    apply_intervals,
    combine_maps,
    interval_openings,
    realized_map,
)
from risk.errors import InvalidInputError
from risk.liquidation import Position, liquidation_price
from risk.tiers import default_tier_table
from risk.venues import Side, Venue

T0 = datetime(2025, 3, 1, tzinfo=UTC)
BTC = default_tier_table("binance", "BTC")
TEN_X = ClusterModelConfig(leverage_weights=((10.0, 1.0),), half_life_s=86_400.0)
EMPTY = LiquidationMap(TEN_X.bin_width_pct)


def interval(
    before: float,
    after: float,
    price: float = 60_000.0,
    *,
    low: float | None = None,
    high: float | None = None,
    buy: float | None = 1.0,
    duration_s: float = 0.0,
    minute: int = 5,
) -> Interval:
    """An interval ending ``minute`` minutes after T0 with a narrow range around ``price``."""
    return Interval(
        end=T0 + timedelta(minutes=minute),
        duration_s=duration_s,
        open_interest_before=before,
        open_interest_after=after,
        typical_price=price,
        low=price * 0.999 if low is None else low,
        high=price * 1.001 if high is None else high,
        taker_buy_share=buy,
    )


def occupied(liq_map: LiquidationMap) -> dict[tuple[str, int], float]:
    """Every non-empty (side, bin) of a map with its notional."""
    cells = {}
    for side, values in (("long", liq_map.long_usd), ("short", liq_map.short_usd)):
        for bin_number, value in zip(liq_map.bins, values, strict=True):
            if value > 0:
                cells[side, int(bin_number)] = float(value)
    return cells


def test_default_leverage_mix_is_the_issue_s():
    """The default mix is 5x 15 %, 10x 30 %, 25x 25 %, 50x 20 %, 100x 10 %."""
    assert ClusterModelConfig().leverage_weights == DEFAULT_LEVERAGE_WEIGHTS
    assert dict(DEFAULT_LEVERAGE_WEIGHTS) == {5: 0.15, 10: 0.30, 25: 0.25, 50: 0.20, 100: 0.10}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"leverage_weights": ((10.0, 0.5), (20.0, 0.4))},
        {"leverage_weights": ()},
        {"leverage_weights": ((0.5, 1.0),)},
        {"half_life_s": 0.0},
        {"bin_width_pct": -0.1},
    ],
)
def test_config_refuses_impossible_assumptions(kwargs):
    """Weights not summing to 1, leverage below 1 and non-positive widths are refused."""
    with pytest.raises(InvalidInputError):
        ClusterModelConfig(**kwargs)


def test_rebuild_lookback_is_five_half_lives():
    """A rebuild replays five half-lives by default."""
    assert ClusterModelConfig(half_life_s=3600).rebuild_lookback_s == 5 * 3600


@pytest.mark.parametrize(
    "kwargs",
    [
        {"before": -1.0, "after": 1.0},
        {"before": 1.0, "after": 2.0, "low": 60_100.0},
        {"before": 1.0, "after": 2.0, "buy": 1.5},
        {"before": 1.0, "after": 2.0, "duration_s": -5.0},
    ],
)
def test_interval_refuses_inconsistent_data(kwargs):
    """Negative open interest, a low above the price, a share above 1 or negative time are refused."""
    with pytest.raises(InvalidInputError):
        interval(**kwargs)


def test_one_opening_at_one_leverage_lands_in_exactly_one_bin():
    """100 BTC of new longs at 60,000, all 10x: $6M in the one bin holding the 10x liquidation price."""
    result = apply_interval(EMPTY, interval(1_000, 1_100), BTC, TEN_X)
    expected_lp = 60_000 * (1 - 0.1) / (1 - 0.004)  # Binance tier 1: mmr 0.4 %, cum 0
    engine_lp = liquidation_price(
        Position(Venue.BINANCE, "BTC", Side.LONG, 10, 60_000, 1 / 6), BTC
    ).price
    assert engine_lp == pytest.approx(expected_lp)
    cells = occupied(result)
    assert list(cells) == [("long", result.bin_of(expected_lp))]
    assert cells["long", result.bin_of(expected_lp)] == pytest.approx(6_000_000)
    low, high = result.bounds_of(result.bin_of(expected_lp))
    assert low <= expected_lp < high
    assert result.as_of == T0 + timedelta(minutes=5)


def test_unknown_taker_balance_splits_evenly():
    """Without taker volume, half the new notional is long and half short, mirrored around price."""
    result = apply_interval(EMPTY, interval(1_000, 1_100, buy=None), BTC, TEN_X)
    assert result.total_long_usd == pytest.approx(3_000_000)
    assert result.total_short_usd == pytest.approx(3_000_000)
    (long_price,) = result.prices[result.long_usd > 0]
    (short_price,) = result.prices[result.short_usd > 0]
    assert long_price < 60_000 < short_price


def test_taker_share_splits_longs_and_shorts():
    """A 70 % taker buy share makes 70 % of the new notional long."""
    result = apply_interval(EMPTY, interval(1_000, 1_100, buy=0.7), BTC, TEN_X)
    assert result.total_long_usd == pytest.approx(0.7 * 6_000_000)
    assert result.total_short_usd == pytest.approx(0.3 * 6_000_000)


def test_price_sweep_clears_the_level():
    """A later low through the long level's price clears it; a low just above it does not."""
    opened = apply_interval(EMPTY, interval(1_000, 1_100), BTC, TEN_X)
    level = float(opened.prices[opened.long_usd > 0][0])
    near = apply_interval(opened, interval(1_100, 1_100, low=level * 1.0002, minute=10), BTC, TEN_X)
    swept = apply_interval(opened, interval(1_100, 1_100, low=level * 0.999, minute=10), BTC, TEN_X)
    assert near.total_long_usd == pytest.approx(6_000_000)
    assert swept.total_long_usd == 0.0
    assert swept.is_empty


def test_short_levels_clear_on_a_high():
    """A high through a short level clears it and leaves the longs alone."""
    opened = apply_interval(EMPTY, interval(1_000, 1_100, buy=0.5), BTC, TEN_X)
    spike = interval(1_100, 1_100, high=70_000, minute=10)
    result = apply_interval(opened, spike, BTC, TEN_X)
    assert result.total_short_usd == 0.0
    assert result.total_long_usd == pytest.approx(3_000_000)


def test_an_interval_does_not_clear_its_own_openings():
    """Positions opened in an interval survive that interval's own wide range."""
    wide = interval(1_000, 1_100, low=50_000, high=70_000)
    assert apply_interval(EMPTY, wide, BTC, TEN_X).total_long_usd == pytest.approx(6_000_000)


def test_fall_in_open_interest_shrinks_levels_in_proportion():
    """Open interest 1,100 → 1,045 (−5 %) keeps 95 % of every level on both sides."""
    opened = apply_interval(EMPTY, interval(1_000, 1_100, buy=0.5), BTC, TEN_X)
    shrunk = apply_interval(opened, interval(1_100, 1_045, minute=10), BTC, TEN_X)
    assert shrunk.total_long_usd == pytest.approx(0.95 * 3_000_000)
    assert shrunk.total_short_usd == pytest.approx(0.95 * 3_000_000)
    assert occupied(shrunk).keys() == occupied(opened).keys()


def test_fall_to_zero_open_interest_empties_the_map():
    """When every position is closed, nothing is left to liquidate."""
    opened = apply_interval(EMPTY, interval(1_000, 1_100, buy=0.5), BTC, TEN_X)
    assert apply_interval(opened, interval(1_100, 0, minute=10), BTC, TEN_X).is_empty


def test_levels_fade_with_the_half_life():
    """After one half-life with flat open interest a level holds half its notional."""
    opened = apply_interval(EMPTY, interval(1_000, 1_100), BTC, TEN_X)
    later = interval(1_100, 1_100, duration_s=TEN_X.half_life_s, minute=10)
    assert apply_interval(opened, later, BTC, TEN_X).total_long_usd == pytest.approx(3_000_000)


def test_leverage_above_the_venue_maximum_is_capped():
    """A 100x bucket on a 75x-max Binance alt is modeled at 75x."""
    doge = default_tier_table("binance", "DOGE")
    config = ClusterModelConfig(leverage_weights=((100.0, 1.0),))
    (opening,) = interval_openings(interval(1e6, 2e6, price=0.3), doge, config)
    assert opening.leverage == doge.max_leverage_for(10_000 / 0.3, 0.3)
    assert opening.leverage < 100


def test_default_mix_places_every_bucket_on_its_side():
    """With the default mix each leverage puts its longs below and its shorts above the price."""
    openings = interval_openings(interval(1_000, 1_100, buy=0.5), BTC, ClusterModelConfig())
    assert len(openings) == 10
    for opening in openings:
        assert (opening.price < 60_000) == (opening.side is Side.LONG)
    assert sum(o.notional_usd for o in openings) == pytest.approx(6_000_000)
    longs = sorted((o for o in openings if o.side is Side.LONG), key=lambda o: o.leverage)
    assert [o.price for o in longs] == sorted(o.price for o in longs)  # higher leverage, closer


# --- properties -------------------------------------------------------------------------------

steps = st.lists(
    st.tuples(
        st.floats(0.0, 400.0),  # open interest after the interval
        st.floats(50_000.0, 70_000.0),  # typical price
        st.floats(0.0, 0.05),  # range below, fraction of price
        st.floats(0.0, 0.05),  # range above
        st.one_of(st.none(), st.floats(0.0, 1.0)),  # taker buy share
        st.floats(0.0, 7_200.0),  # duration
    ),
    max_size=25,
)


def history(start_oi: float, rows: list[tuple[float, ...]]) -> list[Interval]:
    """Intervals chained so that each starts at the previous one's open interest."""
    out, oi = [], start_oi
    for i, (after, price, down, up, buy, duration) in enumerate(rows):
        out.append(
            Interval(
                T0 + timedelta(minutes=5 * (i + 1)),
                duration,
                oi,
                after,
                price,
                price * (1 - down),
                price * (1 + up),
                buy,
            )
        )
        oi = after
    return out


def assert_same_map(left: LiquidationMap, right: LiquidationMap) -> None:
    """Two maps hold the same notional in the same bins (up to rounding)."""
    a, b = occupied(left), occupied(right)
    scale = max([1.0, *a.values(), *b.values()])
    for key in a.keys() | b.keys():
        assert a.get(key, 0.0) == pytest.approx(b.get(key, 0.0), abs=1e-9 * scale), key


@settings(max_examples=150, deadline=None)
@given(start=st.floats(0.0, 400.0), rows=steps, split=st.integers(0, 25))
def test_vectorised_pass_matches_the_scalar_steps(start, rows, split):
    """`apply_intervals` gives the map `apply_interval` gives, also when started mid-history."""
    config = ClusterModelConfig()
    intervals = history(start, rows)
    scalar = EMPTY
    for item in intervals:
        scalar = apply_interval(scalar, item, BTC, config)
    head = apply_intervals(EMPTY, intervals[:split], BTC, config)
    vectorised = apply_intervals(head, intervals[split:], BTC, config)
    assert_same_map(vectorised, scalar)
    assert vectorised.as_of == scalar.as_of


@settings(max_examples=100, deadline=None)
@given(before=st.floats(1.0, 1e5), added=st.floats(0.0, 1e5), buy=st.floats(0.0, 1.0))
def test_a_rise_adds_exactly_its_notional(before, added, buy):
    """A rise of ΔOI at price P adds ΔOI·P in total, whatever the split and the leverage mix."""
    result = apply_interval(
        EMPTY, interval(before, before + added, buy=buy), BTC, ClusterModelConfig()
    )
    total = result.total_long_usd + result.total_short_usd
    delta = (before + added) - before  # the rise as the floats carry it
    assert total == pytest.approx(delta * 60_000, rel=1e-9, abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(before=st.floats(1.0, 1e5), added=st.floats(1e-3, 1e5))
def test_rise_then_equal_fall_keeps_the_proportional_share(before, added):
    """Open interest OI₀ → OI₀+X → OI₀ keeps X·OI₀/(OI₀+X) coins' worth: closers come from all OI."""
    config = ClusterModelConfig()
    opened = apply_interval(EMPTY, interval(before, before + added, buy=0.5), BTC, config)
    closed = apply_interval(opened, interval(before + added, before, minute=10), BTC, config)
    total = closed.total_long_usd + closed.total_short_usd
    delta = (before + added) - before  # the rise as the floats carry it
    assert total == pytest.approx(delta * 60_000 * before / (before + added), rel=1e-9)


@settings(max_examples=100, deadline=None)
@given(start=st.floats(0.0, 400.0), rows=steps)
def test_the_map_never_holds_more_than_was_added(start, rows):
    """Fading, clearing and shrinking only take away: the total stays within the notional added."""
    intervals = history(start, rows)
    result = apply_intervals(EMPTY, intervals, BTC, ClusterModelConfig())
    added = sum(i.added_notional_usd for i in intervals)
    assert result.total_long_usd + result.total_short_usd <= added * (1 + 1e-9) + 1e-6
    assert np.all(result.long_usd >= 0)
    assert np.all(result.short_usd >= 0)


# --- combining and realized maps ----------------------------------------------------------------


def test_combined_map_adds_venues_bin_by_bin():
    """Two venues' maps combine into their bin-by-bin sum, dated by the older one."""
    binance = apply_interval(EMPTY, interval(1_000, 1_100), BTC, TEN_X)
    okx_table = default_tier_table("okx", "BTC")
    okx = apply_interval(EMPTY, interval(10, 20, buy=0.0, minute=10), okx_table, TEN_X)
    both = combine_maps([binance, okx])
    assert both.total_long_usd == pytest.approx(binance.total_long_usd)
    assert both.total_short_usd == pytest.approx(okx.total_short_usd)
    assert occupied(both) == {**occupied(binance), **occupied(okx)}
    assert both.as_of == binance.as_of


def test_maps_of_different_widths_do_not_combine():
    """Adding maps on different grids is refused."""
    with pytest.raises(InvalidInputError):
        combine_maps([LiquidationMap(0.1), LiquidationMap(0.2)])


def test_realized_map_puts_each_event_in_its_price_bin():
    """Realized liquidations are summed per side in the bin of their price."""
    events = [(86_400.0, 2e6, "long"), (86_401.0, 1e6, Side.LONG), (95_000.0, 5e5, "short")]
    result = realized_map(events)
    assert result.notional_at(Side.LONG, result.bin_of(86_400.0)) == pytest.approx(3e6)
    assert result.notional_at(Side.SHORT, result.bin_of(95_000.0)) == pytest.approx(5e5)
    assert result.total_long_usd + result.total_short_usd == pytest.approx(3.5e6)


def test_realized_map_of_nothing_is_empty():
    """No events make an empty map."""
    assert realized_map([]).is_empty


def test_realized_map_refuses_a_zero_price():
    """A liquidation at price 0 is refused, not binned at minus infinity."""
    with pytest.raises(InvalidInputError):
        realized_map([(0.0, 1.0, "long")])


def test_bins_are_a_fixed_logarithmic_grid():
    """A bin's edges differ by the bin width and its price is their geometric mean."""
    grid = LiquidationMap(0.1)
    k = grid.bin_of(91_250.0)
    low, high = grid.bounds_of(k)
    assert high / low == pytest.approx(1.001)
    assert grid.price_of(k) == pytest.approx(math.sqrt(low * high))
    assert low <= 91_250.0 < high
