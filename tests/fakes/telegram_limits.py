"""A fake Bot API that enforces Telegram's flood limits, answering 429 as Telegram would.

`LimitedTelegram` is `FakeTelegram` plus sliding windows on the moment each request arrives: at most
`overall_per_s` messages in any second, `group_per_min` in one group (negative chat id) in any minute
and `private_per_s` in one private chat in any second. A message over a limit is refused with 429 and
`retry_after` and is not counted. Only message methods (send and edit) count, as with Telegram.

The windows here are written independently of `bot.outbox.pacing`, so the sender's pacing is checked by
other code than its own.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Any

from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram_wire import MESSAGE_METHODS

__all__ = ["LimitedTelegram", "most_in_any_window"]


def most_in_any_window(times: list[float], period_s: float) -> int:
    """The largest number of `times` inside one half-open window `period_s` long."""
    times = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= period_s:
            start += 1
        best = max(best, end - start + 1)
    return best


class _Log:
    """Arrival times of accepted messages within the last `period_s`."""

    def __init__(self, limit: int, period_s: float) -> None:
        self.limit, self.period_s = limit, period_s
        self.times: deque[float] = deque()

    def full(self, now: float) -> bool:
        while self.times and self.times[0] <= now - self.period_s:
            self.times.popleft()
        return len(self.times) >= self.limit


class LimitedTelegram(FakeTelegram):
    """The fake Bot API, refusing with 429 what goes over Telegram's message limits."""

    def __init__(
        self,
        *,
        overall_per_s: int = 30,
        group_per_min: int = 20,
        private_per_s: int = 1,
        retry_after: int = 1,
        monotonic: Callable[[], float] = time.monotonic,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.retry_after = retry_after
        self.refused = 0
        self._monotonic = monotonic
        self._overall = _Log(overall_per_s, 1.0)
        self._group_per_min, self._private_per_s = group_per_min, private_per_s
        self._windows: dict[str, _Log] = {}

    def _raise_injected_failure(self, method: str, params: dict[str, Any]) -> None:
        """Refuse a message over a limit, through the fake's own failure injection."""
        if method in MESSAGE_METHODS and "chat_id" in params:
            now = self._monotonic()
            chat = self._chat(str(params["chat_id"]))
            if self._overall.full(now) or chat.full(now):
                self.refused += 1
                self.fail_next(method, 429, retry_after=self.retry_after)
            else:
                self._overall.times.append(now)
                chat.times.append(now)
        super()._raise_injected_failure(method, params)

    def _chat(self, chat_id: str) -> _Log:
        if chat_id not in self._windows:
            group = chat_id.startswith("-")
            limit = self._group_per_min if group else self._private_per_s
            self._windows[chat_id] = _Log(limit, 60.0 if group else 1.0)
        return self._windows[chat_id]
