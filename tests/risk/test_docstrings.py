"""The worked examples in the risk core's docstrings are run, so they cannot drift from the code."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "risk.cross",
    "risk.funding",
    "risk.liquidation",
    "risk.odds",
    "risk.reference",
    "risk.report",
    "risk.tiers",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    """Every doctest example in the module gives the output written beside it."""
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


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
