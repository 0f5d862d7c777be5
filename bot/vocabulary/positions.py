"""A position as the user asked about it (/risk, /watch): None where the bot fills in the default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.vocabulary.records import PositionSide


@dataclass(frozen=True, slots=True)
class PositionArgs:
    """What the user asked about; None where they left the default to the bot."""

    symbol: str
    side: PositionSide
    leverage: float
    entry_price: float | None = None
    quantity: float | None = None
    notional_usd: float | None = None
    margin_usd: float | None = None
    venue: str | None = None
    margin_mode: Literal["isolated", "cross"] = "isolated"
    wallet_balance: float | None = None
