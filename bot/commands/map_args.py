"""The arguments of `/map`: a coin and, optionally, the word `heatmap` (in either order). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.commands.coins import CoinError, require_coin

__all__ = ["HEATMAP_WORDS", "MapRequest", "parse_map_args"]

HEATMAP_WORDS = frozenset({"heatmap", "heat", "hm"})


@dataclass(frozen=True, slots=True)
class MapRequest:
    """Which coin, and whether the map over time (heatmap) was asked for."""

    coin: str
    heatmap: bool = False


def parse_map_args(args: Sequence[str], tracked: Sequence[str]) -> MapRequest | CoinError:
    """`/map BTC`, `/map BTC heatmap`, `/map heatmap btc`; anything else is a `CoinError`."""
    words = [w for w in args if w.lower() not in HEATMAP_WORDS]
    heatmap = len(words) < len(args)
    coin = require_coin(words, tracked, command="map")
    if isinstance(coin, CoinError):
        example = "Example: /map BTC or /map BTC heatmap"
        return CoinError(
            coin.text.replace(f"Example: /map {tracked[0] if tracked else 'BTC'}", example)
        )
    return MapRequest(coin, heatmap)
