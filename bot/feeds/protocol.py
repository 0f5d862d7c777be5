"""What every venue adapter provides: decoded stream items, the stream description, shape checks."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, Protocol, TypeVar

from bot.feeds.errors import MalformedPayload
from bot.vocabulary.records import LiquidationEvent, MarkTick, StoredTierTable

__all__ = [
    "MAX_SYMBOL_LEN",
    "Decoded",
    "Decoder",
    "StreamSpec",
    "checked_symbol",
    "parses",
]

MAX_SYMBOL_LEN = 16
"""The store keeps symbols in 16 characters; longer names are refused as malformed."""

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(slots=True)
class Decoded:
    """What one frame held; control frames (acks, pongs) decode to an empty `Decoded`."""

    liquidations: list[LiquidationEvent] = field(default_factory=list)
    marks: list[MarkTick] = field(default_factory=list)
    tiers: list[StoredTierTable] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Kinds of items left out on purpose (COIN-M symbols, untracked instruments)."""


class Decoder(Protocol):
    """Turns one WebSocket frame into items; raises `MalformedPayload` on a bad frame."""

    def __call__(self, frame: str | bytes) -> Decoded:
        """Decode one frame."""
        ...


@dataclass(frozen=True, slots=True)
class StreamSpec:
    """How to hold one venue's market stream open.

    `make_decoder` is called for each new connection (decoders may keep state, such as Bybit's ticker
    deltas). `ping_text` is the venue's application-level ping, sent every `ping_interval_s`;
    `renew_after_s` reconnects before the venue's 24 h cut.
    """

    venue: str
    name: str
    url: str
    subscribe: tuple[str, ...]
    make_decoder: Callable[[], Decoder]
    ping_text: str | None = None
    ping_interval_s: float = 20.0
    renew_after_s: float = 23.5 * 3600


def parses(venue: str, kind: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Turn `KeyError`/`TypeError`/`ValueError`/`IndexError` in a parser into `MalformedPayload`."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return func(*args, **kwargs)
            except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
                raise MalformedPayload(venue, kind, f"{type(exc).__name__}: {exc}") from exc

        return wrapper

    return decorate


def checked_symbol(venue: str, symbol: Any) -> str:
    """`symbol` if it is a short non-empty string, else `MalformedPayload`."""
    if not isinstance(symbol, str) or not 0 < len(symbol) <= MAX_SYMBOL_LEN:
        raise MalformedPayload(venue, "symbol", f"bad symbol {symbol!r}")
    return symbol
