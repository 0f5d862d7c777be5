"""A leveraged position as the trader describes it, and its checks against the venue's tiers."""

from __future__ import annotations

import math
from dataclasses import dataclass

from risk.errors import InvalidInputError, LeverageTooHighError, PositionTooLargeError
from risk.tiers import SizeBasis, TierTable, normalise_symbol
from risk.venues import MarginMode, Side, Venue, parse_venue

__all__ = ["Position", "check_against_table", "require_positive"]


def require_positive(name: str, value: float) -> None:
    """Raise `InvalidInputError` unless ``value`` is a finite number above zero."""
    if not (math.isfinite(value) and value > 0):
        raise InvalidInputError(f"The {name} must be a positive number; got {value:g}.")


@dataclass(frozen=True, slots=True)
class Position:
    """One linear perpetual position.

    ``quantity`` is the absolute size in base units (coins, not contracts), ``entry_price`` and
    ``wallet_balance`` are in the quote currency (USDT/USDC, treated as USD). ``wallet_balance`` is the
    isolated margin (isolated) or the cross wallet balance (cross); it defaults to the initial margin
    ``quantity·entry_price/leverage``.
    ``extra_margin`` is margin added on top (Bybit "EM"); it adds to ``wallet_balance``.
    """

    venue: Venue
    symbol: str
    side: Side
    leverage: float
    entry_price: float
    quantity: float
    margin_mode: MarginMode = MarginMode.ISOLATED
    wallet_balance: float | None = None
    extra_margin: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "venue", parse_venue(self.venue))
        object.__setattr__(self, "symbol", normalise_symbol(self.symbol))
        object.__setattr__(self, "side", Side(self.side))
        object.__setattr__(self, "margin_mode", MarginMode(self.margin_mode))
        require_positive("entry price", self.entry_price)
        require_positive("size", self.quantity)
        if not (math.isfinite(self.leverage) and self.leverage >= 1):
            raise InvalidInputError(f"Leverage must be at least 1x; got {self.leverage:g}x.")
        if self.wallet_balance is not None:
            require_positive("wallet balance", self.wallet_balance)
        if not (math.isfinite(self.extra_margin) and self.extra_margin >= 0):
            raise InvalidInputError(f"Extra margin must be 0 or more; got {self.extra_margin:g}.")

    @property
    def sign(self) -> int:
        """``s`` of the formulas: +1 long, -1 short."""
        return self.side.sign

    @property
    def entry_notional(self) -> float:
        """``Q·EP`` in USD."""
        return self.quantity * self.entry_price

    @property
    def margin(self) -> float:
        """``WB``: wallet balance (default ``Q·EP/L``) plus extra margin, in USD."""
        base = self.entry_notional / self.leverage
        if self.wallet_balance is not None:
            base = self.wallet_balance
        return base + self.extra_margin


def check_against_table(position: Position, table: TierTable) -> None:
    """Check that ``table`` belongs to the position and the venue allows its size and leverage.

    Max leverage is the tier's at the entry size (USD notional, or contracts on OKX).

    Raises:
        InvalidInputError: the table is for another venue or symbol.
        PositionTooLargeError: the entry size is beyond the table's last tier.
        LeverageTooHighError: the leverage exceeds the tier's maximum.
    """
    if (table.venue, table.symbol) != (position.venue, position.symbol):
        raise InvalidInputError(
            f"The tier table is for {table.symbol} on {table.venue}, "
            f"not {position.symbol} on {position.venue}."
        )
    size = table.size_of(position.quantity, position.entry_price)
    if size >= table.max_size:
        max_notional = table.max_size
        if table.size_basis is SizeBasis.CONTRACTS:
            max_notional *= table.contract_value * position.entry_price
        raise PositionTooLargeError(
            position.entry_notional, max_notional, position.venue.value, position.symbol
        )
    max_leverage = table.tier_for_size(size).max_leverage
    if position.leverage > max_leverage:
        raise LeverageTooHighError(
            position.leverage, max_leverage, position.venue.value, position.symbol
        )
