"""A day of position alerts replayed: watches added, alerting, removed and added again across many chats.

`replay_day` drives the real alert engine, alert book, outbox and sender (a real PTB `Bot` talking to
the fake Bot API, which answers 429 with `retry_after` and 5xx now and then) over the real store, on a
simulated clock: BTC and ETH marks every few simulated minutes for 24 hours. Independently, the pure
ladder rule (`bot.alerts.ladder.step`) says which alerts each watch should have sent, from the moment
it was added (its confirmation counting as the steps it told) until it was removed. The clock moves
one simulated second a tick, so a 429's hold outlasts the next tick and alerts are written while
their chat is held. `ReplayScore` compares the two: every expected alert delivered exactly once, in
order per chat, or superseded (its row dropped, still unsent, for a later alert of the same watch
that was delivered); `duplicated` counts messages sent twice or never expected.

Used by tests/e2e/test_alert_replay.py (SQLite and PostgreSQL) and bench/bench_alerts.py.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime

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
from tests.fakes.clock import ManualClock
from tests.fakes.telegram import FakeTelegram

__all__ = ["ReplayScore", "replay_day"]

START = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
LADDER = (10.0, 5.0, 2.0)
BASE_PRICE = {"BTC": 60_000.0, "ETH": 3_000.0}


@dataclass
class ReplayScore:
    """What the day expected and what reached the fake Bot API."""

    expected: int = 0
    delivered: int = 0
    superseded: int = 0
    lost: int = 0
    duplicated: int = 0
    out_of_order: int = 0
    throttled: int = 0
    watches: int = 0
    chats: int = 0


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
    clock: ManualClock
    tiers: TierBook
    engine: AlertEngine
    sender: Sender
    rng: random.Random
    refs: dict[int, Reference] = field(default_factory=dict)
    expected: dict[int, list[str]] = field(default_factory=dict)


def mark(symbol: str, minute: float) -> float:
    """A day of swings: ±12 % waves over a few hours, with a slow drift."""
    swing = 0.12 * math.sin(2 * math.pi * minute / 400) + 0.04 * math.sin(2 * math.pi * minute / 97)
    return BASE_PRICE[symbol] * (1 + swing + 0.02 * minute / 1440)


def _key(watch_id: int, state: LadderState, level: int) -> str:
    """The idempotency key the engine gives this alert (bot/alerts/engine.py)."""
    step_name = "crossed" if level > len(LADDER) else str(level)
    return f"pos:{watch_id}:{step_name}:{state.arm}"


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
            day.expected.setdefault(ref.watch.chat_id, []).append(_key(watch_id, ref.state, level))


async def _drain(day: Day, *, until_empty: bool) -> int:
    """Drain once a simulated second (all of it, or one pass: holds then outlast the next tick)."""
    throttled = 0
    for _ in range(600):
        result = await day.sender.drain_once()
        throttled += result.throttled
        day.clock.advance(1.0)
        if not until_empty:
            return throttled
        if await day.store.outbox.count("pending") + await day.store.outbox.count("sending") == 0:
            return throttled
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
    clock = ManualClock(START, mono=0.0)
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
        minute += step_min  # the price path's time; the clock moves a second a tick
        await _churn(day, chat_ids, minute)
        if day.rng.random() < 0.08:
            tg.fail_next("sendMessage", 429, retry_after=day.rng.choice((1, 3)), times=6)
        elif day.rng.random() < 0.04:
            tg.fail_next("sendMessage", 502, times=2)
        for symbol in ("BTC", "ETH"):
            price = mark(symbol, minute)
            _expect(day, symbol, price)
            await day.engine.evaluate([MarkTick("binance", symbol, price, day.clock.now())])
        score.throttled += await _drain(day, until_empty=False)
    score.throttled += await _drain(day, until_empty=True)
    score.watches = len(day.refs)
    for chat_id in sorted(set(day.expected) | set(chat_ids)):
        await _score_chat(score, day.expected.get(chat_id, []), chat_id, store, tg)
    return score


async def _score_chat(
    score: ReplayScore, want: list[str], chat_id: int, store: Store, tg: FakeTelegram
) -> None:
    """Match what reached the fake Bot API (by text, to the sent rows' keys) against `want`.

    An expected alert not delivered is superseded, not lost, when its row was dropped for a later
    alert of the same watch that was delivered.
    """
    rows = await store.outbox.statuses(chat_id)
    by_text: dict[str, deque[str]] = {}
    for key, status in rows:
        if status == "sent":
            item = await store.outbox.get(key)
            assert item is not None
            by_text.setdefault(item.payload["text"], deque()).append(key)
    got: list[str] = []
    for call in tg.calls("sendMessage"):
        if call.ok and str(call.chat_id) == str(chat_id):
            keys = by_text.get(call.text or "")
            if keys:
                got.append(keys.popleft())
            else:
                score.duplicated += 1  # sent again, or never written
    dropped = {key for key, status in rows if status == "dropped"}
    delivered = set(got)
    score.expected += len(want)
    score.delivered += len(delivered & set(want))
    score.duplicated += len(got) - len(delivered) + len(delivered - set(want))
    for index, key in enumerate(want):
        if key in delivered:
            continue
        watch = key.split(":")[1]
        later = [k for k in want[index + 1 :] if k.split(":")[1] == watch and k in delivered]
        if key in dropped and later:
            score.superseded += 1
        else:
            score.lost += 1
    position = {key: i for i, key in enumerate(want)}
    order = [position[key] for key in got if key in position]
    score.out_of_order += sum(1 for a, b in itertools.pairwise(order) if b < a)
