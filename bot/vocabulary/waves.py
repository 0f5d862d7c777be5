"""The stored state of a liquidation wave and of a funding watch, as the market alert rules step them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, TypeVar


@dataclass(frozen=True, slots=True)
class WaveState:
    """One chat's view of one scope: an open wave's numbers, or when the last one closed."""

    open: bool = False
    started_s: float = 0.0
    start_price: float | None = None
    price: float | None = None
    peak_usd: float = 0.0
    hour_usd: float = 0.0
    long_share: float | None = None
    multiple: float | None = None
    peak_multiple: float | None = None
    told_usd: float = 0.0
    told_s: float = 0.0
    edits: int = 0
    below_since_s: float | None = None
    closed_s: float | None = None

    def to_stored(self) -> dict[str, Any]:
        """JSON for the chat's alert state."""
        return asdict(self)

    @classmethod
    def from_stored(cls, stored: Any) -> WaveState:
        """Back from JSON; a fresh state when it does not fit."""
        return _from_stored(cls, stored)


_S = TypeVar("_S", "WaveState", "FundingState")


def _from_stored(cls: type[_S], stored: Any) -> _S:
    """A state dataclass from JSON, ignoring unknown keys; a fresh one when the values do not fit."""
    if not isinstance(stored, dict):
        return cls()
    names = {f.name for f in fields(cls)}
    try:
        return cls(**{k: v for k, v in stored.items() if k in names})
    except TypeError:
        return cls()


@dataclass(frozen=True, slots=True)
class FundingState:
    """One chat's view of one venue and symbol's funding."""

    sign: int = 0
    extreme: bool = False
    last_alert_s: float | None = None
    count: int = 0

    def to_stored(self) -> dict[str, Any]:
        """JSON for the chat's alert state."""
        return asdict(self)

    @classmethod
    def from_stored(cls, stored: Any) -> FundingState:
        """Back from JSON; a fresh state when it does not fit."""
        return _from_stored(cls, stored)
