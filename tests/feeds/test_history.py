"""History fetchers and the backfill against the fake exchange's paged history routes, real store."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.feeds import binance, bybit, okx
from bot.market.backfill import Backfill, snapshots_from_history
from bot.store import Store
from bot.vocabulary.records import Candle, OpenInterestPoint, from_ms
from tests.fakes.exchange import FakeExchange, RestFailure
from tests.fakes.exchange_history import STEP_MS, history_open_interest, history_price

DAY = timedelta(days=1)


def clients(http: httpx.AsyncClient, fake: FakeExchange) -> dict[str, binance.BinanceClient | bybit.BybitClient | okx.OkxClient]:  # fmt: skip
    """The three venues with history, pointed at the fake."""
    return {
        "binance": binance.BinanceClient(http, fake.rest_url),
        "bybit": bybit.BybitClient(http, fake.rest_url),
        "okx": okx.OkxClient(http, fake.rest_url),
    }


@pytest.mark.parametrize("venue", ["binance", "bybit", "okx"])
async def test_open_interest_history_is_paged_complete_and_ordered(venue: str) -> None:
    """Two days of 5-minute open interest come back whole, oldest first, equal to the fake's path."""
    async with FakeExchange(("BTC",)) as fake, httpx.AsyncClient() as http:
        fake.history_days = 30
        end = from_ms(fake.now_ms() // STEP_MS * STEP_MS)
        client = clients(http, fake)[venue]
        points = await client.fetch_open_interest_history("BTC", end - 2 * DAY, end)
        pages = sum(1 for v, *_ in fake.requests if v == venue)
    assert len(points) == 2 * 288 + 1
    assert [p.time for p in points] == sorted({p.time for p in points})
    assert points[-1].time == end
    for point in (points[0], points[300], points[-1]):
        expected = history_open_interest(fake, "BTC", int(point.time.timestamp() * 1000))
        assert point.open_interest == pytest.approx(expected, rel=1e-6)
    assert pages == {"binance": 2, "bybit": 3, "okx": 6}[venue]


@pytest.mark.parametrize("venue", ["binance", "bybit", "okx"])
async def test_candle_history_covers_the_stretch(venue: str) -> None:
    """A day of 5-minute candles, oldest first, closing on the fake's price path."""
    async with FakeExchange(("BTC",)) as fake, httpx.AsyncClient() as http:
        fake.history_days = 30
        end = from_ms(fake.now_ms() // STEP_MS * STEP_MS - STEP_MS)
        candles = await clients(http, fake)[venue].fetch_candle_history("BTC", 300, end - DAY, end)
    assert len(candles) == 289
    first = candles[0]
    closes_at = int(first.open_time.timestamp() * 1000) + STEP_MS
    assert first.close == pytest.approx(history_price(fake, "BTC", closes_at), rel=1e-6)
    assert (first.taker_buy_volume is not None) == (venue == "binance")


async def test_okx_keeps_only_its_latest_1440_points() -> None:
    """Asked for 10 days, OKX answers its 1,440 latest points (5 days) and no more."""
    async with FakeExchange(("BTC",)) as fake, httpx.AsyncClient() as http:
        fake.history_days = 30
        end = from_ms(fake.now_ms())
        points = await clients(http, fake)["okx"].fetch_open_interest_history(
            "BTC", end - 10 * DAY, end
        )
    assert len(points) == 1_440


def test_a_point_closes_the_bucket_it_measures() -> None:
    """A point stamped t becomes a snapshot at t − 1 ms marked at the close of the candle ending at t."""
    t = datetime(2026, 1, 1, 0, 5, tzinfo=UTC)
    candle = Candle("binance", "BTC", 300, t - timedelta(minutes=5), 1, 2, 0.5, 1.5, 10, 6)
    (snap,) = snapshots_from_history(
        [OpenInterestPoint("binance", "BTC", t, 100.0, None),
         OpenInterestPoint("binance", "BTC", t + timedelta(minutes=5), 101.0, None)],
        [candle],
    )  # fmt: skip
    assert snap.time == t - timedelta(milliseconds=1)
    assert (snap.mark_price, snap.open_interest, snap.open_interest_usd) == (1.5, 100.0, 150.0)


async def test_backfill_fills_30_days_then_only_the_missing_stretch(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """First start stores 30 days per venue (OKX its 5); a restart fetches only what is missing."""
    caplog.set_level(logging.INFO, logger="bot.market.backfill")
    async with FakeExchange(("BTC",)) as fake, httpx.AsyncClient() as http:
        fake.history_days = 30
        now = from_ms(fake.now_ms())
        backfill = Backfill(store, clients(http, fake), ["BTC"], lambda: now,
                            venues_without_history=["hyperliquid"])  # fmt: skip
        reports = {r.venue: r for r in await backfill.run()}
        assert reports["binance"].snapshots == pytest.approx(30 * 288, abs=2)
        assert reports["bybit"].snapshots == pytest.approx(30 * 288, abs=2)
        assert reports["okx"].snapshots == pytest.approx(1_440, abs=2)
        assert reports["okx"].stopped is not None
        assert "keeps 5.0 days" in reports["okx"].stopped
        later = now + timedelta(hours=2)
        fake.now_ms = lambda: int(later.timestamp() * 1000)
        again = Backfill(store, clients(http, fake), ["BTC"], lambda: later)
        second = {r.venue: r for r in await again.run()}
    assert second["binance"].snapshots == pytest.approx(24, abs=1)
    assert second["binance"].start == max(s.time for s in await store.snapshots.history(
        "binance", "BTC", now - timedelta(minutes=10)) if s.time < now)  # fmt: skip
    logs = caplog.text
    assert "backfill binance BTC open interest 3/30 days" in logs
    assert "backfill binance BTC open interest 30/30 days" in logs
    assert "Hyperliquid publishes no open-interest history" in logs


async def test_a_failing_venue_stops_its_backfill_and_not_the_others(store: Store) -> None:
    """Bybit answering 503 four times stops Bybit's backfill with the reason; Binance completes."""
    async with FakeExchange(("BTC",)) as fake, httpx.AsyncClient() as http:
        fake.history_days = 30
        fake.fail_rest("bybit", RestFailure(503), times=4)
        now = from_ms(fake.now_ms())
        chosen = {k: v for k, v in clients(http, fake).items() if k != "okx"}
        reports = {r.venue: r for r in await Backfill(store, chosen, ["BTC"], lambda: now,
                                                      days=2).run()}  # fmt: skip
    assert reports["bybit"].stopped is not None
    assert "503" in reports["bybit"].stopped
    assert reports["binance"].stopped is None
    assert reports["binance"].snapshots > 500
