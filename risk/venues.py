"""The venues the risk core knows, and the words for a position's direction and margin mode."""

from __future__ import annotations

from enum import StrEnum

from risk.errors import InvalidInputError, UnknownVenueError

__all__ = ["MarginMode", "Side", "Venue", "parse_side", "parse_venue"]


class Venue(StrEnum):
    """A derivatives venue with linear (USDT/USDC-margined) perpetuals."""

    BINANCE = "binance"
    BYBIT = "bybit"
    OKX = "okx"
    HYPERLIQUID = "hyperliquid"


class Side(StrEnum):
    """Direction of a position; ``sign`` is ``s`` in the formulas (+1 long, -1 short)."""

    LONG = "long"
    SHORT = "short"

    @property
    def sign(self) -> int:
        """+1 for a long, -1 for a short."""
        return 1 if self is Side.LONG else -1


class MarginMode(StrEnum):
    """Isolated margin (the position's own margin) or cross margin (the shared wallet)."""

    ISOLATED = "isolated"
    CROSS = "cross"


def parse_venue(name: str) -> Venue:
    """The `Venue` named ``name`` (case and surrounding spaces ignored).

    Raises:
        UnknownVenueError: ``name`` is not a supported venue.
    """
    try:
        return Venue(name.strip().lower())
    except ValueError:
        raise UnknownVenueError(name, [v.value for v in Venue]) from None


def parse_side(name: str) -> Side:
    """The `Side` named ``name`` (``long``/``short``, also ``buy``/``sell``).

    Raises:
        InvalidInputError: ``name`` is not a side.
    """
    word = name.strip().lower()
    aliases = {"buy": Side.LONG, "sell": Side.SHORT}
    if word in aliases:
        return aliases[word]
    try:
        return Side(word)
    except ValueError:
        raise InvalidInputError(f"Unknown side {name!r}: use long or short.") from None
