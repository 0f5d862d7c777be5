"""A position in its three shapes, and the one place that converts between them.

`PositionArgs` is what the user asked about (/risk, /watch; None where the bot fills in the default),
`Watch` (bot.vocabulary.records) is what the store keeps, and `risk.position.Position` is what the risk
engine computes on. A wallet's `WalletPosition` (bot.vocabulary.wallets), as the venue reports it,
becomes a watch and a request here too. The desk turns a request into a priced card; everything else
converts here.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.vocabulary.records import MarginModeName, PositionSide, Watch
from bot.vocabulary.wallets import Wallet, WalletPosition
from risk.position import Position
from risk.venues import MarginMode, Side, Venue


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
    margin_mode: MarginModeName = "isolated"
    wallet_balance: float | None = None


def watch_position(watch: Watch) -> Position:
    """The risk engine's position for a stored watch (cross without a wallet: its own margin)."""
    cross = watch.margin_mode == "cross"
    margin = watch.quantity * watch.entry_price / watch.leverage
    return Position(
        venue=Venue(watch.venue),
        symbol=watch.symbol,
        side=Side(watch.side),
        leverage=watch.leverage,
        entry_price=watch.entry_price,
        quantity=watch.quantity,
        margin_mode=MarginMode.CROSS if cross else MarginMode.ISOLATED,
        wallet_balance=(watch.wallet_balance or margin) if cross else None,
    )


def watch_request(watch: Watch) -> PositionArgs:
    """The request that prices a stored watch (entry and size as stored)."""
    return PositionArgs(
        symbol=watch.symbol,
        side=watch.side,
        leverage=watch.leverage,
        entry_price=watch.entry_price,
        quantity=watch.quantity,
        venue=watch.venue,
        margin_mode=watch.margin_mode,
        wallet_balance=watch.wallet_balance,
    )


def _wallet_balance(position: WalletPosition, account_value_usd: float) -> float | None:
    """Cross positions are backed by the account's value; isolated ones by their own margin."""
    return account_value_usd if position.margin_mode == "cross" and account_value_usd > 0 else None


def wallet_watch(wallet: Wallet, position: WalletPosition, account_value_usd: float) -> Watch:
    """The watch a wallet position becomes: the venue's liquidation price as its reference."""
    assert wallet.id is not None
    return Watch(
        chat_id=wallet.chat_id,
        venue="hyperliquid",
        symbol=position.coin,
        side=position.side,
        leverage=position.leverage,
        entry_price=position.entry_price,
        quantity=position.size,
        margin_mode=position.margin_mode,
        wallet_balance=_wallet_balance(position, account_value_usd),
        wallet_id=wallet.id,
        reference_liquidation_price=position.liquidation_price,
    )


def wallet_request(position: WalletPosition, account_value_usd: float) -> PositionArgs:
    """The request that prices a wallet position with liqguard's own formula (entry, size as reported)."""
    return PositionArgs(
        symbol=position.coin,
        side=position.side,
        leverage=position.leverage,
        entry_price=position.entry_price,
        quantity=position.size,
        venue="hyperliquid",
        margin_mode=position.margin_mode,
        wallet_balance=_wallet_balance(position, account_value_usd),
    )
