"""Watched Hyperliquid wallets, and the watches their positions become, changed in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.store.alert_states import GatedAlerts, write_gated
from bot.store.dialect import insert_ignore
from bot.store.tables import wallets, watches
from bot.store.watches import watch_from_row, watch_values
from bot.vocabulary.records import Watch
from bot.vocabulary.wallets import Wallet, WalletState

__all__ = ["WalletChanges", "WalletRepo"]


def _wallet(row: RowMapping) -> Wallet:
    state = row["state"]
    return Wallet(
        id=row["id"],
        chat_id=row["chat_id"],
        address=row["address"],
        label=row["label"],
        owner_id=row["owner_id"],
        state=WalletState.from_stored(state) if state else None,
        synced_at=row["synced_at"],
        error=row["error"],
        version=row["version"],
        created_at=row["created_at"],
    )


@dataclass(frozen=True, slots=True)
class WalletChanges:
    """What one good read of a wallet changes: its state and version, and its watches.

    `version` is the wallet's version after the change; the read was planned on `version_read`.
    """

    state: WalletState
    version: int
    version_read: int
    added: Sequence[Watch] = field(default_factory=tuple)
    updated: Sequence[Watch] = field(default_factory=tuple)
    removed: Sequence[int] = field(default_factory=tuple)


class WalletRepo:
    """Wallets by chat; a chat sees and removes only its own (removing one removes its watches)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, wallet: Wallet, now: datetime) -> tuple[Wallet, bool]:
        """Store the chat's wallet (a new label replaces the old); True when it was not there yet."""
        values = {
            "chat_id": wallet.chat_id,
            "address": wallet.address,
            "label": wallet.label,
            "owner_id": wallet.owner_id,
            "version": 0,
            "created_at": now,
        }
        key = (wallets.c.chat_id == wallet.chat_id) & (wallets.c.address == wallet.address)
        async with self._engine.begin() as conn:
            result = await conn.execute(
                insert_ignore(conn, wallets, ["chat_id", "address"]).values(values)
            )
            created = result.rowcount > 0
            if not created and wallet.label is not None:
                await conn.execute(update(wallets).where(key).values(label=wallet.label))
            row = (await conn.execute(select(wallets).where(key))).mappings().one()
        return _wallet(row), created

    async def get(self, wallet_id: int) -> Wallet | None:
        """The wallet with this id, or None."""
        query = select(wallets).where(wallets.c.id == wallet_id)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        return _wallet(row) if row else None

    async def list_for_chat(self, chat_id: int) -> list[Wallet]:
        """The chat's wallets, oldest first."""
        query = select(wallets).where(wallets.c.chat_id == chat_id).order_by(wallets.c.id)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_wallet(row) for row in rows]

    async def all(self) -> list[Wallet]:
        """Every watched wallet, the longest unread first (the sync reads them in that order)."""
        never = wallets.c.synced_at.is_(None)
        query = select(wallets).order_by(never.desc(), wallets.c.synced_at, wallets.c.id)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_wallet(row) for row in rows]

    async def watches_of(self, wallet_id: int) -> list[Watch]:
        """The watches a wallet's positions became."""
        query = select(watches).where(watches.c.wallet_id == wallet_id).order_by(watches.c.id)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [watch_from_row(row) for row in rows]

    async def remove(self, chat_id: int, wallet_id: int) -> bool:
        """Stop watching one of the chat's wallets and its positions; False when there is none."""
        async with self._engine.begin() as conn:
            await conn.execute(
                delete(watches).where(
                    watches.c.wallet_id == wallet_id, watches.c.chat_id == chat_id
                )
            )
            result = await conn.execute(
                delete(wallets).where(wallets.c.chat_id == chat_id, wallets.c.id == wallet_id)
            )
        return result.rowcount > 0

    async def remove_all(self, chat_id: int) -> int:
        """Stop watching every wallet of the chat; returns how many there were."""
        async with self._engine.begin() as conn:
            await conn.execute(
                delete(watches).where(
                    watches.c.chat_id == chat_id, watches.c.wallet_id.is_not(None)
                )
            )
            result = await conn.execute(delete(wallets).where(wallets.c.chat_id == chat_id))
        return result.rowcount

    async def record_failure(self, wallet_ids: Sequence[int], error: str) -> None:
        """Note a failed read; the last good state stays as it was."""
        if not wallet_ids:
            return
        query = update(wallets).where(wallets.c.id.in_(list(wallet_ids))).values(error=error)
        async with self._engine.begin() as conn:
            await conn.execute(query)

    async def apply(
        self,
        wallet_id: int,
        changes: WalletChanges,
        now: datetime,
        announce: Callable[[], GatedAlerts] | None = None,
    ) -> bool:
        """Record a good read, its watch changes and its announcements in one transaction.

        Only when the wallet is still at `changes.version_read`: False, and nothing written, when it
        was removed or another read (the sync, a /wallet) applied first. `announce` is called only
        once the read is known to apply, inside the transaction: the outbox rows and chat states
        it returns (the noise gate's decision) are written with the rest, or not at all.
        """
        key = (wallets.c.id == wallet_id) & (wallets.c.version == changes.version_read)
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(wallets)
                .where(key)
                .values(
                    state=changes.state.to_stored(),
                    version=changes.version,
                    synced_at=now,
                    error=None,
                )
            )
            if result.rowcount == 0:
                return False
            if announce is not None:
                await write_gated(conn, announce(), now)
            await _write_watches(conn, changes, now)
        return True


async def _write_watches(conn: AsyncConnection, changes: WalletChanges, now: datetime) -> None:
    """The watches a read removes, updates and adds, inside the caller's transaction."""
    if changes.removed:
        await conn.execute(delete(watches).where(watches.c.id.in_(list(changes.removed))))
    for watch in changes.updated:
        await conn.execute(
            update(watches)
            .where(watches.c.id == watch.id)
            .values(
                side=watch.side, leverage=watch.leverage, entry_price=watch.entry_price,
                quantity=watch.quantity, margin_mode=watch.margin_mode,
                wallet_balance=watch.wallet_balance,
                reference_liquidation_price=watch.reference_liquidation_price,
            )
        )  # fmt: skip
    if changes.added:
        await conn.execute(watches.insert().values([watch_values(w, now) for w in changes.added]))
