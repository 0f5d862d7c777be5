"""Telegram's send limits as sliding windows: at most N messages in any W seconds, overall and per chat.

Telegram asks bots to stay under about 30 messages a second overall, 20 a minute in one group and about
one a second in one private chat; over that it answers 429 with `retry_after`. `RateLimiter` keeps a
log of the moments it let a message go, per window, so it can promise the property Telegram checks:
no window of W seconds ever holds more than N of our messages. Groups and channels have negative
chat ids, private chats positive ones.

A message counts from the moment its request leaves until one period after Telegram answered it.
Telegram counts it when the request arrives, which is after it left and before the answer came back,
so however late or out of order requests travel, Telegram never sees more than N in any W seconds.
The price is one round trip per window of throughput.

The clock and the sleep are injected, so tests check the pacing without waiting for it.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from bot.vocabulary.clock import Monotonic

__all__ = ["Monotonic", "RateLimiter", "Sleep", "Window", "is_group"]

Sleep = Callable[[float], Awaitable[None]]

_PRUNE_EVERY = 1024
_POLL_S = 0.005


def is_group(chat_id: int) -> bool:
    """Whether a chat id names a group, supergroup or channel (Telegram gives those negative ids)."""
    return chat_id < 0


class Window:
    """At most `limit` messages in any `period_s` seconds, each counted from sending to a period after."""

    __slots__ = ("_done", "in_flight", "limit", "period_s")

    def __init__(self, limit: int, period_s: float) -> None:
        if limit < 1 or period_s <= 0:
            raise ValueError(f"a window needs limit >= 1 and period > 0, not {limit}/{period_s}s")
        self.limit = limit
        self.period_s = period_s
        self.in_flight = 0
        self._done: deque[float] = deque()

    def wait_s(self, now: float) -> float:
        """Seconds until one more message fits (0 when it fits now)."""
        while self._done and self._done[0] <= now - self.period_s:
            self._done.popleft()
        if len(self._done) + self.in_flight < self.limit:
            return 0.0
        if self._done:
            return self._done[0] + self.period_s - now
        return _POLL_S  # every place is taken by a request still out: look again shortly

    def start(self) -> None:
        """Count a message whose request is leaving now (call only when `wait_s` is 0)."""
        self.in_flight += 1

    def finish(self, now: float) -> None:
        """The answer came at `now`: the message counts until a period later."""
        self.in_flight -= 1
        self._done.append(now)

    def idle(self, now: float) -> bool:
        """Whether nothing is out and nothing of the last period is left to remember."""
        self.wait_s(now)  # drops what has left the window
        return not self._done and not self.in_flight


class RateLimiter:
    """Paces sends: `overall_per_s` a second in all, `group_per_min` per group, `private_per_s` per user.

    One limiter serves one process; several senders sharing a bot token must split the budget.
    """

    def __init__(
        self,
        overall_per_s: int = 25,
        group_per_min: int = 18,
        private_per_s: int = 1,
        *,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.overall_per_s = overall_per_s
        self.group_per_min = group_per_min
        self.private_per_s = private_per_s
        self._monotonic = monotonic
        self._sleep = sleep
        self._overall = Window(overall_per_s, 1.0)
        self._chats: dict[int, Window] = {}
        self._created = 0

    def chat_wait_s(self, chat_id: int) -> float:
        """Seconds until the chat's own limit lets one more message go."""
        return self._chat(chat_id).wait_s(self._monotonic())

    def wait_s(self, chat_id: int) -> float:
        """Seconds until both the overall and the chat's limit let one more message go."""
        now = self._monotonic()
        return max(self._overall.wait_s(now), self._chat(chat_id).wait_s(now))

    async def wait_for_chat(self, chat_id: int) -> None:
        """Wait until the chat's own limit lets one more message go (without counting it)."""
        while (wait := self.chat_wait_s(chat_id)) > 0:
            await self._sleep(wait)

    @asynccontextmanager
    async def slot(self, chat_id: int) -> AsyncIterator[None]:
        """Wait until a message to `chat_id` may go; hold its place while it is out, and after."""
        while (wait := self.wait_s(chat_id)) > 0:
            await self._sleep(wait)
        windows = (self._overall, self._chat(chat_id))
        for window in windows:
            window.start()
        try:
            yield
        finally:
            now = self._monotonic()
            for window in windows:
                window.finish(now)

    def _chat(self, chat_id: int) -> Window:
        window = self._chats.get(chat_id)
        if window is None:
            self._created += 1
            if self._created % _PRUNE_EVERY == 0:
                self._prune()
            if is_group(chat_id):
                window = Window(self.group_per_min, 60.0)
            else:
                window = Window(self.private_per_s, 1.0)
            self._chats[chat_id] = window
        return window

    def _prune(self) -> None:
        """Forget chats with nothing in their window, so the map does not grow with every chat ever."""
        now = self._monotonic()
        for chat_id in [c for c, w in self._chats.items() if w.idle(now)]:
            del self._chats[chat_id]
