"""Odds: realized volatility, the chance of touching a price, and the leverage that keeps it small.

Model: the log mark price is a driftless random walk (Brownian motion without drift) whose daily
standard deviation is the realized volatility ``σ`` of recent candles. It ignores fat tails, volatility
clustering and liquidation cascades, so the probabilities are a floor for the real risk, not a forecast.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

from risk.errors import InsufficientDataError, InvalidInputError
from risk.position import Position, check_against_table, require_positive
from risk.results import fee_rate_for
from risk.tiers import TierTable
from risk.venues import MarginMode, Side, Venue

__all__ = [
    "SECONDS_PER_DAY",
    "distance_sigmas",
    "max_safe_leverage",
    "realized_volatility",
    "safe_level",
    "touch_probability",
]

SECONDS_PER_DAY = 86_400.0


def realized_volatility(closes: Sequence[float], interval_s: float) -> float:
    """Daily standard deviation of log returns from candle closes, oldest first.

        r_i = ln(C_i / C_{i−1}),   σ_daily = stdev(r, ddof=1) · √(86,400 / interval_s)

    Units: a fraction per √day (0.03 = 3 % daily). ``interval_s`` is the candle length in seconds.
    The square-root-of-time scaling assumes independent returns (the random-walk model above).

    Raises:
        InsufficientDataError: fewer than 3 closes (2 returns).
        InvalidInputError: a close or the interval is not positive.

    Example: closes alternating 100 and 101 on 1-hour candles: ``|r| = ln 1.01 ≈ 0.995 %``, the sample
    standard deviation of four such returns of alternating sign is 1.149 %, times √24 → 5.63 %.

    >>> round(realized_volatility([100, 101, 100, 101, 100], 3_600), 4)
    0.0563
    """
    require_positive("candle interval", interval_s)
    if len(closes) < 3:
        raise InsufficientDataError(
            f"Volatility needs at least 3 candle closes; got {len(closes)}."
        )
    prices = np.asarray(closes, dtype=np.float64)
    if not np.all(np.isfinite(prices) & (prices > 0)):
        raise InvalidInputError("Every candle close must be a positive number.")
    returns = np.diff(np.log(prices))
    return float(np.std(returns, ddof=1)) * math.sqrt(SECONDS_PER_DAY / interval_s)


def touch_probability(
    mark_price: float, level_price: float, daily_vol: float, horizon_days: float
) -> float:
    """Probability that the mark touches ``level_price`` within ``horizon_days`` (first passage).

    For a driftless Brownian motion in log price with daily standard deviation ``σ``, the chance of
    reaching a barrier at log distance ``a = |ln(level/mark)|`` within ``T`` days is (reflection
    principle)

        P(touch) = 2·Φ(−a / (σ·√T)) = erfc(a / (σ·√(2T)))

    Units: ``daily_vol`` a fraction per √day, ``horizon_days`` in days; returns a probability in [0, 1].
    Direction-free: the caller passes the level on the side of loss. A level at the mark has
    probability 1; zero volatility gives 0 for any other level.
    Source: reflection principle for Brownian motion (e.g. Shreve, "Stochastic Calculus for Finance
    II", §3.7.3).

    Example: level 10 % below the mark, σ 3 % daily, 1 day: ``a = 0.1054``, ``a/σ = 3.51``,
    ``P = 2·Φ(−3.51) ≈ 0.044 %``; over 7 days ``a/(σ√7) = 1.33`` → 18.4 %.

    >>> round(touch_probability(100, 90, 0.03, 1), 5), round(touch_probability(100, 90, 0.03, 7), 3)
    (0.00044, 0.184)
    """
    require_positive("mark price", mark_price)
    require_positive("level price", level_price)
    require_positive("horizon", horizon_days)
    if not (math.isfinite(daily_vol) and daily_vol >= 0):
        raise InvalidInputError(f"Volatility must be 0 or more; got {daily_vol:g}.")
    distance = abs(math.log(level_price / mark_price))
    if distance == 0:
        return 1.0
    if daily_vol == 0:
        return 0.0
    return math.erfc(distance / (daily_vol * math.sqrt(2 * horizon_days)))


def distance_sigmas(mark_price: float, level_price: float, side: Side, daily_vol: float) -> float:
    """Signed distance from the mark to a liquidation level in daily standard deviations.

        z = s · ln(mark / level) / σ_daily

    Sign convention: positive while the level is on the side of loss (below the mark for a long),
    zero or negative when the mark is at or past it. Units: daily sigmas.

    >>> round(distance_sigmas(100, 90, Side.LONG, 0.03), 2)
    3.51
    """
    require_positive("mark price", mark_price)
    require_positive("level price", level_price)
    require_positive("volatility", daily_vol)
    return side.sign * math.log(mark_price / level_price) / daily_vol


def safe_level(
    mark_price: float,
    sign: int,
    daily_vol: float,
    bounds: Sequence[tuple[float, float]],
    *,
    min_distance_pct: float = 0.0,
) -> float:
    """The liquidation level nearest the mark that keeps every ``(probability, horizon_days)`` touch
    bound and lies at least ``min_distance_pct`` from the mark; ``sign`` is +1 long, −1 short.

        a* = max(σ·√T_k·Φ⁻¹(1 − p_k/2) over the bounds, distance term),   LP* = mark·e^(−sign·a*)

    with the distance term ``−ln(1 − d)`` for a long (``d`` a fraction) and ``ln(1 + d)`` for a short.

    >>> round(safe_level(100, 1, 0.03, [(0.01, 1.0)], min_distance_pct=5.0), 2)
    92.56
    """
    for probability, horizon_days in bounds:
        if not 0 < probability < 1:
            raise InvalidInputError("The touch probability bound must be between 0 and 1.")
        require_positive("horizon", horizon_days)
    if not 0 <= min_distance_pct < 100:
        raise InvalidInputError("The least distance must be between 0 % and 100 %.")
    touch = [
        NormalDist().inv_cdf(1 - probability / 2) * daily_vol * math.sqrt(horizon_days)
        for probability, horizon_days in bounds
    ]
    fraction = min_distance_pct / 100
    distance = -math.log(1 - fraction) if sign > 0 else math.log(1 + fraction)
    return mark_price * math.exp(-sign * max([distance, *touch]))


def max_safe_leverage(
    position: Position,
    table: TierTable,
    *,
    mark_price: float,
    daily_vol: float,
    max_touch_probability: float = 0.01,
    horizon_days: float = 1.0,
    taker_fee_rate: float | None = None,
    min_distance_pct: float = 0.0,
    more_bounds: Sequence[tuple[float, float]] = (),
) -> float | None:
    """Highest leverage for this position's side and size whose liquidation price keeps the chance of
    touching it within ``horizon_days`` at or below ``max_touch_probability`` (and within each
    ``(probability, horizon_days)`` of ``more_bounds``), at least ``min_distance_pct`` from the mark.

    The touch probability falls as the level moves away, so each bound sets a least log distance
    ``a* = σ·√T·Φ⁻¹(1 − p/2)``; the distance sets ``−ln(1 − d)`` below the mark for a long, ``ln(1 + d)``
    above it for a short; the farthest of them gives the level ``LP* = mark·e^(−s·a*)``. The margin that puts the
    liquidation price exactly there solves the venue's equation (see `risk.liquidation`) for ``WB``:

        WB* = Q·LP*·(mmr + f) − cum − s·Q·(LP* − EP)       Binance, Hyperliquid, OKX, Bybit cross
        WB* = (Q·EP·mmr − cum) + s·Q·(EP − LP*)            Bybit isolated

    with the tier of ``LP*`` (of the entry for Bybit isolated), and the leverage is ``Q·EP/WB*``
    (isolated margin = initial margin), rounded down to 0.01 and capped at the venue's maximum for the
    size. Units: leverage (×). ``None`` when even 1x would breach the bound (a short in extreme
    volatility). The position's own leverage and wallet are ignored.

    Example: Binance BTC, 1 BTC at 60,000, mark 60,000, σ 3 %, p 1 %: ``a* = 0.03·2.5758 = 7.73 %``,
    ``LP* = 55,537``, tier 2, ``WB* = 55,537·0.005 − 50 + 4,463 = 4,690.5`` → 12.79x.

    >>> from risk.tiers import default_tier_table
    >>> p = Position("binance", "BTC", Side.LONG, 10, 60_000, 1.0)
    >>> max_safe_leverage(p, default_tier_table("binance", "BTC"), mark_price=60_000, daily_vol=0.03)
    12.79
    """
    check_against_table(position, table)
    require_positive("mark price", mark_price)
    require_positive("volatility", daily_vol)
    require_positive("horizon", horizon_days)
    if not 0 < max_touch_probability < 1:
        raise InvalidInputError("The touch probability bound must be between 0 and 1.")
    s, q, ep = position.sign, position.quantity, position.entry_price
    level = safe_level(
        mark_price, s, daily_vol, [(max_touch_probability, horizon_days), *more_bounds],
        min_distance_pct=min_distance_pct,
    )  # fmt: skip
    if position.venue is Venue.BYBIT and position.margin_mode is MarginMode.ISOLATED:
        tier = table.tier_for(q, ep)
        wallet = (q * ep * tier.mmr - tier.cum) + s * q * (ep - level)
    else:
        tier = table.tier_for(q, level)
        fee = fee_rate_for(position.venue, taker_fee_rate)
        wallet = q * level * (tier.mmr + fee) - tier.cum - s * q * (level - ep)
    venue_max = table.max_leverage_for(q, ep)
    if wallet <= 0:
        return venue_max
    leverage = math.floor(q * ep / wallet * 100) / 100
    if leverage < 1:
        return None
    return min(leverage, venue_max)
