"""A per-key cooldown for expensive commands: at most one call per `interval_s` for each key (chat).

Pure apart from the injected monotonic clock, so tests drive it with a fake one. Not a token bucket:
a refused call does not count and does not push the next allowed moment back.
"""

from __future__ import annotations

import time
from collections.abc import Hashable

from bot.vocabulary.clock import Monotonic
from bot.vocabulary.maps import Admission

__all__ = [
    "Cooldown",
]


class Cooldown:
    """At most one admitted call per `interval_s` per key; forgets keys idle for longer than that."""

    def __init__(
        self, interval_s: float, clock: Monotonic = time.monotonic, *, sweep_at: int = 1024
    ) -> None:
        if not interval_s > 0:
            raise ValueError(f"interval_s must be positive; got {interval_s!r}")
        self.interval_s = interval_s
        self._clock = clock
        self._last: dict[Hashable, float] = {}
        self._sweep_at = sweep_at

    def admit(self, key: Hashable) -> Admission:
        """Admit and record a call for `key`, or refuse it with the time left."""
        now = self._clock()
        last = self._last.get(key)
        if last is not None and now - last < self.interval_s:
            return Admission(allowed=False, retry_after_s=self.interval_s - (now - last))
        self._last[key] = now
        if len(self._last) >= self._sweep_at:
            self._forget_idle(now)
        return Admission(allowed=True)

    def _forget_idle(self, now: float) -> None:
        self._last = {k: t for k, t in self._last.items() if now - t < self.interval_s}

    def __len__(self) -> int:
        """Keys currently remembered."""
        return len(self._last)
