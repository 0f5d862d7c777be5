"""Venue names as users read them."""

from __future__ import annotations

_VENUE_NAMES = {"binance": "Binance", "bybit": "Bybit", "okx": "OKX", "hyperliquid": "Hyperliquid"}


def is_venue(word: str) -> bool:
    """Whether `word` names a venue (any case)."""
    return word.lower() in _VENUE_NAMES


def venue_name(venue: str) -> str:
    """The venue as people write it."""
    return _VENUE_NAMES.get(venue, venue)
