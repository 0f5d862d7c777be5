"""The map's live self-score: did realized liquidations land near the levels it held?

Given a map held just before a window and the liquidations realized in it, the **hit share** is

    hit = Σ_e usd_e·1[some bin of side_e holding ≥ min_usd lies within ±band_pct % of price_e] / Σ_e usd_e

and the **uniform share** is the same for a map spread evenly over the span the map covers on
each side (mark to its farthest held level): the share a map that knew nothing would reach. A
map worth showing scores well above its uniform share. Units: USD, percent of price.

>>> from risk.liquidation_map import LiquidationMap
>>> held = LiquidationMap(0.1).plus(np.array([ LiquidationMap(0.1).bin_of(95.0)]),
...                                 np.array([True]), np.array([1e6]), as_of=None)
>>> s = self_score(held, 100.0, [(95.2, 5e5, "long"), (90.0, 5e5, "long")])
>>> s.hit_share, round(s.uniform_share, 2)
(0.5, 0.1)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from risk.liquidation_map import LiquidationMap
from risk.position import require_positive
from risk.venues import Side, parse_side

__all__ = ["SelfScore", "self_score"]


class SelfScore(NamedTuple):
    """Hit share of the map, of a uniform spread, and the realized USD scored."""

    hit_share: float
    uniform_share: float
    realized_usd: float


def _near_held(
    liq_map: LiquidationMap, side: Side, prices: np.ndarray, band: float, floor: float
) -> np.ndarray:
    values = liq_map.long_usd if side is Side.LONG else liq_map.short_usd
    held = liq_map.prices[values > floor]
    if len(held) == 0:
        return np.zeros(len(prices), dtype=np.bool_)
    held = np.sort(held)
    index = np.searchsorted(held, prices)
    below = held[np.clip(index - 1, 0, len(held) - 1)]
    above = held[np.clip(index, 0, len(held) - 1)]
    gap = np.minimum(np.abs(prices - below), np.abs(above - prices)) / prices
    near: np.ndarray = gap <= band / 100
    return near


def _uniform_share(
    liq_map: LiquidationMap, side: Side, mark: float, prices: np.ndarray, band: float
) -> np.ndarray:
    values = liq_map.long_usd if side is Side.LONG else liq_map.short_usd
    held = liq_map.prices[values > 0]
    if len(held) == 0:
        return np.zeros(len(prices))
    span = max(float(np.max(np.abs(held - mark))) / mark, band / 100)
    distance = np.abs(prices - mark) / mark
    inside = distance <= span
    share: np.ndarray = np.where(inside, min(1.0, 2 * band / 100 / span), 0.0)
    return share


def self_score(
    liq_map: LiquidationMap,
    mark_price: float,
    realized: Iterable[tuple[float, float, Side | str]],
    *,
    band_pct: float = 0.5,
    min_usd: float = 0.0,
) -> SelfScore:
    """Score ``liq_map`` (held at ``mark_price``) on ``(price, usd, side)`` liquidations after it."""
    require_positive("mark price", mark_price)
    rows = [(float(p), float(u), parse_side(str(s))) for p, u, s in realized]
    total = sum(u for _, u, _ in rows)
    if total <= 0:
        return SelfScore(0.0, 0.0, 0.0)
    hit = uniform = 0.0
    for side in (Side.LONG, Side.SHORT):
        prices = np.array([p for p, _, s in rows if s is side])
        usd = np.array([u for _, u, s in rows if s is side])
        if len(prices) == 0:
            continue
        hit += float(usd @ _near_held(liq_map, side, prices, band_pct, min_usd))
        uniform += float(usd @ _uniform_share(liq_map, side, mark_price, prices, band_pct))
    return SelfScore(hit / total, uniform / total, total)
