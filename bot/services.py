"""The services the composition root builds and the handler factories receive."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from bot.chats.timezones import TimezoneBook
from bot.desk.risk_desk import RiskDesk
from bot.maps.service import LiquidationMapService
from bot.market.state import MarketState
from bot.market.tiers import TierBook
from bot.store import Store
from bot.vocabulary.clock import Clock, utc_now
from bot.wallets.book import WalletBook
from config.settings import Settings

__all__ = [
    "Services",
]


@dataclass
class Services:
    """Everything handlers and jobs need, built once in `bot.app.build_services`."""

    settings: Settings
    http: httpx.AsyncClient
    store: Store
    market: MarketState
    tiers: TierBook
    maps: LiquidationMapService
    desk: RiskDesk
    timezones: TimezoneBook
    wallets: WalletBook
    clock: Clock = utc_now
    wake_sender: Callable[[], None] = lambda: None
    """Call after writing to the outbox: the worker's sender drains it now instead of on its next tick."""
    watches_changed: Callable[[], None] = lambda: None
    """Call after adding or removing watches: the worker's alert engine reloads them now."""
