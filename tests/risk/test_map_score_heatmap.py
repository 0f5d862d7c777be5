"""The live self-score and the heatmap matrix, on maps with known levels."""

from __future__ import annotations

import numpy as np
import pytest

from risk.errors import InvalidInputError
from risk.heatmap import heatmap_matrix
from risk.liquidation_map import LiquidationMap
from risk.map_score import self_score
from risk.venues import Side


def one_level(price: float, usd: float, *, long: bool = True) -> LiquidationMap:
    """A map holding one level."""
    empty = LiquidationMap(0.1)
    return empty.plus(
        np.array([empty.bin_of(price)]), np.array([long]), np.array([usd]), as_of=None
    )


def test_hits_within_half_a_percent_count() -> None:
    """A long liquidation 0.3 % from a held long level is a hit; one 2 % away is not."""
    held = one_level(95.0, 1e6)
    score = self_score(held, 100.0, [(95.3, 1.0, "long"), (93.0, 3.0, "long")])
    assert score.hit_share == pytest.approx(0.25)
    assert score.realized_usd == 4.0


def test_the_other_side_does_not_count() -> None:
    """A short liquidation next to a long level is not a hit."""
    score = self_score(one_level(95.0, 1e6), 100.0, [(95.0, 1.0, "short")])
    assert score.hit_share == 0.0
    assert score.uniform_share == 0.0


def test_uniform_share_by_hand() -> None:
    """A map reaching 10 % below the mark: a uniform spread covers 1 %/10 % of a long inside it."""
    score = self_score(one_level(90.0, 1e6), 100.0, [(95.0, 1.0, "long")])
    assert score.uniform_share == pytest.approx(0.1, rel=0.02)


def test_nothing_realized_scores_zero() -> None:
    """No realized notional: both shares are 0."""
    assert self_score(one_level(95.0, 1.0), 100.0, []).hit_share == 0.0


def test_heatmap_columns_are_maps() -> None:
    """Each column re-bins one map; levels outside the edges are left out; one side on request."""
    maps = [one_level(95.0, 2.0), one_level(105.0, 3.0, long=False), one_level(200.0, 9.0)]
    heat = heatmap_matrix(maps, np.array([90.0, 100.0, 110.0]))
    assert heat.matrix.tolist() == [[2.0, 0.0, 0.0], [0.0, 3.0, 0.0]]
    longs = heatmap_matrix(maps, np.array([90.0, 100.0, 110.0]), side=Side.LONG)
    assert longs.matrix[1, 1] == 0.0


def test_heatmap_needs_ascending_edges() -> None:
    """Edges that do not ascend are refused."""
    with pytest.raises(InvalidInputError):
        heatmap_matrix([], np.array([100.0, 90.0]))
