"""The simulated market for tests and benchmarks: a scripted day, run in seconds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.simulation.market import SimulatedMarket
from bot.simulation.script import MarketScript, Shock, demo_script
from bot.vocabulary.records import LiquidationEvent

DAY_START = datetime(2026, 1, 5, tzinfo=UTC)
STEP_S = 10.0


@dataclass
class SimulatedDay:
    """A whole simulated day: the market at its end, every mark path and every liquidation."""

    market: SimulatedMarket
    marks: dict[str, list[float]]
    liquidations: list[LiquidationEvent]


def run_day(script: MarketScript, step_s: float = STEP_S) -> SimulatedDay:
    """Step `script` through 24 simulated hours."""
    market = SimulatedMarket(script)
    marks: dict[str, list[float]] = {s: [market.mark(s)] for s in market.symbols}
    liquidations: list[LiquidationEvent] = []
    for _ in range(int(86_400 / step_s)):
        step = market.step(step_s)
        liquidations += step.liquidations
        for tick in step.marks:
            marks[tick.symbol].append(tick.mark_price)
    return SimulatedDay(market, marks, liquidations)


def scripted_day_script(seed: int = 11) -> MarketScript:
    """The demo's coins with two scripted shocks: a BTC drop at 2h and an ETH squeeze at 14h."""
    base = demo_script(DAY_START, seed)
    shocks = (Shock(2 * 3600.0, "BTC", -2.0), Shock(14 * 3600.0, "ETH", 2.5))
    return MarketScript(coins=base.coins, seed=seed, start=DAY_START, shocks=shocks)


@pytest.fixture(scope="session")
def scripted_day() -> SimulatedDay:
    """One scripted day (10 s steps), shared by the tests that only read it."""
    return run_day(scripted_day_script())
