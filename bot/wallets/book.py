"""The chat's side of wallets: add one (read at once), list them, remove one, and the cards.

A card puts the venue's liquidation price beside liqguard's own (the risk desk prices the same
entry, size, leverage and margin mode) and measures distance, clusters and verdict from the venue's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.desk.risk_desk import RiskDesk
from bot.store import Store
from bot.vocabulary.cards import DeskRefusal
from bot.vocabulary.clock import Clock
from bot.vocabulary.positions import wallet_request
from bot.vocabulary.wallets import (
    Wallet,
    WalletPosition,
    WalletPositionCard,
    WalletState,
    WalletView,
)
from bot.wallets.sync import WalletSync
from risk.cluster_queries import find_clusters
from risk.liquidation_map import LiquidationMap
from risk.reference import view_at_reference
from risk.venues import Side

__all__ = ["MAX_WALLETS", "WalletAdded", "WalletBook", "WalletLimit"]

MAX_WALLETS = 10
MapProvider = Callable[[str], LiquidationMap]


@dataclass(frozen=True, slots=True)
class WalletAdded:
    """The answer to /wallet: the view, and whether the wallet was new to the chat."""

    view: WalletView
    created: bool


@dataclass(frozen=True, slots=True)
class WalletLimit:
    """The chat watches `MAX_WALLETS` wallets already."""

    limit: int = MAX_WALLETS


class WalletBook:
    """Wallets as chats see them; reads go through the sync service, so both apply alike."""

    def __init__(
        self, store: Store, sync: WalletSync, desk: RiskDesk, maps: MapProvider, clock: Clock
    ) -> None:
        self._store, self._desk, self._maps, self._clock = store, desk, maps, clock
        self.sync = sync
        """The sync service (the worker's job runs `sync.sync_once`)."""

    @property
    def sync_interval_s(self) -> float:
        """Seconds between two rounds of the sync (each wallet is read at most this often)."""
        return self.sync.pacing.interval_s

    async def add(
        self, chat_id: int, address: str, label: str | None, owner_id: int | None
    ) -> WalletAdded | WalletLimit:
        """Watch `address` in the chat (a label renames it) and read it now."""
        existing = await self._store.wallets.list_for_chat(chat_id)
        if len(existing) >= MAX_WALLETS and all(w.address != address for w in existing):
            return WalletLimit()
        wallet, created = await self._store.wallets.add(
            Wallet(chat_id=chat_id, address=address, label=label, owner_id=owner_id), self._clock()
        )
        wallet = await self.sync.read_new(wallet)
        return WalletAdded(await self.view(wallet), created)

    async def list_for_chat(self, chat_id: int) -> list[Wallet]:
        """The chat's wallets, oldest first."""
        return await self._store.wallets.list_for_chat(chat_id)

    async def get(self, chat_id: int, wallet_id: int) -> Wallet | None:
        """One of the chat's wallets, or None."""
        wallet = await self._store.wallets.get(wallet_id)
        return wallet if wallet is not None and wallet.chat_id == chat_id else None

    async def remove(self, chat_id: int, wallet_id: int) -> Wallet | None:
        """Stop watching one of the chat's wallets; the wallet removed, or None."""
        wallet = await self.get(chat_id, wallet_id)
        if wallet is None:
            return None
        removed = await self._store.wallets.remove(chat_id, wallet_id)
        if removed:
            self.sync.watches_changed.emit()
        return wallet if removed else None

    async def view(self, wallet: Wallet) -> WalletView:
        """The cards of the wallet's last known positions."""
        state = wallet.state
        cards = tuple([await self._card(p, state) for p in state.positions]) if state else ()
        return WalletView(wallet, cards, self._clock())

    async def _card(self, position: WalletPosition, state: WalletState) -> WalletPositionCard:
        card = await self._desk.card(wallet_request(position, state.account_value_usd))
        if isinstance(card, DeskRefusal):
            return WalletPositionCard(position, None, None, None, note=card.message)
        side = Side(position.side)
        clusters = [
            c for s in (Side.LONG, Side.SHORT) for c in find_clusters(self._maps(position.coin), s)
        ]
        mark = card.quote.mark_price if card.quote else None
        view = (
            view_at_reference(
                side, mark, position.liquidation_price, card.report.daily_volatility, clusters
            )
            if mark is not None
            else None
        )
        stale = card.warnings[0] if card.warnings else None
        return WalletPositionCard(position, mark, view, card.report.liquidation_price, stale=stale)
