"""Chat timezones, cached: every reply shows times in the chat's timezone, and a database round trip
per reply (through aiosqlite's thread) was most of a /risk answer's time under load."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.store import Store
from bot.vocabulary.clock import Clock

__all__ = ["TimezoneBook"]


class TimezoneBook:
    """`chat_id -> IANA timezone`, read through to the store and kept for `ttl`.

    A change made in this process (`forget`) shows at once; one made by another process (a second web
    process) shows within `ttl`.
    """

    def __init__(self, store: Store, clock: Clock, ttl: timedelta = timedelta(minutes=1)) -> None:
        self._store, self._clock, self._ttl = store, clock, ttl
        self._known: dict[int, tuple[datetime, str]] = {}

    async def get(self, chat_id: int) -> str:
        """The chat's timezone; UTC for a chat the store does not know."""
        now = self._clock()
        cached = self._known.get(chat_id)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        chat = await self._store.chats.get(chat_id)
        timezone = chat.timezone if chat else "UTC"
        self._known[chat_id] = (now, timezone)
        return timezone

    def forget(self, chat_id: int) -> None:
        """Drop the cached timezone (after the chat changed it)."""
        self._known.pop(chat_id, None)
