"""`liqguard demo`: the whole bot, offline, on a simulated market, with a chat in the terminal.

The composition is the bot's own (bot/app.py): the real python-telegram-bot Application with every
handler, the real store (SQLite in a temporary folder unless `database_url` is given), the real
ingest service, alert engine and outbox sender. Only the two ends are replaced: Telegram by the
loopback Bot API of bot/terminal (stdin in, stdout out), the venues by the simulated market of
bot/simulation (its stream in Bybit's wire format on a loopback WebSocket, its REST polls in
process). Simulated time runs `speed` times as fast as the wall clock; the JobQueue steps the market
one simulated second at a time and runs the model and alert jobs `speed` times as often.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import tempfile
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import httpx
from telegram.ext import CallbackContext, Job

from bot.app import build_application, build_services, start_worker
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


def _step_market(market: SimulatedMarket, stream: SimulatedStream) -> Any:
    async def step(context: CallbackContext[Any, Any, Any, Any]) -> None:
        """JobQueue callback: one simulated second, published on the stream."""
        del context
        await stream.publish(market.step(1.0))

    return step


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
                    console: Console, stdin: TextIO) -> None:  # fmt: skip
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
        waits.append(asyncio.create_task(read_input(api, console, stdin, prompt=prompt)))
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _start(stack: AsyncExitStack, settings: Settings, market: SimulatedMarket,
                 stream: SimulatedStream, speed: float) -> tuple[Job[Any], Services]:  # fmt: skip
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
    ingestor = _ingestor(services, market, stream, speed)
    await ingestor.ingest_once("candles")  # the volatility of the first card needs them
    worker = await start_worker(app, services, ingestor=ingestor, time_scale=speed)
    stack.push_async_callback(worker.stop)
    assert app.job_queue is not None
    assert app.updater is not None
    stepping = app.job_queue.run_repeating(
        _step_market(market, stream), 1.0 / speed, first=0.05, name="step simulated market",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )  # fmt: skip
    await basic.set_menus(app.bot)
    await app.updater.start_polling(poll_interval=0, timeout=1)
    stack.push_async_callback(app.updater.stop)
    return stepping, services


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
            stepping, services = await _start(stack, settings, market, stream, options.speed)
            await _prepare_chat(services, api, console)
            await _converse(options, market, api, console, stdin)
            stepping.enabled = False  # simulated time stops; what it produced is still delivered
            await _drain(services)
            console.note(f"Demo over after {market.elapsed_s:.0f} simulated seconds.")
    return 0
