"""The map's value type: its logarithmic grid, combining venues, realized maps; and the inputs of the
map (`Interval`, `ClusterModelConfig`) refusing what cannot be."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from risk.clusters import ClusterModelConfig, Interval
from risk.errors import InvalidInputError
from risk.liquidation_map import LiquidationMap, combine_maps, realized_map
from risk.venues import Side

T0 = datetime(2025, 3, 1, tzinfo=UTC)


def occupied(liq_map: LiquidationMap) -> dict[tuple[str, int], float]:
    """Every non-empty (side, bin) of a map with its notional."""
    cells = {}
    for side, values in (("long", liq_map.long_usd), ("short", liq_map.short_usd)):
        for bin_number, value in zip(liq_map.bins, values, strict=True):
            if value > 0:
                cells[side, int(bin_number)] = float(value)
    return cells


@pytest.mark.parametrize("kwargs", [{"bin_width_pct": -0.1}, {"bin_width_pct": math.inf},
                                    {"position_notional_usd": 0.0}])  # fmt: skip
def test_config_refuses_impossible_layouts(kwargs):
    """A non-positive or infinite bin width and a zero position size are refused."""
    with pytest.raises(InvalidInputError):
        ClusterModelConfig(**kwargs)


def interval(before: float, after: float, price: float = 60_000.0, *, low: float | None = None,
             buy: float | None = 1.0, duration_s: float = 0.0) -> Interval:  # fmt: skip
    """An interval ending five minutes after T0 with a narrow range around ``price``."""
    return Interval(
        end=T0 + timedelta(minutes=5), duration_s=duration_s, open_interest_before=before,
        open_interest_after=after, typical_price=price,
        low=price * 0.999 if low is None else low, high=price * 1.001, taker_buy_share=buy,
    )  # fmt: skip


def test_a_consistent_interval_is_accepted():
    """Open interest, a range around the price and a taker share in [0, 1] make an interval."""
    assert interval(1.0, 2.0, buy=None).taker_buy_share is None


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


def test_combined_map_adds_venues_bin_by_bin():
    """Two venues' maps combine into their bin-by-bin sum, dated by the older one."""
    early, late = T0, T0 + timedelta(minutes=5)
    binance = realized_map([(86_400.0, 2e6, "long"), (95_000.0, 5e5, "short")], as_of=early)
    okx = realized_map([(86_400.0, 1e6, "long"), (80_000.0, 3e5, "long")], as_of=late)
    both = combine_maps([binance, okx])
    assert both.total_long_usd == pytest.approx(3.3e6)
    assert both.total_short_usd == pytest.approx(5e5)
    cells = occupied(both)
    assert cells["long", both.bin_of(86_400.0)] == pytest.approx(3e6)
    assert len(cells) == len(occupied(binance) | occupied(okx))
    assert both.as_of == early


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
