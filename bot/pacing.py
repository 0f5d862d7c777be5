"""Telegram's send limits as sliding windows: at most N messages in any W seconds, overall and per chat.

Telegram asks bots to stay under about 30 messages a second overall, 20 a minute in one group and about
one a second in one private chat; over that it answers 429 with `retry_after`. `RateLimiter` keeps a
log of the moments it let a message go, per window, so it can promise the property Telegram checks:
no window of W seconds ever holds more than N of our messages. Groups and channels have negative
chat ids, private chats positive ones.

Each window counts `margin_s` longer than its period: a request reaches Telegram a few milliseconds
after we counted it, and not always in the order we counted, so without a margin two requests counted
exactly W apart could arrive less than W apart.

The clock and the sleep are injected, so tests check the pacing without waiting for it.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

__all__ = ["Monotonic", "RateLimiter", "Sleep", "Window", "is_group"]

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

_PRUNE_EVERY = 1024


def is_group(chat_id: int) -> bool:
    """Whether a chat id names a group, supergroup or channel (Telegram gives those negative ids)."""
    return chat_id < 0


class Window:
    """At most `limit` events in any `period_s` seconds."""

    __slots__ = ("_times", "limit", "period_s")

    def __init__(self, limit: int, period_s: float) -> None:
        if limit < 1 or period_s <= 0:
            raise ValueError(f"a window needs limit >= 1 and period > 0, not {limit}/{period_s}s")
        self.limit = limit
        self.period_s = period_s
        self._times: deque[float] = deque()

    def wait_s(self, now: float) -> float:
        """Seconds until one more event fits (0 when it fits now)."""
        while self._times and self._times[0] <= now - self.period_s:
            self._times.popleft()
        if len(self._times) < self.limit:
            return 0.0
        return self._times[0] + self.period_s - now

    def record(self, now: float) -> None:
        """Count an event at `now` (call only when `wait_s(now)` is 0)."""
        self._times.append(now)

    def idle(self, now: float) -> bool:
        """Whether no event of the last period is left to remember."""
        self.wait_s(now)  # drops what has left the window
        return not self._times


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
        margin_s: float = 0.05,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.overall_per_s = overall_per_s
        self.group_per_min = group_per_min
        self.private_per_s = private_per_s
        self._margin_s = margin_s
        self._monotonic = monotonic
        self._sleep = sleep
        self._overall = Window(overall_per_s, 1.0 + margin_s)
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

    async def acquire(self, chat_id: int) -> None:
        """Wait until a message to `chat_id` may go, and count it."""
        while (wait := self.wait_s(chat_id)) > 0:
            await self._sleep(wait)
        now = self._monotonic()
        self._overall.record(now)
        self._chat(chat_id).record(now)

    def _chat(self, chat_id: int) -> Window:
        window = self._chats.get(chat_id)
        if window is None:
            self._created += 1
            if self._created % _PRUNE_EVERY == 0:
                self._prune()
            if is_group(chat_id):
                window = Window(self.group_per_min, 60.0 + self._margin_s)
            else:
                window = Window(self.private_per_s, 1.0 + self._margin_s)
            self._chats[chat_id] = window
        return window

    def _prune(self) -> None:
        """Forget chats with nothing in their window, so the map does not grow with every chat ever."""
        now = self._monotonic()
        for chat_id in [c for c, w in self._chats.items() if w.idle(now)]:
            del self._chats[chat_id]
