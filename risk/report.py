"""`assess`: everything the risk card says about one position, as one `RiskReport` value.

The verdict, from the first rule that applies:

=========  ========================================================================================
danger     the mark is at or past the liquidation price; or it is within 2 % of the mark
           (`DANGER_DISTANCE_PCT`); or the 24 h touch probability is 5 % or more
           (`DANGER_TOUCH_24H`)
caution    within 5 % of the mark (`CAUTION_DISTANCE_PCT`); or a 24 h touch probability of 1 % or
           more (`CAUTION_TOUCH_24H`, the bound `max_safe_leverage` uses); or a 7-day touch
           probability of 25 % or more (`CAUTION_TOUCH_7D`)
safe       anything else, including a position that cannot be liquidated
=========  ========================================================================================

The distance thresholds match the default alert ladder (10 %, 5 %, 2 %); without a volatility only
the distance rules apply.

One rule gives both the verdict and the safe leverage: ``max_safe_leverage`` is the highest leverage
whose liquidation price passes every caution rule (at least 5 % away, 24 h touch under 1 %, 7-day touch
under 25 %), so a position at or under it reads safe and one over it does not. For a cross position
the leverage that matters is the effective one, notional ÷ wallet (``effective_leverage``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple

from risk.errors import InvalidInputError
from risk.funding import FundingCost, funding_cost
from risk.liquidation import distance_pct, liquidation_price
from risk.odds import distance_sigmas, max_safe_leverage, touch_probability
from risk.position import Position, require_positive
from risk.tiers import Tier, TierTable
from risk.venues import MarginMode, Side, parse_side

__all__ = [
    "CAUTION_DISTANCE_PCT",
    "CAUTION_TOUCH_7D",
    "CAUTION_TOUCH_24H",
    "DANGER_DISTANCE_PCT",
    "DANGER_TOUCH_24H",
    "DEFAULT_STALE_AFTER_S",
    "Cluster",
    "MarketSnapshot",
    "RiskReport",
    "Verdict",
    "assess",
    "clusters_between",
    "judge",
]

DANGER_DISTANCE_PCT = 2.0
DANGER_TOUCH_24H = 0.05
CAUTION_DISTANCE_PCT = 5.0
CAUTION_TOUCH_24H = 0.01
CAUTION_TOUCH_7D = 0.25
DEFAULT_STALE_AFTER_S = 60.0
"""Market data older than this (seconds) is flagged stale."""


class Verdict(StrEnum):
    """One-word risk verdict; thresholds in the module docstring."""

    SAFE = "safe"
    CAUTION = "caution"
    DANGER = "danger"


def _require_aware(name: str, moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInputError(f"The {name} must carry a timezone.")


@dataclass(frozen=True, slots=True)
class MarketSnapshot:
    """Market state of the position's symbol on its venue at ``as_of``.

    Prices in USD; ``funding_rate`` is per ``funding_interval_hours`` (positive: longs pay);
    ``daily_volatility`` is `risk.odds.realized_volatility` (``None`` when too few candles).
    Datetimes must be timezone-aware.
    """

    mark_price: float
    index_price: float
    funding_rate: float
    funding_interval_hours: float
    next_funding_time: datetime
    daily_volatility: float | None
    as_of: datetime

    def __post_init__(self) -> None:
        require_positive("mark price", self.mark_price)
        require_positive("index price", self.index_price)
        if self.daily_volatility is not None:
            require_positive("volatility", self.daily_volatility)
        _require_aware("next funding time", self.next_funding_time)
        _require_aware("snapshot time", self.as_of)


class Cluster(NamedTuple):
    """A modeled liquidation cluster: ``notional_usd`` of ``side`` positions liquidate at ``price``."""

    price: float
    notional_usd: float
    side: Side


@dataclass(frozen=True, slots=True)
class RiskReport:
    """Everything `assess` found; see each module for formulas, units and sign conventions.

    ``distance_pct``/``distance_sigmas`` are signed (≤ 0: liquidated now) and ``None`` without a
    liquidation price. Touch probabilities are ``None`` without a volatility and 1.0 when liquidated
    now. ``max_safe_leverage`` keeps the 24 h touch probability ≤ ``max_touch_probability``
    (``None``: no volatility, or not even 1x does). ``clusters`` are the modeled clusters of the
    position's side strictly between the mark and the liquidation price, nearest first.
    """

    position: Position
    mark_price: float
    liquidation_price: float | None
    bankruptcy_price: float | None
    tier: Tier
    tier_number: int
    table_as_of: date
    table_estimated: bool
    distance_pct: float | None
    distance_sigmas: float | None
    liquidated_now: bool
    daily_volatility: float | None
    touch_probability_24h: float | None
    touch_probability_7d: float | None
    max_safe_leverage: float | None
    max_touch_probability: float
    effective_leverage: float
    funding: FundingCost
    seconds_to_next_funding: float
    clusters: tuple[Cluster, ...]
    clusters_notional_usd: float
    verdict: Verdict
    verdict_reason: str
    data_age_s: float
    stale: bool


def judge(
    distance: float | None,
    touch_24h: float | None,
    touch_7d: float | None,
    caution_24h: float = CAUTION_TOUCH_24H,
) -> tuple[Verdict, str]:
    """The verdict and its reason for a distance (percent of mark) and touch probabilities."""
    if distance is None:
        return Verdict.SAFE, "this position cannot be liquidated"
    p24 = touch_24h if touch_24h is not None else 0.0
    p7d = touch_7d if touch_7d is not None else 0.0
    rules = (
        (distance <= 0, Verdict.DANGER, "the mark is at or past the liquidation price"),
        (
            distance < DANGER_DISTANCE_PCT,
            Verdict.DANGER,
            f"liquidation is less than {DANGER_DISTANCE_PCT:g}% away",
        ),
        (p24 >= DANGER_TOUCH_24H, Verdict.DANGER, f"{p24:.0%} chance of touching it within 24h"),
        (
            distance < CAUTION_DISTANCE_PCT,
            Verdict.CAUTION,
            f"liquidation is less than {CAUTION_DISTANCE_PCT:g}% away",
        ),
        (p24 >= caution_24h, Verdict.CAUTION, f"{p24:.1%} chance of touching it within 24h"),
        (
            p7d >= CAUTION_TOUCH_7D,
            Verdict.CAUTION,
            f"{p7d:.0%} chance of touching it within 7 days",
        ),
    )
    for applies, verdict, reason in rules:
        if applies:
            return verdict, reason
    if touch_24h is None:
        return (
            Verdict.SAFE,
            f"liquidation is {CAUTION_DISTANCE_PCT:g}% or more away (no volatility measured)",
        )
    return Verdict.SAFE, "liquidation is far away for the current volatility"


def clusters_between(
    clusters: Iterable[tuple[float, float, Side | str]],
    mark_price: float,
    liquidation: float | None,
    side: Side,
) -> tuple[Cluster, ...]:
    """Clusters of ``side`` strictly between the mark and the liquidation price, nearest first."""
    if liquidation is None:
        return ()
    low, high = sorted((mark_price, liquidation))
    found = [
        Cluster(float(price), float(notional), parse_side(str(cluster_side)))
        for price, notional, cluster_side in clusters
    ]
    inside = [c for c in found if c.side is side and low < c.price < high]
    return tuple(sorted(inside, key=lambda c: abs(c.price - mark_price)))


def _odds(
    position: Position,
    market: MarketSnapshot,
    table: TierTable,
    liquidation: float | None,
    *,
    taker_fee_rate: float | None,
    max_touch_probability: float,
) -> tuple[float | None, float | None, float | None, float | None]:
    """``(sigmas, touch 24h, touch 7d, max safe leverage)``; ``None`` where volatility is unknown."""
    vol, mark = market.daily_volatility, market.mark_price
    if vol is None:
        return None, None, None, None
    safe = max_safe_leverage(
        position,
        table,
        mark_price=mark,
        daily_vol=vol,
        max_touch_probability=max_touch_probability,
        taker_fee_rate=taker_fee_rate,
        min_distance_pct=CAUTION_DISTANCE_PCT,
        more_bounds=((CAUTION_TOUCH_7D, 7.0),),
    )
    if liquidation is None:
        return None, None, None, safe
    sigmas = distance_sigmas(mark, liquidation, position.side, vol)
    if sigmas <= 0:
        return sigmas, 1.0, 1.0, safe
    p24 = touch_probability(mark, liquidation, vol, 1.0)
    return sigmas, p24, touch_probability(mark, liquidation, vol, 7.0), safe


def _effective_leverage(position: Position) -> float:
    """Notional ÷ the money backing it: the wallet in cross margin, else the stated leverage."""
    wallet = position.wallet_balance
    if position.margin_mode is MarginMode.CROSS and wallet is not None and wallet > 0:
        return position.quantity * position.entry_price / wallet
    return position.leverage


def assess(
    position: Position,
    market: MarketSnapshot,
    table: TierTable,
    *,
    now: datetime,
    clusters: Iterable[tuple[float, float, Side | str]] | None = None,
    taker_fee_rate: float | None = None,
    max_touch_probability: float = CAUTION_TOUCH_24H,
    stale_after_s: float = DEFAULT_STALE_AFTER_S,
) -> RiskReport:
    """Assess one position against a market snapshot: liquidation, distance, odds, funding, verdict.

    ``now`` (timezone-aware) dates the data: ``data_age_s = now − market.as_of`` (0 if the snapshot
    is ahead of ``now``). ``clusters`` are ``(price, notional_usd, side)`` items from the cluster model.

    Raises:
        RiskError: invalid position, table or snapshot (see `liquidation_price`).
    """
    _require_aware("current time", now)
    result = liquidation_price(position, table, taker_fee_rate=taker_fee_rate)
    mark, lp = market.mark_price, result.price
    distance = distance_pct(mark, lp, position.side)
    sigmas, p24, p7d, safe = _odds(
        position,
        market,
        table,
        lp,
        taker_fee_rate=taker_fee_rate,
        max_touch_probability=max_touch_probability,
    )
    verdict, reason = judge(distance, p24, p7d, max_touch_probability)
    gap = clusters_between(clusters or (), mark, lp, position.side)
    age = max(0.0, (now - market.as_of).total_seconds())
    return RiskReport(
        position=position,
        mark_price=mark,
        liquidation_price=lp,
        bankruptcy_price=result.bankruptcy_price,
        tier=result.tier,
        tier_number=result.tier_number,
        table_as_of=table.as_of,
        table_estimated=table.estimated,
        distance_pct=distance,
        distance_sigmas=sigmas,
        liquidated_now=distance is not None and distance <= 0,
        daily_volatility=market.daily_volatility,
        touch_probability_24h=p24,
        touch_probability_7d=p7d,
        max_safe_leverage=safe,
        max_touch_probability=max_touch_probability,
        effective_leverage=_effective_leverage(position),
        funding=funding_cost(
            position.side,
            position.quantity,
            mark,
            market.funding_rate,
            market.funding_interval_hours,
        ),
        seconds_to_next_funding=max(0.0, (market.next_funding_time - now).total_seconds()),
        clusters=gap,
        clusters_notional_usd=sum(c.notional_usd for c in gap),
        verdict=verdict,
        verdict_reason=reason,
        data_age_s=age,
        stale=age > stale_after_s,
    )
