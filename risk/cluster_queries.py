"""Questions asked of a `LiquidationMap`: nearby clusters, cumulative liquidations, bars to draw.

A **cluster** is a run of adjacent bins of one side each holding at least ``min_notional_usd``
(default: `DEFAULT_CLUSTER_SHARE` of that side's largest bin). Its ``notional_usd`` is the run's sum
and its ``price`` the notional-weighted mean of the bins' prices. Clusters are `risk.report.Cluster`
values, so they go straight into ``assess(..., clusters=...)``.

A bin counts as "between" two prices when its price (geometric centre) is within them, ends
included: the same rule that clears a level in the model (`risk.cohort_map`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from risk.errors import InvalidInputError
from risk.liquidation_map import LiquidationMap
from risk.position import require_positive
from risk.report import Cluster
from risk.venues import Side

__all__ = [
    "DEFAULT_CLUSTER_SHARE",
    "Cluster",
    "MapDrawing",
    "NearCluster",
    "NearestClusters",
    "bins_for_drawing",
    "clusters_between",
    "cumulative_long_down_to",
    "cumulative_short_up_to",
    "find_clusters",
    "nearest_clusters",
]

FloatArray = npt.NDArray[np.float64]

DEFAULT_CLUSTER_SHARE = 0.25
"""Without an explicit threshold, a bin belongs to a cluster when it holds ≥ 25 % of the largest bin."""


class NearCluster(NamedTuple):
    """A cluster seen from the mark: ``distance_pct`` is ``100·|price − mark|/mark``."""

    price: float
    notional_usd: float
    side: Side
    distance_pct: float

    @property
    def cluster(self) -> Cluster:
        """The plain ``(price, notional_usd, side)`` cluster, as `risk.report.assess` takes it."""
        return Cluster(self.price, self.notional_usd, self.side)


class NearestClusters(NamedTuple):
    """The nearest long cluster below the mark and short cluster above it (``None``: none)."""

    long_below: NearCluster | None
    short_above: NearCluster | None


def _side_values(liq_map: LiquidationMap, side: Side) -> FloatArray:
    return liq_map.long_usd if side is Side.LONG else liq_map.short_usd


def _threshold(values: FloatArray, min_notional_usd: float | None) -> float:
    if min_notional_usd is not None:
        if not min_notional_usd >= 0:
            raise InvalidInputError(f"A cluster threshold must be ≥ 0; got {min_notional_usd:g}.")
        return min_notional_usd
    return DEFAULT_CLUSTER_SHARE * float(values.max()) if len(values) else 0.0


def _index_window(liq_map: LiquidationMap, low: float | None, high: float | None) -> slice:
    """Indexes of the bins whose price lies in ``[low, high]`` (open ends when ``None``)."""
    start = 0 if low is None else liq_map.first_bin_at_or_above(low) - liq_map.first_bin
    stop = len(liq_map.long_usd)
    if high is not None:
        stop = liq_map.last_bin_at_or_below(high) - liq_map.first_bin + 1
    return slice(max(start, 0), max(min(stop, len(liq_map.long_usd)), 0))


def find_clusters(
    liq_map: LiquidationMap,
    side: Side,
    *,
    low: float | None = None,
    high: float | None = None,
    min_notional_usd: float | None = None,
) -> list[Cluster]:
    """Clusters of ``side`` among the bins priced in ``[low, high]``, ascending by price.

    The default threshold is taken over the whole map's side, not only the window, so a cluster is
    the same cluster whichever window asks for it.
    """
    values = _side_values(liq_map, side)
    threshold = _threshold(values, min_notional_usd)
    window = _index_window(liq_map, low, high)
    part = values[window]
    dense = np.concatenate([[False], (part > 0) & (part >= threshold), [False]])
    edges = np.flatnonzero(np.diff(dense.astype(np.int8)))
    prices = liq_map.prices[window]
    clusters = []
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        run = part[start:stop]
        total = float(run.sum())
        price = float(np.dot(run, prices[start:stop]) / total)
        clusters.append(Cluster(price, total, side))
    return clusters


def _near(cluster: Cluster | None, mark_price: float) -> NearCluster | None:
    if cluster is None:
        return None
    distance = 100.0 * abs(cluster.price - mark_price) / mark_price
    return NearCluster(cluster.price, cluster.notional_usd, cluster.side, distance)


def nearest_clusters(
    liq_map: LiquidationMap, mark_price: float, *, min_notional_usd: float | None = None
) -> NearestClusters:
    """The nearest long cluster below ``mark_price`` and short cluster above it, with distances.

    Example: a map holding $310M of longs at 86,400 and $120M of shorts at 95,000, mark 91,250:
    long at 86,400 (5.3 % below), short at 95,000 (4.1 % above).
    """
    require_positive("mark price", mark_price)
    longs = find_clusters(liq_map, Side.LONG, high=mark_price, min_notional_usd=min_notional_usd)
    shorts = find_clusters(liq_map, Side.SHORT, low=mark_price, min_notional_usd=min_notional_usd)
    return NearestClusters(
        _near(longs[-1] if longs else None, mark_price),
        _near(shorts[0] if shorts else None, mark_price),
    )


def clusters_between(
    liq_map: LiquidationMap,
    start_price: float,
    end_price: float,
    *,
    side: Side | None = None,
    min_notional_usd: float | None = None,
) -> list[Cluster]:
    """Clusters priced between two prices (either order), nearest ``start_price`` first.

    With the mark as ``start_price`` and a position's liquidation price as ``end_price``: what stands
    between the position and its liquidation. ``side`` keeps one side only.
    """
    require_positive("start price", start_price)
    require_positive("end price", end_price)
    low, high = sorted((start_price, end_price))
    sides = (Side.LONG, Side.SHORT) if side is None else (side,)
    found = [
        cluster
        for each in sides
        for cluster in find_clusters(
            liq_map, each, low=low, high=high, min_notional_usd=min_notional_usd
        )
    ]
    return sorted(found, key=lambda c: abs(c.price - start_price))


def _sum_outward(values: FloatArray, window: slice, *, from_top: bool) -> float:
    """Sum of a window added bin by bin outward from the mark's end: monotone in the far end."""
    part = values[window]
    if len(part) == 0:
        return 0.0
    running = np.cumsum(part[::-1] if from_top else part)
    return float(running[-1])


def cumulative_long_down_to(liq_map: LiquidationMap, mark_price: float, price: float) -> float:
    """USD of longs that would be liquidated if the mark fell to ``price`` (0 if ``price ≥ mark``).

    ``Σ long_k`` over bins priced in ``[price, mark]``; never decreases as ``price`` falls.
    """
    require_positive("mark price", mark_price)
    require_positive("price", price)
    if price > mark_price:
        return 0.0
    return _sum_outward(liq_map.long_usd, _index_window(liq_map, price, mark_price), from_top=True)


def cumulative_short_up_to(liq_map: LiquidationMap, mark_price: float, price: float) -> float:
    """USD of shorts that would be liquidated if the mark rose to ``price`` (0 if ``price ≤ mark``).

    ``Σ short_k`` over bins priced in ``[mark, price]``; never decreases as ``price`` rises.
    """
    require_positive("mark price", mark_price)
    require_positive("price", price)
    if price < mark_price:
        return 0.0
    return _sum_outward(
        liq_map.short_usd, _index_window(liq_map, mark_price, price), from_top=False
    )


@dataclass(frozen=True, slots=True)
class MapDrawing:
    """A map re-binned into equal bars around the mark, ready to draw; USD amounts.

    ``edges`` has one more entry than the bars and ``mark_price`` is the middle edge.
    ``cumulative_long_usd[i]`` is the longs between the mark and bar ``i``'s lower edge (0 above the
    mark); ``cumulative_short_usd[i]`` the shorts between the mark and bar ``i``'s upper edge (0 below).
    """

    mark_price: float
    edges: FloatArray
    long_usd: FloatArray
    short_usd: FloatArray
    cumulative_long_usd: FloatArray
    cumulative_short_usd: FloatArray

    @property
    def centres(self) -> FloatArray:
        """The middle price of each bar."""
        middle: FloatArray = (self.edges[:-1] + self.edges[1:]) / 2
        return middle

    @property
    def is_empty(self) -> bool:
        """Whether no bar holds anything."""
        return not (self.long_usd.any() or self.short_usd.any())


def bins_for_drawing(
    liq_map: LiquidationMap, mark_price: float, *, span_pct: float = 10.0, bar_count: int = 80
) -> MapDrawing:
    """The map as ``bar_count`` equal bars over ``mark ± span_pct %``, with cumulative curves.

    Each map bin goes to the bar holding its price; bins outside the span are left out.

    Raises:
        InvalidInputError: ``bar_count`` is not an even number ≥ 2, or ``span_pct`` not in (0, 100).
    """
    require_positive("mark price", mark_price)
    if bar_count < 2 or bar_count % 2:
        raise InvalidInputError(f"The bar count must be an even number ≥ 2; got {bar_count}.")
    if not 0 < span_pct < 100:
        raise InvalidInputError(f"The span must be between 0 and 100 %; got {span_pct:g}.")
    edges = mark_price * (1 + np.linspace(-span_pct, span_pct, bar_count + 1) / 100)
    bar = np.searchsorted(edges, liq_map.prices, side="right") - 1
    inside = (bar >= 0) & (bar < bar_count)
    longs = np.bincount(bar[inside], liq_map.long_usd[inside], bar_count).astype(np.float64)
    shorts = np.bincount(bar[inside], liq_map.short_usd[inside], bar_count).astype(np.float64)
    half = bar_count // 2
    cum_long = np.zeros(bar_count)
    cum_long[:half] = np.cumsum(longs[:half][::-1])[::-1]
    cum_short = np.zeros(bar_count)
    cum_short[half:] = np.cumsum(shorts[half:])
    return MapDrawing(mark_price, edges, longs, shorts, cum_long, cum_short)
