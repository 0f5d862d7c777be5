"""A position judged against a liquidation price someone else computed (the venue's own).

A wallet read from Hyperliquid names its liquidation price; liqguard computes one too. The card
measures distance, clusters and verdict from the venue's price, and says how far the two disagree:

    disagreement = 100 · (LP_ours − LP_venue) / LP_venue          (percent of the venue's price)

Above `DISAGREEMENT_PCT` the card flags it and names what the margin mode explains: in cross mode
the venue counts the whole account (other positions' margin and profit), in isolated mode the
position's own margin, which added margin and settled funding move away from `size·entry/leverage`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from risk.liquidation import distance_pct
from risk.odds import touch_probability
from risk.report import Cluster, Verdict, clusters_between, judge
from risk.venues import Side

__all__ = ["DISAGREEMENT_PCT", "ReferenceView", "disagreement_pct", "view_at_reference"]

DISAGREEMENT_PCT = 0.5
"""Above this (percent of the venue's price) the two liquidation prices are flagged as disagreeing."""


@dataclass(frozen=True, slots=True)
class ReferenceView:
    """Distance, clusters in the way and verdict measured from a given liquidation price.

    ``distance_pct`` is signed (≤ 0: the mark is at or past it) and ``None`` with no price.
    """

    liquidation_price: float | None
    distance_pct: float | None
    clusters: tuple[Cluster, ...]
    clusters_notional_usd: float
    verdict: Verdict
    verdict_reason: str


def disagreement_pct(ours: float | None, reference: float | None) -> float | None:
    """Our liquidation price relative to the reference, in percent (None when either is missing).

    >>> round(disagreement_pct(82_410.0, 82_000.0), 3)
    0.5
    """
    if ours is None or reference is None or reference <= 0:
        return None
    return 100.0 * (ours - reference) / reference


def view_at_reference(
    side: Side,
    mark_price: float,
    reference: float | None,
    daily_volatility: float | None,
    clusters: Iterable[tuple[float, float, Side | str]],
) -> ReferenceView:
    """Judge a position of ``side`` at ``mark_price`` against the liquidation price ``reference``.

    The verdict follows `risk.report.judge` with the touch probabilities of ``reference`` (none
    without a volatility); the clusters are those of ``side`` strictly between mark and reference.

    >>> view = view_at_reference(Side.LONG, 100.0, 90.0, None, [(95.0, 1e6, "long")])
    >>> view.distance_pct, view.clusters_notional_usd, str(view.verdict)
    (10.0, 1000000.0, 'safe')
    """
    distance = distance_pct(mark_price, reference, side)
    p24 = p7d = None
    if reference is not None and daily_volatility is not None and distance is not None:
        alive = distance > 0
        p24 = touch_probability(mark_price, reference, daily_volatility, 1.0) if alive else 1.0
        p7d = touch_probability(mark_price, reference, daily_volatility, 7.0) if alive else 1.0
    verdict, reason = judge(distance, p24, p7d)
    gap = clusters_between(clusters, mark_price, reference, side)
    return ReferenceView(
        liquidation_price=reference,
        distance_pct=distance,
        clusters=gap,
        clusters_notional_usd=sum(c.notional_usd for c in gap),
        verdict=verdict,
        verdict_reason=reason,
    )
