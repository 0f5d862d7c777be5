"""Queries on a liquidation map: nearest clusters, clusters in a gap, cumulative sums, drawing bins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk.cluster_queries import (
    Cluster,
    bins_for_drawing,
    clusters_between,
    cumulative_long_down_to,
    cumulative_short_up_to,
    find_clusters,
    nearest_clusters,
)
from risk.errors import InvalidInputError
from risk.liquidation import Position
from risk.liquidation_map import LiquidationMap, realized_map
from risk.report import MarketSnapshot, assess
from risk.tiers import default_tier_table
from risk.venues import Side, Venue

MARK = 91_250.0
HEADLINE = realized_map(
    [
        (86_400.0, 310e6, "long"),
        (88_000.0, 200e6, "long"),
        (90_000.0, 253e6, "long"),
        (84_000.0, 5e6, "long"),  # below the 25 % share: not a cluster on its own
        (95_000.0, 120e6, "short"),
        (97_000.0, 80e6, "short"),
    ]
)


def test_nearest_clusters_below_and_above_the_mark():
    """The nearest long cluster below and short cluster above the mark, with their distances."""
    near = nearest_clusters(HEADLINE, MARK)
    assert near.long_below is not None
    assert near.short_above is not None
    assert near.long_below.price == pytest.approx(90_000, rel=1e-3)
    assert near.long_below.notional_usd == pytest.approx(253e6)
    assert near.long_below.distance_pct == pytest.approx(100 * (MARK - 90_000) / MARK, abs=0.1)
    assert near.short_above.price == pytest.approx(95_000, rel=1e-3)
    assert near.short_above.side is Side.SHORT


def test_nearest_clusters_of_an_empty_map_are_none():
    """An empty map has no cluster on either side."""
    near = nearest_clusters(LiquidationMap(), MARK)
    assert near.long_below is None
    assert near.short_above is None


def test_a_threshold_hides_small_levels():
    """A $300M threshold leaves only the 86,400 long level as a cluster."""
    near = nearest_clusters(HEADLINE, MARK, min_notional_usd=300e6)
    assert near.long_below is not None
    assert near.long_below.price == pytest.approx(86_400, rel=1e-3)
    assert near.short_above is None


def test_adjacent_dense_bins_form_one_cluster_at_their_weighted_price():
    """Two neighbouring bins merge into one cluster priced at their notional-weighted mean."""
    grid = LiquidationMap()
    low_bin = grid.bin_of(50_000.0)
    liq_map = realized_map(
        [(grid.price_of(low_bin), 3e6, "long"), (grid.price_of(low_bin + 1), 1e6, "long")]
    )
    (cluster,) = find_clusters(liq_map, Side.LONG)
    expected = (3 * grid.price_of(low_bin) + grid.price_of(low_bin + 1)) / 4
    assert cluster.price == pytest.approx(expected)
    assert cluster.notional_usd == pytest.approx(4e6)
    assert isinstance(cluster, Cluster)
    assert cluster.side is Side.LONG


def test_clusters_between_mark_and_liquidation_price_nearest_first():
    """Between the mark and 85,000 lie the 90,000, 88,000 and 86,400 long clusters, in that order."""
    found = clusters_between(HEADLINE, MARK, 85_000.0)
    assert [round(c.price, -2) for c in found] == [90_000, 88_000, 86_400]
    assert all(c.side is Side.LONG for c in found)


def test_clusters_between_keeps_one_side_when_asked():
    """Asking for shorts between 85,000 and 100,000 returns the short clusters only."""
    found = clusters_between(HEADLINE, 85_000.0, 100_000.0, side=Side.SHORT)
    assert [round(c.price, -2) for c in found] == [95_000, 97_000]


def test_clusters_feed_the_risk_report():
    """`assess` takes the queried clusters and keeps those between mark and liquidation price."""
    table = default_tier_table("binance", "BTC")
    position = Position(Venue.BINANCE, "BTC", Side.LONG, 10, MARK, 0.1)
    now = datetime(2025, 3, 1, tzinfo=UTC)
    market = MarketSnapshot(MARK, MARK, 0.0001, 8, now + timedelta(hours=2), None, now)
    clusters = clusters_between(HEADLINE, MARK, 80_000.0)
    report = assess(position, market, table, now=now, clusters=clusters)
    assert [round(c.price, -2) for c in report.clusters] == [90_000, 88_000, 86_400]
    assert report.clusters_notional_usd == pytest.approx(763e6)


def test_cumulative_longs_down_to_a_level():
    """$763M of longs would be liquidated from the mark down to 86,000."""
    assert cumulative_long_down_to(HEADLINE, MARK, 86_000.0) == pytest.approx(763e6)
    assert cumulative_long_down_to(HEADLINE, MARK, 80_000.0) == pytest.approx(768e6)
    assert cumulative_long_down_to(HEADLINE, MARK, 95_000.0) == 0.0


def test_cumulative_shorts_up_to_a_level():
    """$120M of shorts up to 96,000, $200M up to 100,000, nothing below the mark."""
    assert cumulative_short_up_to(HEADLINE, MARK, 96_000.0) == pytest.approx(120e6)
    assert cumulative_short_up_to(HEADLINE, MARK, 100_000.0) == pytest.approx(200e6)
    assert cumulative_short_up_to(HEADLINE, MARK, 90_000.0) == 0.0


def test_a_non_positive_price_is_refused():
    """Cumulative queries refuse a price of zero."""
    with pytest.raises(InvalidInputError):
        cumulative_long_down_to(HEADLINE, MARK, 0.0)


events = st.lists(
    st.tuples(
        st.floats(50_000.0, 150_000.0),
        st.floats(0.0, 1e9),
        st.sampled_from(["long", "short"]),
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(rows=events, mark=st.floats(60_000.0, 140_000.0), prices=st.lists(st.floats(1.0, 3e5)))
def test_cumulative_sums_are_monotone(rows, mark, prices):
    """Longs down to a price never shrink as the price falls; shorts up to it never as it rises."""
    liq_map = realized_map(rows)
    ordered = sorted(prices)
    longs = [cumulative_long_down_to(liq_map, mark, p) for p in ordered]
    shorts = [cumulative_short_up_to(liq_map, mark, p) for p in ordered]
    assert all(a >= b for a, b in pairwise(longs))
    assert all(a <= b for a, b in pairwise(shorts))
    assert all(v >= 0 for v in longs + shorts)


@settings(max_examples=100, deadline=None)
@given(rows=events, mark=st.floats(60_000.0, 140_000.0))
def test_cumulative_to_the_ends_is_everything_beyond_the_mark(rows, mark):
    """Down to a tiny price counts every long priced at or below the mark; up to a huge one, shorts."""
    liq_map = realized_map(rows)
    below = liq_map.prices <= mark
    expected_longs = float(liq_map.long_usd[below].sum())
    expected_shorts = float(liq_map.short_usd[liq_map.prices >= mark].sum())
    assert cumulative_long_down_to(liq_map, mark, 1.0) == pytest.approx(expected_longs)
    assert cumulative_short_up_to(liq_map, mark, 1e7) == pytest.approx(expected_shorts)


@settings(max_examples=100, deadline=None)
@given(rows=events, mark=st.floats(60_000.0, 140_000.0), span=st.floats(1.0, 40.0))
def test_drawing_bins_keep_the_notional_inside_the_span(rows, mark, span):
    """The bars hold every bin priced inside the span and the curves are monotone away from the mark."""
    liq_map = realized_map(rows)
    drawing = bins_for_drawing(liq_map, mark, span_pct=span, bar_count=40)
    inside = (liq_map.prices >= drawing.edges[0]) & (liq_map.prices < drawing.edges[-1])
    assert drawing.long_usd.sum() == pytest.approx(liq_map.long_usd[inside].sum())
    assert drawing.short_usd.sum() == pytest.approx(liq_map.short_usd[inside].sum())
    assert drawing.edges[20] == pytest.approx(mark)
    assert np.all(np.diff(drawing.cumulative_long_usd[:20]) <= 0)
    assert np.all(np.diff(drawing.cumulative_short_usd[20:]) >= 0)
    assert not drawing.cumulative_long_usd[20:].any()
    assert not drawing.cumulative_short_usd[:20].any()


def test_drawing_needs_an_even_bar_count():
    """An odd number of bars cannot put the mark on an edge and is refused."""
    with pytest.raises(InvalidInputError):
        bins_for_drawing(HEADLINE, MARK, bar_count=7)
