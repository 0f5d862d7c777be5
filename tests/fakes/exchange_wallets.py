"""Hyperliquid accounts on the fake exchange: `clearinghouseState` for scripted addresses.

Positions open, change and close while a test runs (`open_position`, `close_position`,
`set_account_value`), and the wallet reads fail on command (`fail`: a status, a 429 with
`Retry-After`, or a malformed body) without touching the venue's market routes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.fakes import exchange_payloads as pl

__all__ = ["FakePosition", "FakeWallets", "WalletFailure"]


@dataclass
class FakePosition:
    """One scripted position: `size` signed (negative: short), prices in USD."""

    coin: str
    size: float
    entry_price: float
    leverage: int
    mode: str = "cross"
    liquidation_price: float | None = None
    margin_used: float | None = None


@dataclass
class WalletFailure:
    """A scripted failure of a wallet read: HTTP `status`, `Retry-After`, or a raw `body`."""

    status: int
    retry_after_s: float | None = None
    body: str | None = None


@dataclass
class _Account:
    value: float = 10_000.0
    positions: dict[str, FakePosition] = field(default_factory=dict)


class FakeWallets:
    """Scripted accounts by address (lower case); an unknown address is an empty account."""

    def __init__(self) -> None:
        self.accounts: dict[str, _Account] = {}
        self.reads: list[str] = []
        self._failures: list[WalletFailure] = []

    def set_account_value(self, address: str, value: float) -> None:
        """The account value `marginSummary` reports."""
        self._account(address).value = value

    def open_position(self, address: str, position: FakePosition) -> None:
        """Open (or replace) the position of its coin."""
        self._account(address).positions[position.coin] = position

    def close_position(self, address: str, coin: str) -> None:
        """Close the coin's position (it disappears from `assetPositions`)."""
        self._account(address).positions.pop(coin, None)

    def fail(self, failure: WalletFailure, times: int = 1) -> None:
        """Answer the next `times` wallet reads with `failure`."""
        self._failures += [failure] * times

    def answer(self, user: Any, now_ms: int) -> tuple[int, dict[str, str], Any]:
        """The answer to one `clearinghouseState` request."""
        if not isinstance(user, str):
            return 422, {}, "Failed to deserialize the JSON body into the target type"
        self.reads.append(user)
        if self._failures:
            failure = self._failures.pop(0)
            headers = (
                {}
                if failure.retry_after_s is None
                else {"Retry-After": pl.s(failure.retry_after_s)}
            )
            return (
                failure.status,
                headers,
                failure.body if failure.body is not None else {"msg": "scripted"},
            )
        account = self.accounts.get(user.lower(), _Account(value=0.0))
        return 200, {}, _clearinghouse_state(account, now_ms)

    def _account(self, address: str) -> _Account:
        return self.accounts.setdefault(address.lower(), _Account())


def _asset_position(p: FakePosition) -> dict[str, Any]:
    value = abs(p.size) * p.entry_price
    margin = p.margin_used if p.margin_used is not None else value / p.leverage
    leverage: dict[str, Any] = {"type": p.mode, "value": p.leverage}
    if p.mode == "isolated":
        leverage["rawUsd"] = pl.s(margin - p.size * p.entry_price)
    return {
        "type": "oneWay",
        "position": {
            "coin": p.coin, "szi": pl.s(p.size), "entryPx": pl.s(p.entry_price),
            "positionValue": pl.s(value), "unrealizedPnl": "0.0", "returnOnEquity": "0.0",
            "liquidationPx": None if p.liquidation_price is None else pl.s(p.liquidation_price),
            "marginUsed": pl.s(margin), "maxLeverage": 40, "leverage": leverage,
            "cumFunding": {"allTime": "1.5", "sinceOpen": "0.25", "sinceChange": "0.25"},
        },
    }  # fmt: skip


def _clearinghouse_state(account: _Account, now_ms: int) -> dict[str, Any]:
    positions = [_asset_position(p) for p in account.positions.values()]
    margin = sum(float(p["position"]["marginUsed"]) for p in positions)
    notional = sum(float(p["position"]["positionValue"]) for p in positions)
    summary = {
        "accountValue": pl.s(account.value), "totalNtlPos": pl.s(notional),
        "totalRawUsd": pl.s(account.value - notional), "totalMarginUsed": pl.s(margin),
    }  # fmt: skip
    return {
        "marginSummary": summary,
        "crossMarginSummary": summary,
        "crossMaintenanceMarginUsed": pl.s(margin / 2),
        "withdrawable": pl.s(max(0.0, account.value - margin)),
        "assetPositions": positions,
        "time": now_ms,
    }
