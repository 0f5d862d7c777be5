"""Liquidation and bankruptcy prices of linear perpetuals, per venue, with the venue's tier choice.

Notation (liquidation-math.md §0): ``s`` = +1 long / −1 short, ``Q`` size in base units, ``EP`` entry
price, ``WB`` the margin behind the position (isolated margin, or the cross wallet), ``mmr``/``cum`` the
tier's maintenance rate and amount, ``f`` a reserved closing (taker) fee rate. Prices are quote-currency
(USD) per base unit and are mark-price levels: every venue triggers liquidation on the mark price.

Venue rules implemented here:

==============  =====================================  ===================================  ==========
venue           equation                               tier chosen by                       fee ``f``
==============  =====================================  ===================================  ==========
binance         equity = maintenance margin (§2)       USD notional at the liquidation      none
                                                       price (Binance FAQ note, §2.3)
hyperliquid     same, ``mmr = 1/(2·max_leverage)``     USD notional at the liquidation      none
                (§7)                                   price
okx             same, plus a closing fee (§5)          contracts ``Q/ctVal`` (price-free)   taker
bybit isolated  classic: MM at the entry value (§4.1)  USD notional at entry (as the        none
                                                       formula values MM there)
bybit cross     equity = maintenance margin (§4.2)     USD notional at the liquidation      none
                                                       price
==============  =====================================  ===================================  ==========

A liquidation price that is zero or negative means the position cannot be liquidated (a 1x long):
it is returned as ``None`` (``NaN`` in the vectorised path), never as a number.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from risk.cross import Leg, OtherPosition, cross_liquidation_price, cross_terms
from risk.errors import InvalidInputError
from risk.position import Position, check_against_table, require_positive
from risk.results import NEGLIGIBLE_PRICE, LiquidationResult, fee_rate_for
from risk.tiers import SizeBasis, TierTable
from risk.venues import MarginMode, Side, Venue

__all__ = [
    "Leg",
    "LiquidationResult",
    "MarginMode",
    "OtherPosition",
    "Position",
    "Side",
    "bankruptcy_price",
    "cross_liquidation_price",
    "cross_terms",
    "distance_pct",
    "distance_pcts",
    "liquidation_price",
    "liquidation_prices",
]

FloatArray = npt.NDArray[np.float64]


def liquidation_price(
    position: Position, table: TierTable, *, taker_fee_rate: float | None = None
) -> LiquidationResult:
    """Liquidation price of one position, with its bankruptcy price and the tier used.

    Equity equals maintenance margin at the liquidation price ``LP`` (liquidation-math.md §1):

        WB + s·Q·(LP − EP) = Q·LP·(mmr + f) − cum
        LP = (WB + cum − s·Q·EP) / (Q·(mmr + f − s))

    Bybit isolated uses its published form with the maintenance margin at the entry value
    ``MM = Q·EP·mmr − cum`` (§4.1):

        LP = EP − s·(WB − MM)/Q

    Units: prices in USD per base unit, ``Q`` in base units, ``WB`` in USD.
    Sign convention: a long's ``LP`` is below entry, a short's above; ``None`` means no liquidation.
    Tier: see the module table; for Binance and Hyperliquid each tier ``k`` is tried and the one whose
    notional ``Q·LP_k`` lies in ``[floor_k, cap_k)`` is kept (continuous tables have exactly one).
    ``WB`` is ``position.margin``; in cross mode it is the cross wallet of a one-symbol account
    (other symbols and hedge legs: `cross_liquidation_price`).

    Sources: Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts"; Bybit Help
    "Liquidation Price (USDT Contract)"; Hyperliquid docs "Liquidations", "Margin tiers"; OKX Help
    "Tiered maintenance margin ratio rules" (liquidation-math.md §2, §4, §5, §7).

    Args:
        taker_fee_rate: OKX closing fee rate (default 0.0005, OKX's base taker rate); must be
            ``None`` on other venues, whose formulas carry no fee.

    Raises:
        InvalidInputError, LeverageTooHighError, PositionTooLargeError: see `check_against_table`.

    Example: Binance BTCUSDT, 1 BTC long at 60,000, 10x: ``WB`` 6,000, tier 2 (0.5 %, cum 50),
    ``LP = (6,000 + 50 − 60,000)/(0.005 − 1) = 54,221.11``.

    >>> from risk.tiers import default_tier_table
    >>> p = Position("binance", "BTC", Side.LONG, 10, 60_000, 1.0)
    >>> r = liquidation_price(p, default_tier_table("binance", "BTC"))
    >>> round(r.price, 2), round(r.bankruptcy_price, 2), r.tier_number
    (54221.11, 54000.0, 2)
    """
    check_against_table(position, table)
    fee = fee_rate_for(position.venue, taker_fee_rate)
    s, q, ep, wb = position.sign, position.quantity, position.entry_price, position.margin
    if position.venue is Venue.BYBIT and position.margin_mode is MarginMode.ISOLATED:
        index = table.tier_index_for_size(table.size_of(q, ep))
        tier = table.tiers[index]
        lp: float | None = ep - s * (wb - (q * ep * tier.mmr - tier.cum)) / q
    else:
        lp, index = _solve_for_tier(s, q, ep, wb, table=table, fee=fee)
        tier = table.tiers[index]
    bp, least = ep - s * wb / q, ep * NEGLIGIBLE_PRICE  # as `bankruptcy_price`, inlined for speed
    return LiquidationResult(
        price=lp if lp is not None and lp > least else None,
        bankruptcy_price=bp if bp > least else None,
        tier=tier,
        tier_number=index + 1,
    )


def _solve_for_tier(
    s: int, q: float, ep: float, wb: float, *, table: TierTable, fee: float
) -> tuple[float | None, int]:
    """``(LP, tier index)`` of the self-consistent tier; ``LP`` None when the long cannot liquidate.

    Longs scan the tiers downwards and shorts upwards and keep the first hit, the level closest to
    entry. With a discontinuous table (steps in ``MM``) no tier may be self-consistent: the
    maintenance margin then jumps over the equity at a tier boundary, and that boundary is the level.
    """
    rows = table.rows
    order = reversed(range(len(rows))) if s > 0 else range(len(rows))
    per_contract = 1.0 / table.contract_value if table.size_basis is SizeBasis.CONTRACTS else 0.0
    numerator, offset, least = wb - s * q * ep, q * (fee - s), ep * NEGLIGIBLE_PRICE
    for k in order:
        floor, cap, mmr, cum = rows[k]
        lp = (numerator + cum) / (q * mmr + offset)
        if lp <= least:
            continue
        size = q * per_contract if per_contract else q * lp
        if floor <= size < cap:
            return lp, k
        if not per_contract and (size >= cap if s > 0 else size < floor):
            return (cap if s > 0 else floor) / q, k
    return None, table.tier_index_for_size(table.size_of(q, ep))


def bankruptcy_price(position: Position) -> float | None:
    """Price at which the position's equity is zero: ``BP = EP − s·WB/Q``.

    Units: USD per base unit. Sign convention: a long's ``BP`` is below entry, a short's above;
    ``None`` when a long's ``BP`` is zero or negative (its margin covers the whole notional).
    Closing fees are not included (Bybit adds one to its bankruptcy price; a few basis points).
    Source: liquidation-math.md §10.7.

    Example: 1 BTC long at 60,000 with 6,000 margin: ``BP = 60,000 − 6,000 = 54,000``.

    >>> bankruptcy_price(Position("binance", "BTC", "long", 10, 60_000, 1.0))
    54000.0
    """
    bp = position.entry_price - position.sign * position.margin / position.quantity
    return bp if bp > position.entry_price * NEGLIGIBLE_PRICE else None


def distance_pct(mark_price: float, liquidation: float | None, side: Side) -> float | None:
    """Signed distance from the mark price to the liquidation price, in percent of mark.

        d = 100 · s · (mark − LP) / mark

    Sign convention: positive while the position is alive; ``d ≤ 0`` means the mark is at or past the
    liquidation level ("liquidated now"). ``None`` when there is no liquidation price.
    Source: liquidation-math.md §1 (measured from mark, as liquidation triggers on mark).

    Example: long, mark 91,250, LP 81,740: ``d = 100·9,510/91,250 = 10.42 %``.

    >>> round(distance_pct(91_250, 81_740, Side.LONG), 2)
    10.42
    """
    require_positive("mark price", mark_price)
    if liquidation is None:
        return None
    return 100.0 * side.sign * (mark_price - liquidation) / mark_price


def liquidation_prices(
    sides: npt.ArrayLike,
    entry: npt.ArrayLike,
    quantity: npt.ArrayLike,
    wallet: npt.ArrayLike,
    table: TierTable,
    *,
    taker_fee_rate: float | None = None,
) -> FloatArray:
    """Vectorised `liquidation_price` for many isolated positions of one symbol on one venue.

    Same formulas, units and tier rules as `liquidation_price` (``table.venue`` picks the rule;
    Bybit uses its isolated form). ``sides`` holds +1 (long) / −1 (short); ``wallet`` is each
    position's margin ``WB`` in USD. Returns ``LP`` per position, ``NaN`` where a long cannot be
    liquidated. Leverage limits are not checked here.

    >>> from risk.tiers import default_tier_table
    >>> t = default_tier_table("binance", "BTC")
    >>> liquidation_prices([1, -1, 1], 60_000, 1.0, [6_000, 6_000, 60_000], t).round(2)
    array([54221.11, 65721.39,      nan])
    """
    s, ep, q, wb = np.broadcast_arrays(
        *(np.asarray(a, dtype=np.float64) for a in (sides, entry, quantity, wallet))
    )
    _check_arrays(s, ep, q, wb)
    fee = fee_rate_for(table.venue, taker_fee_rate)
    if table.venue is Venue.BYBIT:
        lp = _bybit_isolated(s, ep, q, wb, table)
    else:
        lp = _tiered(s, ep, q, wb, table=table, fee=fee)
    lp[~(lp > ep * NEGLIGIBLE_PRICE)] = np.nan
    return lp


def _check_arrays(s: FloatArray, ep: FloatArray, q: FloatArray, wb: FloatArray) -> None:
    if not np.all(np.abs(s) == 1):
        raise InvalidInputError("Sides must be +1 (long) or -1 (short).")
    for name, values in (("entry price", ep), ("size", q), ("wallet balance", wb)):
        if not np.all(np.isfinite(values) & (values > 0)):
            raise InvalidInputError(f"Every {name} must be a positive number.")


def _tier_indexes(table: TierTable, sizes: FloatArray) -> npt.NDArray[np.intp]:
    floors = table.arrays[0]
    return np.searchsorted(floors, sizes, side="right") - 1


def _bybit_isolated(
    s: FloatArray, ep: FloatArray, q: FloatArray, wb: FloatArray, table: TierTable
) -> FloatArray:
    _, _, mmrs, cums = table.arrays
    index = _tier_indexes(table, q * ep)
    mm = q * ep * mmrs[index] - cums[index]
    result: FloatArray = ep - s * (wb - mm) / q
    return result


def _tiered(
    s: FloatArray, ep: FloatArray, q: FloatArray, wb: FloatArray, *, table: TierTable, fee: float
) -> FloatArray:
    if table.size_basis is SizeBasis.NOTIONAL_USD and table.is_continuous:
        return _continuous(s, ep, q, wb, table=table)
    out = np.full(s.shape, np.nan)
    for sign in (1, -1):
        chosen = np.flatnonzero(s == sign)
        if chosen.size:
            out[chosen] = _scan(sign, ep[chosen], q[chosen], wb[chosen], table=table, fee=fee)
    return out


def _continuous(
    s: FloatArray, ep: FloatArray, q: FloatArray, wb: FloatArray, *, table: TierTable
) -> FloatArray:
    """Continuous notional tables (no fee): the tier from the surplus at each tier's floor.

    The surplus ``f(P) = WB + s·Q·(P − EP) − MM(Q·P)`` is monotone in ``P``, so the level's notional is
    at or above a floor ``B`` exactly when a long's surplus there is ≤ 0 (a short's ≥ 0):
    ``B − MM(B) ≤ Q·EP − WB`` (long), ``B + MM(B) ≤ WB + Q·EP`` (short). Counting floors by binary
    search gives the tier without trying every one; it agrees with `_scan` on such tables.
    """
    floors, _, mmrs, cums = table.arrays
    maintenance = floors[1:] * mmrs[1:] - cums[1:]
    below = np.searchsorted(floors[1:] - maintenance, q * ep - wb, side="right")
    above = np.searchsorted(floors[1:] + maintenance, wb + q * ep, side="right")
    index = np.where(s > 0, below, above)
    result: FloatArray = (wb + cums[index] - s * q * ep) / (q * (mmrs[index] - s))
    return result


def _scan(
    sign: int, ep: FloatArray, q: FloatArray, wb: FloatArray, *, table: TierTable, fee: float
) -> FloatArray:
    """`_solve_for_tier` for positions of one side: same scan order, first hit, boundary jumps."""
    floors, _, mmrs, cums = table.arrays
    caps = [row[1] for row in table.rows]
    numerator, least = wb - sign * q * ep, ep * NEGLIGIBLE_PRICE
    out = np.full(ep.shape, np.nan)
    done = np.zeros(ep.shape, dtype=bool)
    contracts = table.size_basis is SizeBasis.CONTRACTS
    order = range(len(caps) - 1, -1, -1) if sign > 0 else range(len(caps))
    for k in order:
        lp = (numerator + cums[k]) / (q * (mmrs[k] + fee - sign))
        size = q / table.contract_value if contracts else q * lp
        live = ~done & (lp > least)
        inside = live & (size >= floors[k]) & (size < caps[k])
        np.copyto(out, lp, where=inside)
        done |= inside
        if not contracts:
            jump = live & ~inside & ((size >= caps[k]) if sign > 0 else (size < floors[k]))
            np.copyto(out, (caps[k] if sign > 0 else floors[k]) / q, where=jump)
            done |= jump
        if done.all():
            break
    return out


def distance_pcts(
    mark: npt.ArrayLike, liquidation: npt.ArrayLike, sides: npt.ArrayLike
) -> FloatArray:
    """Vectorised `distance_pct`: ``100·s·(mark − LP)/mark``, ``NaN`` where ``LP`` is ``NaN``."""
    m = np.asarray(mark, dtype=np.float64)
    if not np.all(np.isfinite(m) & (m > 0)):
        raise InvalidInputError("Every mark price must be a positive number.")
    lp = np.asarray(liquidation, dtype=np.float64)
    result: FloatArray = 100.0 * np.asarray(sides, dtype=np.float64) * (m - lp) / m
    return result
