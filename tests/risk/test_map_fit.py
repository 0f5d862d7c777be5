"""`MapFit`: a frozen value that round-trips through JSON and says what it rests on."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given

from risk.errors import InvalidInputError
from risk.map_fit import FitEvidence, MapFit, default_map_fit
from tests.risk.strategies import map_fits


@given(map_fits())
def test_json_round_trip(fit: MapFit) -> None:
    """Any valid fit comes back equal from its JSON."""
    assert MapFit.from_json(fit.to_json()) == fit


def test_json_shape() -> None:
    """The JSON holds the mix as pairs, the half-life, the side split and the evidence."""
    data = json.loads(default_map_fit().to_json())
    assert set(data) == {"leverage_weights", "half_life_s", "long_share", "fitted", "evidence",
                         "stop_share", "target_share", "hazard_exponent"}  # fmt: skip
    assert data["leverage_weights"][0] == [2.0, 0.15]


def test_old_json_reads_without_exit_shares() -> None:
    """JSON written before the stop and target shares existed reads with both at 0."""
    data = json.loads(MapFit(stop_share=0.5, target_share=0.25).to_json())
    del data["stop_share"], data["target_share"]
    fit = MapFit.from_json(json.dumps(data))
    assert (fit.stop_share, fit.target_share) == (0.0, 0.0)
    assert "stops" not in fit.describe()
    assert "stops 50 %, targets 25 %" in MapFit(stop_share=0.5, target_share=0.25).describe()


@pytest.mark.parametrize(
    "text", ["{}", "[]", '{"leverage_weights": [[10, 2.0]], "half_life_s": 1, "long_share": 0.5}']
)
def test_bad_json_is_refused(text: str) -> None:
    """Text that is not a fit raises InvalidInputError."""
    with pytest.raises(InvalidInputError):
        MapFit.from_json(text)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"leverage_weights": ()},
        {"leverage_weights": ((10.0, 0.5),)},
        {"leverage_weights": ((0.5, 1.0),)},
        {"half_life_s": 0.0},
        {"long_share": 1.0},
        {"stop_share": 1.0},
        {"target_share": -0.1},
    ],
)
def test_invalid_fits_are_refused(kwargs: dict[str, Any]) -> None:
    """Empty or unnormalised mixes, leverage below 1, a zero half-life or a one-sided split fail."""
    with pytest.raises(InvalidInputError):
        MapFit(**kwargs)


def test_describe_a_fitted_mix() -> None:
    """A fitted mix names its evidence in days, events and notional."""
    fit = MapFit(((5.0, 0.2), (10.0, 0.8)), fitted=True,
                 evidence=FitEvidence(days=7.0, events=5120, notional_usd=4.1e8))  # fmt: skip
    assert fit.describe().startswith(
        "leverage mix fitted from 7.0 days of liquidations (5120 events, $410M): 5x 20 %, 10x 80 %"
    )
    assert fit.hazard_per_s == pytest.approx(0.693147 / fit.half_life_s, rel=1e-5)


def test_exit_rate_by_leverage() -> None:
    """``h_L = h·(L/10)^γ``; the book's rate is the stationary ``1/Σ w_L/h_L``; old JSON has γ 0."""
    fit = MapFit(((10.0, 0.5), (40.0, 0.5)), half_life_s=86_400.0, hazard_exponent=0.5)
    h = fit.hazard_per_s
    assert fit.bucket_hazards_per_s == pytest.approx((h, 2 * h))
    assert fit.book_hazard_per_s == pytest.approx(1 / (0.5 / h + 0.5 / (2 * h)))
    assert fit.book_half_life_s == pytest.approx(0.693147 / fit.book_hazard_per_s, rel=1e-5)
    assert "exits × (L/10)^0.5" in fit.describe()
    assert MapFit.from_json(fit.to_json()) == fit
    old = json.loads(fit.to_json())
    del old["hazard_exponent"]
    assert MapFit.from_json(json.dumps(old)).hazard_exponent == 0.0
    plain = MapFit(half_life_s=86_400.0)
    assert plain.book_hazard_per_s == plain.hazard_per_s
    assert plain.book_half_life_s == plain.half_life_s
    with pytest.raises(InvalidInputError):
        MapFit(hazard_exponent=-1.0)
