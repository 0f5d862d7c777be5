"""Calibration: the simplex least squares recovers a known mix; thin evidence keeps the prior."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk.calibration import (
    CalibrationGrid,
    cleared_by_bucket,
    fit_map,
    fit_weights,
    open_interest_drop_rows,
    project_to_simplex,
)
from risk.cohort_map import build_levels, level_log_ratios
from risk.liquidation_sampling import LiquidationStream
from risk.map_fit import MapFit
from risk.market_history import MarketHistory
from risk.tiers import default_tier_table

TABLE = default_tier_table("binance", "BTC")


@given(st.lists(st.floats(-5, 5), min_size=1, max_size=8))
def test_projection_lands_on_the_simplex(values: list[float]) -> None:
    """The projection is non-negative, sums to 1 and leaves simplex points alone."""
    w = project_to_simplex(np.asarray(values))
    assert np.all(w >= 0)
    assert w.sum() == pytest.approx(1.0)
    assert np.allclose(project_to_simplex(w), w, atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_fit_recovers_a_known_mix(seed: int) -> None:
    """Rows made from a known mix give that mix back when the prior is weak."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(0, 1, (40, 3))
    true = project_to_simplex(rng.uniform(0, 1, 3))
    w, loss = fit_weights(a, a @ true, np.zeros(40, bool), np.full(3, 1 / 3),
                          prior_strength=1e-6, iterations=5_000)  # fmt: skip
    assert np.allclose(w, true, atol=0.02)
    assert loss < 1e-3


def test_lower_bounds_only_push_up() -> None:
    """A censored row above the prediction costs nothing; below it, it pulls the mix up."""
    a = np.array([[1.0, 0.0], [0.0, 1.0]])
    prior = np.array([0.5, 0.5])
    w, loss = fit_weights(a, np.array([0.2, 0.5]), np.array([True, False]), prior,
                          prior_strength=0.0)  # fmt: skip
    assert loss == pytest.approx(0.0, abs=1e-9)
    assert w == pytest.approx(prior, abs=1e-6)


def crash_history() -> MarketHistory:
    """Two days flat at 100 with rising open interest, then a fall to 93: 10x longs die, 20x too."""
    n = 2 * 288 + 12
    typical = np.full(n, 100.0)
    typical[-12:] = np.linspace(99.5, 93.0, 12)
    end = 1.7e9 + 300.0 * np.arange(1, n + 1, dtype=np.float64)
    oi = 1_000.0 + np.arange(n, dtype=float)
    return MarketHistory(end, np.full(n, 300.0), typical * 0.999, typical * 1.001, typical, oi,
                         1_000.0)  # fmt: skip


def test_fit_moves_toward_the_bucket_that_was_liquidated() -> None:
    """Realized liquidations equal to the 20x levels' notional raise 20x above the prior's share."""
    hist = crash_history()
    prior = MapFit(((5.0, 1 / 3), (10.0, 1 / 3), (20.0, 1 / 3)), half_life_s=86_400.0)
    ratios = level_log_ratios(TABLE, prior.leverages, 100.0)
    cleared = cleared_by_bucket(build_levels(hist, prior, ratios), hist, prior, 3)
    truth = cleared[:, :, 2]  # everything that was liquidated was 20x
    t_ms, usd, is_long = [], [], []
    for j, side in zip(*np.nonzero(truth > 0), strict=True):
        t_ms.append(int((hist.end_s[j] - 150) * 1000))
        usd.append(float(truth[j, side]))
        is_long.append(side == 0)
    stream = LiquidationStream(np.array(t_ms * 40), np.array(usd * 40) / 40,
                               np.array(is_long * 40), complete=True)  # fmt: skip
    grid = CalibrationGrid(
        half_lives_s=(86_400.0,), long_shares=(0.5,), prior_strength=0.0, prior_days=0.0
    )
    fit = fit_map(hist, [stream], TABLE, prior=prior, grid=grid)
    assert fit.fitted
    assert dict(fit.leverage_weights)[20.0] > 0.5
    assert fit.evidence.events == len(t_ms) * 40
    assert fit.evidence.loss_ratio < 1.0


def test_too_little_heard_history_keeps_the_prior() -> None:
    """Heard for less than the minimum, or no stream at all: the prior comes back, unfitted."""
    hist = crash_history()
    stream = LiquidationStream(np.array([int(hist.end_s[-1] * 1000) - 1]), np.array([1e5]),
                               np.array([True]), complete=False)  # fmt: skip
    prior = MapFit()
    last_hour = np.arange(len(hist)) >= len(hist) - 12
    fit = fit_map(hist, [stream], TABLE, prior=prior, heard=last_hour)
    assert not fit.fitted
    assert fit.leverage_weights == prior.leverage_weights
    assert fit.evidence.events == 1
    assert fit.evidence.days == pytest.approx(hist.days, abs=1e-3)
    assert fit.evidence.heard_days == pytest.approx(1 / 24, abs=1e-3)
    silent = fit_map(hist, [], TABLE, prior=prior)
    assert not silent.fitted
    assert silent.evidence.heard_days == 0.0


def test_silence_heard_where_the_map_expected_liquidations_is_evidence() -> None:
    """No liquidation heard through the crash: the fit runs and lowers the 20x the prior held."""
    hist = crash_history()
    prior = MapFit(((5.0, 1 / 3), (10.0, 1 / 3), (20.0, 1 / 3)), half_life_s=86_400.0)
    quiet = LiquidationStream(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool), complete=True)
    grid = CalibrationGrid(half_lives_s=(86_400.0,), long_shares=(0.5,))
    fit = fit_map(hist, [quiet], TABLE, prior=prior, grid=grid)
    assert fit.fitted
    assert fit.evidence.events == 0
    assert dict(fit.leverage_weights)[20.0] < 1 / 3 - 0.05


def test_what_happened_while_the_stream_was_not_heard_does_not_move_the_fit() -> None:
    """Liquidations in intervals not heard are left out: the fit is the same with or without them."""
    hist = crash_history()
    prior = MapFit(((5.0, 1 / 3), (10.0, 1 / 3), (20.0, 1 / 3)), half_life_s=86_400.0)
    unheard = slice(len(hist) - 6, len(hist))  # the last half hour of the fall, where 20x dies
    heard = np.ones(len(hist), bool)
    heard[unheard] = False
    crash = (hist.end_s[-12:-6] * 1000 - 2_000).astype(np.int64)
    missed = np.repeat((hist.end_s[unheard] * 1000 - 2_000).astype(np.int64), 20)
    grid = CalibrationGrid(half_lives_s=(86_400.0,), long_shares=(0.5,), oi_drop_sd=None)

    def fit_with(t_ms: np.ndarray) -> MapFit:
        stream = LiquidationStream(t_ms, np.full(len(t_ms), 5e4), np.ones(len(t_ms), bool),
                                   complete=True)  # fmt: skip
        return fit_map(hist, [stream], TABLE, prior=prior, grid=grid, heard=heard)

    alone, with_missed = fit_with(crash), fit_with(np.concatenate([missed, crash]))
    assert alone.fitted
    assert with_missed.leverage_weights == alone.leverage_weights
    assert with_missed.half_life_s == alone.half_life_s
    assert with_missed.evidence.events == alone.evidence.events + len(missed)


def test_open_interest_drop_rows_hold_the_fall_beyond_exits() -> None:
    """One pool whose open interest fell by 100 coins at $100 gives one row of $10,000."""
    n = 24
    oi = np.full(n, 1_000.0)
    oi[13:] = 900.0
    typical = np.full(n, 100.0)
    end = 1.7e9 + 300.0 * np.arange(1, n + 1, dtype=np.float64)
    hist = MarketHistory(end, np.full(n, 300.0), typical, typical, typical, oi, 1_000.0)
    cleared = np.ones((n, 2, 3))
    a, y = open_interest_drop_rows(hist, cleared, 1e15, 6, 2.0)
    assert y == pytest.approx([10_000.0])
    assert a.tolist() == [[12.0, 12.0, 12.0]]


def test_open_interest_drop_rows_leave_rises_and_noise_out() -> None:
    """Open interest that only rises, or wobbles within its spread, gives no rows."""
    n = 48
    rng = np.random.default_rng(3)
    oi = 1_000.0 + np.cumsum(rng.normal(0.0, 1.0, n))
    typical = np.full(n, 100.0)
    end = 1.7e9 + 300.0 * np.arange(1, n + 1, dtype=np.float64)
    hist = MarketHistory(end, np.full(n, 300.0), typical, typical, typical, oi, 1_000.0)
    _, y = open_interest_drop_rows(hist, np.ones((n, 2, 2)), 1e15, 6, 6.0)
    assert len(y) == 0


def test_open_interest_falls_lift_the_bucket_the_crash_cleared() -> None:
    """A crash that takes 30 % of open interest while the stream shows little lifts 20x."""
    n = 2 * 288 + 12
    typical = np.full(n, 100.0)
    typical[-12:] = np.linspace(99.5, 93.0, 12)
    end = 1.7e9 + 300.0 * np.arange(1, n + 1, dtype=np.float64)
    oi = np.full(n, 1_000.0)
    oi[-12:] = np.linspace(975.0, 700.0, 12)
    hist = MarketHistory(end, np.full(n, 300.0), typical * 0.999, typical * 1.001, typical, oi,
                         1_000.0)  # fmt: skip
    t_ms = (end[-12:, None] * 1000 - 1000 * np.arange(1, 5)[None, :]).astype(np.int64).ravel()
    stream = LiquidationStream(t_ms, np.full(len(t_ms), 10.0), np.ones(len(t_ms), bool),
                               complete=False)  # fmt: skip
    prior = MapFit(((5.0, 1 / 3), (10.0, 1 / 3), (20.0, 1 / 3)), half_life_s=86_400.0)
    weights = {}
    for sd in (None, 2.0):
        grid = CalibrationGrid(half_lives_s=(86_400.0,), long_shares=(0.5,), oi_drop_sd=sd)
        weights[sd] = dict(fit_map(hist, [stream], TABLE, prior=prior, grid=grid).leverage_weights)
    assert weights[2.0][20.0] > weights[None][20.0] + 0.05


def test_the_prior_weighs_more_when_less_was_heard() -> None:
    """The same silent crash moves the mix less from the prior when only 0.4 days were heard."""
    hist = crash_history()
    prior = MapFit(((5.0, 1 / 3), (10.0, 1 / 3), (20.0, 1 / 3)), half_life_s=86_400.0)
    quiet = LiquidationStream(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool), complete=True)
    grid = CalibrationGrid(half_lives_s=(86_400.0,), long_shares=(0.5,), oi_drop_sd=None)
    recent = np.arange(len(hist)) >= len(hist) - int(0.4 * 288)

    def moved(heard: np.ndarray | None) -> float:
        fit = fit_map(hist, [quiet], TABLE, prior=prior, grid=grid, heard=heard)
        assert fit.fitted
        return 1 / 3 - dict(fit.leverage_weights)[20.0]

    everything, little = moved(None), moved(recent)
    assert everything > 0.05
    assert 0 < little < everything - 0.02


def test_a_fit_allowed_with_nothing_heard_keeps_the_prior_mix() -> None:
    """With the minimum at 0 days and nothing heard, the prior's weight has no days to divide by."""
    hist = crash_history()
    prior = MapFit(((5.0, 1 / 3), (10.0, 1 / 3), (20.0, 1 / 3)), half_life_s=86_400.0)
    quiet = LiquidationStream(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool), complete=True)
    grid = CalibrationGrid(half_lives_s=(86_400.0,), long_shares=(0.5,), min_days=0.0)
    fit = fit_map(hist, [quiet], TABLE, prior=prior, grid=grid, heard=np.zeros(len(hist), bool))
    assert fit.evidence.heard_days == 0.0
    assert [w for _, w in fit.leverage_weights] == pytest.approx([1 / 3] * 3, abs=1e-6)
