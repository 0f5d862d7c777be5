"""Coins as users and venues write them: the one symbol reader every command and setting uses.

`BTC`, `btc`, `BTCUSDT`, `BTC-USDT`, `BTC-USDT-SWAP`, `BTC/USDT`, `BTCUSDC` and `BTC-PERP` all read as
`BTC` (the normalisation is `risk.tiers.normalise_symbol`, so a tier table and a command agree on a
coin's name).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from risk.tiers import normalise_symbol

__all__ = ["closest_symbols", "looks_like_symbol", "read_symbol"]

_SYMBOL_SHAPE = re.compile(r"[A-Za-z][A-Za-z0-9]{0,15}(?:[-/:][A-Za-z0-9-]{1,12})?")


def read_symbol(word: str, tracked: Sequence[str]) -> str | None:
    """The tracked coin `word` names, or None.

    >>> read_symbol("btc-usdt-swap", ["BTC", "ETH"]), read_symbol("DOGEUSDT", ["BTC"])
    ('BTC', None)
    """
    if not word or _SYMBOL_SHAPE.fullmatch(word) is None:
        return None
    coin = normalise_symbol(word)
    return coin if coin in tracked else None


def looks_like_symbol(word: str) -> bool:
    """Whether `word` is shaped like a coin's name (letters first), tracked or not."""
    return _SYMBOL_SHAPE.fullmatch(word) is not None


def closest_symbols(word: str, tracked: Sequence[str], n: int = 3) -> list[str]:
    """Up to `n` tracked coins spelled like `word`, closest first."""
    return difflib.get_close_matches(normalise_symbol(word), list(tracked), n=n, cutoff=0.4)
