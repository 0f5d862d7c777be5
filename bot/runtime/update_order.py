"""Updates of different chats run at once; updates of one chat run one after another, in order.

python-telegram-bot's concurrent processing would otherwise let two quick commands of one chat race
(both read the chat's settings, both write) and answer out of order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor
from typing_extensions import override

__all__ = ["PerChatUpdateProcessor"]


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """At most `max_concurrent_updates` at once, and one at a time per chat (FIFO per chat).

    A chat's waiting updates hold slots of the overall limit while they wait, so one chat flooding the
    bot can slow others only once it has more updates queued than the limit.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    @override
    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._waiting[chat.id] = self._waiting.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[chat.id] -= 1
            if self._waiting[chat.id] == 0:
                del self._waiting[chat.id]
                del self._locks[chat.id]

    @override
    async def initialize(self) -> None:
        """Nothing to set up."""

    @override
    async def shutdown(self) -> None:
        """Nothing to tear down."""
