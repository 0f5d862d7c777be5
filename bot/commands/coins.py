"""The single coin argument of `/liqs`, `/funding` and `/map`: pure, and tested on its own.

`BTC`, `btc`, `BTCUSDT`, `BTC-USDT-SWAP`, `BTC/USDT` and `BTC-PERP` all read as `BTC`. A word that is
not a tracked coin yields a `CoinError`: one line naming it, the closest tracked coins and an example.
More than one word is answered by what the others are: a second coin (one at a time), a venue (the
command covers every venue already) or any other word, quoted back. A time window given to `/liqs`
(`7d`) is answered as already shown: its answer holds every window from 1h to 7d.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.render.limits import quote_input
from bot.vocabulary.symbols import closest_symbols, read_symbol
from bot.vocabulary.venues import is_venue

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


_WINDOW = re.compile(r"\d+\s*[hdw]", re.IGNORECASE)


def read_coin(
    args: Sequence[str], tracked: Sequence[str], *, command: str
) -> str | CoinError | None:
    """The tracked coin named by `args`; None when no coin is given."""
    example = _example(command, tracked)
    if not args:
        return None
    window = next((w for w in args if _WINDOW.fullmatch(w)), None)
    if command == "liqs" and window is not None:
        said = quote_input(window)
        return CoinError(
            f"/liqs shows every window from 1h to 7d at once; leave out '{said}'. {example}"
        )
    if len(args) > 1:
        return _several_words(args, tracked, command=command, example=example)
    coin = read_symbol(args[0], tracked)
    if coin is not None:
        return coin
    close = closest_symbols(args[0], tracked)
    hint = f"closest: {', '.join(close)}" if close else f"tracked: {', '.join(tracked)}"
    return CoinError(f"'{quote_input(args[0])}' is not a coin I track ({hint}). {example}")


def _several_words(
    args: Sequence[str], tracked: Sequence[str], *, command: str, example: str
) -> str | CoinError:
    """The coin when every word names the same one; else a line about the words beside it."""
    coins = list(dict.fromkeys(c for c in (read_symbol(w, tracked) for w in args) if c))
    if len(coins) > 1:
        return CoinError(f"Give one coin at a time (you named {' and '.join(coins)}). {example}")
    others = [w for w in args if read_symbol(w, tracked) is None]
    if not others:
        return coins[0]
    venue = next((w for w in others if is_venue(w)), None)
    if venue is not None:
        return CoinError(
            f"/{command} covers every venue at once; leave out '{quote_input(venue)}'. {example}"
        )
    if not coins:  # no coin at all: the first word is the one that is not a coin
        return read_coin(args[:1], tracked, command=command) or CoinError(example)
    return CoinError(f"'{quote_input(others[0])}' is not something /{command} takes. {example}")
