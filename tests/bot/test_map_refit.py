"""The hourly refit against the real store: fits stored per venue and symbol, defaults when thin."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np

from bot.maps.refit import MapRefit, heard_intervals, stream_of
from bot.maps.service import LiquidationMapService
from bot.store import Store
from bot.vocabulary.records import FeedGap, LiquidationEvent, VenueSnapshot
from risk.calibration import CalibrationGrid
from risk.clusters import ClusterModelConfig
from risk.map_fit import MapFit
from risk.market_history import MarketHistory
from risk.tiers import default_tier_table

T0 = datetime(2025, 3, 1, tzinfo=UTC)
QUICK = CalibrationGrid(half_lives_s=(86_400.0,), long_shares=(0.5,), min_events=5, min_days=0.5,
                        iterations=60)  # fmt: skip


def swinging_day(venue: str, hours: float = 36) -> list[VenueSnapshot]:
    """A snapshot a minute: price swinging ±3 % over 8 hours, open interest climbing."""
    return [
        VenueSnapshot(
            venue,
            "BTC",
            T0 + timedelta(minutes=m),
            60_000 * (1 + 0.03 * math.sin(2 * math.pi * m / 480)),
            open_interest=1_000 + m * 0.2,
        )
        for m in range(int(hours * 60))
    ]


def service(store: Store, now: datetime) -> LiquidationMapService:
    """A service whose clock stands at ``now``."""
    return LiquidationMapService(store, default_tier_table, ClusterModelConfig(), lambda: now)


async def test_thin_evidence_keeps_the_defaults_and_says_so(store: Store) -> None:
    """Two hours of history and no liquidations: the stored fit is the defaults, not fitted."""
    await store.snapshots.add_many(swinging_day("binance", hours=2))
    now = T0 + timedelta(hours=2)
    maps = service(store, now)
    await maps.rebuild()
    (report,) = await MapRefit(store, maps, lambda: now, grid=QUICK).refit()
    assert not report.fit.fitted
    assert report.fit.evidence.events == 0
    stored = await store.map_fits.load_all()
    assert MapFit.from_json(stored[("binance", "BTC")][1]) == report.fit
    assert maps.fit_for("binance", "BTC") == report.fit


async def test_evidence_is_fitted_stored_and_used_after_a_restart(store: Store) -> None:
    """Bybit liquidations where price ran through levels give a fit; a rebuild picks it up."""
    await store.snapshots.add_many(swinging_day("bybit"))
    lows = [T0 + timedelta(minutes=360 + 480 * k + i) for k in range(4) for i in range(0, 40, 4)]
    await store.liquidations.add_many([
        LiquidationEvent("bybit", "BTC", "long", 58_300.0, 2.0, 116_600.0, t) for t in lows
    ])  # fmt: skip
    now = T0 + timedelta(hours=36)
    maps = service(store, now)
    await maps.rebuild()
    before = maps.map_for("bybit", "BTC")
    (report,) = await MapRefit(store, maps, lambda: now, grid=QUICK).refit()
    assert report.fit.fitted
    assert report.fit.evidence.events == len(lows)
    assert report.fit.evidence.heard_days == 1.25  # heard from the first event, 6 h in
    assert report.fit.describe().startswith("leverage mix fitted from 1.2 days of liquidations")
    assert maps.fit_for("bybit", "BTC") == report.fit
    assert maps.map_for("bybit", "BTC") is not before
    restarted = service(store, now)
    await restarted.rebuild()
    assert restarted.fit_for("bybit", "BTC") == report.fit


def test_intervals_count_as_heard_from_the_first_event_and_outside_gaps() -> None:
    """Before the venue's first liquidation, and while a gap (closed or open) lasts, is not heard."""
    hour = 3600.0
    end = T0.timestamp() + hour * np.arange(1, 11, dtype=np.float64)
    history = MarketHistory(end, np.full(10, hour), np.full(10, 99.0), np.full(10, 101.0),
                            np.full(10, 100.0), np.full(10, 5.0), 5.0)  # fmt: skip
    gaps = [
        FeedGap("bybit", "bybit", T0 + timedelta(hours=4.5), T0 + timedelta(hours=5.2), "drop"),
        FeedGap("bybit", "bybit", T0 + timedelta(hours=9.5), None, "heartbeat"),
    ]
    now = T0 + timedelta(hours=10)
    heard = heard_intervals(history, T0 + timedelta(hours=1.5), gaps, now)
    assert heard.tolist() == [False, False, True, True, False, False, True, True, True, False]
    assert not heard_intervals(history, None, [], now).any()


def test_bybit_is_passed_complete_and_the_sampled_venues_are_not() -> None:
    """The stream says how the venue reports: complete for Bybit, sampled for Binance and OKX."""
    event = LiquidationEvent("okx", "BTC", "short", 1.0, 1.0, 1.0, T0)
    assert stream_of([event], "bybit").complete
    assert not stream_of([event], "binance").complete
    assert not stream_of([event], "okx").complete
    assert stream_of([event], "okx").is_long.tolist() == [False]
