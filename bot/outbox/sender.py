"""The sender: delivers outbox rows to Telegram within its limits, each once.

`drain_once` claims the rows that are due under a lease, groups them by chat and sends each chat's rows
in order (chats in parallel, at most `max_in_flight` requests at a time), pacing every request through
a `RateLimiter` (bot/pacing.py). What happens to a row:

    answered ........ mark_sent with the message id, at once
    429 RetryAfter .. given back until `retry_after` (not counted as an attempt); the chat is held that
                      long, and every chat when 429s reach two chats at once (the bot is throttled)
    network error ... NetworkError, TimedOut, 5xx, anything Telegram does not call permanent:
                      retry_later with exponential backoff and jitter; after `max_attempts`, failed
    403 Forbidden ... the user blocked the bot: failed, the chat and its watches paused; the chat's later
                      rows fail with "chat paused" until `resume_chat` (from /start)
    400 Bad Request . failed with Telegram's description, logged; "message is not modified" on an edit
                      counts as sent
    chat migrated ... failed, naming the supergroup's new id

Order in a chat: the outbox hands out a chat's rows in the order they were written, and none while an
earlier one waits (bot/store/outbox.py). When one of a chat's rows is deferred the chat is held until
then, and its later rows wait with it (they are given back untried), so a chat's messages leave in the
order they were written, across 429s, backoffs, restarts and several senders. A row never sleeps
long for its chat's limit either: past `max_wait_s` it is given back instead.

Exactly once. Only the sender holding a row's claim sends it, and marks it sent as soon as Telegram
answers. A crash after the claim but before the request leaves the row claimed until its lease
(`lease_s`) runs out; it is then claimed again and sent once. Rows never claimed are sent once by
whoever claims them. What remains is a narrow window: a crash, or a database failure, after Telegram
accepted a message but before `mark_sent` committed (milliseconds) sends that message again once the
lease runs out. A timeout while reading Telegram's answer is the same ambiguity, and the row is retried:
a late duplicate beats a missed liquidation alert. The lease must outlast a drain, which sends at most
`batch` rows and never waits more than `max_wait_s` for a chat, so `__init__` requires
`batch / overall_per_s + max_wait_s` to be at most half the lease. Across a crash, rows whose lease ran
out go again in their chat's written order.

Several senders (one per worker) may share the outbox: claims take FOR UPDATE SKIP LOCKED on
PostgreSQL. Each paces only itself, so give each 1/N of the bot's budget.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import httpx
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.outbox.pacing import RateLimiter
from bot.outbox.payloads import EditPayload, SendPayload, parse_payload
from bot.store import Store
from bot.vocabulary.backoff import Backoff
from bot.vocabulary.clock import Clock
from bot.vocabulary.records import OutboxItem

__all__ = ["DrainResult", "RetryPolicy", "Sender", "is_not_modified", "resume_chat"]

log = logging.getLogger(__name__)


Outcome = Literal["sent", "deferred", "failed", "blocked"]
EDIT_WAIT_S = 2.0  # how long an edit waits before looking for its original again
FINISHED_KEPT = timedelta(days=30)
"""How long sent, failed and dropped rows stay (their keys keep a re-run from sending twice)."""
_MAYBE_DELIVERED = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.RemoteProtocolError,
)


@dataclass
class DrainResult:
    """What one drain did with the rows it claimed (`throttled` counts 429 answers)."""

    claimed: int = 0
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    throttled: int = 0


def is_not_modified(error: BadRequest) -> bool:
    """Telegram refused an edit because the message already reads so: the edit has, in effect, happened."""
    return "message is not modified" in error.message.lower()


@dataclass(frozen=True)
class RetryPolicy:
    """When a failed row is tried again (the shared `Backoff`), and after how many attempts it fails."""

    max_attempts: int = 8
    base_s: float = 2.0
    cap_s: float = 300.0

    def delay_s(self, attempt: int, rand: float) -> float:
        """Wait after failed attempt n (from 1): between half and all of min(cap, base·2^(n-1))."""
        backoff = Backoff(initial_s=self.base_s, max_s=self.cap_s, multiplier=2.0, jitter=0.5)
        return backoff.delay_s(max(attempt - 1, 0), lambda: 1.0 - rand)


async def resume_chat(store: Store, chat_id: int, now: datetime) -> bool:
    """Unpause a chat that had blocked the bot, and its watches (from /start); True if it was paused."""
    chat = await store.chats.get(chat_id)
    if chat is None or not chat.paused:
        return False
    await store.chats.set_paused(chat_id, paused=False, now=now)
    await store.watches.set_paused_for_chat(chat_id, paused=False)
    log.info("chat %s is back; its watches are resumed", chat_id)
    return True


class Sender:
    """Drains the outbox to Telegram: paced, in order per chat, each row once."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        clock: Clock,
        *,
        overall_per_s: int = 25,
        group_per_min: int = 18,
        private_per_s: int = 1,
        batch: int = 50,
        lease_s: float = 60.0,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        max_in_flight: int = 8,
        max_wait_s: float = 5.0,
        idle_s: float = 1.0,
        rng: random.Random | None = None,
    ) -> None:
        self._bot, self._store, self._clock = bot, store, clock
        self._limiter = limiter or RateLimiter(overall_per_s, group_per_min, private_per_s)
        if batch / self._limiter.overall_per_s + max_wait_s > lease_s / 2:
            raise ValueError(f"a drain of {batch} rows could outlast half the {lease_s}s lease")
        self._batch, self._lease_s, self._max_wait_s, self._idle_s = (
            batch,
            lease_s,
            max_wait_s,
            idle_s,
        )
        self._retry = retry or RetryPolicy()
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrecy
        self._in_flight = asyncio.Semaphore(max_in_flight)
        # SQLite has one writer: queue writes here rather than in its busy handler; reads (and
        # PostgreSQL writes) run a few at a time, within the connection pool's size.
        self._db = asyncio.Semaphore(1 if store.dialect == "sqlite" else 4)
        self._reads = asyncio.Semaphore(4)
        self._wake = asyncio.Event()
        self._holds: dict[int, datetime] = {}
        self._hold_all: datetime | None = None
        self._last_429: tuple[int, datetime] | None = None

    def wake(self) -> None:
        """Have `run` drain now rather than after its idle pause (call after enqueueing)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Drain until `stop` is set: straight on while full batches come, else after `idle_s` or wake()."""
        while not stop.is_set():
            self._wake.clear()
            try:
                result = await self.drain_once()
            except Exception:  # a sender that dies silently misses every alert after it
                log.exception("outbox drain failed; trying again in %ss", self._idle_s)
                result = DrainResult()
            if result.claimed < self._batch:
                await self._pause(stop)

    async def prune_finished(self) -> int:
        """Delete the outbox rows that finished more than `FINISHED_KEPT` ago; returns how many."""
        async with self._db:
            removed = await self._store.outbox.prune(self._clock() - FINISHED_KEPT)
        if removed:
            log.info("pruned %d finished outbox rows", removed)
        return removed

    async def drain_once(self) -> DrainResult:
        """Claim the rows that are due and deliver them."""
        result = DrainResult()
        now = self._clock()
        if self._hold_all is not None and self._hold_all > now:
            return result
        items = await self._store.outbox.claim(now, self._batch, self._lease_s)
        result.claimed = len(items)
        by_chat: dict[int, list[OutboxItem]] = {}
        for item in items:
            by_chat.setdefault(item.chat_id, []).append(item)
        chats = [self._drain_chat(chat_id, rows, result) for chat_id, rows in by_chat.items()]
        errors = [e for e in await asyncio.gather(*chats, return_exceptions=True) if e is not None]
        for error in errors[1:]:
            log.error("outbox drain error", exc_info=error)
        if errors:
            raise errors[0]
        return result

    async def _pause(self, stop: asyncio.Event) -> None:
        waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
        timeout = self._idle_s
        if self._hold_all is not None:
            timeout = max(timeout, (self._hold_all - self._clock()).total_seconds())
        try:
            await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()

    async def _drain_chat(self, chat_id: int, items: list[OutboxItem], result: DrainResult) -> None:
        """Deliver one chat's rows in order; stop when the chat is held or has blocked the bot."""
        async with self._reads:
            chat = await self._store.chats.get(chat_id)
        if chat is not None and chat.paused:
            await self._fail_all(items, "chat paused", result)
            return
        for index, item in enumerate(items):
            held = self._held_until(chat_id)
            if held is None and (wait := self._limiter.chat_wait_s(chat_id)) > self._max_wait_s:
                held = self._clock() + timedelta(seconds=wait)
            if held is not None:
                await self._give_back(items[index:], held, "waiting for the chat's turn", result)
                return
            if await self._deliver(item, result) == "blocked":
                await self._fail_all(items[index + 1 :], "chat paused", result)
                return

    async def _deliver(self, item: OutboxItem, result: DrainResult) -> Outcome:
        """Send or edit one row and record the outcome."""
        assert item.id is not None
        try:
            payload = parse_payload(item.payload)
        except ValueError as error:
            return await self._fail(item, f"bad payload: {error}", result)
        original = None
        if payload["op"] == "send":
            request = functools.partial(self._send, item.chat_id, payload)
        else:
            async with self._reads:
                original = await self._store.outbox.get(payload["edit_of"])
            if original is None or original.status == "failed":
                return await self._fail(item, f"{payload['edit_of']!r} was not delivered", result)
            if original.status != "sent":
                not_before = self._clock() + timedelta(seconds=EDIT_WAIT_S)
                return await self._give_back([item], not_before, "waiting for the original", result)
            request = functools.partial(self._edit, original, payload)
        await self._limiter.wait_for_chat(item.chat_id)  # outside the semaphore: others may go
        try:
            async with self._in_flight, self._limiter.slot(item.chat_id):
                message_id = await request()
        except TelegramError as error:
            return await self._on_error(item, error, original, result)
        await self._mark_sent(item.id, message_id, result)
        return "sent"

    async def _send(self, chat_id: int, payload: SendPayload) -> int:
        markup = self._markup(payload.get("reply_markup"))
        thread = payload.get("message_thread_id")
        silent = payload.get("silent", False)
        if "photo_b64" in payload:
            message = await self._bot.send_photo(
                chat_id,
                base64.b64decode(payload["photo_b64"]),
                caption=payload["text"],
                parse_mode=payload["parse_mode"],
                reply_markup=markup,
                message_thread_id=thread,
                disable_notification=silent,
            )
        else:
            message = await self._bot.send_message(
                chat_id,
                payload["text"],
                parse_mode=payload["parse_mode"],
                reply_markup=markup,
                message_thread_id=thread,
                disable_notification=silent,
            )
        return message.message_id

    async def _edit(self, original: OutboxItem, payload: EditPayload) -> int:
        assert original.message_id is not None
        where: dict[str, Any] = {"chat_id": original.chat_id, "message_id": original.message_id}
        markup = self._markup(payload.get("reply_markup"))
        if "photo_b64" in original.payload:
            await self._bot.edit_message_caption(
                caption=payload["text"],
                parse_mode=payload["parse_mode"],
                reply_markup=markup,
                **where,
            )
        else:
            await self._bot.edit_message_text(
                payload["text"], parse_mode=payload["parse_mode"], reply_markup=markup, **where
            )
        return original.message_id

    def _markup(self, raw: dict[str, Any] | None) -> InlineKeyboardMarkup | None:
        return None if raw is None else InlineKeyboardMarkup.de_json(raw, self._bot)

    async def _on_error(
        self,
        item: OutboxItem,
        error: TelegramError,
        original: OutboxItem | None,
        result: DrainResult,
    ) -> Outcome:
        """Record what Telegram's refusal means for the row (see the module docstring)."""
        if isinstance(error, RetryAfter):
            return await self._throttled(item, error, result)
        if isinstance(error, Forbidden):
            await self._block_chat(item, error.message, result)
            return "blocked"
        if isinstance(error, ChatMigrated):
            return await self._fail(item, f"chat migrated to {error.new_chat_id}", result)
        if isinstance(error, BadRequest):
            if original is not None and is_not_modified(error):
                assert item.id is not None
                await self._mark_sent(item.id, original.message_id, result)
                return "sent"
            log.warning("chat %s refused %s: %s", item.chat_id, item.key, error.message)
            return await self._fail(item, error.message, result)
        return await self._backoff(item, error, result)

    async def _throttled(self, item: OutboxItem, error: RetryAfter, result: DrainResult) -> Outcome:
        now = self._clock()
        wait = error.retry_after
        until = now + (wait if isinstance(wait, timedelta) else timedelta(seconds=wait))
        self._hold(item.chat_id, until)
        if (
            self._last_429 is not None
            and self._last_429[0] != item.chat_id
            and self._last_429[1] > now
        ):
            self._hold_all = max(until, self._last_429[1])
        self._last_429 = (item.chat_id, until)
        result.throttled += 1
        log.warning("429 in chat %s: holding it until %s", item.chat_id, until.isoformat())
        return await self._give_back([item], until, f"429: retry after {wait}", result)

    async def _backoff(
        self, item: OutboxItem, error: TelegramError, result: DrainResult
    ) -> Outcome:
        assert item.id is not None
        reason = f"{type(error).__name__}: {error.message}"
        if item.attempts >= self._retry.max_attempts:
            log.error("giving up on %s after %s attempts: %s", item.key, item.attempts, reason)
            return await self._fail(
                item, f"gave up after {item.attempts} attempts: {reason}", result
            )
        if isinstance(error.__cause__, _MAYBE_DELIVERED):
            log.warning("%s may have reached Telegram (%s); retrying anyway", item.key, reason)
        delay = self._retry.delay_s(item.attempts, self._rng.random())
        until = self._clock() + timedelta(seconds=delay)
        self._hold(item.chat_id, until)
        async with self._db:
            await self._store.outbox.retry_later(item.id, until, reason)
        result.deferred += 1
        return "deferred"

    async def _block_chat(self, item: OutboxItem, reason: str, result: DrainResult) -> None:
        await self._fail(item, reason, result)
        async with self._db:
            await self._store.watches.set_paused_for_chat(item.chat_id, paused=True)
            await self._store.chats.set_paused(item.chat_id, paused=True, now=self._clock())
        log.info("chat %s blocked the bot; it and its watches are paused", item.chat_id)

    async def _mark_sent(self, item_id: int, message_id: int | None, result: DrainResult) -> None:
        async with self._db:
            await self._store.outbox.mark_sent(item_id, self._clock(), message_id)
        result.sent += 1

    async def _fail(self, item: OutboxItem, reason: str, result: DrainResult) -> Outcome:
        assert item.id is not None
        async with self._db:
            await self._store.outbox.mark_failed(item.id, reason)
        result.failed += 1
        return "failed"

    async def _fail_all(self, items: list[OutboxItem], reason: str, result: DrainResult) -> None:
        for item in items:
            await self._fail(item, reason, result)

    async def _give_back(
        self, items: list[OutboxItem], not_before: datetime, reason: str, result: DrainResult
    ) -> Outcome:
        async with self._db:
            await self._store.outbox.give_back([i.id for i in items if i.id], not_before, reason)
        result.deferred += len(items)
        return "deferred"

    def _hold(self, chat_id: int, until: datetime) -> None:
        self._holds[chat_id] = max(until, self._holds.get(chat_id, until))

    def _held_until(self, chat_id: int) -> datetime | None:
        now = self._clock()
        if self._holds.get(chat_id, now) <= now:
            self._holds.pop(chat_id, None)
        holds = [h for h in (self._holds.get(chat_id), self._hold_all) if h is not None and h > now]
        return max(holds, default=None)
