"""`liqguard demo`: the whole bot, offline, on a simulated market, with a chat in the terminal.

The composition is the bot's own (bot/app.py): the real python-telegram-bot Application with every
handler, the real store (SQLite in a temporary folder unless `database_url` is given), the real
ingest service, alert engine and outbox sender. Only the two ends are replaced: Telegram by the
loopback Bot API of bot/terminal (stdin in, stdout out), the venues by the simulated market of
bot/simulation (its stream in Bybit's wire format on a loopback WebSocket, its REST polls in
process). Simulated time runs `speed` times as fast as the wall clock: a clock task steps the market
one simulated second at a time, and the JobQueue runs the model and alert jobs `speed` times as often.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import tempfile
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import httpx

from bot.app import TelegramApp, build_application, build_services, start_worker
from bot.commands.positions import parse_position_args, split_words
from bot.feeds import bybit
from bot.market.ingest import IngestConfig, Ingestor
from bot.services import Services
from bot.simulation.market import SimulatedMarket
from bot.simulation.script import demo_script
from bot.simulation.venue import SimulatedVenueClient
from bot.simulation.wire import SimulatedStream
from bot.store import Store
from bot.terminal.botapi import CHAT_ID, TOKEN, LoopbackBotApi
from bot.terminal.console import Console, read_input
from bot.vocabulary.clock import utc_now
from bot.vocabulary.positions import PositionArgs
from bot.vocabulary.records import Watch
from config.settings import Settings, load_settings
from handlers import basic

__all__ = ["WATCH_COMMAND", "DemoOptions", "run_demo"]

WATCH_COMMAND = "/watch BTC 20x long on bybit"
"""The position the demo watches for the person, so its ladder alerts can be seen."""
START_TIMEOUT_S = 30.0
SETTLE_TIMEOUT_S = 15.0
SETTLE_CHECKS = 3
"""Idle checks in a row (20 ms apart) that count as the bot having answered: an update can be
between the loopback API and the Application's queue for a moment."""
MAX_CATCH_UP_S = 5
"""Simulated seconds the market clock steps at once to catch up after a slow round."""


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """How to run the demo."""

    speed: float = 2.0
    """Simulated seconds per wall-clock second."""
    seconds: float | None = None
    """End after this much simulated time (None: when the person types quit)."""
    headless: bool = False
    """No terminal input: the market runs, the bot answers and alerts, the demo ends on `seconds`."""
    database_url: str | None = None
    seed: int = 7


async def _until(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Wait in short steps until `check()` holds; TimeoutError naming `what` otherwise."""
    try:
        async with asyncio.timeout(timeout_s):
            while not check():  # noqa: ASYNC110 - polls state owned by the running bot, bounded
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise TimeoutError(f"the demo gave up waiting for {what}") from None


def _settings(options: DemoOptions, api: LoopbackBotApi, stream: SimulatedStream,
              market: SimulatedMarket, folder: Path) -> Settings:  # fmt: skip
    return load_settings(
        _env_file=None, telegram_bot_token=TOKEN, telegram_api_base_url=api.base_url,
        database_url=options.database_url or f"sqlite+aiosqlite:///{folder / 'demo.db'}",
        venues=market.venue, symbols=",".join(market.symbols), default_venue=market.venue,
        bybit_ws_url=stream.url, log_level="WARNING",
    )  # fmt: skip


def _ingestor(services: Services, market: SimulatedMarket, stream: SimulatedStream,
              speed: float) -> Ingestor:  # fmt: skip
    config = IngestConfig(
        snapshot_every_s=30.0 / speed, candles_every_s=300.0 / speed, tiers_every_s=3600.0 / speed
    )
    return Ingestor(
        services.store, services.market, clients={market.venue: SimulatedVenueClient(market)},
        streams=[bybit.stream_spec(stream.url, market.symbols)], symbols=market.symbols,
        clock=services.clock, config=config,
    )  # fmt: skip


class _ExpectedSkips(logging.Filter):
    """Drops APScheduler's "skipped: maximum number of running instances reached" lines.

    The demo runs the model and alert jobs `speed` times as often; a run still busy when the next
    is due is expected (jobs coalesce by design) and is not worth a line in the terminal chat.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


class _MarketClock:
    """Steps the simulated market one simulated second at a time, `speed` seconds per wall second,
    up to `until_s` simulated seconds when given.

    A step that runs late is caught up by the next round (at most `MAX_CATCH_UP_S` steps at once;
    beyond that simulated time falls behind rather than burst), so the market keeps its pace on a
    busy machine and no scheduler skips or warns.
    """

    def __init__(
        self, market: SimulatedMarket, stream: SimulatedStream, speed: float, until_s: float | None
    ) -> None:
        self._market, self._stream, self._speed = market, stream, speed
        self._until_s = until_s
        self._stopped = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin stepping."""
        self._task = asyncio.create_task(self._run(), name="simulated market clock")

    async def stop(self) -> None:
        """Stop after the step under way; simulated time stands still from here."""
        self._stopped.set()
        if self._task is not None:
            await self._task
            self._task = None

    def _over(self) -> bool:
        return self._until_s is not None and self._market.elapsed_s >= self._until_s

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        start, done = loop.time(), 0
        while not self._stopped.is_set():
            due = int((loop.time() - start) * self._speed)
            if due - done > MAX_CATCH_UP_S:  # too far behind: let the lag go, do not burst
                start += (due - done - MAX_CATCH_UP_S) / self._speed
                due = done + MAX_CATCH_UP_S
            while done < due and not self._stopped.is_set() and not self._over():
                await self._stream.publish(self._market.step(1.0))
                done += 1
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1.0 / self._speed):
                    await self._stopped.wait()


def _intro(console: Console, options: DemoOptions, photos: Path) -> None:
    console.note("liqguard demo: the whole bot, offline. Nothing here is real money or real data.")
    console.note(
        "The market is simulated (BTC and ETH perpetuals, served in Bybit's wire format); "
        f"simulated time runs {options.speed:g}x faster than your clock."
    )
    console.note(
        "Type commands as in Telegram: /risk BTC 10x long, /liqs, /map BTC, /funding BTC, "
        "/positions, /alerts, /help. A number presses that button; quit ends."
    )
    console.note(f"Photos are saved under {photos}.")


async def _earlier_watch(services: Services) -> Watch | None:
    """The watch an earlier run on this database made: WATCH_COMMAND's venue, coin, side, leverage."""
    words = split_words(WATCH_COMMAND.removeprefix("/watch"))
    asked = parse_position_args(words, services.settings.symbols)
    assert isinstance(asked, PositionArgs), asked
    for watch in await services.watches.list(CHAT_ID):
        terms = (watch.venue, watch.symbol, watch.side, watch.leverage)
        if not watch.synced and terms == (asked.venue, asked.symbol, asked.side, asked.leverage):
            return watch
    return None


async def _prepare_chat(services: Services, api: LoopbackBotApi, console: Console) -> None:
    """Watch a position for the person (unless an earlier run on this database did) and switch
    wave alerts on, saying so."""
    market, venue = services.market, services.settings.default_venue
    await _until(lambda: market.quote(venue, "BTC") is not None, START_TIMEOUT_S, "a first price")
    earlier = await _earlier_watch(services)
    if earlier is not None:
        console.note(
            f"The demo still watches the position it made in an earlier run (#{earlier.id}); "
            "/positions lists it."
        )
    else:
        console.note("The demo watches a position for you, as if you had typed:")
        console.echo(WATCH_COMMAND)
        before = len(console.shown)
        api.say(WATCH_COMMAND)
        await _until(lambda: len(console.shown) > before, START_TIMEOUT_S, "the /watch reply")
    current = await services.chats.settings(CHAT_ID)
    wave_on = current.settings.with_mode("wave", "on")
    await services.chats.change_settings(CHAT_ID, wave_on, current.timezone)
    console.note("Liquidation-wave alerts are switched on for this chat (/alerts changes them).")


async def _converse(options: DemoOptions, market: SimulatedMarket, api: LoopbackBotApi,
                    console: Console, stdin: TextIO, *,
                    settle: Callable[[], Awaitable[None]]) -> None:  # fmt: skip
    """Until quit, end of input, Ctrl-C or SIGTERM, or `options.seconds` of simulated time."""
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopped.set)
    waits: list[asyncio.Task[Any]] = [asyncio.create_task(stopped.wait())]
    if options.seconds is not None:
        limit = options.seconds
        waits.append(asyncio.create_task(_until(lambda: market.elapsed_s >= limit, 1e9, "time")))
    if not options.headless:
        prompt = stdin.isatty()
        reading = read_input(api, console, stdin, prompt=prompt, settle=settle)
        waits.append(asyncio.create_task(reading))
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _start(stack: AsyncExitStack, settings: Settings, market: SimulatedMarket,
                 stream: SimulatedStream, options: DemoOptions, *,
                 api: LoopbackBotApi) -> tuple[_MarketClock, Services, Callable[[], Awaitable[None]]]:  # fmt: skip
    http = httpx.AsyncClient(timeout=5.0)
    stack.push_async_callback(http.aclose)
    store = await Store.open(settings.database_url)
    stack.push_async_callback(store.close)
    await store.snapshots.add_many(market.history)  # the warm-up: a day of history before the start
    await store.liquidations.add_many(market.history_liquidations)
    services = await build_services(settings, http, store, lambda: market.now)
    app = build_application(services)
    await app.initialize()
    stack.push_async_callback(app.shutdown)
    await app.start()
    stack.push_async_callback(app.stop)
    ingestor = _ingestor(services, market, stream, options.speed)
    await ingestor.ingest_once("candles")  # the volatility of the first card needs them
    worker = await start_worker(app, services, ingestor=ingestor, time_scale=options.speed)
    stack.push_async_callback(worker.stop)
    assert app.job_queue is not None
    assert app.updater is not None
    clock = _MarketClock(market, stream, options.speed, options.seconds)
    clock.start()
    stack.push_async_callback(clock.stop)
    await basic.set_menus(app.bot)
    await app.updater.start_polling(poll_interval=0, timeout=1)
    stack.push_async_callback(app.updater.stop)
    return clock, services, _settler(app, api)


def _settler(app: TelegramApp, api: LoopbackBotApi) -> Callable[[], Awaitable[None]]:
    """A wait until the bot has fetched and handled every update sent so far (bounded)."""

    def idle() -> bool:
        return (
            api.pending_updates() == 0
            and app.update_queue.empty()
            and app.update_processor.current_concurrent_updates == 0
        )

    async def settle() -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(SETTLE_TIMEOUT_S):
                calm = 0
                while calm < SETTLE_CHECKS:
                    await asyncio.sleep(0.02)
                    calm = calm + 1 if idle() else 0

    return settle


async def _drain(services: Services) -> None:
    """Let the outbox deliver what the last steps wrote (bounded)."""
    async with asyncio.timeout(10):
        while await services.store.outbox.count("pending") + await services.store.outbox.count(
            "sending"
        ):
            services.outbox_written.emit()
            await asyncio.sleep(0.05)


async def run_demo(
    options: DemoOptions, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout
) -> int:
    """Run the demo until it ends; 0 after a clean end."""
    console = Console(out, colour=out.isatty())
    skips, scheduler_log = _ExpectedSkips(), logging.getLogger("apscheduler.scheduler")
    scheduler_log.addFilter(skips)
    try:
        return await _run_demo(options, console, stdin)
    finally:
        scheduler_log.removeFilter(skips)


async def _run_demo(options: DemoOptions, console: Console, stdin: TextIO) -> int:
    with tempfile.TemporaryDirectory(prefix="liqguard-demo-") as name:
        folder = Path(name)
        market = SimulatedMarket(demo_script(utc_now().replace(microsecond=0), options.seed))
        _intro(console, options, folder / "photos")
        async with (
            LoopbackBotApi(console.show, folder / "photos") as api,
            SimulatedStream() as stream,
            AsyncExitStack() as stack,
        ):
            settings = _settings(options, api, stream, market, folder)
            clock, services, settle = await _start(
                stack, settings, market, stream, options, api=api
            )
            await _prepare_chat(services, api, console)
            await _converse(options, market, api, console, stdin, settle=settle)
            await clock.stop()  # simulated time stops; what it produced is still delivered
            await _drain(services)
            console.note(f"Demo over after {market.elapsed_s:.0f} simulated seconds.")
    return 0
