"""Simulated-market benchmark: how fast a day runs, and whether the demo's shock makes a wave.

Run from the repository root: `python bench/bench_simulation.py`. Figures:

- a simulated day (the demo's two coins, 1 s steps: 86,400 steps) in wall seconds, with progress
  every 6 simulated hours (target ≤ 20 s: tests and benchmarks run scripted days in seconds);
- the liquidations of the demo's first 60 simulated seconds (its 1.6 % BTC shock into crowded longs),
  in USD (target ≥ $50M, the default liquidation-wave size, so the demo shows a wave alert).

Prints `<figure>: <value> <unit> (target <op> <value>) ok|MISSED`; exits 0 either way.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.simulation.market import SimulatedMarket
from bot.simulation.script import demo_script

START = datetime(2026, 1, 5, tzinfo=UTC)


def _figure(name: str, value: float, unit: str, op: str, target: float) -> None:
    ok = value <= target if op == "<=" else value >= target
    print(f"{name}: {value:,.2f} {unit} (target {op} {target:,.2f}) {'ok' if ok else 'MISSED'}")


def day_s() -> float:
    """Wall seconds for 86,400 one-second steps."""
    market = SimulatedMarket(demo_script(START))
    started = time.perf_counter()
    for second in range(1, 86_401):
        market.step(1.0)
        if second % 21_600 == 0:
            print(f"  … {second // 3600}h simulated", file=sys.stderr)
    return time.perf_counter() - started


def first_minute_usd() -> float:
    """Liquidated notional in the demo's first 60 simulated seconds."""
    market = SimulatedMarket(demo_script(START))
    return sum(e.notional_usd for _ in range(60) for e in market.step(1.0).liquidations)


def main() -> None:
    """Print the figures."""
    _figure("simulated day, 1 s steps", day_s(), "s", "<=", 20.0)
    _figure("demo's first 60 s liquidated", first_minute_usd() / 1e6, "$M", ">=", 50.0)


if __name__ == "__main__":
    main()
