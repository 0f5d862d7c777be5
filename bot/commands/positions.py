"""The words of `/risk` and `/watch`, read in any order: pure, and tested on its own.

Accepted (case-insensitive):

| what | forms |
|---|---|
| coin | `BTC`, `btc`, `BTCUSDT`, `BTC-USDT-SWAP`, `BTC/USDT`, `BTCUSDC`, `BTC-PERP` |
| leverage | `10x`, `x10`, `10` (a bare number up to 500), `10.5x` |
| side | `long`, `short`, `l`, `s` (`buy`, `sell` too) |
| entry | `@ 91000`, `@91000`, `entry 91000`, `at 91000`, with `91k` / `91.5k` / `91,000` allowed |
| size | `size 0.5` (coins), `$5000`, `5000$`, `5k$`, `$5k`, `size $5000` (notional), `margin 500` |
| venue | `on bybit`, `bybit`, `binance`, `okx`, `hyperliquid` (`hl`) |
| margin mode | `cross`, `isolated` |
| wallet | `wallet 20000`, `wallet 20k` |

A word it cannot read yields an `ArgsError` that names the word and carries a correct example.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from bot.render.limits import quote_input
from bot.vocabulary.positions import PositionArgs
from bot.vocabulary.symbols import closest_symbols, looks_like_symbol, read_symbol

__all__ = [
    "ArgsError",
    "parse_position_args",
    "split_words",
]

VENUE_ALIASES = {
    "binance": "binance",
    "bn": "binance",
    "bybit": "bybit",
    "okx": "okx",
    "okex": "okx",
    "hyperliquid": "hyperliquid",
    "hl": "hyperliquid",
}
SIDE_WORDS = {
    "long": "long",
    "l": "long",
    "buy": "long",
    "short": "short",
    "s": "short",
    "sell": "short",
}
_NUMBER = r"(\d+(?:[.,]\d+)*)(k|m)?"
_LEVERAGE = re.compile(rf"^(?:x{_NUMBER}|{_NUMBER}x)$")
_DOLLARS = re.compile(rf"^(?:\${_NUMBER}|{_NUMBER}\$)$")
_MAX_BARE_LEVERAGE = 500.0

Side = Literal["long", "short"]


@dataclass(frozen=True, slots=True)
class ArgsError:
    """Why the words could not be read: one short line, and an example that works."""

    message: str
    example: str

    def text(self, command: str) -> str:
        """The usage line shown to the user."""
        return f"{self.message}\nExample: /{command} {self.example}"


EXAMPLE = "BTC 10x long @ 91000 size 0.5 on binance"


def split_words(text: str) -> list[str]:
    """Split a command's text into words, keeping `@91000` and `$5k` style tokens whole."""
    return [word for word in re.split(r"[\s_]+", text.strip()) if word]


def _number(text: str) -> float | None:
    match = re.fullmatch(_NUMBER, text.lower())
    if match is None:
        return None
    digits, suffix = match.groups()
    if "," in digits and "." not in digits and re.fullmatch(r"\d{1,3}(,\d{3})+", digits) is None:
        digits = digits.replace(",", ".")
    value = float(digits.replace(",", ""))
    return value * {"k": 1e3, "m": 1e6, None: 1.0}[suffix]


class _Reader:
    """Consumes the words one by one into a partly filled request."""

    def __init__(self, words: list[str], tracked: Sequence[str]) -> None:
        self.words = words
        self.tracked = tracked
        self.i = 0
        self.found: dict[str, object] = {}
        self.said: dict[str, str] = {}

    def peek(self) -> str:
        """The word after the current one ("" at the end)."""
        return self.words[self.i + 1] if self.i + 1 < len(self.words) else ""

    def value_after(self, keyword: str, key: str) -> float:
        """The positive number after ``keyword``, read for the request field ``key``."""
        self.i += 1
        if self.i >= len(self.words):
            raise _WordError(f"'{quote_input(keyword)}' needs a number after it")
        raw = self.words[self.i].lstrip("$").rstrip("$")
        said = quote_input(keyword + " " + self.words[self.i])
        value = _number(raw.removeprefix("-"))
        if value is None:
            raise _WordError(f"'{said}' is not a number")
        if raw.startswith("-"):
            raise _WordError(f"the {_NAMES[key]} must be more than 0 ('{said}')")
        return value

    def put(self, key: str, value: object, word: str) -> None:
        if key in self.found and self.found[key] != value:
            name = _NAMES.get(key, key.replace("_", " "))
            raise _WordError(
                f"two {name}s given: '{quote_input(self.said[key])}' and '{quote_input(word)}'"
            )
        self.found[key] = value
        self.said[key] = word


_NAMES = {
    "symbol": "coin",
    "entry_price": "entry price",
    "notional_usd": "notional size",
    "quantity": "size",
    "margin_usd": "margin",
    "wallet_balance": "wallet",
}


class _WordError(Exception):
    """Internal: a word could not be read."""


def _read_keyword(reader: _Reader, lower: str, word: str) -> bool:
    if lower in ("@", "at", "entry"):
        reader.put("entry_price", reader.value_after(word, "entry_price"), word)
    elif lower.startswith("@"):
        value = _number(lower[1:])
        if value is None:
            raise _WordError(f"'{quote_input(word)}' is not a price")
        reader.put("entry_price", value, word)
    elif lower == "size":
        nxt = reader.words[reader.i + 1] if reader.i + 1 < len(reader.words) else ""
        key = "notional_usd" if "$" in nxt else "quantity"
        reader.put(key, reader.value_after(word, key), word)
    elif lower == "margin":
        reader.put("margin_usd", reader.value_after(word, "margin_usd"), word)
    elif lower == "wallet":
        reader.put("wallet_balance", reader.value_after(word, "wallet_balance"), word)
    elif lower == "on":
        reader.i += 1
        named = reader.words[reader.i] if reader.i < len(reader.words) else ""
        venue = VENUE_ALIASES.get(named.lower())
        if venue is None:
            choices = ", ".join(sorted(set(VENUE_ALIASES.values())))
            after = f"'{quote_input(named)}' after 'on'" if named else "nothing after 'on'"
            raise _WordError(f"{after} is not a venue; choose from {choices}")
        reader.put("venue", venue, named)
    else:
        return False
    return True


def _read_word(reader: _Reader, word: str) -> None:
    lower = word.lower()
    if _read_keyword(reader, lower, word):
        return
    if lower in SIDE_WORDS:
        reader.put("side", SIDE_WORDS[lower], word)
    elif lower in VENUE_ALIASES:
        reader.put("venue", VENUE_ALIASES[lower], word)
    elif lower in ("cross", "isolated", "iso"):
        reader.put("margin_mode", "cross" if lower == "cross" else "isolated", word)
    elif match := _LEVERAGE.fullmatch(lower):
        digits, suffix = (match.group(1), match.group(2)) if match.group(1) else match.groups()[2:]
        reader.put("leverage", _number(digits + (suffix or "")), word)
    elif match := _DOLLARS.fullmatch(lower):
        raw = lower.strip("$")
        reader.put("notional_usd", _number(raw), word)
    elif (value := _number(lower)) is not None:
        _read_bare_number(reader, value, word)
    elif (symbol := read_symbol(word, reader.tracked)) is not None:
        reader.put("symbol", symbol, word)
    else:
        raise _WordError(_unknown_word(word, reader))


def _read_bare_number(reader: _Reader, value: float, word: str) -> None:
    """A number on its own: coins when a coin follows (`0.5 BTC`), else the leverage (`10`)."""
    coin = read_symbol(reader.peek(), reader.tracked)
    if coin is not None:
        reader.put("quantity", value, f"{word} {reader.peek()}")
        reader.i += 1
        reader.put("symbol", coin, reader.words[reader.i])
        return
    if value > _MAX_BARE_LEVERAGE:
        shown = quote_input(word)
        raise _WordError(f"'{shown}' is not a leverage; for an entry price write @ {shown}")
    if "leverage" in reader.found and reader.found["leverage"] != value:
        shown = quote_input(word)
        raise _WordError(
            f"'{shown}' after the leverage {quote_input(reader.said['leverage'])}: for a size in "
            f"coins write size {shown} (or {shown} {reader.found.get('symbol', 'BTC')}), "
            f"for an entry price @ {shown}"
        )
    reader.put("leverage", value, word)


def _unknown_word(word: str, reader: _Reader) -> str:
    shown = quote_input(word)
    if looks_like_symbol(word) and "symbol" not in reader.found:
        close = closest_symbols(word, reader.tracked)
        tracked = ", ".join(reader.tracked)
        hint = f"; did you mean {' or '.join(close)}?" if close else f"; tracked: {tracked}"
        return f"'{shown}' is not a coin I track{hint}"
    return f"I did not understand '{shown}'"


def _example_from(found: dict[str, object], example: str) -> str:
    """`example` with the coin, leverage and side that were read: `/risk 10x ETH` → `ETH 10x long …`.

    Every example starts with those three words (`EXAMPLE`, the watch example).
    """
    coin, leverage, side, *rest = example.split()
    read = found.get("leverage")
    if isinstance(read, float) and 1 <= read <= 100:
        leverage = f"{read:g}x"
    head = [str(found.get("symbol", coin)), leverage, str(found.get("side", side))]
    return " ".join(head + rest)


def parse_position_args(
    words: Sequence[str], tracked: Sequence[str], example: str = EXAMPLE
) -> PositionArgs | ArgsError:
    """Read a position from words in any order; never raises."""
    reader = _Reader(list(words), tracked)
    try:
        while reader.i < len(reader.words):
            _read_word(reader, reader.words[reader.i])
            reader.i += 1
    except _WordError as problem:
        return ArgsError(str(problem), example)
    return _complete(reader.found, example)


_MISSING = {
    "symbol": "coin (BTC, ETH…)",
    "leverage": "leverage (10x)",
    "side": "side (long or short)",
}


def _complete(found: dict[str, object], example: str) -> PositionArgs | ArgsError:
    missing = [name for name in ("symbol", "leverage", "side") if name not in found]
    if missing:
        return ArgsError(
            f"missing {' and '.join(_MISSING[name] for name in missing)}",
            _example_from(found, example),
        )
    for key in (
        "leverage",
        "entry_price",
        "quantity",
        "notional_usd",
        "margin_usd",
        "wallet_balance",
    ):
        value = found.get(key)
        if isinstance(value, float) and value <= 0:
            return ArgsError(f"the {_NAMES.get(key, key)} must be more than 0", example)
    sizes = [k for k in ("quantity", "notional_usd", "margin_usd") if k in found]
    if len(sizes) > 1:
        return ArgsError(
            "give one size: coins (size 0.5), notional ($5000) or margin (margin 500)", example
        )
    side: Side = "long" if found["side"] == "long" else "short"
    leverage = found["leverage"]
    assert isinstance(leverage, float)
    base = PositionArgs(symbol=str(found["symbol"]), side=side, leverage=leverage)
    extras = {k: v for k, v in found.items() if k not in ("symbol", "side", "leverage")}
    return replace(base, **extras)  # type: ignore[arg-type] # values were typed as they were read
