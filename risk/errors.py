"""Named errors of the risk core.

Every message is short and meant for the trader: it says what is wrong and what is allowed, so the bot
can show it as is.

    RiskError
     └── InvalidInputError            (also a ValueError)
          ├── LeverageTooHighError    carries max_leverage
          ├── PositionTooLargeError   carries max_notional_usd
          ├── UnknownVenueError       carries allowed
          ├── UnknownSymbolError      carries allowed
          └── InsufficientDataError
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "InsufficientDataError",
    "InvalidInputError",
    "LeverageTooHighError",
    "PositionTooLargeError",
    "RiskError",
    "UnknownSymbolError",
    "UnknownVenueError",
]


class RiskError(Exception):
    """Base of every error the risk core raises."""


class InvalidInputError(RiskError, ValueError):
    """An input is outside what the formulas or the venue accept."""


class LeverageTooHighError(InvalidInputError):
    """The leverage is above the venue's maximum for this symbol and position size."""

    def __init__(self, leverage: float, max_leverage: float, venue: str, symbol: str) -> None:
        self.leverage = leverage
        self.max_leverage = max_leverage
        super().__init__(
            f"{leverage:g}x is too high for {symbol} on {venue} at this size: "
            f"the maximum is {max_leverage:g}x."
        )


class PositionTooLargeError(InvalidInputError):
    """The position's notional is beyond the venue's largest tier."""

    def __init__(
        self, notional_usd: float, max_notional_usd: float, venue: str, symbol: str
    ) -> None:
        self.notional_usd = notional_usd
        self.max_notional_usd = max_notional_usd
        super().__init__(
            f"A {symbol} position of ${notional_usd:,.0f} is larger than {venue} allows: "
            f"the maximum is ${max_notional_usd:,.0f}."
        )


class UnknownVenueError(InvalidInputError):
    """The venue name is not one the bot supports."""

    def __init__(self, name: str, allowed: Iterable[str]) -> None:
        self.name = name
        self.allowed = tuple(allowed)
        super().__init__(f"Unknown venue {name!r}: use one of {', '.join(self.allowed)}.")


class UnknownSymbolError(InvalidInputError):
    """The symbol has no tier table for the venue."""

    def __init__(self, symbol: str, venue: str, allowed: Iterable[str]) -> None:
        self.symbol = symbol
        self.venue = venue
        self.allowed = tuple(allowed)
        super().__init__(
            f"No tier table for {symbol!r} on {venue}: use one of {', '.join(self.allowed)}."
        )


class InsufficientDataError(InvalidInputError):
    """Too few data points for a statistic."""
