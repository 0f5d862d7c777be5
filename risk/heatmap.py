"""A heatmap of liquidation maps over time: price bins × time, for the `/map BTC heatmap` chart.

``matrix[i, j]`` is the notional (USD) the ``j``-th map holds with a level priced in
``[edges[i], edges[i+1])`` (longs plus shorts, or one side); the edges are shared by every column,
so a column is one map re-binned. Maps on the shared log grid of `risk.liquidation_map` are
re-binned by their bins' prices (geometric centres).

>>> import numpy as np
>>> from risk.liquidation_map import LiquidationMap
>>> one = LiquidationMap(0.1).plus(np.array([4605]), np.array([True]), np.array([5.0]), as_of=None)
>>> heatmap_matrix([one, LiquidationMap()], np.array([90.0, 100.0, 110.0])).matrix.tolist()
[[5.0, 0.0], [0.0, 0.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from risk.errors import InvalidInputError
from risk.liquidation_map import LiquidationMap
from risk.venues import Side

__all__ = ["Heatmap", "heatmap_matrix"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class Heatmap:
    """``matrix`` of shape ``(len(edges) − 1, len(maps))``, USD; ``edges`` ascending, USD."""

    edges: FloatArray
    matrix: FloatArray


def heatmap_matrix(
    maps: Sequence[LiquidationMap], edges: FloatArray, *, side: Side | None = None
) -> Heatmap:
    """The maps as columns over the price ``edges`` (ascending); ``side`` keeps one side.

    Raises:
        InvalidInputError: fewer than two edges, or edges not strictly ascending.
    """
    if len(edges) < 2 or np.any(np.diff(edges) <= 0):
        raise InvalidInputError("A heatmap needs at least two strictly ascending price edges.")
    rows = len(edges) - 1
    matrix = np.zeros((rows, len(maps)))
    for j, liq_map in enumerate(maps):
        if liq_map.is_empty:
            continue
        values = liq_map.long_usd + liq_map.short_usd
        if side is not None:
            values = liq_map.long_usd if side is Side.LONG else liq_map.short_usd
        row = np.searchsorted(edges, liq_map.prices, side="right") - 1
        inside = (row >= 0) & (row < rows)
        matrix[:, j] = np.bincount(row[inside], values[inside], minlength=rows)
    return Heatmap(np.asarray(edges, dtype=np.float64), matrix)
