"""`liqguard risk|funding|map|liqs`: one answer from the venues' public APIs, printed, then exit.

The same composition as the bot with the token and the database left out: Settings → one HTTP
client → an in-memory SQLite store (nothing written to disk) → the services → one REST poll of the
venues the question needs (tiers, snapshots, hourly candles) → the terminal answer. `map` first
fetches `MAP_HISTORY_DAYS` of the venues' published open-interest history (the bot's backfill,
`bot.market.backfill`) and builds the map on it, on the stated defaults: a one-shot run has no
liquidations to fit them to. `liqs` also listens to the venues' liquidation streams for `listen_s`
seconds, and says that its totals cover only that time. A venue that does not answer is named on one line; when no venue the answer needs
answered, the exit status is 2.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import httpx

from bot.app import build_services
from bot.commands.coins import CoinError, read_coin, require_coin
from bot.commands.positions import ArgsError, parse_position_args
from bot.market.backfill import Backfill, HistoryClient
from bot.market.ingest import Ingestor
from bot.services import Services
from bot.store import Store
from bot.terminal.answers import Answer, answer_funding, answer_liqs, answer_map, answer_risk
from bot.terminal.text import terminal_text
from bot.vocabulary.clock import utc_now
from config.settings import Settings

__all__ = ["MEMORY_DATABASE", "OneShot", "run_oneshot"]

MEMORY_DATABASE = "sqlite+aiosqlite:///:memory:"
RISK_NOTE = (
    "(terminal: read from one REST poll; liquidation streams are not listened to here, "
    "`liqguard liqs` does)"
)
MAP_HISTORY_DAYS = 7.0
"""Days of open-interest history a one-shot map is built on (the bot backfills 30)."""
MAP_NOTE = (
    "(terminal: modeled from {days:g} days of open-interest history fetched now ({venues}), on the "
    "stated defaults: a one-shot run has no liquidations to fit them to)"
)
EMPTY_MAP_NOTE = (
    "(terminal: no venue in scope published open-interest history, so the modeled map is empty; "
    "it fills in as a running bot, or `liqguard demo`, collects it)"
)


@dataclass(frozen=True, slots=True)
class OneShot:
    """One terminal question: the command, its words and how to print the answer."""

    command: str
    words: tuple[str, ...]
    as_json: bool = False
    png_path: Path | None = None
    listen_s: float = 10.0


class VenuesDown(Exception):  # noqa: N818 - reads as the condition it reports
    """No venue the answer needs could be reached; the message names each and why."""


def _scope(settings: Settings, shot: OneShot) -> Settings | Answer:
    """The settings narrowed to what the question needs (venues, coins), or the bad-input answer."""
    if shot.command == "risk":
        request = parse_position_args(shot.words, settings.symbols)
        if isinstance(request, ArgsError):
            text = request.text("risk").replace("/risk", "liqguard risk")
            return Answer(text, {"error": text}, ok=False)
        venue = request.venue or settings.default_venue
        if venue not in settings.venues:
            return Answer(f"{venue} is not in VENUES ({', '.join(settings.venues)})", ok=False)
        return settings.model_copy(update={"venues": [venue], "symbols": [request.symbol]})
    read = require_coin if shot.command == "map" else read_coin
    coin = read(list(shot.words), settings.symbols, command=shot.command)
    if isinstance(coin, CoinError):
        return Answer(coin.text.replace("/", "liqguard "), {"error": coin.text}, ok=False)
    return settings.model_copy(update={"symbols": [coin]}) if coin else settings


async def _poll(services: Services, ingestor: Ingestor, err: TextIO) -> None:
    """Snapshots, tiers and candles of every venue in scope; the venues that failed, named.

    Snapshots go first: when no venue answers them, the other polls are not waited for.
    """
    failed: dict[str, str] = {}
    for kind in ("snapshots", "tiers", "candles"):
        report = await ingestor.ingest_once(kind)
        for venue, error in report.errors.items():
            failed.setdefault(venue, error)
        down = [v for v in ingestor.clients if v in failed]
        if down and len(down) == len(ingestor.clients):
            lines = (f"cannot reach {v} ({_reason(v, failed[v])})" for v in down)
            raise VenuesDown("; ".join(lines))
    await services.tiers.reload()
    for venue in down:
        err.write(f"liqguard: {venue} did not answer ({_reason(venue, failed[venue])}); ")
        err.write("shown without it\n")


async def _backfill(services: Services, ingestor: Ingestor, err: TextIO) -> list[str]:
    """Fetch and store `MAP_HISTORY_DAYS` of open-interest history; the venues that gave some."""
    history = {v: c for v, c in ingestor.clients.items() if isinstance(c, HistoryClient)}
    if not history:
        return []
    err.write(f"liqguard: fetching {MAP_HISTORY_DAYS:g} days of open-interest history from "
              f"{', '.join(history)} …\n")  # fmt: skip
    backfill = Backfill(services.store, history, services.settings.symbols, utc_now,
                        days=MAP_HISTORY_DAYS)  # fmt: skip
    reports = await backfill.run()
    for report in reports:
        if report.stopped:
            err.write(f"liqguard: {report.venue}: {report.stopped}\n")
    return sorted({r.venue for r in reports if r.snapshots > 0})


def _reason(venue: str, error: str) -> str:
    """An `ExchangeError` text without the venue it already starts with."""
    return error.removeprefix(f"{venue}: ")


def _one_line(html: str) -> str:
    """A usage answer (message, then example) as one terminal line."""
    return " · ".join(line for line in terminal_text(html).splitlines() if line.strip())


async def _answer(
    services: Services, shot: OneShot, ingestor: Ingestor, fed: Sequence[str]
) -> Answer:
    settings, now = services.settings, utc_now()
    if shot.command == "risk":
        answer = await answer_risk(services.desk, shot.words)
        return Answer(answer.html + "\n" + RISK_NOTE, answer.data) if answer.ok else answer
    if shot.command == "funding":
        return answer_funding(services.market, shot.words, settings.symbols, settings.venues, now)
    if shot.command == "map":
        await services.maps.rebuild()
        answer = await answer_map(
            services.market, services.maps, shot.words, settings.symbols,
            preferred_venue=settings.default_venue, now=now, chart=shot.png_path is not None,
        )  # fmt: skip
        if not answer.ok:
            return answer
        note = (
            MAP_NOTE.format(days=MAP_HISTORY_DAYS, venues=", ".join(fed)) if fed else EMPTY_MAP_NOTE
        )
        return Answer(answer.html + "\n" + note, answer.data, png=answer.png)
    await ingestor.start()
    try:
        await asyncio.sleep(shot.listen_s)
    finally:
        await ingestor.stop()
    answer = answer_liqs(services.market, shot.words, settings.symbols, utc_now())
    note = f"Listened to the liquidation streams for {shot.listen_s:g} s: totals cover only that.\n"
    return Answer(note + answer.html, {"listened_s": shot.listen_s, **answer.data})


def _print(answer: Answer, shot: OneShot, out: TextIO) -> None:
    if shot.as_json:
        out.write(json.dumps(answer.data, indent=2, ensure_ascii=False) + "\n")
        return
    out.write(terminal_text(answer.html, colour=out.isatty()) + "\n")
    if shot.png_path is not None and answer.png is not None:
        shot.png_path.write_bytes(answer.png)
        out.write(f"chart saved to {shot.png_path}\n")
    elif shot.png_path is not None:
        out.write("no chart: the map has no modeled levels yet\n")


async def run_oneshot(
    settings: Settings, shot: OneShot, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    """Answer one terminal question; 0 when answered, 2 for bad input or no venue reachable."""
    scoped = _scope(settings, shot)
    if isinstance(scoped, Answer):
        err.write(f"liqguard: {_one_line(scoped.html)}\n")
        return 2
    scoped = scoped.model_copy(update={"database_url": MEMORY_DATABASE})
    store = await Store.open(MEMORY_DATABASE)
    try:
        async with httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0)) as http:
            services = await build_services(scoped, http, store)
            urls = {venue: scoped.venue_urls(venue) for venue in scoped.venues}
            ingestor = Ingestor.for_venues(
                urls, scoped.symbols, http, store, services.market, clock=utc_now
            )
            # the history goes first: the backfill fills from the newest stored snapshot on
            fed = await _backfill(services, ingestor, err) if shot.command == "map" else []
            await _poll(services, ingestor, err)
            answer = await _answer(services, shot, ingestor, fed)
    except VenuesDown as exc:
        err.write(f"liqguard: {exc}\n")
        return 2
    finally:
        await store.close()
    if not answer.ok:
        err.write(f"liqguard: {_one_line(answer.html)}\n")
        return 2
    _print(answer, shot, out)
    return 0


def oneshot_from_args(command: str, words: Sequence[str], *, as_json: bool, png: str | None,
                      listen_s: float) -> OneShot:  # fmt: skip
    """The `OneShot` of parsed command-line arguments."""
    return OneShot(command, tuple(words), as_json, Path(png) if png else None, listen_s)
