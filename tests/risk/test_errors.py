"""Named errors: their hierarchy and the user-facing messages."""

from __future__ import annotations

import pytest

from risk.errors import (
    InvalidInputError,
    LeverageTooHighError,
    PositionTooLargeError,
    RiskError,
    UnknownSymbolError,
    UnknownVenueError,
)
from risk.venues import Side, Venue, parse_side, parse_venue


def test_errors_share_one_base_and_are_value_errors() -> None:
    """Every named error is a RiskError and a ValueError."""
    for error in (
        LeverageTooHighError(150, 125, "binance", "BTC"),
        PositionTooLargeError(2e9, 1.8e9, "binance", "BTC"),
        UnknownVenueError("x", ["binance"]),
        UnknownSymbolError("X", "okx", ["BTC"]),
    ):
        assert isinstance(error, InvalidInputError)
        assert isinstance(error, RiskError)
        assert isinstance(error, ValueError)


def test_messages_say_what_is_wrong_and_what_is_allowed() -> None:
    """Messages name the input and the limit, ready to show to a user."""
    assert str(LeverageTooHighError(150, 125, "binance", "BTC")) == (
        "150x is too high for BTC on binance at this size: the maximum is 125x."
    )
    assert str(PositionTooLargeError(2e9, 1.8e9, "binance", "BTC")) == (
        "A BTC position of $2,000,000,000 is larger than binance allows: "
        "the maximum is $1,800,000,000."
    )
    assert "use one of binance" in str(UnknownVenueError("kraken", ["binance"]))


def test_parse_venue_and_side() -> None:
    """Venue and side words parse case-insensitively; unknown words are named errors."""
    assert parse_venue(" OKX ") is Venue.OKX
    assert parse_side("Sell") is Side.SHORT
    assert parse_side("long") is Side.LONG
    with pytest.raises(UnknownVenueError, match="hyperliquid"):
        parse_venue("ftx")
    with pytest.raises(InvalidInputError, match="use long or short"):
        parse_side("up")
