"""What this bot follows: its venues, its coins and the venue a /risk without `on …` uses."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MarketScope"]


@dataclass(frozen=True, slots=True)
class MarketScope:
    """The venues and coins the bot ingests (from settings, read once by the composition root)."""

    venues: tuple[str, ...]
    symbols: tuple[str, ...]
    default_venue: str
