"""Hyperliquid accounts read by address: a watched wallet, its last known state and its positions.

A wallet watch sees only what `clearinghouseState` returns for the address it names: the perpetual
positions of that one account on Hyperliquid's main dex. Spot balances, sub-accounts not named, and
positions on other venues are invisible to it (`WALLET_BLIND_SPOTS` says so in words for users).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from bot.vocabulary.records import MarginModeName, PositionSide
from risk.reference import ReferenceView

__all__ = [
    "ADDRESS_EXAMPLE",
    "WALLET_BLIND_SPOTS",
    "ChangeKind",
    "PositionChange",
    "Wallet",
    "WalletPosition",
    "WalletPositionCard",
    "WalletState",
    "WalletView",
    "is_address",
    "short_address",
]

ADDRESS_EXAMPLE = "0x5e9ee1089755c3435139848e47e6635505d5a13a"
WALLET_BLIND_SPOTS = (
    "A wallet watch sees the address's Hyperliquid perpetual positions only: not its spot "
    "balances, not sub-accounts you do not name (each has its own address), and not positions "
    "on other venues."
)
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def is_address(text: str) -> bool:
    """Whether `text` is a 42-character hex address (`0x` and 40 hex digits)."""
    return bool(_ADDRESS.match(text))


def short_address(address: str) -> str:
    """The address as groups see it: `0x12ab…9f3c`."""
    return f"{address[:6]}…{address[-4:]}"


@dataclass(frozen=True, slots=True)
class WalletPosition:
    """One open perpetual position of a wallet, as the venue reports it.

    `size` is the absolute size in coins; `liquidation_price` is the venue's own (None: the venue
    says the account cannot be liquidated at any price).
    """

    coin: str
    side: PositionSide
    size: float
    entry_price: float
    leverage: float
    margin_mode: MarginModeName
    liquidation_price: float | None
    margin_used_usd: float
    position_value_usd: float
    unrealized_pnl_usd: float

    def terms(self) -> tuple[object, ...]:
        """What a change of is announced: side, size, entry, leverage, margin mode, venue liq."""
        return (
            self.side, self.size, self.entry_price, self.leverage, self.margin_mode,
            self.liquidation_price,
        )  # fmt: skip

    def to_stored(self) -> dict[str, Any]:
        """As JSON for the database."""
        return {
            "coin": self.coin, "side": self.side, "size": self.size, "entry": self.entry_price,
            "leverage": self.leverage, "mode": self.margin_mode, "liq": self.liquidation_price,
            "margin": self.margin_used_usd, "value": self.position_value_usd,
            "pnl": self.unrealized_pnl_usd,
        }  # fmt: skip

    @classmethod
    def from_stored(cls, raw: dict[str, Any]) -> WalletPosition:
        """Read back what `to_stored` wrote."""
        return cls(
            raw["coin"], raw["side"], float(raw["size"]), float(raw["entry"]),
            float(raw["leverage"]), raw["mode"],
            None if raw["liq"] is None else float(raw["liq"]), float(raw["margin"]),
            float(raw["value"]), float(raw["pnl"]),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class WalletState:
    """A wallet's perpetual account at `time` (the venue's clock): totals and open positions."""

    account_value_usd: float
    margin_used_usd: float
    positions: tuple[WalletPosition, ...]
    time: datetime

    def by_coin(self) -> dict[str, WalletPosition]:
        """The open positions by coin (one-way mode: one per coin)."""
        return {p.coin: p for p in self.positions}

    def to_stored(self) -> dict[str, Any]:
        """As JSON for the database."""
        return {
            "account_value": self.account_value_usd,
            "margin_used": self.margin_used_usd,
            "positions": [p.to_stored() for p in self.positions],
            "time": self.time.isoformat(),
        }

    @classmethod
    def from_stored(cls, raw: dict[str, Any]) -> WalletState:
        """Read back what `to_stored` wrote."""
        return cls(
            float(raw["account_value"]),
            float(raw["margin_used"]),
            tuple(WalletPosition.from_stored(p) for p in raw["positions"]),
            datetime.fromisoformat(raw["time"]),
        )


@dataclass(frozen=True, slots=True)
class Wallet:
    """A Hyperliquid address a chat watches, with the last state read and how that read went.

    `state` is the last good read (None: never read); `synced_at` when it was read; `error` the
    last failure since then (None after a good read). `version` counts the changes of positions
    announced so far: with the row id it names each announcement once in the database's history.
    """

    chat_id: int
    address: str
    label: str | None = None
    owner_id: int | None = None
    id: int | None = None
    state: WalletState | None = None
    synced_at: datetime | None = None
    error: str | None = None
    version: int = 0
    created_at: datetime | None = None

    @property
    def name(self) -> str:
        """The label when there is one, else the shortened address."""
        return self.label or short_address(self.address)


ChangeKind = Literal["opened", "closed", "changed"]


@dataclass(frozen=True, slots=True)
class PositionChange:
    """A position of a wallet that opened, closed or changed between two reads."""

    kind: ChangeKind
    coin: str
    before: WalletPosition | None
    after: WalletPosition | None


@dataclass(frozen=True, slots=True)
class WalletPositionCard:
    """One wallet position as the card shows it: the venue's numbers beside liqguard's own.

    `ours` is liqguard's liquidation price from the same entry, size, leverage and margin mode
    (None: none computed, `note` says why); `view` measures from the venue's price at `mark_price`
    (None: no mark for the coin yet).
    """

    position: WalletPosition
    mark_price: float | None
    view: ReferenceView | None
    ours: float | None
    note: str | None = None
    stale: str | None = None


@dataclass(frozen=True, slots=True)
class WalletView:
    """What /wallet answers: the wallet, its cards, and when it was read (`now` for the age)."""

    wallet: Wallet
    cards: tuple[WalletPositionCard, ...]
    now: datetime

    @property
    def age_s(self) -> float | None:
        """Seconds since the last good read (None: never read)."""
        if self.wallet.synced_at is None:
            return None
        return max(0.0, (self.now - self.wallet.synced_at).total_seconds())
