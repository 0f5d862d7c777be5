"""The cohort liquidation map: every interval's new positions, and the book before the history.

Model (units: coins for open interest, USD for prices; ``s`` = +1 long / −1 short):

1. **Opened.** In interval ``i`` the gross coins opened are ``n_i = max(0, OI_i − f_i·OI_{i−1})``
   with ``f_i = exp(−h_book·Δt_i)`` the share not closed voluntarily (``h_book`` the book's exit
   rate, `risk.map_fit`; ``ln 2 / half_life_s`` with one rate for all leverages): open interest
   is kept up by new positions as old ones exit. A share ``β`` (the fit's
   ``long_share``) are longs, ``1 − β`` shorts; bucket ``L`` gets ``w_L`` of them, entered at the
   interval's typical price ``P_i``, liquidating at ``P_i·r_L`` where ``r_L`` is the venue's
   ``LP/entry`` for an isolated position of ``position_notional_usd`` (`level_log_ratios`, from
   `risk.liquidation.liquidation_prices`; leverage capped at the venue maximum).
2. **Before the history.** ``OI₀`` coins per side are placed by the prior of `risk.map_prior`.
3. **Exit.** A level of bucket ``L`` keeps ``exp(−h_L·(t − t_birth))`` of its coins at time ``t``, times the share
   not stopped out or taken profit on the path since its birth (`risk.map_exits`: the fit's
   ``stop_share`` and ``target_share``; prior levels count the path from the first price ``P₀``).
4. **Cleared.** A long level is gone from the first later interval whose low reaches it, a short
   level from the first whose high does (positions opened in an interval survive its own range).
5. **Scaled.** Published open interest is the larger side of the leveraged traders (the other
   side's gap sits with unleveraged holders): both sides are scaled by ``OI_t / max(L_t, S_t)``.

A level of bucket ``L``, side ``s``, born at ``t_b`` holds at ``t`` (before scaling)

    coins = u · w_L · exp(−h_L·(t − t_b)) · X(t) · 1[not cleared by t]

with ``u = n_i·β`` (or ``1 − β``) for a cohort and ``u = OI₀·m/Σ_L w_L·Q_L`` for a prior level of
mass ``m`` (``Q_L`` the prior's surviving mass of bucket ``L``) and ``X(t)`` the exit share of
`risk.map_exits`. Linear in ``w`` given ``u``: the calibration (`risk.calibration`) fits ``w`` by
least squares on that.

This module is the vectorised path, one pass over a whole history (`cohort_map`); the scalar
reference that steps interval by interval, and serves live updates, is `risk.cohort_book`.

Limits: stops and targets spread evenly in margin units (`risk.map_exits`); the openings use the
stationary book's exit rate, not the exits of the book actually held; one position size
picks the tier; the side split is constant; sampled liquidation streams only calibrate, never feed the map.

>>> from datetime import UTC, datetime, timedelta
>>> from risk.clusters import Interval
>>> from risk.tiers import default_tier_table
>>> t0 = datetime(2025, 1, 1, tzinfo=UTC)
>>> ivs = [Interval(t0 + timedelta(minutes=5 * k), 300, 100.0, 110.0 if k == 1 else 100.0,
...                 60_000.0, 59_900.0, 60_100.0) for k in range(1, 4)]
>>> m = cohort_map(MarketHistory.from_intervals(ivs), MapFit(((10.0, 1.0),)),
...                default_tier_table("binance", "BTC"))
>>> round(m.total_long_usd / 1e6, 2), round(m.total_short_usd / 1e6, 2)
(6.0, 6.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from risk.liquidation import liquidation_prices
from risk.liquidation_map import DEFAULT_BIN_WIDTH_PCT, LiquidationMap
from risk.map_exits import exit_survival
from risk.map_fit import MapFit
from risk.map_prior import legacy_prior, legacy_side_share
from risk.market_history import MarketHistory, first_crossings, hazard_fades, range_extremes
from risk.tiers import TierTable

__all__ = [
    "DEFAULT_POSITION_NOTIONAL_USD",
    "CohortLevels",
    "build_levels",
    "cohort_map",
    "exit_shares",
    "gross_openings",
    "hazard_scales",
    "level_log_ratios",
    "levels_map",
    "side_totals",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DEFAULT_POSITION_NOTIONAL_USD = 10_000.0
"""The position size that picks the tier (and the venue's maximum leverage) of every level."""


def level_log_ratios(
    table: TierTable,
    leverages: tuple[float, ...],
    price: float,
    position_notional_usd: float = DEFAULT_POSITION_NOTIONAL_USD,
) -> FloatArray:
    """``ln(LP/entry)`` per leverage, shape ``(2, G)``: longs then shorts (``−inf`` where a long
    cannot be liquidated). Leverage above the venue's maximum at that size uses the maximum."""
    quantity = position_notional_usd / price
    cap = table.max_leverage_for(quantity, price)
    used = np.minimum(np.asarray(leverages, dtype=np.float64), cap)
    sides = np.repeat([1.0, -1.0], len(used))
    wallet = np.tile(position_notional_usd / used, 2)
    lp = liquidation_prices(sides, price, quantity, wallet, table)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios: FloatArray = np.log(np.nan_to_num(lp, nan=0.0) / price).reshape(2, len(used))
    return ratios


def gross_openings(history: MarketHistory, half_life_s: float) -> FloatArray:
    """``n_i = max(0, OI_i − f_i·OI_{i−1})``: coins opened per interval (step 1)."""
    before = np.concatenate([[history.open_interest_start], history.open_interest[:-1]])
    fades = hazard_fades(history.duration_s, half_life_s)
    opened: FloatArray = np.maximum(history.open_interest - fades * before, 0.0)
    return opened


@dataclass(frozen=True, slots=True, eq=False)
class CohortLevels:
    """Every level of a history, flat: side (0 long, 1 short), leverage bucket, birth interval
    (−1: before the history), birth time (s), log level, coins ``u`` per unit weight, the
    interval that clears it (``len(history)``: none yet) and the log entry price."""

    side: IntArray
    bucket: IntArray
    birth: IntArray
    birth_s: FloatArray
    log_level: FloatArray
    unit_coins: FloatArray
    crossing: IntArray
    entry_log: FloatArray


def _legacy_arrays(
    history: MarketHistory, fit: MapFit, log_ratios: FloatArray, bin_width_pct: float
) -> list[FloatArray]:
    prior = legacy_prior(
        float(history.typical[0]),
        history.variance_per_s(),
        fit.half_life_s,
        log_ratios,
        bin_width_pct=bin_width_pct,
        stop_share=fit.stop_share,
        target_share=fit.target_share,
        hazard_scales=hazard_scales(fit),
    )
    weights = np.asarray(fit.weights)
    columns: list[FloatArray] = []
    for side in (0, 1):
        norm = float(weights @ prior.survival(side, len(weights)))
        coins = history.open_interest_start * legacy_side_share(fit.long_share, side)
        kept = prior.start_kept(side, log_ratios, float(history.typical[0]), fit)
        unit = coins * prior.mass[side] / kept / norm if norm > 0 else prior.mass[side] * 0
        count = len(unit)
        columns.append(
            np.stack(
                [
                    np.full(count, side, dtype=np.float64),
                    prior.leverage_index[side].astype(np.float64),
                    np.full(count, -1.0),
                    prior.log_level[side],
                    unit,
                ]
            )
        )
    return columns


def hazard_scales(fit: MapFit) -> tuple[float, ...] | None:
    """``h_L/h`` per bucket for the prior (`risk.map_prior`), ``None`` with one exit rate."""
    if fit.hazard_exponent == 0:
        return None
    return tuple(x / fit.hazard_per_s for x in fit.bucket_hazards_per_s)


def _cohort_arrays(history: MarketHistory, fit: MapFit, log_ratios: FloatArray) -> FloatArray:
    opened = gross_openings(history, fit.book_half_life_s)
    rose = np.flatnonzero(opened > 0)
    parts = []
    for side, share in ((0, fit.long_share), (1, 1.0 - fit.long_share)):
        finite = np.flatnonzero(np.isfinite(log_ratios[side]))
        births = np.repeat(rose, len(finite))
        buckets = np.tile(finite, len(rose))
        levels = np.log(history.typical[births]) + log_ratios[side][buckets]
        unit = opened[births] * share
        parts.append(
            np.stack([np.full(len(births), side), buckets, births, levels, unit]).astype(np.float64)
        )
    return np.concatenate(parts, axis=1)


def build_levels(
    history: MarketHistory,
    fit: MapFit,
    log_ratios: FloatArray,
    *,
    bin_width_pct: float = DEFAULT_BIN_WIDTH_PCT,
) -> CohortLevels:
    """All levels of the history (prior book and cohorts) with the interval that clears each."""
    rows = np.concatenate([*_legacy_arrays(history, fit, log_ratios, bin_width_pct),
                           _cohort_arrays(history, fit, log_ratios)], axis=1)  # fmt: skip
    side, bucket, birth = (rows[k].astype(np.int64) for k in range(3))
    level = rows[3]
    crossing = np.full(len(level), len(history), dtype=np.int64)
    for s, series, below in ((0, np.log(history.low), True), (1, np.log(history.high), False)):
        pick = side == s
        crossing[pick] = first_crossings(series, birth[pick] + 1, level[pick], below=below)
    birth_s = np.where(birth < 0, history.start_s, history.end_s[np.maximum(birth, 0)])
    entry = level - log_ratios[side, bucket]
    return CohortLevels(side, bucket, birth, birth_s, level, rows[4], crossing, entry)


def exit_shares(
    levels: CohortLevels, history: MarketHistory, fit: MapFit, at: IntArray
) -> FloatArray:
    """Per level, the share not stopped out or taken profit by interval ``at`` (per level), from
    the range since its birth (`risk.map_exits`); prior levels start from the first price."""
    if fit.stop_share == 0 and fit.target_share == 0:
        return np.ones(len(levels.side))
    start = levels.birth + 1
    low = range_extremes(np.log(history.low), start, at, lowest=True)
    high = range_extremes(np.log(history.high), start, at, lowest=False)
    prior = levels.birth < 0
    first = math.log(float(history.typical[0]))
    low = np.where(prior, np.minimum(low, first), low)
    high = np.where(prior, np.maximum(high, first), high)
    sign = np.where(levels.side == 0, 1, -1).astype(np.int64)
    return exit_survival(
        levels.entry_log,
        levels.log_level,
        low,
        high,
        sign,
        stop_share=fit.stop_share,
        target_share=fit.target_share,
    )


def _alive_coins(levels: CohortLevels, history: MarketHistory, fit: MapFit, at: int) -> FloatArray:
    weights = np.asarray(fit.weights)[levels.bucket]
    hazards = np.asarray(fit.bucket_hazards_per_s)[levels.bucket]
    alive = (levels.birth <= at) & (levels.crossing > at)
    age = history.end_s[at] - levels.birth_s
    kept = exit_shares(levels, history, fit, np.full(len(levels.side), at, dtype=np.int64))
    coins: FloatArray = np.where(
        alive, levels.unit_coins * weights * np.exp(-hazards * age) * kept, 0.0
    )
    return coins


EXP_SPAN = 200.0
"""The largest ``h·Δt`` one reference time spans in `side_totals`; ``exp`` stays in float range."""


def side_totals(levels: CohortLevels, history: MarketHistory, fit: MapFit) -> FloatArray:
    """Coins open per side after every interval, before scaling and before the path-dependent
    exits of `exit_shares`: shape ``(N, 2)``."""
    n = len(history)
    weight = levels.unit_coins * np.asarray(fit.weights)[levels.bucket]
    start = np.maximum(levels.birth, 0)
    totals = np.zeros((n, 2))
    rates = fit.bucket_hazards_per_s
    groups = [(None, fit.hazard_per_s)] if fit.hazard_exponent == 0 else list(enumerate(rates))
    for bucket, h in groups:
        for s in (0, 1):
            pick = levels.side == s
            if bucket is not None:
                pick &= levels.bucket == bucket
            totals[:, s] += _decayed_sums(
                history.end_s,
                h,
                birth_s=levels.birth_s[pick],
                start=start[pick],
                crossing=levels.crossing[pick],
                weight=weight[pick],
            )
    return totals


def _decayed_sums(
    end_s: FloatArray,
    h: float,
    *,
    birth_s: FloatArray,
    start: IntArray,
    crossing: IntArray,
    weight: FloatArray,
) -> FloatArray:
    """``Σ weight·exp(−h·(t − birth_s))`` over the levels alive after each interval (from
    ``start`` until ``crossing``). Each block of intervals spanning at most `EXP_SPAN` of ``h·t``
    sums against its own reference time, ``exp(h·(birth − ref))`` then ``·exp(h·(ref − t))``, and
    hands its total on to the next, decayed; levels born long before a block and cleared in it
    weigh ``exp(−EXP_SPAN)`` or less there, and may round to 0."""
    n = len(end_s)
    out = np.zeros(n)
    block = np.floor(h * (end_s - end_s[0]) / EXP_SPAN).astype(np.int64)
    bounds = np.flatnonzero(np.diff(block, prepend=-1))
    start_block, cross_block = block[start], block[np.minimum(crossing, n - 1)]
    carry, carried_from = 0.0, float(end_s[0])
    for k, a in enumerate(bounds):
        b = int(bounds[k + 1]) if k + 1 < len(bounds) else n
        ref = float(end_s[b - 1])
        added = start_block == block[a]
        removed = (cross_block == block[a]) & (crossing < n)
        delta = np.zeros(b - a)
        for pick, at, sign in ((added, start, 1.0), (removed, crossing, -1.0)):
            grown = weight[pick] * np.exp(h * (birth_s[pick] - ref))  # ≤ 1: born by ref
            delta += sign * np.bincount(at[pick] - a, grown, minlength=b - a)[: b - a]
        times = end_s[a:b]
        out[a:b] = np.cumsum(delta) * np.exp(h * (ref - times)) + carry * np.exp(
            -h * (times - carried_from)
        )
        carry, carried_from = float(out[b - 1]), ref
    return out


def levels_map(
    levels: CohortLevels,
    history: MarketHistory,
    fit: MapFit,
    *,
    at: int | None = None,
    bin_width_pct: float = DEFAULT_BIN_WIDTH_PCT,
) -> LiquidationMap:
    """The map after interval ``at`` (default: the last), scaled to the open interest (step 5)."""
    index = len(history) - 1 if at is None else at
    coins = _alive_coins(levels, history, fit, index)
    is_long = levels.side == 0
    longs, shorts = float(coins[is_long].sum()), float(coins[~is_long].sum())
    biggest = max(longs, shorts)
    scale = float(history.open_interest[index]) / biggest if biggest > 0 else 0.0
    price = float(history.typical[index])
    step = math.log1p(bin_width_pct / 100)
    held = coins > 0
    return LiquidationMap(bin_width_pct).plus(
        np.floor(levels.log_level[held] / step).astype(np.int64),
        is_long[held],
        coins[held] * scale * price,
        as_of=None,
    )


def cohort_map(
    history: MarketHistory,
    fit: MapFit,
    table: TierTable,
    *,
    at: int | None = None,
    bin_width_pct: float = DEFAULT_BIN_WIDTH_PCT,
    position_notional_usd: float = DEFAULT_POSITION_NOTIONAL_USD,
) -> LiquidationMap:
    """The modeled map after interval ``at`` of ``history`` (default: the last); USD per bin."""
    ratios = level_log_ratios(
        table, fit.leverages, float(np.median(history.typical)), position_notional_usd
    )
    levels = build_levels(history, fit, ratios, bin_width_pct=bin_width_pct)
    return levels_map(levels, history, fit, at=at, bin_width_pct=bin_width_pct)
