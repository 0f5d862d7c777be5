"""A day of position alerts replayed: watches added, alerting, removed and added again across many chats.

`replay_day` drives the real alert engine, alert book, outbox and sender (a real PTB `Bot` talking to
the fake Bot API, which answers 429 with `retry_after` and 5xx now and then) over the real store, on a
simulated clock: BTC and ETH marks every few simulated minutes for 24 hours. Independently, the pure
ladder rule (`bot.alerts.ladder.step`) says which alerts each watch should have sent, from the moment
it was added (its confirmation counting as the steps it told) until it was removed. `ReplayScore`
compares the two: every expected alert delivered exactly once, in order per chat.

Used by tests/e2e/test_alert_replay.py (SQLite and PostgreSQL) and bench/bench_alerts.py.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from telegram import Bot

from bot.alerts.book import AlertBook
from bot.alerts.engine import AlertEngine
from bot.alerts.ladder import LadderState, step
from bot.market.state import MarketState
from bot.market.tiers import TierBook
from bot.outbox.pacing import RateLimiter
from bot.outbox.sender import Sender
from bot.store import Store
from bot.vocabulary.alert_settings import AlertSettings
from bot.vocabulary.positions import watch_position
from bot.vocabulary.records import Chat, MarkTick, PositionSide, Watch
from risk.liquidation import liquidation_price
from risk.liquidation_map import LiquidationMap
from tests.fakes.telegram import FakeTelegram

__all__ = ["ReplayScore", "replay_day"]

START = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
LADDER = (10.0, 5.0, 2.0)
BASE_PRICE = {"BTC": 60_000.0, "ETH": 3_000.0}
_TOLD = re.compile(r"#(\d+) on .*?(within \d+%|crossed your liquidation price)")


@dataclass
class ReplayScore:
    """What the day expected and what reached the fake Bot API."""

    expected: int = 0
    delivered: int = 0
    lost: int = 0
    duplicated: int = 0
    out_of_order: int = 0
    throttled: int = 0
    watches: int = 0
    chats: int = 0


class SimClock:
    """Simulated wall time; the limiter's sleeps move its monotonic time only."""

    def __init__(self) -> None:
        self.wall = START
        self.mono = 0.0

    def now(self) -> datetime:
        """The simulated wall clock."""
        return self.wall

    def monotonic(self) -> float:
        """The limiter's clock."""
        return self.mono

    async def sleep(self, seconds: float) -> None:
        """A limiter wait that takes no real time."""
        self.mono += seconds
        await asyncio.sleep(0)

    def advance(self, seconds: float) -> None:
        """Let time pass."""
        self.wall += timedelta(seconds=seconds)
        self.mono += seconds


@dataclass
class Reference:
    """One watch as the pure rule follows it: its liquidation price and ladder state."""

    watch: Watch
    liquidation: float
    state: LadderState
    removed: bool = False


@dataclass
class Day:
    """The replay's moving parts."""

    store: Store
    clock: SimClock
    tiers: TierBook
    engine: AlertEngine
    sender: Sender
    rng: random.Random
    refs: dict[int, Reference] = field(default_factory=dict)
    expected: dict[int, list[tuple[int, str]]] = field(default_factory=dict)


def mark(symbol: str, minute: float) -> float:
    """A day of swings: ±12 % waves over a few hours, with a slow drift."""
    swing = 0.12 * math.sin(2 * math.pi * minute / 400) + 0.04 * math.sin(2 * math.pi * minute / 97)
    return BASE_PRICE[symbol] * (1 + swing + 0.02 * minute / 1440)


def _label(level: int) -> str:
    return (
        "crossed your liquidation price"
        if level > len(LADDER)
        else f"within {LADDER[level - 1]:g}%"
    )


async def _add_watch(day: Day, chat_id: int, symbol: str, minute: float) -> None:
    """A watch entered at the mark, as /watch stores it (owner, the distance its confirmation told)."""
    price = mark(symbol, minute)
    side: PositionSide = day.rng.choice(("long", "short"))
    leverage = float(day.rng.choice((10, 12, 15, 20)))
    draft = Watch(chat_id, "binance", symbol, side, leverage, price, 1_000 * leverage / price)
    lp = liquidation_price(watch_position(draft), day.tiers("binance", symbol)).price
    assert lp is not None
    distance = 100 * (1 if side == "long" else -1) * (price - lp) / price
    confirmed = {"confirmed_pct": distance}
    stored = await day.store.watches.add(
        Watch(chat_id, "binance", symbol, side, leverage, price, draft.quantity,
              alert_state=confirmed, owner_id=chat_id),
        day.clock.now(),
    )  # fmt: skip
    assert stored.id is not None
    day.refs[stored.id] = Reference(stored, lp, LadderState.begun(confirmed, LADDER))


async def _remove_watch(day: Day, chat_id: int) -> None:
    live = [r for r in day.refs.values() if r.watch.chat_id == chat_id and not r.removed]
    if live:
        ref = day.rng.choice(live)
        assert ref.watch.id is not None
        assert await day.store.watches.remove(chat_id, ref.watch.id)
        ref.removed = True


def _expect(day: Day, symbol: str, price: float) -> None:
    """What the pure rule says this mark should tell each live watch of `symbol`, in watch order."""
    for watch_id in sorted(day.refs):
        ref = day.refs[watch_id]
        if ref.removed or ref.watch.symbol != symbol:
            continue
        sign = 1.0 if ref.watch.side == "long" else -1.0
        distance = 100 * sign * (price - ref.liquidation) / price
        ref.state, level = step(ref.state, distance, LADDER)
        if level is not None:
            day.expected.setdefault(ref.watch.chat_id, []).append((watch_id, _label(level)))


async def _drain(day: Day) -> int:
    throttled = 0
    for _ in range(600):
        result = await day.sender.drain_once()
        throttled += result.throttled
        if await day.store.outbox.count("pending") + await day.store.outbox.count("sending") == 0:
            return throttled
        day.clock.advance(1.0)
    raise AssertionError("the outbox did not drain")


async def _churn(day: Day, chats: list[int], minute: float) -> None:
    """Now and then a chat removes a watch and adds one (or just adds one)."""
    changed = False
    for chat_id in chats:
        if day.rng.random() < 0.03:
            await _remove_watch(day, chat_id)
            changed = True
        if day.rng.random() < 0.04:
            await _add_watch(day, chat_id, day.rng.choice(("BTC", "ETH")), minute)
            changed = True
    if changed:
        await day.engine.reload()


async def _make_day(store: Store, bot: Bot, seed: int) -> Day:
    clock = SimClock()
    tiers = TierBook(store)
    await tiers.reload()
    book = AlertBook(store, clock.now, lambda: None)
    await book.load()
    empty = LiquidationMap()
    engine = AlertEngine(
        store, MarketState(clock.now, ("binance",)), tiers, lambda _s: empty, book, clock.now
    )
    limiter = RateLimiter(25, 18, monotonic=clock.monotonic, sleep=clock.sleep)
    sender = Sender(bot, store, clock.now, limiter=limiter, rng=random.Random(seed))
    return Day(store, clock, tiers, engine, sender, random.Random(seed))


async def replay_day(
    store: Store,
    tg: FakeTelegram,
    bot: Bot,
    *,
    chats: int = 30,
    step_min: float = 5.0,
    seed: int = 11,
) -> ReplayScore:
    """Replay one simulated day; see the module docstring."""
    day = await _make_day(store, bot, seed)
    chat_ids = list(range(1, chats + 1))
    settings = AlertSettings(ladder_pct=LADDER, max_per_hour=1_000).to_stored()
    for chat_id in chat_ids:
        await store.chats.upsert(Chat(chat_id, "private"), day.clock.now())
        await store.chats.update_settings(chat_id, settings, day.clock.now())
        await _add_watch(day, chat_id, "BTC" if chat_id % 2 else "ETH", 0.0)
    await day.engine.reload()
    score = ReplayScore(chats=chats)
    minute = 0.0
    while minute < 24 * 60:
        minute += step_min
        day.clock.wall = START + timedelta(minutes=minute)
        await _churn(day, chat_ids, minute)
        if day.rng.random() < 0.08:
            tg.fail_next("sendMessage", 429, retry_after=day.rng.choice((1, 3)), times=6)
        elif day.rng.random() < 0.04:
            tg.fail_next("sendMessage", 502, times=2)
        for symbol in ("BTC", "ETH"):
            price = mark(symbol, minute)
            _expect(day, symbol, price)
            await day.engine.evaluate([MarkTick("binance", symbol, price, day.clock.now())])
        score.throttled += await _drain(day)
    score.watches = len(day.refs)
    return _score(score, day.expected, tg)


def _score(
    score: ReplayScore, expected: dict[int, list[tuple[int, str]]], tg: FakeTelegram
) -> ReplayScore:
    for chat_id in set(expected) | {int(c.chat_id or 0) for c in tg.calls("sendMessage")}:
        want = expected.get(chat_id, [])
        got = [
            (int(found.group(1)), found.group(2))
            for call in tg.calls("sendMessage")
            if call.ok and str(call.chat_id) == str(chat_id)
            and (found := _TOLD.search(call.text or ""))
        ]  # fmt: skip
        counts, wanted = Counter(got), Counter(want)
        score.expected += len(want)
        score.delivered += sum(min(counts[k], n) for k, n in wanted.items())
        score.lost += sum(max(n - counts[k], 0) for k, n in wanted.items())
        score.duplicated += sum(max(n - wanted[k], 0) for k, n in counts.items())
        position = {k: i for i, k in enumerate(_numbered(want))}
        order = [position[k] for k in _numbered(got) if k in position]
        score.out_of_order += sum(1 for a, b in itertools.pairwise(order) if b < a)
    return score


def _numbered(alerts: list[tuple[int, str]]) -> list[tuple[int, str, int]]:
    """Each alert with its occurrence number (a watch re-armed says the same step again)."""
    seen: Counter[tuple[int, str]] = Counter()
    numbered = []
    for alert in alerts:
        numbered.append((*alert, seen[alert]))
        seen[alert] += 1
    return numbered
