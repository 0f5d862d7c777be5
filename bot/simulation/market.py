"""A simulated perpetual market: seeded, deterministic, every position known.

Prices follow a random walk whose volatility switches between a calm and a stormy regime, with
Poisson jumps and scripted shocks on top. Leveraged traders open positions as price moves (more on
the crowded side, which tilts funding); each position has a liquidation level (bot/simulation/crowd.py).
When price runs through levels, those positions are liquidated, and their forced orders move price
further (`impact_pct_per_100m_usd`), which can run through the next levels: liquidations cascade where
the crowd is thick. Open interest is what the crowd holds plus an unleveraged part.

`SimulatedMarket(script)` first writes `warmup_hours` of 5-minute history (snapshots and hourly
candles, the crowd built along the way), then `step(dt_s)` moves simulated time forward and returns
the marks and liquidations of that step, as the venue would report them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from bot.simulation.crowd import Crowd, Swept
from bot.simulation.script import CoinSpec, MarketScript
from bot.vocabulary.records import (
    Candle,
    LiquidationEvent,
    MarkTick,
    PositionSide,
    VenueSnapshot,
)

__all__ = ["MarketStep", "SimulatedMarket"]

DAY_S = 86_400.0
WARMUP_STEP_S = 300
FLOW_EVERY_S = 60.0
MAX_CASCADE_ROUNDS = 50


@dataclass(frozen=True, slots=True)
class MarketStep:
    """What one step of simulated time produced."""

    time: datetime
    marks: list[MarkTick]
    liquidations: list[LiquidationEvent]


@dataclass(slots=True)
class _Coin:
    spec: CoinSpec
    price: float
    crowd: Crowd = field(default_factory=Crowd)
    funding_rate: float = 0.0001
    storm_left_s: float = 0.0
    flow_due_usd: float = 0.0
    candles: list[Candle] = field(default_factory=list)


class SimulatedMarket:
    """The market of one `MarketScript`; see the module docstring."""

    def __init__(self, script: MarketScript) -> None:
        self.script = script
        self.venue = script.venue
        self.now = script.start
        self.history: list[VenueSnapshot] = []
        """The warm-up's 5-minute snapshots, oldest first."""
        self.history_liquidations: list[LiquidationEvent] = []
        """The liquidations of the warm-up (price ran through levels then too), oldest first."""
        self._rng = np.random.default_rng(script.seed)
        self._coins = {spec.symbol: _Coin(spec, spec.price) for spec in script.coins}
        self._since_flow_s = 0.0
        for coin in self._coins.values():
            self._warm_up(coin)

    @property
    def symbols(self) -> tuple[str, ...]:
        """The simulated coins."""
        return tuple(self._coins)

    @property
    def elapsed_s(self) -> float:
        """Simulated seconds since the start."""
        return (self.now - self.script.start).total_seconds()

    def mark(self, symbol: str) -> float:
        """The current price of a coin."""
        return self._coins[symbol].price

    def crowd(self, symbol: str) -> Crowd:
        """The open positions of a coin (the truth a liquidation map estimates)."""
        return self._coins[symbol].crowd

    # history

    def _warm_up(self, coin: _Coin) -> None:
        spec, script = coin.spec, self.script
        steps = script.candle_hours * 3600 // WARMUP_STEP_S
        sigma = spec.daily_vol * math.sqrt(WARMUP_STEP_S / DAY_S)
        returns = self._rng.normal(0.0, sigma, steps)
        jumps = self._rng.random(steps) < script.jumps_per_day * WARMUP_STEP_S / DAY_S
        returns += jumps * self._rng.normal(0.0, script.jump_sd_pct / 100, steps)
        log_path = math.log(spec.price) - np.concatenate([np.cumsum(returns[::-1])[::-1][1:], [0]])
        path = np.exp(log_path)
        first = script.start - timedelta(seconds=steps * WARMUP_STEP_S)
        warm_from = steps - script.warmup_hours * 3600 // WARMUP_STEP_S
        for k in range(steps):
            moment = first + timedelta(seconds=(k + 1) * WARMUP_STEP_S)
            previous = path[k - 1] if k else path[0]
            if k >= warm_from:
                left_h = (steps - k) * WARMUP_STEP_S / 3600
                crowding = 3.0 if left_h <= script.crowd_hours else 1.0
                coin.price = float(path[k])
                self._open_flow(coin, spec.flow_usd_per_hour * WARMUP_STEP_S / 3600 * crowding)
                swept = coin.crowd.sweep(min(previous, path[k]), max(previous, path[k]))
                self.history_liquidations += self._events(spec.symbol, swept, moment)
                self._update_funding(coin)
                self.history.append(self._snapshot(coin, moment))
            if (k + 1) % (3600 // WARMUP_STEP_S) == 0:
                hour = path[k + 1 - 3600 // WARMUP_STEP_S : k + 1]
                coin.candles.append(self._candle(spec, moment - timedelta(hours=1), hour))
        coin.price = spec.price

    def _candle(self, spec: CoinSpec, open_time: datetime, closes: np.ndarray) -> Candle:
        volume = spec.flow_usd_per_hour * 20 / float(closes[-1])
        return Candle(
            self.venue, spec.symbol, 3600, open_time, float(closes[0]), float(closes.max()),
            float(closes.min()), float(closes[-1]), volume, volume * spec.long_share,
        )  # fmt: skip

    # live steps

    def step(self, dt_s: float = 1.0) -> MarketStep:
        """Move simulated time on by `dt_s` seconds: prices, cascades, new positions, funding."""
        before = self.elapsed_s
        self.now += timedelta(seconds=dt_s)
        self._since_flow_s += dt_s
        open_flow = self._since_flow_s >= FLOW_EVERY_S
        marks, liquidations = [], []
        for coin in self._coins.values():
            liquidations += self._move(coin, dt_s, before)
            if open_flow:
                self._open_flow(coin, coin.spec.flow_usd_per_hour * self._since_flow_s / 3600)
                coin.crowd.shrink(0.02 * self._since_flow_s / 3600)
            self._update_funding(coin)
            marks.append(self._tick(coin))
        if open_flow:
            self._since_flow_s = 0.0
        return MarketStep(self.now, marks, liquidations)

    def _move(self, coin: _Coin, dt_s: float, before_s: float) -> list[LiquidationEvent]:
        script, rng = self.script, self._rng
        if coin.storm_left_s <= 0 and rng.random() < script.storms_per_day * dt_s / DAY_S:
            coin.storm_left_s = script.storm_minutes * 60
        storm = coin.storm_left_s > 0
        coin.storm_left_s -= dt_s
        vol = coin.spec.daily_vol * (script.storm_multiple if storm else 1.0)
        move = rng.normal(0.0, vol * math.sqrt(dt_s / DAY_S))
        if rng.random() < script.jumps_per_day * dt_s / DAY_S:
            move += rng.normal(0.0, script.jump_sd_pct / 100)
        for shock in script.shocks:
            if shock.symbol == coin.spec.symbol and before_s < shock.at_s <= before_s + dt_s:
                move += math.log1p(shock.move_pct / 100)
        return self._cascade(coin, coin.price * math.exp(move))

    def _cascade(self, coin: _Coin, target: float) -> list[LiquidationEvent]:
        """Move to `target`, liquidating what price runs through, and follow the forced orders."""
        low, high = min(coin.price, target), max(coin.price, target)
        events: list[LiquidationEvent] = []
        for _ in range(MAX_CASCADE_ROUNDS):
            swept = coin.crowd.sweep(low, high)
            if not swept.levels.size:
                break
            events += self._events(coin.spec.symbol, swept, self.now)
            impact = self.script.impact_pct_per_100m_usd / 100 * swept.net_selling_usd() / 1e8
            target *= math.exp(-impact)
            low, high = min(low, target), max(high, target)
        coin.price = target
        return events

    def _events(self, symbol: str, swept: Swept, moment: datetime) -> list[LiquidationEvent]:
        """Each swept group as one to three liquidation orders at its level."""
        events = []
        groups = zip(swept.levels, swept.signs, swept.notional_usd, strict=True)
        for level, sign, notional in groups:
            orders = 1 + int(self._rng.integers(0, 3))
            side: PositionSide = "long" if sign > 0 else "short"
            price = float(level)
            part = float(notional) / orders
            events += [
                LiquidationEvent(self.venue, symbol, side, price, part / price, part, moment)
                for _ in range(orders)
            ]
        return events

    def _open_flow(self, coin: _Coin, notional_usd: float) -> None:
        amount = notional_usd * float(self._rng.lognormal(0.0, 0.3))
        coin.crowd.open(coin.price, 1.0, amount * coin.spec.long_share)
        coin.crowd.open(coin.price, -1.0, amount * (1 - coin.spec.long_share))

    def _update_funding(self, coin: _Coin) -> None:
        longs, shorts = coin.crowd.side_usd(1.0), coin.crowd.side_usd(-1.0)
        tilt = (longs - shorts) / (longs + shorts) if longs + shorts > 0 else 0.0
        coin.funding_rate = 0.0001 + 0.0006 * tilt

    # what the venue reports

    def _next_funding(self, moment: datetime) -> datetime:
        step = timedelta(hours=self.script.funding_interval_h)
        midnight = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight + step * (math.floor((moment - midnight) / step) + 1)

    def _tick(self, coin: _Coin) -> MarkTick:
        return MarkTick(
            self.venue, coin.spec.symbol, coin.price, self.now,
            index_price=coin.price * (1 - coin.funding_rate),
            funding_rate=coin.funding_rate, next_funding_time=self._next_funding(self.now),
        )  # fmt: skip

    def _snapshot(self, coin: _Coin, moment: datetime) -> VenueSnapshot:
        open_interest_usd = float(coin.crowd.notional_usd.sum()) + coin.spec.unleveraged_oi_usd
        return VenueSnapshot(
            self.venue, coin.spec.symbol, moment, coin.price,
            index_price=coin.price * (1 - coin.funding_rate), funding_rate=coin.funding_rate,
            funding_interval_h=self.script.funding_interval_h,
            next_funding_time=self._next_funding(moment),
            open_interest=open_interest_usd / coin.price, open_interest_usd=open_interest_usd,
        )  # fmt: skip

    def snapshots(self, symbols: tuple[str, ...] | None = None) -> list[VenueSnapshot]:
        """Mark, funding and open interest of each coin now."""
        wanted = symbols or self.symbols
        return [self._snapshot(c, self.now) for s, c in self._coins.items() if s in wanted]

    def candles(self, symbol: str, limit: int) -> list[Candle]:
        """The newest `limit` hourly candles of the warm-up, oldest first."""
        return self._coins[symbol].candles[-limit:]
