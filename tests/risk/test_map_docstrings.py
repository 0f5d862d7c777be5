"""The worked examples in the liquidation-map model's docstrings give the output written there."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "risk.calibration",
    "risk.cohort_book",
    "risk.cohort_map",
    "risk.heatmap",
    "risk.liquidation_sampling",
    "risk.map_exits",
    "risk.map_fit",
    "risk.map_prior",
    "risk.map_score",
    "risk.market_history",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    """Every doctest example in the module passes, and there is at least one."""
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted >= 1
