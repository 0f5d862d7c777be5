"""Liquidations, snapshots, candles, gaps and tier tables on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.store import Store
from bot.vocabulary.records import (
    Candle,
    LiquidationEvent,
    PositionSide,
    StoredTierTable,
    VenueSnapshot,
)

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _liq(minutes: int, symbol: str = "BTC", side: PositionSide = "long") -> LiquidationEvent:
    return LiquidationEvent(
        "bybit",
        symbol,
        side,
        90_000.5,
        0.25,
        22_500.125,
        T0 + timedelta(minutes=minutes),
    )


async def test_liquidations_batch_since_count_prune(store: Store) -> None:
    """A batch is written whole and read back by time and symbol; prune drops the old part."""
    assert await store.liquidations.add_many([]) == 0
    events = [_liq(0), _liq(5, "ETH", "short"), _liq(10)]
    assert await store.liquidations.add_many(events) == 3
    assert await store.liquidations.since(T0) == events
    assert await store.liquidations.since(T0 + timedelta(minutes=1), "BTC") == [events[2]]
    assert await store.liquidations.since(T0, until=T0 + timedelta(minutes=10)) == events[:2]
    assert await store.liquidations.count() == 3
    assert await store.liquidations.prune(T0 + timedelta(minutes=6)) == 2
    assert await store.liquidations.since(T0) == [events[2]]


async def test_first_liquidation_time_is_per_venue_across_symbols(store: Store) -> None:
    """A venue's first event at or after a time, of any symbol; None when it has none there."""
    okx = LiquidationEvent("okx", "BTC", "long", 1.0, 1.0, 1.0, T0 + timedelta(minutes=1))
    await store.liquidations.add_many([_liq(3, "ETH"), _liq(7), okx])
    assert await store.liquidations.first_time("bybit", T0) == T0 + timedelta(minutes=3)
    assert await store.liquidations.first_time("bybit", T0 + timedelta(minutes=4)) == (
        T0 + timedelta(minutes=7)
    )
    assert await store.liquidations.first_time("okx", T0) == T0 + timedelta(minutes=1)
    assert await store.liquidations.first_time("binance", T0) is None


async def test_snapshots_latest_and_history(store: Store) -> None:
    """`latest` gives the newest row per venue and symbol; `history` the series in order."""
    funding_at = T0 + timedelta(hours=8)
    rows = [
        VenueSnapshot("binance", "BTC", T0, 91_000, 90_990, 0.0001, 8, funding_at, 80_000, 7.28e9),
        VenueSnapshot("binance", "BTC", T0 + timedelta(seconds=30), 91_100),
        VenueSnapshot("okx", "BTC", T0, 91_050, funding_rate=-0.0002),
    ]
    assert await store.snapshots.add_many(rows) == 3
    latest = {(s.venue, s.symbol): s for s in await store.snapshots.latest()}
    assert latest[("binance", "BTC")] == rows[1]
    assert latest[("okx", "BTC")] == rows[2]
    assert await store.snapshots.history("binance", "BTC", T0) == rows[:2]
    assert await store.snapshots.prune(T0 + timedelta(seconds=1)) == 2


async def test_snapshots_first_since_is_the_oldest_row_in_range(store: Store) -> None:
    """`first_since` gives the oldest snapshot at or after the start, None when there is none."""
    rows = [VenueSnapshot("bybit", "ETH", T0 + timedelta(minutes=m), 3_000 + m) for m in (0, 5, 9)]
    await store.snapshots.add_many([*rows, VenueSnapshot("okx", "ETH", T0, 2_999)])
    assert await store.snapshots.first_since("bybit", "ETH", T0 + timedelta(minutes=1)) == rows[1]
    assert await store.snapshots.first_since("bybit", "ETH", T0 + timedelta(minutes=10)) is None


async def test_candles_upsert_replaces_and_recent_is_ordered(store: Store) -> None:
    """Re-fetching a candle replaces it; `recent` returns the newest N, oldest first."""

    def candle(i: int, close: float) -> Candle:
        return Candle(
            "okx", "ETH", 300, T0 + timedelta(minutes=5 * i), 3000, 3010, 2990, close, 12.5, None
        )

    await store.candles.upsert_many([candle(i, 3000 + i) for i in range(5)])
    await store.candles.upsert_many([candle(4, 3100)])
    recent = await store.candles.recent("okx", "ETH", 300, 3)
    assert [c.close for c in recent] == [3002, 3003, 3100]
    assert recent[0].open_time == T0 + timedelta(minutes=10)


async def test_gaps_open_close_overlap(store: Store) -> None:
    """A gap is found by any window it overlaps, and an open gap overlaps everything after it."""
    closed = await store.gaps.open("binance", "forceOrder", T0, "disconnect")
    await store.gaps.close(closed, T0 + timedelta(minutes=2))
    await store.gaps.open("okx", "liquidation-orders", T0 + timedelta(hours=1), "missed pong")
    in_first = await store.gaps.overlapping(T0 + timedelta(minutes=1), T0 + timedelta(minutes=5))
    assert [(g.venue, g.ended_at) for g in in_first] == [("binance", T0 + timedelta(minutes=2))]
    later = await store.gaps.overlapping(T0 + timedelta(hours=2), T0 + timedelta(hours=3))
    assert [(g.venue, g.ended_at, g.reason) for g in later] == [("okx", None, "missed pong")]


async def test_tier_tables_save_replaces(store: Store) -> None:
    """Saving a venue's table again replaces it."""
    first = StoredTierTable("bybit", "BTC", T0, [[0, 2e6, 0.005, 0, 100]], 1.0, "risk-limit")
    second = StoredTierTable(
        "bybit",
        "BTC",
        T0 + timedelta(hours=1),
        [[0, 2e6, 0.005, 0, 100], [2e6, None, 0.0056, 1200, 90]],
        1.0,
        "risk-limit",
    )
    await store.tiers.save(first)
    await store.tiers.save(second)
    assert await store.tiers.load_all() == [second]


async def test_candles_and_closed_gaps_are_pruned_like_the_other_market_data(store: Store) -> None:
    """Candles opened before the cutoff go; gaps that ended before it go, open or later ones stay."""
    old, new = (
        Candle("binance", "BTC", 300, T0 + timedelta(minutes=m), 1, 2, 0.5, 1.5, 9.0, 4.0)
        for m in (0, 30)
    )
    await store.candles.upsert_many([old, new])
    ended = await store.gaps.open("bybit", "allLiquidation", T0, "disconnect")
    await store.gaps.close(ended, T0 + timedelta(minutes=1))
    later = await store.gaps.open("bybit", "allLiquidation", T0 + timedelta(minutes=2), "stall")
    await store.gaps.close(later, T0 + timedelta(minutes=40))
    await store.gaps.open("okx", "liquidation-orders", T0 - timedelta(days=1), "still down")
    cutoff = T0 + timedelta(minutes=10)
    assert await store.candles.prune(cutoff) == 1
    assert await store.candles.recent("binance", "BTC", 300, 10) == [new]
    assert await store.gaps.prune(cutoff) == 1
    kept = await store.gaps.overlapping(T0 - timedelta(days=2), T0 + timedelta(hours=1))
    assert sorted(g.reason for g in kept) == ["stall", "still down"]
