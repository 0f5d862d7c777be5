"""Calibration of the cohort map from realized liquidations: leverage mix, half-life, side split,
stop and target shares.

Wherever price ran through modeled levels, the venues' realized liquidations say how much really
sat there. For a candidate half-life ``T½`` and long share ``β`` the map of `risk.cohort_map`
predicts, per interval ``j``, side ``s`` and leverage bucket ``L``, the USD cleared per unit of
weight, ``A[j, s, L]`` (coins at the crossing × level price × the open-interest scale of step 5).
The prediction is linear in the mix: ``ŷ = A·w``. Evidence ``y`` is the realized notional per
interval and side (`risk.liquidation_sampling`: sampled streams unthinned, saturated ones only
lower bounds), pooled over ``pool`` intervals so a level cleared a few minutes off still counts.

**Open-interest falls** (`open_interest_drop_rows`). A one-per-second stream shows a tenth of a
cascade or less, but the published open interest shows all of it: when price runs through levels,
open interest falls by the coins liquidated, less what opens meanwhile. Per pool the fall beyond
the voluntary exits, ``D = Σ_j (f_j·OI_{j−1} − OI_j)·P_j`` (``f_j = exp(−h·Δt_j)``), less
``oi_drop_sd`` robust standard deviations of ``D`` over all pools (``1.4826·MAD``: the openings
and exits that do not offset), is a lower bound on the USD cleared on both sides,
``Σ_s A[j, s, ·]·w``; pools where it is positive join the fit as censored rows. A lower bound,
because positions open during a crash and published OI is the larger side only (a fall of the
smaller side does not show). ``oi_drop_sd=None`` leaves them out.

The fit minimises, over ``w ≥ 0, Σw = 1`` (projected gradient on the simplex),

    Σ_rows ρ(ŷ − y)² + λ·‖w − w₀‖²,      ρ = 0 where the row is censored and ŷ ≥ y, else 1,

``w₀`` the prior mix and ``λ = max(prior_strength, prior_days/D) · tr(AᵀA)/G``, ``D`` the days
heard: the prior counts as a share of the evidence and as at least ``prior_days`` days of it, so
the less was heard, the nearer the fit stays to the prior (a share alone would weigh half a day of
silence as much against the prior as a week of it). Each candidate on the grids
is fitted so and the lowest objective (loss plus prior term) wins, in three stages: ``(T½, β, γ)``
(stops and targets at the prior's shares; ``γ`` the exponent of the exit rate by leverage,
``h_L = h·(L/10)^γ`` of `risk.map_fit`, on a grid of 0 and ½: high leverage held shorter),
then the stop share ``σ``, then the target share ``τ``
(`risk.map_exits`; what a crossing liquidates is the level less its stopped share). The long share
grid is narrow (45–55 %): the sampled streams say little about the side split, and a wrong split
moves the smaller side's whole prior book. Units: USD; rows and ``A`` are divided by the
evidence scale ``√(Σy²)`` so the step size does not depend on the market's size.

**Silence is evidence where the streams were heard.** A pool in which price ran through modeled
levels and no liquidation came says the levels were thinner than the candidate holds, so rows with
``y = 0`` count like any other. Pools with an interval in which the streams were not heard
(``heard``: before the bot listened, during a feed gap) are left out; without any stream nothing is
heard. With less than ``min_days`` heard (or fewer than ``min_events`` events, 0 by default) the
prior is returned unchanged (``fitted`` False), with the evidence counted, so the bot can say it has
not fitted yet.

Limits: evidence only exists where price moved through levels; the gross openings of a candidate
use the book's exit rate of the prior mix, not of the fitted one (they differ only when
``γ > 0``); the scale of step 5 is taken
before stops and targets (they mostly thin levels near the price, a small share of each side);
leverage buckets whose levels were never reached (low leverage in a quiet market) stay near the
prior; open-interest falls only push the cleared notional up, never down; liquidations of positions the model does not hold (other sizes, cross margin) are treated
as misses of the model; one-per-second sampling hides most of a cascade (a lower bound only).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from risk.cohort_map import (
    DEFAULT_POSITION_NOTIONAL_USD,
    CohortLevels,
    build_levels,
    exit_shares,
    level_log_ratios,
    side_totals,
)
from risk.liquidation_sampling import IntervalEvidence, LiquidationStream, interval_evidence
from risk.map_fit import FitEvidence, MapFit, default_map_fit
from risk.market_history import MarketHistory, hazard_fades
from risk.tiers import TierTable

__all__ = [
    "CalibrationGrid",
    "cleared_by_bucket",
    "fit_map",
    "fit_weights",
    "open_interest_drop_rows",
    "project_to_simplex",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class CalibrationGrid:
    """The candidates and settings of a fit (see the module docstring)."""

    half_lives_s: tuple[float, ...] = (86_400, 2 * 86_400, 4 * 86_400, 8 * 86_400, 16 * 86_400)
    long_shares: tuple[float, ...] = (0.45, 0.5, 0.55)
    stop_shares: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75)
    target_shares: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75)
    hazard_exponents: tuple[float, ...] = (0.0, 0.5)
    pool: int = 6
    prior_strength: float = 0.1
    prior_days: float = 0.3
    min_events: int = 0
    min_days: float = 0.25
    iterations: int = 400
    oi_drop_sd: float | None = 6.0


def project_to_simplex(v: FloatArray) -> FloatArray:
    """The nearest point of ``{w ≥ 0, Σw = 1}`` to ``v`` (Euclidean; Duchi et al., 2008).

    >>> project_to_simplex(np.array([0.5, 0.5, 1.0])).round(4).tolist()
    [0.1667, 0.1667, 0.6667]
    """
    u = np.sort(v)[::-1]
    cumulative = np.cumsum(u) - 1.0
    ranks = np.arange(1, len(v) + 1)
    rho = int(np.flatnonzero(u - cumulative / ranks > 0)[-1])
    projected: FloatArray = np.maximum(v - cumulative[rho] / (rho + 1), 0.0)
    return projected


def _loss(a: FloatArray, y: FloatArray, lower: npt.NDArray[np.bool_], w: FloatArray) -> float:
    r = a @ w - y
    r = np.where(lower & (r > 0), 0.0, r)
    return float(r @ r)


def fit_weights(
    a: FloatArray,
    y: FloatArray,
    lower: npt.NDArray[np.bool_],
    prior: FloatArray,
    *,
    prior_strength: float,
    iterations: int = 400,
) -> tuple[FloatArray, float]:
    """The mix ``w`` minimising the module's loss for rows ``a`` (rows × G), targets ``y`` and
    lower-bound flags; returns ``w`` and its data loss (without the prior term)."""
    scale = float(np.sqrt(y @ y)) or 1.0
    a, y = a / scale, y / scale
    ridge = prior_strength * float(np.trace(a.T @ a)) / a.shape[1] + 1e-12
    step = 1.0 / (2 * float(np.linalg.norm(a, 2)) ** 2 + 2 * ridge)
    w = prior.copy()
    for _ in range(iterations):
        r = a @ w - y
        r = np.where(lower & (r > 0), 0.0, r)
        w = project_to_simplex(w - step * (2 * a.T @ r + 2 * ridge * (w - prior)))
    return w, _loss(a, y, lower, w)


def cleared_by_bucket(
    levels: CohortLevels, history: MarketHistory, fit: MapFit, bucket_count: int
) -> FloatArray:
    """``A[j, s, L]``: USD the map clears in interval ``j`` per unit weight of bucket ``L``."""
    n = len(history)
    totals = side_totals(levels, history, fit)
    biggest = totals.max(axis=1)
    scale = np.where(biggest > 0, history.open_interest / np.where(biggest > 0, biggest, 1), 0.0)
    hit = levels.crossing < n
    cross = levels.crossing[hit]
    age = history.end_s[cross] - levels.birth_s[hit]
    kept = exit_shares(levels, history, fit, np.minimum(levels.crossing, n - 1))[hit]
    rates = np.asarray(fit.bucket_hazards_per_s)[levels.bucket[hit]]
    usd = (
        levels.unit_coins[hit]
        * np.exp(-rates * age)
        * kept
        * np.exp(levels.log_level[hit])
        * scale[cross]
    )
    flat = (cross * 2 + levels.side[hit]) * bucket_count + levels.bucket[hit]
    cleared = np.bincount(flat, usd, minlength=n * 2 * bucket_count)
    return np.asarray(cleared, dtype=np.float64).reshape(n, 2, bucket_count)


def _pooled(values: FloatArray, pool: int) -> FloatArray:
    """Sum consecutive blocks of ``pool`` rows (the last block may be shorter)."""
    starts = np.arange(0, len(values), pool)
    pooled: FloatArray = np.add.reduceat(values, starts, axis=0)
    return pooled


def _rows(
    cleared: FloatArray, evidence: IntervalEvidence, pool: int
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """Pooled rows of both sides, leaving out every pool with an interval not heard."""
    a = _pooled(cleared, pool).reshape(-1, cleared.shape[2])
    y = _pooled(evidence.usd, pool).reshape(-1)
    lower = _pooled(evidence.censored.astype(np.float64), pool).reshape(-1) > 0
    unheard = _pooled((~evidence.heard).astype(np.float64), pool) > 0
    kept = np.repeat(~unheard, 2)
    return a[kept], y[kept], lower[kept]


def open_interest_drop_rows(
    history: MarketHistory, cleared: FloatArray, half_life_s: float, pool: int, sd_count: float
) -> tuple[FloatArray, FloatArray]:
    """Lower bounds from open interest: rows ``a`` (cleared USD of both sides per unit weight)
    and ``y`` (USD) wherever open interest fell, over ``pool`` intervals, by more than its exits
    and ``sd_count`` robust standard deviations of such falls."""
    before = np.concatenate([[history.open_interest_start], history.open_interest[:-1]])
    fades = hazard_fades(history.duration_s, half_life_s)
    drop = _pooled((fades * before - history.open_interest) * history.typical, pool)
    spread = 1.4826 * float(np.median(np.abs(drop - np.median(drop))))
    y = drop - sd_count * spread
    held = y > 0
    a = _pooled(cleared.sum(axis=1), pool)[held]
    return a, y[held]


def _candidate(
    history: MarketHistory,
    evidence: IntervalEvidence,
    pilot: MapFit,
    ratios: FloatArray,
    grid: CalibrationGrid,
    *,
    strength: float,
) -> tuple[float, float, FloatArray]:
    """Fit ``w`` for one candidate; returns (its objective: loss plus the prior term, prior loss,
    w). Candidates are compared on the whole objective, so one that explains the evidence only by
    moving far from the prior mix pays for it."""
    levels = build_levels(history, pilot, ratios)
    g = len(pilot.weights)
    cleared = cleared_by_bucket(levels, history, pilot, g)
    a, y, lower = _rows(cleared, evidence, grid.pool)
    if grid.oi_drop_sd is not None:
        a_oi, y_oi = open_interest_drop_rows(
            history, cleared, pilot.book_half_life_s, grid.pool, grid.oi_drop_sd
        )
        a, y = np.concatenate([a, a_oi]), np.concatenate([y, y_oi])
        lower = np.concatenate([lower, np.ones(len(y_oi), dtype=np.bool_)])
    prior = np.asarray(pilot.weights)
    w, loss = fit_weights(a, y, lower, prior, prior_strength=strength, iterations=grid.iterations)
    scale = float(np.sqrt(y @ y)) or 1.0
    scaled = a / scale
    ridge = strength * float(np.trace(scaled.T @ scaled)) / g
    objective = loss + ridge * float((w - prior) @ (w - prior))
    return objective, _loss(scaled, y / scale, lower, prior), w


def fit_map(
    history: MarketHistory,
    streams: Sequence[LiquidationStream],
    table: TierTable,
    *,
    prior: MapFit | None = None,
    grid: CalibrationGrid | None = None,
    position_notional_usd: float = DEFAULT_POSITION_NOTIONAL_USD,
    heard: npt.NDArray[np.bool_] | None = None,
) -> MapFit:
    """The fit of the module docstring: a new `MapFit` with its evidence, or the prior with
    ``fitted=False`` when the evidence is too thin. ``heard`` marks the intervals in which the
    streams were listened to (default: all of them); without a stream nothing is heard."""
    base = prior or default_map_fit()
    settings = grid or CalibrationGrid()
    evidence = interval_evidence(history, list(streams), heard)
    heard_days = float(history.duration_s[evidence.heard].sum()) / 86_400
    counted = FitEvidence(
        days=round(history.days, 3),
        intervals=len(history),
        events=evidence.events,
        notional_usd=round(evidence.observed_usd, 2),
        censored_intervals=int(evidence.censored.sum()),
        heard_days=round(heard_days, 3),
    )
    if evidence.events < settings.min_events or heard_days < settings.min_days:
        return replace(base, fitted=False, evidence=counted)
    ratios = level_log_ratios(
        table, base.leverages, float(np.median(history.typical)), position_notional_usd
    )
    strength = max(settings.prior_strength, settings.prior_days / max(heard_days, 1e-6))
    best: tuple[float, float, FloatArray, MapFit] | None = None
    pilots = [
        replace(base, half_life_s=half_life, long_share=share, hazard_exponent=gamma)
        for half_life in settings.half_lives_s
        for share in settings.long_shares
        for gamma in settings.hazard_exponents
    ]
    for stage in range(3):  # (T½, β, γ) on their grid, then the stop share, then the target share
        for pilot in pilots:
            loss, prior_loss, w = _candidate(
                history, evidence, pilot, ratios, settings, strength=strength
            )
            if best is None or loss < best[0]:
                best = (loss, prior_loss, w, pilot)
        assert best is not None  # the grids are never empty
        chosen = best[3]
        pilots = (
            [replace(chosen, stop_share=x) for x in settings.stop_shares]
            if stage == 0
            else [replace(chosen, target_share=x) for x in settings.target_shares]
        )
    assert best is not None
    loss, prior_loss, w, pilot = best
    weights = tuple((lev, float(x)) for lev, x in zip(base.leverages, w / w.sum(), strict=True))
    ratio = loss / prior_loss if prior_loss > 0 else 1.0
    return replace(
        pilot,
        leverage_weights=weights,
        fitted=True,
        evidence=replace(counted, loss_ratio=round(ratio, 4)),
    )
