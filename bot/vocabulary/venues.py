"""Venue names as users read them, and how each venue publishes its liquidations."""

from __future__ import annotations

COMPLETE_LIQUIDATIONS = frozenset({"bybit"})
"""Venues whose liquidation stream holds every liquidation."""
SAMPLED_LIQUIDATIONS = frozenset({"binance", "okx"})
"""Venues that push at most one liquidation per symbol per second: a lower bound."""
NO_LIQUIDATIONS = frozenset({"hyperliquid"})
"""Venues that publish no liquidations at all."""

_VENUE_NAMES = {"binance": "Binance", "bybit": "Bybit", "okx": "OKX", "hyperliquid": "Hyperliquid"}


def is_venue(word: str) -> bool:
    """Whether `word` names a venue (any case)."""
    return word.lower() in _VENUE_NAMES


def venue_name(venue: str) -> str:
    """The venue as people write it."""
    return _VENUE_NAMES.get(venue, venue)
