"""From two reads of a wallet to what changes: positions opened, closed or changed, and the watches.

Pure. A position is keyed by coin (Hyperliquid accounts are one-way: one position per coin). A side
flip is a close and an open (a new watch, a fresh alert ladder). A change of size, leverage or
margin mode is announced; a drift of the venue's liquidation price alone (funding, the account's
other positions) only updates the watch, silently, so alerts keep measuring from the venue's price.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.store.wallets import WalletChanges
from bot.vocabulary.positions import wallet_watch
from bot.vocabulary.records import Watch
from bot.vocabulary.wallets import PositionChange, Wallet, WalletPosition, WalletState

__all__ = ["WalletPlan", "diff_positions", "plan_changes"]

_SAME_REL = 1e-9
_LIQ_DRIFT_REL = 1e-4
"""A venue liquidation price that moved less than this (relative) is not written again."""


def _same(a: float, b: float, rel: float = _SAME_REL) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=0.0)


def _announced_terms_equal(a: WalletPosition, b: WalletPosition) -> bool:
    return (
        _same(a.size, b.size) and _same(a.leverage, b.leverage) and a.margin_mode == b.margin_mode
    )


def diff_positions(before: WalletState | None, after: WalletState) -> list[PositionChange]:
    """The announced changes from `before` (None: never read) to `after`, by coin."""
    old = before.by_coin() if before else {}
    new = after.by_coin()
    changes: list[PositionChange] = []
    for coin in sorted(old.keys() | new.keys()):
        was, now = old.get(coin), new.get(coin)
        if was is not None and (now is None or now.side != was.side):
            changes.append(PositionChange("closed", coin, was, None))
            was = None
        if now is None:
            continue
        if was is None:
            changes.append(PositionChange("opened", coin, None, now))
        elif not _announced_terms_equal(was, now):
            changes.append(PositionChange("changed", coin, was, now))
    return changes


def _liquidation_moved(watch: Watch, position: WalletPosition) -> bool:
    old, new = watch.reference_liquidation_price, position.liquidation_price
    if old is None or new is None:
        return old is not new
    return not _same(old, new, _LIQ_DRIFT_REL)


def _updated(watch: Watch, fresh: Watch) -> Watch:
    return replace(
        watch, leverage=fresh.leverage, entry_price=fresh.entry_price, quantity=fresh.quantity,
        margin_mode=fresh.margin_mode, wallet_balance=fresh.wallet_balance,
        reference_liquidation_price=fresh.reference_liquidation_price,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class WalletPlan:
    """What one good read does: the store's changes and the changes to announce."""

    changes: WalletChanges
    announced: tuple[PositionChange, ...]


def plan_changes(wallet: Wallet, watches: Sequence[Watch], state: WalletState) -> WalletPlan:
    """The watches to add, update and remove after reading `state`, and what to announce.

    A watch the chat removed by hand stays removed while its position lives on unchanged; a
    change of that position brings no watch back (only a new open does).
    """
    announced = diff_positions(wallet.state, state)
    by_coin = {w.symbol: w for w in watches}
    added, updated, removed = [], [], []
    for change in announced:
        watch = by_coin.get(change.coin)
        if change.kind == "closed" and watch is not None:
            removed.append(watch.id)
            del by_coin[change.coin]
        elif change.kind == "opened":
            assert change.after is not None
            added.append(wallet_watch(wallet, change.after, state.account_value_usd))
    touched = {c.coin for c in announced}
    for position in state.positions:
        watch = by_coin.get(position.coin)
        if watch is None or position.side != watch.side:
            continue
        if position.coin in touched or _liquidation_moved(watch, position):
            fresh = wallet_watch(wallet, position, state.account_value_usd)
            updated.append(_updated(watch, fresh))
    version = wallet.version + (1 if announced else 0)
    ids = tuple(i for i in removed if i is not None)
    changes = WalletChanges(state, version, wallet.version, tuple(added), tuple(updated), ids)
    return WalletPlan(changes, tuple(announced))
