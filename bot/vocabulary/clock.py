"""The clock types every service is handed: aware UTC `now`, and monotonic seconds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


Monotonic = Callable[[], float]
"""Seconds on a monotonic clock (`time.monotonic`): for pacing and cooldowns, never for timestamps."""
