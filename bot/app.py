"""The composition root: settings → http client → store → market → services → handlers → jobs.

The one module that builds everything: the services over an open store, the Application with every
handler, and a worker's feeds, sender, alert engine and jobs. Running a process kind (`run`, `web`,
`worker`) around what is built here is `bot.runtime.processes`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import httpx
from telegram import Bot
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, CommandHandler

from bot import jobs
from bot.alerts.engine import Alerts, start_alerts
from bot.chats.directory import ChatDirectory
from bot.chats.schedules import ScheduleBook
from bot.chats.timezones import TimezoneBook
from bot.chats.watches import WatchBook
from bot.desk.risk_desk import RiskDesk
from bot.feeds.hyperliquid import HyperliquidClient
from bot.maps.refit import MapRefit
from bot.maps.score import MapScorer
from bot.maps.service import LiquidationMapService
from bot.market.backfill import Backfill, HistoryClient
from bot.market.ingest import IngestConfig, Ingestor, venue_client
from bot.market.listings import Listings, find_listings
from bot.market.state import MarketState
from bot.market.tiers import TierBook
from bot.outbox.sender import Sender
from bot.runtime.update_order import PerChatUpdateProcessor
from bot.services import Services
from bot.store import Store
from bot.summaries.posts import SummaryDesk
from bot.vocabulary.clock import Clock, utc_now
from bot.vocabulary.events import Signal
from bot.vocabulary.scope import MarketScope
from bot.wallets.book import WalletBook
from bot.wallets.pacing import WalletPacing
from bot.wallets.sync import WalletSync
from config.settings import Settings, SettingsError
from handlers import (
    alert_settings,
    basic,
    errors,
    fallback,
    funding,
    liqs,
    maps,
    risk,
    summaries,
    wallets,
    watch,
)  # fmt: skip
from risk.clusters import ClusterModelConfig

__all__ = [
    "Worker",
    "build_application",
    "build_services",
    "keep_listed_symbols",
    "start_worker",
]

log = logging.getLogger(__name__)
TelegramApp = Application[Any, Any, Any, Any, Any, Any]
CONCURRENT_UPDATES = 64
"""Updates handled at once (one at a time per chat): a slow chat must not hold up the others."""


async def build_services(
    settings: Settings,
    http: httpx.AsyncClient,
    store: Store,
    clock: Clock = utc_now,
    wallet_pacing: WalletPacing | None = None,
) -> Services:
    """Market state, tier tables, liquidation maps, the risk desk and the chat services over a store."""
    market = MarketState(clock, settings.venues)
    tiers = TierBook(store)
    await tiers.reload()
    maps = LiquidationMapService(store, tiers, ClusterModelConfig(), clock)
    desk = RiskDesk(
        market, store, tiers, maps.combined_map, default_venue=settings.default_venue,
        venues=settings.venues, symbols=settings.symbols, clock=clock, tier_times=tiers.fetched_at,
    )  # fmt: skip
    timezones = TimezoneBook(store, clock)
    watches_changed, outbox_written = Signal("watches changed"), Signal("outbox written")
    watches = WatchBook(store, clock, watches_changed)
    schedules = ScheduleBook(store, clock)
    wallet_book = build_wallets(
        settings, http, store, market, desk, maps, clock, watches_changed, wallet_pacing
    )
    chats = ChatDirectory(store, clock, timezones, watches, schedules)
    summaries = SummaryDesk(
        store, market, maps, tuple(settings.symbols), settings.default_venue, clock, outbox_written
    )
    scope = MarketScope(tuple(settings.venues), tuple(settings.symbols), settings.default_venue)
    return Services(
        settings, scope, http, store, market, tiers, maps, desk, timezones, watches, schedules,
        chats, summaries, wallet_book, clock, watches_changed, outbox_written,
    )  # fmt: skip


def build_wallets(  # noqa: PLR0917 - the wallet service's collaborators, named once here
    settings: Settings,
    http: httpx.AsyncClient,
    store: Store,
    market: MarketState,
    desk: RiskDesk,
    maps: LiquidationMapService,
    clock: Clock,
    watches_changed: Signal,
    pacing: WalletPacing | None,
) -> WalletBook:
    """The wallet sync (read by the worker's job) and the book /wallet talks to.

    `pacing` defaults to a read every 30 s. The sync's announcements go through the worker's alert
    book, which the worker's job hands to each round (`bot.jobs.register_wallet_job`).
    """

    def hyperliquid_mark(coin: str) -> float | None:
        quote = market.quote("hyperliquid", coin, clock())
        return quote.mark_price if quote else None

    sync = WalletSync(
        store, HyperliquidClient(http, settings.hyperliquid_rest_url, clock), clock,
        hyperliquid_mark, watches_changed=watches_changed, tracked=frozenset(settings.symbols),
        pacing=pacing,
    )  # fmt: skip
    return WalletBook(store, sync, desk, maps.combined_map, clock)


def build_application(services: Services) -> TelegramApp:
    """The python-telegram-bot Application with every handler registered."""
    settings = services.settings
    app = (
        ApplicationBuilder()
        .token(settings.require_token())
        .base_url(settings.telegram_api_base_url)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(PerChatUpdateProcessor(CONCURRENT_UPDATES))
        .build()
    )
    s, scope = services, services.scope
    watch_wallet = wallets.make_wallet(s.wallets, s.chats)
    app.add_handlers(basic.handlers(s.chats, s.watches, s.desk, s.wallets))
    app.add_handlers(risk.handlers(s.desk, s.chats))
    app.add_handlers(wallets.handlers(s.wallets, s.chats))
    app.add_handlers(watch.handlers(s.desk, s.watches, s.chats, watch_wallet))
    app.add_handlers(alert_settings.handlers(s.chats))
    app.add_handlers(liqs.handlers(s.market, s.chats, scope, s.clock))
    app.add_handlers(funding.handlers(s.market, s.chats, scope, s.clock))
    app.add_handlers(maps.handlers(s.market, s.maps, s.chats, scope, s.clock))
    app.add_handlers(summaries.handlers(s.summaries, s.schedules, s.chats))
    app.add_handlers(fallback.handlers(s.desk, s.chats, _known_commands(app)))  # last: what is left
    app.add_error_handler(errors.make_error_handler(settings.admin_chat_ids))
    return app


def _known_commands(app: TelegramApp) -> list[str]:
    """Every command a registered handler answers, in registration order."""
    known: list[str] = []
    for group in app.handlers.values():
        for handler in group:
            if isinstance(handler, CommandHandler):
                known.extend(sorted(handler.commands))
    return known


WARM_UP_GRACE_S = 5.0
"""How long a stopping worker lets the warm-up (backfill, rebuild, first fit) end by itself."""


async def finish_or_cancel(task: asyncio.Task[None], grace_s: float) -> None:
    """Wait up to `grace_s` for `task` to end, then cancel it and wait for that.

    A warm-up cancelled mid-query may leave a database connection to the garbage collector, so a
    warm-up about to end (the rebuild and the first fit take a second or two) is let run out; a
    long backfill is still cut off.
    """
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(task), grace_s)
    if not task.done():
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


class Worker:
    """What a worker process runs beside the Application: the feeds, the alert engine, the sender."""

    def __init__(
        self,
        ingestor: Ingestor,
        sender_bot: Bot,
        sender: Sender,
        alerts: Alerts,
        disconnect_sender: Callable[[], None],
        *,
        warm_up: asyncio.Task[None],
    ) -> None:
        self.ingestor, self.sender_bot, self.sender = ingestor, sender_bot, sender
        self.alerts, self._disconnect_sender = alerts, disconnect_sender
        self.warm_up = warm_up
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(sender.run(self._stop), name="outbox sender")
        self._alerts_task = asyncio.create_task(alerts.run(self._stop), name="alert engine")

    async def stop(self) -> None:
        """Stop the warm-up (given `WARM_UP_GRACE_S` to end), the sender (after its current
        drain), the feeds, and the sender's bot."""
        self._stop.set()
        await finish_or_cancel(self.warm_up, WARM_UP_GRACE_S)
        self._disconnect_sender()
        self.sender.wake()
        await self._task
        await self._alerts_task
        await self.ingestor.stop()
        await self.sender_bot.shutdown()


async def keep_listed_symbols(
    settings: Settings, http: httpx.AsyncClient, clock: Clock = utc_now
) -> tuple[Settings, Listings]:
    """The settings with the coins no venue lists dropped (one warning line), and what each lists.

    Raises:
        SettingsError: not one of SYMBOLS is listed by a venue that answered.
    """
    clients = {
        venue: venue_client(venue, settings.venue_urls(venue)[0], http, clock)
        for venue in settings.venues
    }
    listings = await find_listings(clients, settings.symbols)
    for venue, reason in listings.unanswered.items():
        log.warning("could not list %s's instruments to check SYMBOLS (%s)", venue, reason)
    if not listings.kept:
        raise SettingsError(f"SYMBOLS: none of {','.join(settings.symbols)} is listed by a venue")
    if warning := listings.warning():
        log.warning("%s", warning)
    return settings.model_copy(update={"symbols": list(listings.kept)}), listings


async def start_worker(
    app: TelegramApp,
    services: Services,
    ingest_config: IngestConfig | None = None,
    listings: Listings | None = None,
    *,
    ingestor: Ingestor | None = None,
    time_scale: float = 1.0,
) -> Worker:
    """Restore the market, start the feeds and the sender, and schedule polls and model updates.

    `ingestor` replaces the venues of the settings (the demo's simulated market); `time_scale` runs
    the model and alert jobs that many times as often, for a clock that runs that much faster.
    """
    settings = services.settings
    urls = {venue: settings.venue_urls(venue) for venue in settings.venues}
    ingestor = ingestor or Ingestor.for_venues(
        urls, settings.symbols, services.http, services.store, services.market,
        clock=services.clock, config=ingest_config, on_tiers=services.tiers.put,
        listed=listings.by_venue if listings else None,
    )  # fmt: skip
    await ingestor.restore()
    await ingestor.start()
    history = {v: c for v, c in ingestor.clients.items() if isinstance(c, HistoryClient)}
    backfill = Backfill(
        services.store, history, settings.symbols, services.clock,
        venues_without_history=[v for v in settings.venues if v not in history],
    )  # fmt: skip
    refit = MapRefit(services.store, services.maps, services.clock)
    warm_up = asyncio.create_task(jobs.warm_maps(backfill, services, refit), name="backfill")
    # The outbox paces itself (bot/pacing.py); its bot has no second rate limiter that would retry 429s.
    sender_bot = Bot(settings.require_token(), base_url=settings.telegram_api_base_url)
    await sender_bot.initialize()
    sender = Sender(sender_bot, services.store, services.clock)
    disconnect_sender = services.outbox_written.connect(sender.wake)
    alerts = await start_alerts(
        services.store, services.market, services.tiers, services.maps,
        symbols=settings.symbols, clock=services.clock, watches_changed=services.watches_changed,
        outbox_written=services.outbox_written,
    )  # fmt: skip
    assert app.job_queue is not None
    jobs.register_ingest_jobs(app.job_queue, ingestor)
    jobs.register_outbox_prune_job(app.job_queue, sender, ingestor.config.prune_every_s)
    jobs.register_model_jobs(app.job_queue, services, time_scale)
    scorer = MapScorer(
        services.store, services.maps, services.market, services.clock,
        symbols=settings.symbols, preferred_venue=settings.default_venue,
    )  # fmt: skip
    jobs.register_refit_job(app.job_queue, refit, scorer)
    jobs.register_alert_jobs(app.job_queue, alerts, time_scale)
    jobs.register_summary_job(app.job_queue, services)
    jobs.register_wallet_job(app.job_queue, services, alerts.book)
    return Worker(ingestor, sender_bot, sender, alerts, disconnect_sender, warm_up=warm_up)
