"""Maintenance-margin tier tables: the `TierTable` type and the bundled, dated defaults.

A tier table maps a position's size to its maintenance-margin rate (``mmr``), its maintenance amount
(``cum``; Binance "cum", Bybit "mmDeduction", Hyperliquid "deduction") and the highest leverage the venue
allows at that size. The maintenance margin of a position of notional ``N`` in tier ``k`` is

    MM(N) = N·mmr_k − cum_k

Tiers are keyed by USD notional on Binance, Bybit and Hyperliquid, and by the number of contracts on OKX
(`SizeBasis`). The bundled tables (`DEFAULT_TIER_TABLES`, data in `risk.tier_data`) carry the date and
source of their numbers; those marked ``estimated`` are plausible placeholders to be replaced by the live
refresh, which builds `TierTable` values from exchange payloads (`build_tiers`, `hyperliquid_tiers`) and
passes them to the functions of `risk.liquidation` instead of the defaults.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property

import numpy as np
import numpy.typing as npt

from risk import tier_data
from risk.errors import InvalidInputError, UnknownSymbolError
from risk.venues import Venue, parse_venue

__all__ = [
    "DEFAULT_TIER_TABLES",
    "SizeBasis",
    "Tier",
    "TierTable",
    "build_tiers",
    "default_tier_table",
    "hyperliquid_tiers",
    "normalise_symbol",
]


class SizeBasis(StrEnum):
    """What a tier's ``floor`` and ``cap`` count: USD notional, or contracts (OKX)."""

    NOTIONAL_USD = "notional_usd"
    CONTRACTS = "contracts"


@dataclass(frozen=True, slots=True)
class Tier:
    """One maintenance-margin tier: sizes in ``[floor, cap)`` use ``mmr`` and ``cum``.

    ``floor``/``cap`` are USD notional (or contracts, see `SizeBasis`); ``cap`` may be ``math.inf``.
    ``mmr`` is a fraction (0.004 = 0.4 %), ``cum`` is in USD.
    """

    floor: float
    cap: float
    mmr: float
    cum: float
    max_leverage: float

    def __post_init__(self) -> None:
        if not (0 <= self.floor < self.cap):
            raise InvalidInputError(f"Tier bounds must satisfy 0 ≤ floor < cap; got {self}.")
        if not (0 < self.mmr < 1):
            raise InvalidInputError(f"Tier mmr must be between 0 and 1; got {self.mmr}.")
        if not (self.cum >= 0 and math.isfinite(self.cum)):
            raise InvalidInputError(f"Tier cum must be finite and ≥ 0; got {self.cum}.")
        if not self.max_leverage >= 1:
            raise InvalidInputError(f"Tier max leverage must be ≥ 1; got {self.max_leverage}.")


@dataclass(frozen=True)
class TierTable:
    """The tiers of one symbol on one venue, with where and when the numbers came from.

    ``contract_value`` is the base-asset quantity of one contract (OKX ``ctVal``; 1.0 elsewhere).
    ``estimated`` marks bundled placeholders that are not exchange data.
    Beyond the last ``cap`` the last tier is used for the liquidation price (a short's notional at its
    liquidation price may exceed the table); positions opened beyond it are refused (`max_size`).
    """

    venue: Venue
    symbol: str
    as_of: date
    source: str
    tiers: tuple[Tier, ...]
    contract_value: float = 1.0
    size_basis: SizeBasis = SizeBasis.NOTIONAL_USD
    estimated: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "venue", parse_venue(self.venue))
        object.__setattr__(self, "symbol", normalise_symbol(self.symbol))
        if not self.tiers:
            raise InvalidInputError("A tier table needs at least one tier.")
        if self.tiers[0].floor != 0:
            raise InvalidInputError("The first tier must start at size 0.")
        for lower, upper in zip(self.tiers, self.tiers[1:], strict=False):
            if upper.floor != lower.cap:
                raise InvalidInputError(f"Tiers must be contiguous: {lower} then {upper}.")
            if upper.mmr < lower.mmr:
                raise InvalidInputError(f"Tier mmr must not decrease: {lower} then {upper}.")
        if not (self.contract_value > 0 and math.isfinite(self.contract_value)):
            raise InvalidInputError(f"Contract value must be positive; got {self.contract_value}.")

    @property
    def max_size(self) -> float:
        """The largest size the table allows (last ``cap``; ``inf`` if unbounded)."""
        return self.tiers[-1].cap

    def size_of(self, quantity: float, price: float) -> float:
        """The size the tiers are keyed by: ``quantity·price`` USD, or ``quantity/contract_value``."""
        if self.size_basis is SizeBasis.CONTRACTS:
            return quantity / self.contract_value
        return quantity * price

    def tier_index_for_size(self, size: float) -> int:
        """0-based index of the tier holding ``size`` (the last tier beyond the table)."""
        floors = self.floors
        lo, hi = 0, len(floors) - 1
        while lo < hi:  # largest index with floor ≤ size
            mid = (lo + hi + 1) // 2
            if floors[mid] <= size:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def tier_for_size(self, size: float) -> Tier:
        """The tier holding ``size`` (in the table's `SizeBasis`)."""
        return self.tiers[self.tier_index_for_size(size)]

    def tier_for(self, quantity: float, price: float) -> Tier:
        """The tier of a position of ``quantity`` base units valued at ``price``."""
        return self.tier_for_size(self.size_of(quantity, price))

    def tier_for_notional(self, notional_usd: float) -> Tier:
        """The tier of a USD notional; only for notional-keyed tables."""
        self._require_notional_basis()
        return self.tier_for_size(notional_usd)

    def max_leverage_for(self, quantity: float, price: float) -> float:
        """The highest leverage allowed for ``quantity`` at ``price`` (the tier's max leverage)."""
        return self.tier_for(quantity, price).max_leverage

    def max_leverage_for_notional(self, notional_usd: float) -> float:
        """The highest leverage allowed at a USD notional; only for notional-keyed tables."""
        return self.tier_for_notional(notional_usd).max_leverage

    def maintenance_margin(self, quantity: float, price: float) -> float:
        """``MM = Q·P·mmr − cum`` in USD for the tier of the position at ``price``."""
        tier = self.tier_for(quantity, price)
        return quantity * price * tier.mmr - tier.cum

    @cached_property
    def floors(self) -> tuple[float, ...]:
        """The tiers' floors, ascending."""
        return tuple(t.floor for t in self.tiers)

    @cached_property
    def rows(self) -> tuple[tuple[float, float, float, float], ...]:
        """``(floor, cap, mmr, cum)`` per tier, the last ``cap`` opened to ``inf`` (for solvers)."""
        rows = [(t.floor, t.cap, t.mmr, t.cum) for t in self.tiers]
        floor, _, mmr, cum = rows[-1]
        rows[-1] = (floor, math.inf, mmr, cum)
        return tuple(rows)

    @cached_property
    def arrays(self) -> tuple[npt.NDArray[np.float64], ...]:
        """``(floors, caps, mmrs, cums)`` as numpy arrays, for the vectorised path."""
        return tuple(
            np.array([getattr(t, name) for t in self.tiers], dtype=np.float64)
            for name in ("floor", "cap", "mmr", "cum")
        )

    @cached_property
    def is_continuous(self) -> bool:
        """Whether ``cum`` follows ``cum_k = cum_{k−1} + floor_k·(mmr_k − mmr_{k−1})`` (1e-6 rel)."""
        expected = self.tiers[0].cum
        for lower, upper in zip(self.tiers, self.tiers[1:], strict=False):
            expected += upper.floor * (upper.mmr - lower.mmr)
            if not math.isclose(upper.cum, expected, rel_tol=1e-6, abs_tol=1e-6):
                return False
        return True

    def _require_notional_basis(self) -> None:
        if self.size_basis is not SizeBasis.NOTIONAL_USD:
            raise InvalidInputError(
                f"The {self.venue} {self.symbol} tiers count contracts, not USD notional."
            )


def normalise_symbol(symbol: str) -> str:
    """The base asset of a symbol: ``btc``, ``BTCUSDT``, ``BTC-USDT-SWAP``, ``BTC/USDT``, ``BTC-PERP``
    and ``BTCPERP`` → ``BTC``. The one reader of a coin's spelling: commands read coins through it too
    (`bot.vocabulary.symbols`)."""
    word = symbol.strip().upper()
    for sep in ("-", "/", ":"):
        word = word.split(sep, 1)[0]
    for quote in ("USDT", "USDC", "PERP"):
        if word.endswith(quote) and len(word) > len(quote):
            return word[: -len(quote)]
    return word


def build_tiers(
    rows: Iterable[tuple[float, float, float, float]], *, continuous: bool = True
) -> tuple[Tier, ...]:
    """Tiers from ``(floor, cap, mmr, max_leverage)`` rows.

    With ``continuous`` the maintenance amount follows the Binance/Hyperliquid recursion
    ``cum_1 = 0``, ``cum_k = cum_{k−1} + floor_k·(mmr_k − mmr_{k−1})`` so that ``MM(N)`` is continuous;
    without it ``cum = 0`` (OKX step tiers, the whole position at the tier's rate).
    """
    tiers: list[Tier] = []
    for floor, cap, mmr, max_leverage in rows:
        cum = 0.0
        if continuous and tiers:
            cum = tiers[-1].cum + floor * (mmr - tiers[-1].mmr)
        tiers.append(Tier(floor, cap, mmr, cum, max_leverage))
    return tuple(tiers)


def hyperliquid_tiers(bounds: Sequence[tuple[float, float]]) -> tuple[Tier, ...]:
    """Tiers from Hyperliquid ``marginTiers`` ``(lowerBound, maxLeverage)`` pairs.

    Hyperliquid's maintenance rate is half the initial margin at the tier's max leverage,
    ``mmr = 1/(2·max_leverage)`` (docs "Margin tiers"); deductions follow `build_tiers`' recursion.
    """
    caps = [b for b, _ in bounds[1:]] + [math.inf]
    return build_tiers(
        (lower, cap, 1 / (2 * lev), lev) for (lower, lev), cap in zip(bounds, caps, strict=True)
    )


def _bundled_tables() -> dict[tuple[Venue, str], TierTable]:
    tables: dict[tuple[Venue, str], TierTable] = {}
    for spec in tier_data.TABLES:
        venue = parse_venue(spec.venue)
        if venue is Venue.HYPERLIQUID:
            tiers = hyperliquid_tiers(spec.margin_tiers)
        elif spec.cums is not None:
            tiers = tuple(
                Tier(floor, cap, mmr, cum, lev)
                for (floor, cap, mmr, lev), cum in zip(spec.rows, spec.cums, strict=True)
            )
        else:
            tiers = build_tiers(spec.rows, continuous=venue is not Venue.OKX)
        basis = SizeBasis.CONTRACTS if venue is Venue.OKX else SizeBasis.NOTIONAL_USD
        table = TierTable(
            venue,
            spec.symbol,
            date.fromisoformat(spec.as_of),
            spec.source,
            tiers,
            contract_value=spec.contract_value,
            size_basis=basis,
            estimated=spec.estimated,
        )
        tables[venue, table.symbol] = table
    return tables


DEFAULT_TIER_TABLES: Mapping[tuple[Venue, str], TierTable] = _bundled_tables()
"""The bundled tables by ``(venue, base symbol)``; see `risk.tier_data` for dates and sources."""


def default_tier_table(venue: Venue | str, symbol: str) -> TierTable:
    """The bundled tier table of ``symbol`` on ``venue``.

    Raises:
        UnknownVenueError: the venue is not supported.
        UnknownSymbolError: no bundled table for the symbol on that venue.
    """
    parsed = parse_venue(venue)
    key = (parsed, normalise_symbol(symbol))
    if key not in DEFAULT_TIER_TABLES:
        allowed = sorted(s for v, s in DEFAULT_TIER_TABLES if v is parsed)
        raise UnknownSymbolError(symbol, parsed.value, allowed)
    return DEFAULT_TIER_TABLES[key]
