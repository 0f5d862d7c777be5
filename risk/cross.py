"""Binance-style cross margin: one symbol's liquidation price with other symbols and hedge legs.

In a cross wallet every position of the account shares the wallet balance. The liquidation price of
one symbol (its one-way position, or the LONG and SHORT legs of hedge mode, which share one price) is
where the account's equity meets the maintenance margin, the other symbols held at their current mark
prices. It is a ceteris-paribus number: recompute it whenever another symbol's mark moves.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from risk.errors import InvalidInputError
from risk.position import require_positive
from risk.results import NEGLIGIBLE_PRICE, LiquidationResult, fee_rate_for
from risk.tiers import SizeBasis, TierTable
from risk.venues import Side

__all__ = ["Leg", "OtherPosition", "cross_liquidation_price", "cross_terms"]


@dataclass(frozen=True, slots=True)
class Leg:
    """One leg of the symbol being priced: the one-way position, or a hedge-mode LONG/SHORT leg."""

    side: Side
    quantity: float
    entry_price: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "side", Side(self.side))
        require_positive("size", self.quantity)
        require_positive("entry price", self.entry_price)


@dataclass(frozen=True, slots=True)
class OtherPosition:
    """A position in another symbol of the same cross wallet, valued at its current mark price."""

    side: Side
    quantity: float
    entry_price: float
    mark_price: float
    table: TierTable

    def __post_init__(self) -> None:
        object.__setattr__(self, "side", Side(self.side))
        require_positive("size", self.quantity)
        require_positive("entry price", self.entry_price)
        require_positive("mark price", self.mark_price)


def cross_terms(others: Sequence[OtherPosition]) -> tuple[float, float]:
    """``(TMM₁, UPNL₁)``: the other symbols' maintenance margin and unrealized PnL, in USD.

        TMM₁ = Σ (Q·mark·mmr − cum)      tier of each position's notional at its mark
        UPNL₁ = Σ s·Q·(mark − EP)

    Source: Binance FAQ (USDⓈ-M liquidation price), variables TMM1 and UPNL1 (liquidation-math.md §2.1).

    >>> from datetime import date
    >>> from risk.tiers import Tier, TierTable
    >>> eth = TierTable("binance", "ETH", date(2021, 1, 1), "FAQ", (Tier(0, math.inf, 0.1, 135_365, 5),))
    >>> tmm, upnl = cross_terms([OtherPosition(Side.LONG, 3_683.979, 1_456.84, 1_335.18, eth)])
    >>> round(tmm, 3), round(upnl, 3)
    (356512.508, -448192.885)
    """
    tmm = sum(o.table.maintenance_margin(o.quantity, o.mark_price) for o in others)
    upnl = sum(o.side.sign * o.quantity * (o.mark_price - o.entry_price) for o in others)
    return tmm, upnl


def cross_liquidation_price(
    legs: Sequence[Leg],
    wallet_balance: float,
    table: TierTable,
    *,
    others: Sequence[OtherPosition] = (),
    taker_fee_rate: float | None = None,
) -> LiquidationResult:
    """Shared liquidation price of a symbol's legs in a cross wallet (Binance USDⓈ-M, §2.1).

        LP = [WB − TMM₁ + UPNL₁ + Σ cum_i − Σ s_i·Q_i·EP_i] / [Σ Q_i·(mmr_i + f) − Σ s_i·Q_i]

    i.e. equity ``WB − TMM₁ + UPNL₁ + Σ s_i·Q_i·(P − EP_i)`` equals ``Σ (Q_i·P·(mmr_i + f) − cum_i)``.
    Each leg's tier is that of its own notional at ``LP``; the equation is piecewise linear in ``P``, so
    every stretch between tier boundaries is solved and the roots checked against their stretch.

    Units: USD and USD per base unit; ``Q`` in base units. Sign convention: for a net-long symbol the
    level below the price where equity falls to maintenance (a root where the surplus rises with
    price); for a net-short or flat symbol the level above. ``None`` when there is no such level.
    ``bankruptcy_price`` is where the equity is zero (``None`` for a flat hedge).
    Source: Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts"
    (liquidation-math.md §2.1, §2.4).

    Example (FAQ, 2021 tiers): wallet 1,535,443.01; BTC long 109.488 at 32,481.98 (2.5 %, cum 16,300);
    ETH long 3,683.979 at 1,456.84, mark 1,335.18 (10 %, cum 135,365) → LP 26,316.89.

    >>> from datetime import date
    >>> from risk.tiers import Tier, TierTable
    >>> def one_tier(sym, mmr, cum):
    ...     return TierTable("binance", sym, date(2021, 1, 1), "FAQ", (Tier(0, math.inf, mmr, cum, 5),))
    >>> eth = OtherPosition(Side.LONG, 3_683.979, 1_456.84, 1_335.18, one_tier("ETH", 0.1, 135_365))
    >>> r = cross_liquidation_price([Leg(Side.LONG, 109.488, 32_481.98)], 1_535_443.01,
    ...                             one_tier("BTC", 0.025, 16_300), others=[eth])
    >>> round(r.price, 2)
    26316.89
    """
    if not legs:
        raise InvalidInputError("A cross position needs at least one leg.")
    if not math.isfinite(wallet_balance):
        raise InvalidInputError(f"The wallet balance must be a number; got {wallet_balance:g}.")
    fee = fee_rate_for(table.venue, taker_fee_rate)
    tmm, upnl = cross_terms(others)
    equity_at_zero = (
        wallet_balance - tmm + upnl - sum(g.side.sign * g.quantity * g.entry_price for g in legs)
    )
    net = sum(g.side.sign * g.quantity for g in legs)
    least = min(g.entry_price for g in legs) * NEGLIGIBLE_PRICE
    roots = [(p, up) for p, up in _roots(legs, equity_at_zero, net, table, fee) if p > least]
    price = _pick(roots, net)
    at = price if price is not None else 0.0
    indexes = [table.tier_index_for_size(table.size_of(g.quantity, at)) for g in legs]
    bankrupt = -equity_at_zero / net if net != 0 else None
    return LiquidationResult(
        price=price,
        bankruptcy_price=bankrupt if bankrupt is not None and bankrupt > least else None,
        tier=table.tiers[indexes[0]],
        tier_number=indexes[0] + 1,
        leg_tiers=tuple(table.tiers[i] for i in indexes),
    )


def _roots(
    legs: Sequence[Leg], equity_at_zero: float, net: float, table: TierTable, fee: float
) -> list[tuple[float, bool]]:
    """Every ``(P, rising)`` where surplus = equity − maintenance is zero; ``rising`` if it increases."""
    breaks: set[float] = set()
    if table.size_basis is SizeBasis.NOTIONAL_USD:
        breaks = {t.floor / g.quantity for g in legs for t in table.tiers[1:]}
    edges = [0.0, *sorted(breaks), math.inf]
    roots: list[tuple[float, bool]] = []
    for lo, hi in itertools.pairwise(edges):
        probe = (lo + hi) / 2 if math.isfinite(hi) else 2 * lo + 1  # inside, clear of rounding
        tiers = [table.tier_for_size(table.size_of(g.quantity, probe)) for g in legs]
        slope = net - sum(g.quantity * (t.mmr + fee) for g, t in zip(legs, tiers, strict=True))
        if slope == 0:
            continue
        root = -(equity_at_zero + sum(t.cum for t in tiers)) / slope
        if lo <= root < hi:
            roots.append((root, slope > 0))
    return roots


def _pick(roots: list[tuple[float, bool]], net: float) -> float | None:
    """The level in the position's direction of loss; the other kind only when that one is absent."""
    rising = [p for p, up in roots if up]
    falling = [p for p, up in roots if not up]
    if net > 0 and rising:
        return max(rising)
    if falling:
        return min(falling)
    return max(rising) if rising else None
