"""The worked examples in the risk core's docstrings are run, so they cannot drift from the code."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "risk.calibration",
    "risk.cohort_book",
    "risk.cohort_map",
    "risk.cross",
    "risk.funding",
    "risk.heatmap",
    "risk.liquidation",
    "risk.liquidation_sampling",
    "risk.map_exits",
    "risk.map_fit",
    "risk.map_prior",
    "risk.map_score",
    "risk.market_history",
    "risk.odds",
    "risk.reference",
    "risk.report",
    "risk.tiers",
]

WITHOUT_EXAMPLES = {"risk.report", "risk.tiers"}
"""Modules whose docstrings state formulas in prose and tables, with no worked example to run."""


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    """Every doctest example in the module gives the output written beside it."""
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted >= 1 or name in WITHOUT_EXAMPLES


def test_examples_exist_for_the_formulas() -> None:
    """The formula modules carry worked examples (at least one per formula function)."""
    finder = doctest.DocTestFinder()
    counts = {
        name: sum(len(t.examples) for t in finder.find(importlib.import_module(name)))
        for name in MODULES
    }
    assert all(
        counts[name] >= 3
        for name in ("risk.cross", "risk.funding", "risk.liquidation", "risk.odds")
    )
