"""How much of one side sits from the mark through a cluster: one computation for both figures.

`risk.cluster_queries.nearest_clusters` gives the nearest cluster (a run of dense bins) and its own
notional; readers also want everything of that side between the mark and the cluster's far end. Both
figures come from the same bins here, so the total always includes the cluster:

    reach = Σ notional of ``side`` in bins priced between the mark and the run's far bin (included)

The run is the cluster's: bins of one side each holding at least `DEFAULT_CLUSTER_SHARE` of that
side's largest bin, adjacent to the bin of the cluster's price, walked away from the mark.
"""

from __future__ import annotations

from typing import NamedTuple

from risk.cluster_queries import (
    DEFAULT_CLUSTER_SHARE,
    NearCluster,
    cumulative_long_down_to,
    cumulative_short_up_to,
)
from risk.liquidation_map import LiquidationMap
from risk.venues import Side

__all__ = ["ClusterReach", "reach_through"]


class ClusterReach(NamedTuple):
    """The cluster, its far end (price of its farthest bin from the mark) and the side's notional
    from the mark through that bin (USD, ≥ the cluster's own notional)."""

    cluster: NearCluster
    far_price: float
    through_usd: float


def reach_through(liq_map: LiquidationMap, mark_price: float, cluster: NearCluster) -> ClusterReach:
    """The side's notional from ``mark_price`` through the far end of ``cluster`` (module docstring)."""
    values = liq_map.long_usd if cluster.side is Side.LONG else liq_map.short_usd
    step = -1 if cluster.side is Side.LONG else 1
    threshold = DEFAULT_CLUSTER_SHARE * float(values.max()) if len(values) else 0.0
    far = liq_map.bin_of(cluster.price) - liq_map.first_bin
    while (
        0 <= far + step < len(values) and values[far + step] > 0 and values[far + step] >= threshold
    ):
        far += step
    far_price = liq_map.price_of(far + liq_map.first_bin)
    if cluster.side is Side.LONG:
        through = cumulative_long_down_to(liq_map, mark_price, far_price)
    else:
        through = cumulative_short_up_to(liq_map, mark_price, far_price)
    return ClusterReach(cluster, far_price, max(through, cluster.notional_usd))
