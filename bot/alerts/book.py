"""The chats alerts go to: their settings, what the alerts remember per chat, and the way to the outbox.

`AlertBook.deliver` takes alerts (each with its idempotency key), passes each through the chat's noise
gate (bot/alert_gate.py), writes those that go out to the outbox in one transaction, then persists the
chats' state and wakes the sender. Writing the outbox before the state means a crash in between makes
the next evaluation produce the same keys again, which the outbox ignores: nothing goes out twice.

An alert that belongs to another subject's write (a wallet's announcement, written with the wallet's
new version) goes through `deliver_within`: the gate decides inside that write's transaction, and its
outbox rows and the chats' state are committed with it or not at all.

Keys built on counters kept in a chat's state (digests, funding alerts) also carry the state's
`epoch`, the moment (epoch ms) the state document was first made: a chat whose state was deleted and
begun again counts from 0 under a new epoch, so its keys never meet those of its earlier life.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.alerts.gate import (
    DIGEST_LINES,
    GateState,
    Verdict,
    admit,
    digest_due,
    take_digest,
    withdraw,
)
from bot.outbox.payloads import outbox_item, send_payload
from bot.render.alert_text import render_digest
from bot.store import Store
from bot.store.alert_states import GatedAlerts
from bot.vocabulary.alert_settings import AlertKind, AlertSettings
from bot.vocabulary.clock import Clock
from bot.vocabulary.records import Chat, OutboxItem

__all__ = ["Alert", "AlertBook", "Decide", "GatedWrite"]

log = logging.getLogger(__name__)
Decide = Callable[[], GatedAlerts]
"""Runs the gate over the alerts: what to write (the outbox rows let out, the chats' new state)."""
GatedWrite = Callable[[Decide], Awaitable[bool]]
"""Another subject's transaction: calls `Decide` once it knows it goes ahead and writes what it
returns with its own rows; False when it wrote nothing (without calling it)."""


@dataclass(frozen=True, slots=True)
class Alert:
    """One new alert message for one chat; `line` is what a digest says if it is held.

    `series` and `supersedes` go to the outbox row: a row of a series still waiting when an alert
    superseding that series is written is dropped (a 2 % step makes the unsent 5 % one moot).
    """

    key: str
    chat_id: int
    kind: AlertKind
    text: str
    line: str
    series: str | None = None
    supersedes: str | None = None


class AlertBook:
    """Chat settings (reloaded), per-chat alert state (kept in `alert_states`) and the gate."""

    def __init__(self, store: Store, clock: Clock, wake_sender: Callable[[], None]) -> None:
        self._store, self._clock, self._wake = store, clock, wake_sender
        self.chats: dict[int, Chat] = {}
        self._settings: dict[int, AlertSettings] = {}
        self._docs: dict[int, dict[str, Any]] = {}
        self._dirty: set[int] = set()
        self._write = asyncio.Lock()

    async def load(self) -> None:
        """Read every chat and its alert state."""
        self._docs = await self._store.alert_states.all()
        await self.reload_chats()

    async def reload_chats(self) -> None:
        """Read the chats again (settings, timezone, paused), as /alerts may have changed them.

        A chat seen for the first time has its state begun (its `epoch`) and written at once, before
        any key is built on it.
        """
        chats = await self._store.chats.all()
        self.chats = {c.id: c for c in chats}
        self._settings = {c.id: AlertSettings.from_stored(c.settings) for c in chats}
        begun = [c.id for c in chats if not isinstance(self.doc(c.id).get("epoch"), int)]
        if begun:
            now = self._clock()
            for chat_id in begun:
                self.doc(chat_id)["epoch"] = int(now.timestamp() * 1000)
            await self._store.alert_states.save({c: self._docs[c] for c in begun}, now)

    def settings(self, chat_id: int) -> AlertSettings:
        """The chat's alert settings (defaults for a chat not seen yet)."""
        return self._settings.get(chat_id) or AlertSettings()

    def timezone(self, chat_id: int) -> str:
        """The chat's timezone."""
        chat = self.chats.get(chat_id)
        return chat.timezone if chat else "UTC"

    def doc(self, chat_id: int) -> dict[str, Any]:
        """The chat's alert state document, to read and change (then `touch`)."""
        return self._docs.setdefault(chat_id, {})

    def epoch(self, chat_id: int) -> int:
        """When the chat's state was begun (epoch ms): part of every key built on its counters."""
        doc = self.doc(chat_id)
        if not isinstance(
            doc.get("epoch"), int
        ):  # a chat not loaded yet: written by the next flush
            doc["epoch"] = int(self._clock().timestamp() * 1000)
            self.touch(chat_id)
        return int(doc["epoch"])

    def touch(self, chat_id: int) -> None:
        """Mark the chat's state changed, to be written by the next `flush`."""
        self._dirty.add(chat_id)

    def quiet(self, chat_id: int, now: datetime) -> bool:
        """Whether the chat is in its quiet hours."""
        return self.settings(chat_id).in_quiet_hours(now, self.timezone(chat_id))

    def admit(self, alert: Alert, now: datetime) -> Verdict:
        """Run one alert through the chat's gate (updating its counters and held lines)."""
        settings, doc = self.settings(alert.chat_id), self.doc(alert.chat_id)
        gate, verdict = admit(
            GateState.from_stored(doc.get("gate")),
            settings.mode(alert.kind),
            alert.line,
            quiet=self.quiet(alert.chat_id, now),
            cap=settings.max_per_hour,
            now_s=now.timestamp(),
        )
        if verdict != "drop":
            doc["gate"] = gate.to_stored()
            self.touch(alert.chat_id)
        return verdict

    async def deliver(self, alerts: Sequence[Alert], now: datetime) -> dict[str, Verdict]:
        """Gate, enqueue and persist; returns each alert's verdict by key."""
        verdicts: dict[str, Verdict] = {}
        items: list[OutboxItem] = []
        for alert in alerts:
            verdict = verdicts[alert.key] = self.admit(alert, now)
            if verdict in ("send", "silent"):
                items.append(self._item(alert, verdict))
        await self.enqueue(items, now)
        return verdicts

    async def deliver_within(
        self, alerts: Sequence[Alert], now: datetime, write: GatedWrite
    ) -> dict[str, Verdict] | None:
        """Gate `alerts` as `deliver` does, inside the transaction of `write`; their verdicts.

        The decision stands or falls with that write: None when it wrote nothing, and then (or when
        it raises) the decision is taken back; alerts that passed the chat's gate meanwhile keep
        their count and lines (`withdraw`).
        The state writes (`flush`) wait meanwhile, so none lands between the state decided and its
        commit.
        """
        if any(a.chat_id not in self.chats for a in alerts):
            # A chat new since the last reload: read its settings rather than gate on defaults.
            await self.reload_chats()
        verdicts: dict[str, Verdict] = {}
        before: dict[int, Any] = {}
        after: dict[int, Any] = {}

        def decide() -> GatedAlerts:
            chats = {a.chat_id for a in alerts}
            before.update({c: self.doc(c).get("gate") for c in chats})
            items = []
            for alert in alerts:
                verdict = verdicts[alert.key] = self.admit(alert, now)
                if verdict in ("send", "silent"):
                    items.append(self._item(alert, verdict))
            after.update({c: self.doc(c).get("gate") for c in chats})
            states = {c: copy.deepcopy(self._docs[c]) for c in chats if c in self.chats}
            return GatedAlerts(tuple(items), states)

        try:
            async with self._write:
                written = await write(decide)
        except BaseException:
            self._take_back(before, after)
            raise
        if not written:
            self._take_back(before, after)
            return None
        if any(v in ("send", "silent") for v in verdicts.values()):
            self._wake()
        return verdicts

    def _take_back(self, before: dict[int, Any], after: dict[int, Any]) -> None:
        """Undo, in the chats' gate, a decision that was not written."""
        for chat_id, gate in before.items():
            doc = self.doc(chat_id)
            if doc.get("gate") is after[chat_id]:
                if gate is None:
                    doc.pop("gate", None)
                else:
                    doc["gate"] = gate
            else:  # other alerts passed the gate since: their count and lines stand, not its own
                doc["gate"] = withdraw(
                    GateState.from_stored(doc.get("gate")),
                    GateState.from_stored(gate),
                    GateState.from_stored(after[chat_id]),
                ).to_stored()
            self.touch(chat_id)

    def _item(self, alert: Alert, verdict: Verdict) -> OutboxItem:
        """The outbox row of an alert the gate lets out (silently when `verdict` says so)."""
        payload = send_payload(
            alert.text,
            silent=verdict == "silent",
            message_thread_id=self.settings(alert.chat_id).topic_id,
        )
        return outbox_item(
            alert.key, alert.chat_id, alert.kind, payload,
            series=alert.series, supersedes=alert.supersedes,
        )  # fmt: skip

    async def enqueue(self, items: Sequence[OutboxItem], now: datetime) -> int:
        """Write outbox rows (edits, digests, gated alerts), then the chats' state; wake the sender."""
        added = await self._store.outbox.enqueue_many(items, now) if items else 0
        await self.flush(now)
        if added:
            self._wake()
        return added

    async def flush(self, now: datetime) -> None:
        """Write the state of every chat changed since the last flush."""
        async with self._write:
            dirty, self._dirty = self._dirty, set()
            states = {c: self._docs[c] for c in dirty if c in self.chats}
            await self._store.alert_states.save(states, now)

    async def send_digests(self, now: datetime) -> int:
        """One digest to each chat whose held alerts may go out now; returns how many."""
        items = []
        for chat_id in list(self._docs):
            gate = GateState.from_stored(self._docs[chat_id].get("gate"))
            settings = self.settings(chat_id)
            quiet = self.quiet(chat_id, now)
            if not digest_due(gate, quiet=quiet, cap=settings.max_per_hour, now_s=now.timestamp()):
                continue
            emptied, lines, number = take_digest(gate, now.timestamp())
            text = render_digest(
                lines, quiet=gate.held_quiet, cap=settings.max_per_hour, max_lines=DIGEST_LINES
            )
            payload = send_payload(
                text, silent=not gate.held_loud, message_thread_id=settings.topic_id
            )
            key = f"digest:{chat_id}:{self.epoch(chat_id)}:{number}"
            items.append(outbox_item(key, chat_id, "digest", payload))
            self._docs[chat_id]["gate"] = emptied.to_stored()
            self.touch(chat_id)
        await self.enqueue(items, now)
        return len(items)
