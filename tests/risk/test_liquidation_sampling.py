"""Sampled liquidation streams: the thinning model by hand, unthinning, and evidence per interval."""

from __future__ import annotations

import math

import numpy as np
import pytest

from risk.errors import InvalidInputError
from risk.liquidation_sampling import (
    LiquidationStream,
    expected_sampled_notional,
    interval_evidence,
    unthinned_usd,
)
from risk.market_history import MarketHistory


def stream(seconds, usd, is_long, *, complete=False) -> LiquidationStream:
    """A stream with events at whole seconds."""
    return LiquidationStream(
        np.asarray(seconds, dtype=np.int64) * 1000, np.asarray(usd, float),
        np.asarray(is_long, bool), complete=complete,
    )  # fmt: skip


@pytest.mark.parametrize(("rate", "expected"), [(0.0, 0.0), (1.0, 1 - math.exp(-1)), (50.0, 1.0)])
def test_expected_sampled_notional_by_hand(rate: float, expected: float) -> None:
    """One second shows ``μ·(1 − e^(−λ))``: nothing at rate 0, saturating at ``μ``."""
    assert expected_sampled_notional(rate, 1.0) == pytest.approx(expected)


def test_expected_sampled_notional_refuses_negatives() -> None:
    """A negative rate is refused."""
    with pytest.raises(InvalidInputError):
        expected_sampled_notional(-1.0, 1.0)


def test_complete_stream_is_taken_as_is() -> None:
    """Events of a complete stream stand for themselves."""
    s = stream([0, 1, 2, 3, 4], [1.0] * 5, [True] * 5, complete=True)
    assert unthinned_usd(s).tolist() == [1.0] * 5


def test_lone_event_by_hand() -> None:
    """A lone event: q = 1/6, λ = ln(6/5), factor λ/(1 − e^(−λ)) = 6·ln(1.2)."""
    s = stream([100], [1000.0], [True])
    assert unthinned_usd(s)[0] == pytest.approx(1000.0 * 6 * math.log(1.2))


def test_busier_seconds_stand_for_more_events() -> None:
    """An event among busy seconds stands for more notional than a lone one of the same size."""
    s = stream([0, 1, 2, 3, 100], [1.0] * 5, [True] * 5)
    factors = unthinned_usd(s)
    assert factors[1] > factors[4] > 1.0


def test_saturated_seconds_are_censored() -> None:
    """Every second of a neighbourhood taken: the interval-side is only a lower bound."""
    hist = MarketHistory(np.array([300.0, 600.0]), np.full(2, 300.0), np.ones(2), np.ones(2),
                         np.ones(2), np.ones(2), 1.0)  # fmt: skip
    s = stream([10, 11, 12, 13, 14, 400], [1.0] * 6, [True] * 5 + [False])
    evidence = interval_evidence(hist, [s])
    assert evidence.censored.tolist() == [[True, False], [False, False]]
    assert evidence.events == 6
    assert evidence.observed_usd == 6.0
    assert evidence.usd[1, 1] == pytest.approx(6 * math.log(1.2))
    assert evidence.usd[0, 1] == 0.0


def test_events_outside_the_history_are_left_out() -> None:
    """Events before the first interval or after the last do not count."""
    hist = MarketHistory(np.array([600.0]), np.array([300.0]), np.ones(1), np.ones(1),
                         np.ones(1), np.ones(1), 1.0)  # fmt: skip
    evidence = interval_evidence(hist, [stream([100, 700], [5.0, 5.0], [True, True])])
    assert evidence.events == 0
    assert evidence.usd.sum() == 0.0


def test_stream_columns_must_match() -> None:
    """Columns of different lengths are refused."""
    with pytest.raises(InvalidInputError):
        LiquidationStream(np.zeros(2, np.int64), np.ones(1), np.ones(2, bool), complete=True)
