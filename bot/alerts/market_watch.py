"""Market alerts per chat and group: liquidation waves (one message, edited as it grows) and funding.

`MarketAlerts.evaluate` runs every few seconds (a JobQueue job): it reads the rolling totals of every
scope (each tracked symbol, and `ALL`) and each venue's funding once, then steps every subscribed
chat's state machines (bot/market_rules.py) and sends what they ask for through the `AlertBook`.

It keeps the last hour of each scope's samples, so a wave that opens is dated from where it began
(its price line shows the move since then), and a chat whose coin wave makes the whole market's wave
gets that one alert, not a second one for `ALL` with the same dollars (bot/alerts/market_rules.py).

Keys: a wave's message is `wave:{chat}:{scope}:{start}`; its edits `wave:{chat}:{scope}:{start}:edit:{n}`
(edits need no gate: they change a message already in the chat, silently); a funding alert is
`funding:{chat}:{epoch}:{venue}:{symbol}:{n}` (the epoch of the chat's alert state, see
bot/alerts/book.py: the count restarts only with a new epoch). A wave whose first message was held (quiet hours, cap) or
switched off is followed without edits; the digest tells of it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.alerts.book import Alert, AlertBook
from bot.alerts.market_rules import (
    WavePoint,
    WaveSample,
    backdate_wave,
    carried_by,
    step_funding,
    step_wave,
    wave_began,
    wave_threshold,
)
from bot.market.state import MarketState
from bot.outbox.payloads import edit_payload, outbox_item
from bot.render.alert_text import render_funding, render_wave
from bot.vocabulary.clock import Clock
from bot.vocabulary.records import OutboxItem
from bot.vocabulary.waves import FundingState, WaveState

__all__ = ["MarketAlerts", "MarketView", "read_market"]

MIN_BASELINE_H = 6.0
"""Hours heard before the last one below which no rate is called usual (the floor alone opens)."""
HISTORY_S = 3600.0
"""How far back the samples of each scope are kept, to find where a wave began."""


@dataclass(frozen=True, slots=True)
class MarketView:
    """What every chat's market alerts read at one moment: wave samples and 8h funding rates."""

    waves: dict[str, WaveSample]
    funding_8h_pct: dict[tuple[str, str], float]


def read_market(market: MarketState, symbols: Sequence[str], now: datetime) -> MarketView:
    """The wave sample of each symbol and of `ALL`, and each venue's funding, from the live market."""
    waves = {}
    heard = market.heard_since(now)
    baseline_h = (now - timedelta(hours=1) - heard).total_seconds() / 3600 if heard else 0.0
    for scope in (*symbols, "ALL"):
        symbol = None if scope == "ALL" else scope
        hour = market.totals("1h", symbol, now)
        week = market.totals("7d", symbol, now)
        quotes = market.quotes(symbol, now) if symbol else []
        price = next((q.mark_price for q in quotes if not q.stale), None)
        usual = None
        if baseline_h >= MIN_BASELINE_H:  # the week before the last hour, per hour heard
            usual = max(week.total_usd - hour.total_usd, 0.0) / baseline_h
        waves[scope] = WaveSample(now.timestamp(), hour.total_usd, usual, hour.long_share, price)
    funding = {}
    for symbol in symbols:
        for quote in market.quotes(symbol, now):
            if quote.funding_rate is None or quote.stale:
                continue
            interval_h = (quote.snapshot.funding_interval_h if quote.snapshot else None) or 8.0
            funding[(quote.venue, symbol)] = quote.funding_rate * 100 * 8 / interval_h
    return MarketView(waves, funding)


class MarketAlerts:
    """Waves and funding for every chat that asked for them."""

    def __init__(
        self, market: MarketState, book: AlertBook, symbols: Sequence[str], clock: Clock
    ) -> None:
        self._market, self._book, self._symbols, self._clock = market, book, symbols, clock
        self._history: dict[str, deque[WavePoint]] = {}

    async def evaluate(self) -> int:
        """Step every subscribed chat's waves and funding; returns how many messages were written."""
        await self._book.reload_chats()  # /alerts may have switched waves or funding on
        now = self._clock()
        view = read_market(self._market, self._symbols, now)
        alerts: list[Alert] = []
        edits: list[OutboxItem] = []
        opened: list[tuple[int, str, Alert]] = []
        for chat_id, chat in self._book.chats.items():
            settings = self._book.settings(chat_id)
            if chat.paused:
                continue
            if settings.mode("wave") != "off":
                for scope, sample in view.waves.items():  # coins first, then ALL
                    alert = self._wave(chat_id, scope, sample, view, edits)
                    if alert is not None:
                        opened.append((chat_id, scope, alert))
                        alerts.append(alert)
            if settings.mode("funding") != "off":
                alerts += self._funding(chat_id, view.funding_8h_pct, now)
        verdicts = await self._book.deliver(alerts, now)
        for chat_id, scope, alert in opened:
            if verdicts.get(alert.key) in ("send", "silent"):
                self._mark_announced(chat_id, scope)
        await self._book.enqueue(edits, now)
        self._remember(view)
        return sum(v in ("send", "silent") for v in verdicts.values()) + len(edits)

    def _remember(self, view: MarketView) -> None:
        """Keep the last hour of samples of every scope (where a wave began is found in them)."""
        for scope, sample in view.waves.items():
            points = self._history.setdefault(scope, deque())
            points.append(WavePoint(sample.now_s, sample.hour_usd, sample.price))
            while points and points[0].now_s < sample.now_s - HISTORY_S:
                points.popleft()

    def _wave(
        self,
        chat_id: int,
        scope: str,
        sample: WaveSample,
        view: MarketView,
        edits: list[OutboxItem],
    ) -> Alert | None:
        settings, doc = self._book.settings(chat_id), self._book.doc(chat_id)
        waves: dict[str, Any] = doc.setdefault("waves", {})
        state = WaveState.from_stored(waves.get(scope))
        announced = bool(waves.get(scope, {}).get("announced"))
        new, action = step_wave(
            state, sample, min_usd=settings.wave_min_usd,
            rate_multiple=settings.wave_rate_multiple, cooldown_s=settings.wave_cooldown_s,
        )  # fmt: skip
        if action == "open":
            threshold = wave_threshold(
                sample.usual_hourly_usd, settings.wave_min_usd, settings.wave_rate_multiple
            )
            if scope == "ALL" and self._carried(waves, view, sample.hour_usd, threshold):
                return None  # the coin's wave says it: the market's is the same dollars
            new = backdate_wave(new, wave_began(self._history.get(scope, ()), threshold))
        if new == state:
            return None
        waves[scope] = {**new.to_stored(), "announced": announced and action != "open"}
        self._book.touch(chat_id)
        if action is None:
            return None
        key = f"wave:{chat_id}:{scope}:{int(new.started_s)}"
        text, line = render_wave(scope, new, sample.now_s, self._book.timezone(chat_id))
        if action == "open":
            return Alert(key, chat_id, "wave", text, line)
        if announced:
            edit = edit_payload(key, text)
            edits.append(outbox_item(f"{key}:edit:{new.edits}", chat_id, "wave", edit))
        return None

    @staticmethod
    def _carried(
        waves: dict[str, Any], view: MarketView, market_hour_usd: float, threshold: float
    ) -> bool:
        """Whether one coin whose wave is open in the chat makes the whole market's wave."""
        coins = {
            scope: sample.hour_usd
            for scope, sample in view.waves.items()
            if scope != "ALL" and WaveState.from_stored(waves.get(scope)).open
        }
        return carried_by(market_hour_usd, coins, threshold) is not None

    def _mark_announced(self, chat_id: int, scope: str) -> None:
        self._book.doc(chat_id)["waves"][scope]["announced"] = True
        self._book.touch(chat_id)

    def _funding(
        self, chat_id: int, rates: dict[tuple[str, str], float], now: datetime
    ) -> list[Alert]:
        settings, doc = self._book.settings(chat_id), self._book.doc(chat_id)
        states: dict[str, Any] = doc.setdefault("funding", {})
        alerts = []
        for (venue, symbol), rate in rates.items():
            name = f"{venue}:{symbol}"
            state = FundingState.from_stored(states.get(name))
            new, event = step_funding(
                state, rate, now.timestamp(), extreme_pct=settings.funding_extreme_8h_pct,
                cooldown_s=settings.funding_cooldown_s,
            )  # fmt: skip
            if new != state:
                states[name] = new.to_stored()
                self._book.touch(chat_id)
            if event is not None:
                text, line = render_funding(
                    venue, symbol, rate, event, settings.funding_extreme_8h_pct
                )
                key = f"funding:{chat_id}:{self._book.epoch(chat_id)}:{name}:{new.count}"
                alerts.append(Alert(key, chat_id, "funding", text, line))
        return alerts
