"""Exponential backoff with jitter: the one rule for waiting before trying again.

The feed streams reconnect with it, REST polls back off with it, the outbox schedules a failed row's
next try with it (the attempt count is stored, so the wait is computed, not slept), and start-up waits
out an unreachable Bot API with it. A retry library (stamina) would fit the in-process loops but not
the outbox's stored attempts, and one rule in one place matters more than the library.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Backoff"]

_JITTER = random.Random()  # noqa: S311 - jitter, not secrecy
"""Its own generator: jitter never draws on (or disturbs) the process-wide `random` state."""


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with jitter: attempt n waits `initial_s·multiplier^n`, capped, times 1−U·jitter."""

    initial_s: float = 1.0
    max_s: float = 60.0
    multiplier: float = 2.0
    jitter: float = 0.5

    @classmethod
    def none(cls) -> Backoff:
        """No waiting at all: for tests (as stamina's `set_testing`)."""
        return cls(0.0, 0.0, 1.0, 0.0)

    def delay_s(self, attempt: int, uniform: Callable[[], float] = _JITTER.random) -> float:
        """Seconds to wait before retry number `attempt` (0-based)."""
        base = min(self.max_s, self.initial_s * self.multiplier ** min(attempt, 30))
        return base * (1 - self.jitter * uniform())
