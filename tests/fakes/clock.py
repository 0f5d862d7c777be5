"""A clock the test moves: wall time for the code under test, monotonic time for rate limiters."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

__all__ = ["ManualClock"]


class ManualClock:
    """Wall time that moves when the test says; a limiter's sleeps move only its monotonic time."""

    def __init__(self, start: datetime, mono: float = 1000.0) -> None:
        self.wall = start
        self.mono = mono

    def now(self) -> datetime:
        """The wall clock the code under test reads."""
        return self.wall

    def monotonic(self) -> float:
        """The limiter's clock."""
        return self.mono

    async def sleep(self, seconds: float) -> None:
        """A limiter wait that takes no real time."""
        self.mono += seconds
        await asyncio.sleep(0)

    def advance(self, seconds: float) -> None:
        """Let time pass on both clocks."""
        self.wall += timedelta(seconds=seconds)
        self.mono += seconds
