"""The composition root: settings → http client → store → market → services → handlers → jobs.

The one module that sees everything. `run` drives python-telegram-bot's `Application` by hand (not
`run_polling`) so that the store and the HTTP client are opened, and closed, around it in one place.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from contextlib import AsyncExitStack

import httpx
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bot.logs import configure_logging
from bot.services import Services
from bot.store import Store
from bot.store.database import create_engine, migrate
from bot.store.leader import LeaderLock
from config.settings import Settings
from handlers import basic, errors

__all__ = ["build_application", "migrate_only", "run"]

log = logging.getLogger(__name__)


def build_application(settings: Settings, services: Services) -> Application:  # type: ignore[type-arg]
    """The python-telegram-bot Application with every handler registered."""
    app = (
        ApplicationBuilder()
        .token(settings.require_token())
        .base_url(settings.telegram_api_base_url)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .build()
    )
    for module in (basic,):
        app.add_handlers(module.handlers(services))
    app.add_error_handler(errors.make_error_handler(settings.admin_chat_ids))
    return app


async def migrate_only(settings: Settings) -> None:
    """Bring the schema up to date and return."""
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


async def run(settings: Settings, command: str) -> None:
    """Run one process kind (`run`, `web` or `worker`) until SIGINT or SIGTERM."""
    token = settings.require_token()
    secrets = [token] + (
        [settings.webhook_secret.get_secret_value()] if settings.webhook_secret else []
    )
    configure_logging(settings.log_level, secrets)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with AsyncExitStack() as stack:
        http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0))
        stack.push_async_callback(http.aclose)
        store = await Store.open(settings.database_url)
        stack.push_async_callback(store.close)
        services = Services(settings=settings, http=http, store=store)
        app = build_application(settings, services)
        await stack.enter_async_context(app)
        await app.start()
        stack.push_async_callback(app.stop)
        if command in ("run", "web"):
            await _start_updates(app, settings)
            stack.push_async_callback(_stop_updates, app)
        if command in ("run", "worker"):
            lock = LeaderLock(store.engine)
            stack.push_async_callback(lock.release)
            await _lead_when_possible(lock, stop)
        log.info("liqguard %s started", command)
        await stop.wait()
        log.info("liqguard stopping")


async def _start_updates(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    assert app.updater is not None
    if settings.webhook_url:
        path = "telegram"
        await app.updater.start_webhook(
            listen="0.0.0.0",  # noqa: S104 - the web process serves the platform's router
            port=settings.port,
            url_path=path,
            webhook_url=f"{settings.webhook_url.rstrip('/')}/{path}",
            secret_token=settings.webhook_secret.get_secret_value()
            if settings.webhook_secret
            else None,
        )
    else:
        await app.updater.start_polling(drop_pending_updates=False)


async def _stop_updates(app: Application) -> None:  # type: ignore[type-arg]
    if app.updater is not None and app.updater.running:
        await app.updater.stop()


async def _lead_when_possible(lock: LeaderLock, stop: asyncio.Event) -> None:
    """Wait (as a standby worker) until this process holds the leadership lock, or stop is set."""
    while not await lock.acquire():
        log.info("another worker leads; waiting")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=15)
        if stop.is_set():
            return
