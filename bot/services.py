"""The services the composition root builds, frozen: each front end is handed the parts it needs.

Nothing here is reassigned after `bot.app.build_services` returns. What must react to a change is
connected to a `Signal` when it starts: the alert engine to `watches_changed`, the outbox sender to
`outbox_written`.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from bot.chats.directory import ChatDirectory
from bot.chats.schedules import ScheduleBook
from bot.chats.timezones import TimezoneBook
from bot.chats.watches import WatchBook
from bot.desk.risk_desk import RiskDesk
from bot.maps.service import LiquidationMapService
from bot.market.state import MarketState
from bot.market.tiers import TierBook
from bot.store import Store
from bot.summaries.posts import SummaryDesk
from bot.vocabulary.clock import Clock
from bot.vocabulary.events import Signal
from bot.vocabulary.scope import MarketScope
from bot.wallets.book import WalletBook
from config.settings import Settings

__all__ = ["Services"]


@dataclass(frozen=True, slots=True)
class Services:
    """Everything handlers and jobs need, built once in `bot.app.build_services`."""

    settings: Settings
    scope: MarketScope
    http: httpx.AsyncClient
    store: Store
    market: MarketState
    tiers: TierBook
    maps: LiquidationMapService
    desk: RiskDesk
    timezones: TimezoneBook
    watches: WatchBook
    schedules: ScheduleBook
    chats: ChatDirectory
    summaries: SummaryDesk
    wallets: WalletBook
    clock: Clock
    watches_changed: Signal
    """Emitted after watches are added or removed: the worker's alert engine reloads them now."""
    outbox_written: Signal
    """Emitted after a row is written to the outbox: the worker's sender drains it now."""
