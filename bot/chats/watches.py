"""Watched positions: the rules for adding and removing them, and the "watches changed" signal.

Handlers and the terminal call this, never the store: the watch limit, the stored record built from the
desk's card (its owner, and the distance the confirmation told, which counts as the ladder's first
steps: bot/alerts/ladder.py), who may remove a watch (bot/chats/members.py), and the announcement to
the alert engine live here once. Watch numbers are never reused (bot/store/migrations 0003), so a
stale button or `/unwatch N` names the watch it was made for or none.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.chats.members import Member, may_remove
from bot.store import Store
from bot.vocabulary.cards import RiskCard
from bot.vocabulary.clock import Clock
from bot.vocabulary.events import Signal
from bot.vocabulary.records import Removal, Watch

__all__ = [
    "MAX_WATCHES",
    "Removal",
    "WatchBook",
    "WatchLimit",
    "confirmed_state",
    "watch_from_card",
]

MAX_WATCHES = 20


@dataclass(frozen=True, slots=True)
class WatchLimit:
    """The chat already watches `limit` positions."""

    limit: int

    @property
    def message(self) -> str:
        """What the user is told."""
        return f"You watch {self.limit} positions already; /positions to remove one."


def confirmed_state(card: RiskCard) -> dict[str, float]:
    """The alert state a new watch is stored with: the distance its confirmation tells."""
    report = card.report
    if report.liquidation_price is None or report.distance_pct is None:
        return {}
    return {"confirmed_pct": 0.0 if report.liquidated_now else float(report.distance_pct)}


class WatchBook:
    """Adds, lists and removes a chat's watches; emits `changed` after every change."""

    def __init__(
        self, store: Store, clock: Clock, changed: Signal, max_watches: int = MAX_WATCHES
    ) -> None:
        self._store, self._clock, self.changed = store, clock, changed
        self.max_watches = max_watches

    async def add(
        self, chat_id: int, card: RiskCard, owner: Member | None = None
    ) -> Watch | WatchLimit:
        """Watch the position the desk priced in `card` for `owner`, unless the chat is at its limit."""
        existing = await self._store.watches.list_for_chat(chat_id)
        if len(existing) >= self.max_watches:
            return WatchLimit(self.max_watches)
        watch = await self._store.watches.add(watch_from_card(chat_id, card, owner), self._clock())
        self.changed.emit()
        return watch

    async def list(self, chat_id: int) -> list[Watch]:
        """The chat's watches, oldest first."""
        return await self._store.watches.list_for_chat(chat_id)

    async def remove(self, chat_id: int, watch_id: int, member: Member) -> Removal:
        """Stop watching one, if `member` may: its owner, or whoever administers the chat."""
        watch = await self._store.watches.get(chat_id, watch_id)
        if watch is None:
            return Removal(watch_id, "missing")
        if not may_remove(member, watch):
            return Removal(watch_id, "not yours", watch.owner_name)
        if not await self._store.watches.remove(chat_id, watch_id):
            return Removal(watch_id, "missing")  # a second press a moment earlier took it
        self.changed.emit()
        return Removal(watch_id, "removed", watch.owner_name)

    async def remove_all(self, chat_id: int) -> int:
        """Stop watching every position of the chat; how many there were."""
        count = await self._store.watches.remove_all(chat_id)
        if count:
            self.changed.emit()
        return count


def watch_from_card(chat_id: int, card: RiskCard, owner: Member | None = None) -> Watch:
    """The record that keeps the position the desk priced in `card` (entry and size fixed), owned by
    `owner`, with the ladder steps its confirmation already told."""
    p = card.position
    return Watch(
        chat_id=chat_id, venue=card.venue, symbol=p.symbol, side=p.side.value,
        leverage=p.leverage, entry_price=p.entry_price, quantity=p.quantity,
        margin_mode=p.margin_mode.value, wallet_balance=card.request.wallet_balance,
        alert_state=confirmed_state(card), owner_id=owner.user_id if owner else None,
        owner_name=owner.name if owner else None,
    )  # fmt: skip
