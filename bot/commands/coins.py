"""The single coin argument of `/liqs`, `/funding` and `/map`: pure, and tested on its own.

`BTC`, `btc`, `BTCUSDT`, `BTC-USDT-SWAP`, `BTC/USDT` and `BTC-PERP` all read as `BTC`. A word that is
not a tracked coin yields a `CoinError`: one line naming it, the closest tracked coins and an example.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.render.limits import quote_input
from bot.vocabulary.symbols import closest_symbols, read_symbol

__all__ = ["CoinError", "read_coin", "require_coin"]


@dataclass(frozen=True, slots=True)
class CoinError:
    """Why the argument is not a coin, as one HTML-safe line for the user."""

    text: str


def _example(command: str, tracked: Sequence[str]) -> str:
    return f"Example: /{command} {tracked[0] if tracked else 'BTC'}"


def require_coin(args: Sequence[str], tracked: Sequence[str], *, command: str) -> str | CoinError:
    """The tracked coin named by `args`, which must name one."""
    coin = read_coin(args, tracked, command=command)
    return CoinError(f"Name a coin. {_example(command, tracked)}") if coin is None else coin


def read_coin(
    args: Sequence[str], tracked: Sequence[str], *, command: str
) -> str | CoinError | None:
    """The tracked coin named by `args`; None when no coin is given."""
    example = _example(command, tracked)
    if not args:
        return None
    if len(args) > 1:
        return CoinError(f"Give one coin. {example}")
    coin = read_symbol(args[0], tracked)
    if coin is not None:
        return coin
    close = closest_symbols(args[0], tracked)
    hint = f"closest: {', '.join(close)}" if close else f"tracked: {', '.join(tracked)}"
    return CoinError(f"'{quote_input(args[0])}' is not a coin I track ({hint}). {example}")
