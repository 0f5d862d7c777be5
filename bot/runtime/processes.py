"""Running a process kind: `run`, `web` or `worker` until a signal, `migrate`, and what start-up tunes.

`run` drives python-telegram-bot's `Application` by hand (not `run_polling`) so that the store, the HTTP
client and the feeds are opened, and closed, around it in one place (DESIGN.md section 6: `run` does
everything; `web` answers commands by webhook and mirrors the market; `worker` ingests, models and
alerts as the one leader). What is built is built by `bot.app`; this module only runs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import sys
from contextlib import AsyncExitStack
from datetime import datetime

import httpx
from telegram.error import InvalidToken, NetworkError

from bot import jobs
from bot.app import (
    TelegramApp,
    build_application,
    build_services,
    keep_listed_symbols,
    start_worker,
)
from bot.maps.score import load_score
from bot.render.map_fit_text import render_score_line
from bot.runtime.logs import configure_logging
from bot.runtime.preflight import DATABASE_ERRORS, describe_database_error
from bot.store import Store
from bot.store.database import create_engine, migrate
from bot.store.leader import LeaderLock
from bot.vocabulary.backoff import Backoff
from bot.vocabulary.clock import utc_now
from config.settings import Settings, SettingsError
from handlers import basic

log = logging.getLogger(__name__)


def tune_runtime() -> None:
    """Hand the GIL back to the event loop sooner (1 ms, not 5 ms) when aiosqlite's thread holds it.

    Every SQLite query crosses to aiosqlite's worker thread and back; with the default switch interval
    each crossing can cost the event loop up to 5 ms, which dominated a /risk round trip.
    """
    sys.setswitchinterval(0.001)


async def describe_map_scores(settings: Settings, now: datetime | None = None) -> str:
    """`python -m bot check`: the map's live score per symbol over the last 7 days."""
    store = await Store.open(settings.database_url)
    try:
        now = now or utc_now()
        header = (
            "map live score, last 7 days (share of liquidated notional within ±0.5 % of a level "
            "held just before; a uniform spread beside it):"
        )
        lines = [header] + [
            f"  {symbol}: {render_score_line(await load_score(store, symbol, now))}"
            for symbol in settings.symbols
        ]
        return "\n".join(lines)
    finally:
        await store.close()


def freeze_startup_heap() -> None:
    """Move everything alive after start-up out of the garbage collector's sight (`gc.freeze`).

    Modules, the Application, the store and the restored market are never garbage; left in view,
    every full collection walked them all and paused the event loop for 200-250 ms, which was the
    tail of a burst of /risk replies.
    """
    gc.collect()
    gc.freeze()


REFREEZE_S = 3600.0
"""How often the frozen heap is taken back, collected once and frozen again (`refreeze_heap`)."""


def refreeze_heap() -> None:
    """Collect once over everything, then freeze again what is alive: an hourly job.

    Frozen objects are never collected, so reference cycles that died among them after the last
    freeze would stay for good, and what the market windows and caches grow meanwhile is walked by
    every full collection, whose pauses creep back. One full collection an hour (the 200-250 ms pause
    `freeze_startup_heap` keeps out of bursts) frees those cycles and hides the heap again.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


async def migrate_only(settings: Settings) -> None:
    """Bring the schema up to date and return."""
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
    except DATABASE_ERRORS as error:
        raise SettingsError(describe_database_error(settings.database_url, error)) from None
    finally:
        await engine.dispose()


async def run(settings: Settings, command: str) -> None:
    """Run one process kind (`run`, `web` or `worker`) until SIGINT or SIGTERM."""
    token = settings.require_token()
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    configure_logging(settings.log_level, [token] + ([secret] if secret else []))
    tune_runtime()
    stop = _stop_on_signals()
    async with AsyncExitStack() as stack:
        http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0))
        stack.push_async_callback(http.aclose)
        try:
            store = await Store.open(settings.database_url)
        except DATABASE_ERRORS as error:
            raise SettingsError(describe_database_error(settings.database_url, error)) from None
        stack.push_async_callback(store.close)
        settings, listings = await keep_listed_symbols(settings, http)
        services = await build_services(settings, http, store)
        app = build_application(services)
        if not await _initialize_when_reachable(app, settings, stop):
            return
        stack.push_async_callback(app.shutdown)
        log.info("ready as @%s", app.bot.username)
        await app.start()
        stack.push_async_callback(app.stop)
        if command in ("run", "worker"):
            lock = LeaderLock(store.engine)
            stack.push_async_callback(lock.release)
            if not await _lead_when_possible(lock, stop):
                return
            worker = await start_worker(app, services, listings=listings)
            stack.push_async_callback(worker.stop)
        if command == "web":
            assert app.job_queue is not None
            await jobs.start_mirror(app.job_queue, services)
        if command in ("run", "web"):
            await basic.set_menus(app.bot)
            await start_updates(app, settings)
            stack.push_async_callback(_stop_updates, app)
        freeze_startup_heap()
        assert app.job_queue is not None
        jobs.register_heap_job(app.job_queue, refreeze_heap, REFREEZE_S)
        log.info("liqguard %s started", command)
        await stop.wait()
        log.info("liqguard stopping")


async def _initialize_when_reachable(
    app: TelegramApp, settings: Settings, stop: asyncio.Event
) -> bool:
    """Initialise the Application (getMe), waiting out an unreachable Bot API; False when stopped.

    A refused token is a settings error (one line, exit status 2), not something to retry.
    """
    backoff, attempt = Backoff(initial_s=1.0, max_s=60.0, jitter=0.0), 0
    while True:
        try:
            await app.initialize()
        except InvalidToken:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN was refused by Telegram (Unauthorized): check it with @BotFather"
            ) from None
        except NetworkError as exc:  # TimedOut is a NetworkError
            wait_s = backoff.delay_s(attempt)
            attempt += 1
            log.warning(
                "cannot reach the Telegram Bot API at %s (%s); trying again in %.0fs",
                settings.telegram_api_base_url, exc, wait_s,
            )  # fmt: skip
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=wait_s)
            if stop.is_set():
                return False
        else:
            return True


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


async def start_updates(app: TelegramApp, settings: Settings, listen: str = "0.0.0.0") -> None:  # noqa: S104 - the web process serves the platform's router
    """Long polling, or the webhook server (secret token checked) when WEBHOOK_URL is set."""
    assert app.updater is not None
    if settings.webhook_url:
        path = "telegram"
        await app.updater.start_webhook(
            listen=listen,
            port=settings.port,
            url_path=path,
            webhook_url=f"{settings.webhook_url.rstrip('/')}/{path}",
            secret_token=settings.webhook_secret.get_secret_value()
            if settings.webhook_secret
            else None,
        )
    else:
        await app.updater.start_polling(drop_pending_updates=False)


async def _stop_updates(app: TelegramApp) -> None:
    if app.updater is not None and app.updater.running:
        await app.updater.stop()


async def _lead_when_possible(lock: LeaderLock, stop: asyncio.Event) -> bool:
    """Wait (as a standby worker) until this process leads; False when stopped first."""
    while not await lock.acquire():
        log.info("another worker leads; standing by")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=15)
        if stop.is_set():
            return False
    return True
