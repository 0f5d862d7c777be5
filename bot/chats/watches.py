"""Watched positions: the rules for adding and removing them, and the "watches changed" signal.

Handlers and the terminal call this, never the store: the watch limit, the stored record built from the
desk's card, and the announcement to the alert engine live here once.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.store import Store
from bot.vocabulary.cards import RiskCard
from bot.vocabulary.clock import Clock
from bot.vocabulary.events import Signal
from bot.vocabulary.records import Watch

__all__ = ["MAX_WATCHES", "WatchBook", "WatchLimit"]

MAX_WATCHES = 20


@dataclass(frozen=True, slots=True)
class WatchLimit:
    """The chat already watches `limit` positions."""

    limit: int

    @property
    def message(self) -> str:
        """What the user is told."""
        return f"You watch {self.limit} positions already; /positions to remove one."


class WatchBook:
    """Adds, lists and removes a chat's watches; emits `changed` after every change."""

    def __init__(
        self, store: Store, clock: Clock, changed: Signal, max_watches: int = MAX_WATCHES
    ) -> None:
        self._store, self._clock, self.changed = store, clock, changed
        self.max_watches = max_watches

    async def add(self, chat_id: int, card: RiskCard) -> Watch | WatchLimit:
        """Watch the position the desk priced in `card`, unless the chat is at its limit."""
        existing = await self._store.watches.list_for_chat(chat_id)
        if len(existing) >= self.max_watches:
            return WatchLimit(self.max_watches)
        p = card.position
        watch = await self._store.watches.add(
            Watch(
                chat_id=chat_id, venue=card.venue, symbol=p.symbol, side=p.side.value,
                leverage=p.leverage, entry_price=p.entry_price, quantity=p.quantity,
                margin_mode=p.margin_mode.value, wallet_balance=card.request.wallet_balance,
            ),
            self._clock(),
        )  # fmt: skip
        self.changed.emit()
        return watch

    async def list(self, chat_id: int) -> list[Watch]:
        """The chat's watches, oldest first."""
        return await self._store.watches.list_for_chat(chat_id)

    async def remove(self, chat_id: int, watch_id: int) -> bool:
        """Stop watching one; False when the chat has no such watch."""
        removed = await self._store.watches.remove(chat_id, watch_id)
        if removed:
            self.changed.emit()
        return removed

    async def remove_all(self, chat_id: int) -> int:
        """Stop watching every position of the chat; how many there were."""
        count = await self._store.watches.remove_all(chat_id)
        if count:
            self.changed.emit()
        return count
