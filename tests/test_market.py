"""MarketState: rolling windows, quotes and staleness, mark listeners, coverage and rebuild."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.market.state import MarketState
from bot.market.windows import LiquidationWindows
from bot.vocabulary.quotes import Freshness
from bot.vocabulary.records import (
    FeedGap,
    LiquidationEvent,
    MarkTick,
    PositionSide,
    VenueSnapshot,
)

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def liq(
    minutes_ago: float,
    usd: float,
    venue: str = "binance",
    symbol: str = "BTC",
    side: PositionSide = "long",
) -> LiquidationEvent:
    return LiquidationEvent(
        venue, symbol, side, 100.0, usd / 100.0, usd, T0 - timedelta(minutes=minutes_ago)
    )


def test_totals_per_window_side_venue_symbol_and_largest() -> None:
    """Each window sums what falls inside it, split by side, venue and symbol, with the largest event."""
    market = MarketState(Clock())
    events = [
        liq(60 * 24 * 3, 7_000, "okx", "ETH"),
        liq(60 * 5, 5_000, "bybit", "BTC", "short"),
        liq(90, 900, "binance", "SOL"),
        liq(30, 300, "okx", "BTC", "short"),
        liq(1, 100, "binance", "BTC"),
    ]
    market.add_liquidations(events)
    one_hour, four, twelve, day, week = market.all_totals()
    assert (one_hour.total_usd, one_hour.long_usd, one_hour.short_usd, one_hour.count) == (
        400,
        100,
        300,
        2,
    )
    assert one_hour.by_venue == {"okx": 300, "binance": 100}
    assert one_hour.largest == events[3]
    assert four.total_usd == 1_300
    assert four.by_symbol == {"SOL": 900, "BTC": 400}
    assert twelve.total_usd == day.total_usd == 6_300
    assert twelve.largest == events[1]
    assert week.total_usd == 13_300
    assert week.largest == events[0]
    assert one_hour.long_share == pytest.approx(0.25)
    btc = market.totals("24h", symbol="BTC")
    assert (btc.total_usd, btc.by_venue, btc.largest) == (
        5_400,
        {"bybit": 5_000, "okx": 300, "binance": 100},
        events[1],
    )
    assert market.totals("1h", symbol="DOGE").largest is None


def test_windows_evict_as_time_passes() -> None:
    """Moving the clock drops events from the short windows first; the largest is recomputed."""
    clock = Clock()
    market = MarketState(clock)
    market.add_liquidations([liq(50, 5_000), liq(10, 1_000), liq(5, 2_000)])
    clock.now += timedelta(minutes=15)
    one_hour = market.totals("1h")
    assert one_hour.total_usd == 3_000
    assert one_hour.largest is not None
    assert one_hour.largest.notional_usd == 2_000
    clock.now += timedelta(days=7)
    assert market.totals("7d").count == 0
    assert len(market) == 0


def test_late_and_too_old_events() -> None:
    """A late event counts only in the windows its time is in; one older than 7 days is ignored."""
    market = MarketState(Clock())
    market.add_liquidations([liq(1, 100), liq(120, 500), liq(60 * 24 * 8, 9_999)])
    assert market.totals("1h").total_usd == 100
    assert market.totals("4h").total_usd == 600
    assert market.totals("7d").count == 2


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 20_000), st.floats(1, 1e6), st.sampled_from(["BTC", "ETH"])),
        max_size=60,
    ),
    st.integers(0, 20_000),
)
def test_windows_match_a_brute_force_sum(
    rows: list[tuple[int, float, str]], advance_s: int
) -> None:
    """For sorted events and any later time, each window equals the sum over its span."""
    windows = LiquidationWindows({"1h": timedelta(hours=1), "4h": timedelta(hours=4)})
    events = sorted(
        (
            LiquidationEvent("bybit", sym, "long", 1.0, usd, usd, T0 + timedelta(seconds=s))
            for s, usd, sym in rows
        ),
        key=lambda e: e.time,
    )
    windows.extend(events)
    now = T0 + timedelta(seconds=20_000 + advance_s)
    for name, span in (("1h", timedelta(hours=1)), ("4h", timedelta(hours=4))):
        inside = [e for e in events if e.time >= now - span]
        totals = windows.totals(name, now)
        assert totals.total_usd == pytest.approx(sum(e.notional_usd for e in inside))
        assert totals.count == len(inside)
        expected = max((e.notional_usd for e in inside), default=None)
        assert (totals.largest.notional_usd if totals.largest else None) == pytest.approx(expected)


def test_quote_prefers_the_newer_stream_mark_and_reports_staleness() -> None:
    """A streamed mark newer than the poll wins; old marks and polls are reported stale with a reason."""
    clock = Clock()
    market = MarketState(clock, freshness=Freshness(mark_s=10, snapshot_s=60))
    market.update_snapshots(
        [VenueSnapshot("okx", "BTC", T0 - timedelta(seconds=5), 90_000, funding_rate=0.0001)]
    )
    market.update_marks([MarkTick("okx", "BTC", 90_500, T0 - timedelta(seconds=1))])
    quote = market.quote("okx", "BTC")
    assert quote is not None
    assert (quote.mark_price, quote.funding_rate, quote.stale) == (
        90_500,
        0.0001,
        False,
    )
    clock.now += timedelta(seconds=30)
    stale = market.quote("okx", "BTC")
    assert stale is not None
    assert stale.stale
    assert stale.stale_reason == "mark 31s old"
    clock.now += timedelta(seconds=60)
    older = market.quote("okx", "BTC")
    assert older is not None
    assert "funding/open interest 95s old" in (older.stale_reason or "")
    assert market.quote("bybit", "BTC") is None


def _broken_listener(tick: MarkTick) -> None:
    """A mark listener that fails on every tick."""
    raise ZeroDivisionError(tick.mark_price)


def test_older_updates_do_not_replace_newer_ones_and_listeners_hear_marks() -> None:
    """Out-of-order snapshots and ticks are ignored; each accepted tick reaches every listener."""
    market = MarketState(Clock())
    heard: list[MarkTick] = []
    remove = market.add_mark_listener(heard.append)
    market.add_mark_listener(_broken_listener)  # a broken listener must not stop the others
    new, old = (
        MarkTick("bybit", "ETH", 3_000, T0),
        MarkTick("bybit", "ETH", 2_000, T0 - timedelta(seconds=1)),
    )
    market.update_marks([new, old])
    market.update_snapshots(
        [
            VenueSnapshot("bybit", "ETH", T0, 3_000),
            VenueSnapshot("bybit", "ETH", T0 - timedelta(1), 1),
        ]
    )
    assert heard == [new]
    quote = market.quote("bybit", "ETH")
    assert quote is not None
    assert quote.snapshot is not None
    assert quote.snapshot.mark_price == 3_000
    remove()
    market.update_marks([MarkTick("bybit", "ETH", 3_100, T0 + timedelta(seconds=1))])
    assert heard == [new]


def test_coverage_names_fed_quiet_gapped_and_unavailable_venues() -> None:
    """Coverage says which venues fed the window, which had gaps, and that Hyperliquid has no feed."""
    clock = Clock()
    market = MarketState(clock, venues=("binance", "bybit", "okx", "hyperliquid"))
    market.add_liquidations([liq(5, 100, "binance")])
    market.gap_opened("okx", "market", T0 - timedelta(minutes=20), "disconnected")
    market.gap_closed("okx", "market", T0 - timedelta(minutes=19))
    coverage = market.coverage("1h")
    status = {v.venue: v.status for v in coverage.venues}
    assert status == {
        "binance": "fed",
        "bybit": "quiet",
        "okx": "gap",
        "hyperliquid": "unavailable",
    }
    assert coverage.fed == ("binance",)
    assert coverage.with_gaps == ("okx",)
    assert not coverage.complete
    hl = next(v for v in coverage.venues if v.venue == "hyperliquid")
    assert hl.scope == "no public liquidation feed"
    clock.now += timedelta(hours=2)
    assert market.coverage("1h").complete
    assert market.coverage("4h").with_gaps == ("okx",)


def test_rebuild_replaces_the_state() -> None:
    """`rebuild` restores windows, snapshots and gaps from stored rows, dropping what was held."""
    market = MarketState(Clock())
    market.add_liquidations([liq(1, 123)])
    gap = FeedGap("bybit", "market", T0 - timedelta(minutes=3), None, "missed heartbeat")
    market.rebuild(
        [liq(30, 1_000), liq(2, 50)], [VenueSnapshot("binance", "BTC", T0, 91_000)], [gap]
    )
    assert market.totals("1h").total_usd == 1_050
    assert [q.mark_price for q in market.quotes("BTC")] == [91_000]
    assert market.coverage("1h").with_gaps == ("bybit",)
