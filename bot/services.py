"""The services object the composition root builds and the handler factories receive."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from bot.store import Store
from config.settings import Settings

__all__ = ["Clock", "Services", "utc_now"]

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


@dataclass
class Services:
    """Everything handlers and jobs need, built once in `bot.app.run`."""

    settings: Settings
    http: httpx.AsyncClient
    store: Store
    clock: Clock = utc_now
    started_at: datetime = field(default_factory=utc_now)
