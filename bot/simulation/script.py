"""What a simulated market is made of: its coins, its regimes, its crowding and its scripted shocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = ["CoinSpec", "MarketScript", "Shock", "demo_script"]


@dataclass(frozen=True, slots=True)
class CoinSpec:
    """One simulated perpetual: where it starts, how it moves, how crowded it is."""

    symbol: str
    price: float
    daily_vol: float
    """Calm-regime volatility, a fraction per day (0.03 = 3 %/day)."""
    flow_usd_per_hour: float
    """Notional opened per hour by leveraged traders (both sides)."""
    long_share: float = 0.5
    """Share of that flow on the long side (above ½: longs crowd, funding turns positive)."""
    unleveraged_oi_usd: float = 0.0
    """Open interest held by hedgers and makers that never gets liquidated."""


@dataclass(frozen=True, slots=True)
class Shock:
    """A scripted jump: at `at_s` seconds after the start, `symbol` moves by `move_pct`."""

    at_s: float
    symbol: str
    move_pct: float


@dataclass(frozen=True, slots=True)
class MarketScript:
    """A whole simulated market; the same script and seed always give the same day."""

    coins: tuple[CoinSpec, ...]
    venue: str = "bybit"
    """The venue whose wire format and margin tiers the market borrows."""
    seed: int = 7
    start: datetime = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    """When simulated time begins (the demo passes the wall clock's now)."""
    warmup_hours: int = 24
    """History written before the start (5-minute snapshots) so the liquidation map starts warm."""
    candle_hours: int = 200
    shocks: tuple[Shock, ...] = ()
    crowd_hours: float = 2.0
    """The last hours of the warm-up, in which the flow is tripled: a crowded zone near the start."""
    storm_multiple: float = 4.0
    """Volatility in the stormy regime, as a multiple of the calm one."""
    storms_per_day: float = 6.0
    storm_minutes: float = 20.0
    jumps_per_day: float = 4.0
    jump_sd_pct: float = 0.8
    impact_pct_per_100m_usd: float = 0.6
    """How far $100M of forced selling (or buying) moves price: what makes liquidations cascade."""
    funding_interval_h: float = 8.0


DEMO_SCRIPT_COINS = (
    CoinSpec("BTC", 91_250.0, 0.03, 60_000_000.0, long_share=0.68, unleveraged_oi_usd=2e9),
    CoinSpec("ETH", 3_120.0, 0.04, 30_000_000.0, long_share=0.55, unleveraged_oi_usd=8e8),
)


def demo_script(start: datetime, seed: int = 7) -> MarketScript:
    """The demo's market: BTC longs crowd in the last hours, and 40 s in BTC drops through them."""
    return MarketScript(
        coins=DEMO_SCRIPT_COINS, seed=seed, start=start, shocks=(Shock(40.0, "BTC", -1.6),)
    )
