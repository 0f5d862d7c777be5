"""The one-shot terminal commands' answers: the same parsers, services and renderers as the bot's.

Each function takes floor-3 services (the risk desk, the market state, the map service), answers with
the bot's own Telegram HTML plus a plain data value for `--json`, and says `ok=False` when the input
was wrong or the desk refused (the command then exits 2).
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.commands.coins import CoinError, read_coin, require_coin
from bot.commands.positions import ArgsError, parse_position_args
from bot.desk.risk_desk import RiskDesk
from bot.maps.service import LiquidationMapService
from bot.maps.view import draw_map, gather_map
from bot.market.state import MarketState
from bot.render.funding_text import funding_row, render_funding_coin, render_funding_table
from bot.render.liqs_text import render_liqs
from bot.render.map_text import render_map_caption, render_map_text
from bot.render.risk_card import render_refusal, render_risk_card
from bot.vocabulary.cards import DeskRefusal

__all__ = ["Answer", "answer_funding", "answer_liqs", "answer_map", "answer_risk", "plain"]


@dataclass(frozen=True, slots=True)
class Answer:
    """What a one-shot command prints: HTML for the terminal, data for `--json`, maybe a chart."""

    html: str
    data: dict[str, Any] = field(default_factory=dict)
    ok: bool = True
    png: bytes | None = None


def plain(value: Any) -> Any:
    """`value` as JSON-ready data: dataclasses as objects, enums by value, times ISO, ∞ as None."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    elif isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


async def answer_risk(desk: RiskDesk, words: Sequence[str], timezone: str = "UTC") -> Answer:
    """The risk card of `words` (as after /risk), or the usage line or refusal."""
    request = parse_position_args(words, desk.symbols)
    if isinstance(request, ArgsError):
        text = request.text("risk").replace("/risk", "liqguard risk")
        return Answer(text, {"error": text}, ok=False)
    card = await desk.card(request)
    if isinstance(card, DeskRefusal):
        return Answer(render_refusal(card), {"error": card.message}, ok=False)
    data = {
        "venue": card.venue, "margin_usd": card.margin_usd, "report": plain(card.report),
        "last_hour": plain(card.last_hour), "warnings": list(card.warnings),
        "cumulative_same_side_usd": card.cumulative_same_side_usd,
    }  # fmt: skip
    return Answer(render_risk_card(card, timezone), data)


def answer_funding(
    market: MarketState, words: Sequence[str], symbols: Sequence[str], venues: Sequence[str],
    now: datetime,
) -> Answer:  # fmt: skip
    """Funding of one coin per venue in full, or the 8h table of every tracked coin."""
    coin = read_coin(words, symbols, command="funding")
    if isinstance(coin, CoinError):
        return Answer(coin.text, {"error": coin.text}, ok=False)
    quotes = market.quotes(coin, now)
    data = {"symbol": coin, "venues": [plain(funding_row(q)) for q in quotes]}
    if coin:
        return Answer(render_funding_coin(coin, quotes, venues, now=now, timezone="UTC"), data)
    return Answer(render_funding_table(symbols, quotes, venues, now=now, timezone="UTC"), data)


def answer_liqs(
    market: MarketState, words: Sequence[str], symbols: Sequence[str], now: datetime
) -> Answer:
    """Realized liquidations per window, with the coverage behind every total."""
    coin = read_coin(words, symbols, command="liqs")
    if isinstance(coin, CoinError):
        return Answer(coin.text, {"error": coin.text}, ok=False)
    totals = market.all_totals(coin, now)
    coverages = [market.coverage(t.window, now) for t in totals]
    data = {"totals": plain(totals), "coverage": plain(coverages)}
    return Answer(render_liqs(totals, coverages, symbol=coin, now=now, timezone="UTC"), data)


async def answer_map(
    market: MarketState, maps: LiquidationMapService, words: Sequence[str],
    symbols: Sequence[str], *, preferred_venue: str, now: datetime, chart: bool,
) -> Answer:  # fmt: skip
    """The liquidation map's reading (and its chart when `chart`), or the warming-up text; said as a
    one-shot answer (no live score; no fit follows)."""
    coin = require_coin(words, symbols, command="map")
    if isinstance(coin, CoinError):
        return Answer(coin.text, {"error": coin.text}, ok=False)
    view = await gather_map(market, maps, coin, preferred_venue=preferred_venue, now=now)
    data = {"symbol": coin, "venues": list(view.venues), "mark": plain(view.quote)}
    if view.quote is None or view.modeled.is_empty:
        return Answer(render_map_text(view), data)
    png = await draw_map(view, "UTC") if chart else None
    return Answer(render_map_caption(view, "UTC", live=False), data, png=png)
