"""Keeping watched wallets in sync: read each address on a schedule, apply and announce what changed.

One round (`sync_once`, a JobQueue job every `WALLET_SYNC_S`) reads each distinct address once, the
longest unread first, as many as `WalletPacing.reads_per_round` allows, `concurrency` at a time. A
good read updates every chat's copy of that wallet: its watches follow the positions (opened →
added, closed → removed, changed → updated, with the venue's liquidation price as the reference)
and the opened, closed and changed positions are announced under the keys
`wallet:{wallet id}:v{version}:{coin}:{kind}` (the id is never reused, the version only grows),
into the forum topic the chat chose for alerts (`/alerts topic`).
Announcements are news about the user's positions and pass the chat's noise gate as alerts of kind
"position" (`AnnouncementGate`, the worker's `AlertBook`, handed to each round): switched off, they
are dropped; in quiet hours or over the hourly cap, held for the digest; silent, sent without sound.
The watches follow the read whatever the gate decides. The outbox rows, the chat's gate state, the
watches and the wallet's new state and version are written in one transaction, and only if the
wallet is still at the version the read was planned on: two reads applied at once (this round and a
/wallet, or two processes) never announce the same change twice, and a restart never again.
A wallet just added and not read yet is left to the /wallet reading it (its answer shows the
positions; nothing is announced).

A failed read (5xx, timeout, a malformed answer) keeps the last known state and notes the error;
the cards then show that state with its age. A 429 ends the round and holds the sync off
(`WalletPacing.hold`); so do `outage_after` failed reads in a row, over rounds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Protocol

from bot.alerts.book import Alert, GatedWrite
from bot.alerts.gate import Verdict
from bot.feeds.errors import ExchangeError, ExchangeRejected, MalformedPayload, RateLimited
from bot.render.wallet_text import render_change, render_change_line
from bot.store import Store
from bot.vocabulary.clock import Clock
from bot.vocabulary.events import Signal
from bot.vocabulary.wallets import PositionChange, Wallet, WalletState
from bot.wallets.changes import plan_changes
from bot.wallets.pacing import WalletPacing

__all__ = ["AnnouncementGate", "MarkLookup", "SyncRound", "WalletReader", "WalletSync"]

log = logging.getLogger(__name__)
MarkLookup = Callable[[str], float | None]
"""`coin -> current Hyperliquid mark` (None: no fresh mark)."""


class WalletReader(Protocol):
    """Reads one address's perpetual account (`HyperliquidClient.fetch_wallet`)."""

    async def fetch_wallet(self, address: str) -> WalletState:
        """The account of `address`."""
        ...


class AnnouncementGate(Protocol):
    """The chats' noise gate (`AlertBook.deliver_within`), deciding inside the wallet's write."""

    async def deliver_within(
        self, alerts: Sequence[Alert], now: datetime, write: GatedWrite
    ) -> dict[str, Verdict] | None:
        """The verdicts of `alerts`, written by `write`; None when it wrote nothing."""
        ...


@dataclass(frozen=True, slots=True)
class SyncRound:
    """What one round did: addresses read well, failed, announcements sent, and a hold-off.

    `announced` counts the announcements the gate let out (with sound or without), not those it
    held for a digest or dropped.
    """

    read: int = 0
    failed: int = 0
    announced: int = 0
    held_s: float = 0.0
    skipped: bool = False


def _by_address(wallets: Sequence[Wallet]) -> dict[str, list[Wallet]]:
    grouped: dict[str, list[Wallet]] = {}
    for wallet in wallets:
        grouped.setdefault(wallet.address, []).append(wallet)
    return grouped


class WalletSync:
    """Reads watched wallets and applies what changed; see the module docstring."""

    def __init__(
        self,
        store: Store,
        reader: WalletReader,
        clock: Clock,
        marks: MarkLookup,
        *,
        watches_changed: Signal,
        tracked: frozenset[str],
        pacing: WalletPacing | None = None,
        concurrency: int = 4,
    ) -> None:
        self._store, self._reader, self._clock, self._marks = store, reader, clock, marks
        self.pacing = pacing or WalletPacing()
        self.watches_changed = watches_changed
        self._tracked = tracked
        self._failures_in_a_row = 0
        """Failed reads since the last good one, across rounds: an outage holds the sync off."""
        self._concurrency = concurrency
        self.malformed = 0
        """Answers that did not have the documented shape, counted and skipped."""

    async def sync_once(self, gate: AnnouncementGate) -> SyncRound:
        """One round over the wallets due, announcing through `gate`; nothing while held off."""
        now = self._clock()
        if self.pacing.holding(now):
            return SyncRound(skipped=True)
        grouped = _by_address(
            [w for w in await self._store.wallets.all() if not self._fresh(w, now)]
        )
        due = list(grouped)[: self.pacing.reads_per_round]
        read = failed = announced = 0
        for start in range(0, len(due), self._concurrency):
            batch = due[start : start + self._concurrency]
            results = await asyncio.gather(
                *(self._reader.fetch_wallet(a) for a in batch), return_exceptions=True
            )
            for address, result in zip(batch, results, strict=True):
                if isinstance(result, WalletState):
                    read += 1
                    self._failures_in_a_row = 0
                    announced += await self._apply_all(grouped[address], result, gate)
                    continue
                if isinstance(result, RateLimited):
                    held = self.pacing.hold(self._clock(), result.retry_after_s)
                    log.warning("hyperliquid rate limited the wallet sync; holding %.0fs", held)
                    return SyncRound(read, failed, announced, held)
                if not isinstance(result, ExchangeError):
                    raise result
                failed += 1
                self._failures_in_a_row += 1
                await self._note_failure(grouped[address], result)
            if self._failures_in_a_row >= self.pacing.outage_after:
                self._failures_in_a_row = 0
                held = self.pacing.hold(self._clock())
                log.warning("hyperliquid wallet reads keep failing; holding %.0fs", held)
                return SyncRound(read, failed, announced, held)
        self.pacing.settle()
        return SyncRound(read, failed, announced)

    def _fresh(self, wallet: Wallet, now: datetime) -> bool:
        """A wallet just added and not read yet: the /wallet that added it is reading it."""
        if wallet.state is not None or wallet.error is not None or wallet.created_at is None:
            return False
        return (now - wallet.created_at).total_seconds() < self.pacing.interval_s

    async def read_new(self, wallet: Wallet) -> Wallet:
        """Read a wallet just added and make its watches, without announcing (the reply shows it).

        A failed read keeps the wallet with its error noted; the next round tries again.
        """
        try:
            state = await self._reader.fetch_wallet(wallet.address)
        except ExchangeError as exc:
            await self._note_failure([wallet], exc)
            return replace(wallet, error=_describe(exc))
        await self._apply(wallet, state, None)
        return await self._store.wallets.get(wallet.id or 0) or wallet

    async def _apply_all(
        self, wallets: Sequence[Wallet], state: WalletState, gate: AnnouncementGate
    ) -> int:
        return sum([await self._apply(w, state, gate) for w in wallets])

    async def _apply(
        self, wallet: Wallet, state: WalletState, gate: AnnouncementGate | None
    ) -> int:
        """Apply one good read to one chat's wallet, announcing through `gate` (None: silently).

        Returns how many announcements the gate let out.
        """
        assert wallet.id is not None
        now = self._clock()
        plan = plan_changes(wallet, await self._store.wallets.watches_of(wallet.id), state)
        write = partial(self._store.wallets.apply, wallet.id, plan.changes, now)
        verdicts: dict[str, Verdict] | None
        if gate is not None and (
            alerts := await self._announcements(wallet, plan.changes.version, plan.announced)
        ):
            verdicts = await gate.deliver_within(alerts, now, write)
        else:
            verdicts = {} if await write() else None
        if verdicts is None:
            return 0  # removed meanwhile, or another read applied first: its result stands
        changes = plan.changes
        if changes.added or changes.updated or changes.removed:
            self.watches_changed.emit()
        return sum(v in ("send", "silent") for v in verdicts.values())

    async def _announcements(
        self, wallet: Wallet, version: int, announced: Sequence[PositionChange]
    ) -> list[Alert]:
        """The changes as alerts of kind "position" (the gate routes them to the chat's topic)."""
        if not announced:
            return []
        chat = await self._store.chats.get(wallet.chat_id)
        group = chat is not None and chat.type != "private"
        alerts = []
        for change in announced:
            tracked = change.coin in self._tracked
            text = render_change(
                wallet, change, self._marks(change.coin), group=group, tracked=tracked
            )
            line = render_change_line(wallet, change, group=group)
            key = f"wallet:{wallet.id}:v{version}:{change.coin}:{change.kind}"
            alerts.append(Alert(key, wallet.chat_id, "position", text, line))
        return alerts

    async def _note_failure(self, wallets: Sequence[Wallet], error: ExchangeError) -> None:
        if isinstance(error, MalformedPayload):
            self.malformed += 1
            log.warning("malformed clearinghouseState skipped: %s", error)
        await self._store.wallets.record_failure([w.id for w in wallets if w.id], _describe(error))


def _describe(error: ExchangeError) -> str:
    """A failure in words for the card (no URL: the venue and what went wrong)."""
    if isinstance(error, MalformedPayload):
        return "Hyperliquid sent an answer we could not read"
    if isinstance(error, RateLimited):
        return "Hyperliquid asked us to slow down"
    if isinstance(error, ExchangeRejected):
        return "Hyperliquid refused to read this address"
    return "Hyperliquid did not answer"
