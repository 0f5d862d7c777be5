"""End to end: the fake exchange's streams and REST routes into the store and the rolling windows."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from telegram.ext import ApplicationBuilder

from bot.jobs import register_ingest_jobs
from bot.market.state import MarketState
from bot.store import Store
from bot.vocabulary.records import MarkTick
from tests.fakes.exchange import FakeExchange, RestFailure
from tests.fakes.exchange_payloads import binance_coin_m_force_order
from tests.feeds.conftest import FAST, eventually, running_ingestor, utc_now


async def test_streams_and_polls_reach_the_store_and_the_windows(
    exchange: FakeExchange, store: Store
) -> None:
    """Liquidations, marks, snapshots, candles and tiers from all venues end up stored and live."""
    async with running_ingestor(exchange, store) as ingestor:
        heard: list[MarkTick] = []
        ingestor.market.add_mark_listener(heard.append)
        await exchange.liquidate("binance", "BTC", "long", 90_000, 0.5)
        await exchange.send_raw("binance", binance_coin_m_force_order("BTC", 0))
        await exchange.liquidate("bybit", "ETH", "short", 3_000, 2)
        await exchange.liquidate("okx", "BTC", "long", 89_000, 0.3)
        exchange.set_price("BTC", 88_000)
        await exchange.push_marks()
        await eventually(
            lambda: ingestor.market.totals("1h").count == 3 and len({t.venue for t in heard}) == 4
        )
        for kind in ("tiers", "snapshots", "candles"):
            report = await ingestor.ingest_once(kind)
            assert report.errors == {}
            assert report.written > 0
    stored = await store.liquidations.since(utc_now() - timedelta(hours=1))
    assert sorted((e.venue, e.symbol, e.side, round(e.notional_usd)) for e in stored) == [
        ("binance", "BTC", "long", 45_000), ("bybit", "ETH", "short", 6_000), ("okx", "BTC", "long", 26_700),
    ]  # fmt: skip
    totals = ingestor.market.totals("24h")
    assert (totals.long_usd, totals.short_usd) == (71_700, 6_000)
    assert {(s.venue, s.symbol) for s in await store.snapshots.latest()} == {
        (v, c) for v in ("binance", "bybit", "okx", "hyperliquid") for c in ("BTC", "ETH")
    }
    assert len(await store.candles.recent("okx", "BTC", 3600, 500)) == 200
    assert {(t.venue, t.symbol) for t in await store.tiers.load_all()} == {
        (v, c) for v in ("bybit", "okx", "hyperliquid") for c in ("BTC", "ETH")
    }
    last_btc = {t.venue: t.mark_price for t in heard if t.symbol == "BTC"}
    assert last_btc == dict.fromkeys(("binance", "bybit", "okx", "hyperliquid"), 88_000)
    assert ingestor.runners[0].status.skipped["coin-m liquidation"] == 1


async def test_a_dropped_connection_is_a_gap_with_data_intact_on_both_sides(
    exchange: FakeExchange, sqlite_store: Store
) -> None:
    """After a network drop the stream reconnects and resubscribes; the gap is stored and reported."""
    async with running_ingestor(exchange, sqlite_store) as ingestor:
        await exchange.liquidate("bybit", "BTC", "long", 90_000, 1)
        await eventually(lambda: ingestor.market.totals("1h").count == 1)
        await exchange.drop("bybit")
        await exchange.wait_subscribed("bybit", 2)
        await exchange.liquidate("bybit", "BTC", "short", 91_000, 2)
        await eventually(lambda: ingestor.market.totals("1h").count == 2)
        assert ingestor.market.coverage("1h").with_gaps == ("bybit",)
    assert await sqlite_store.liquidations.count() == 2
    (gap,) = await sqlite_store.gaps.overlapping(utc_now() - timedelta(minutes=1), utc_now())
    assert (gap.venue, gap.stream) == ("bybit", "market")
    assert gap.ended_at is not None
    assert gap.reason.startswith("disconnected")


async def test_a_hung_server_is_detected_by_its_missing_pongs(
    exchange: FakeExchange, sqlite_store: Store
) -> None:
    """A server that stops answering pings is left, recorded as a gap, and reconnected to."""
    async with running_ingestor(exchange, sqlite_store) as ingestor:
        okx = next(r for r in ingestor.runners if r.spec.venue == "okx")
        exchange.freeze("okx")
        await eventually(lambda: okx.status.gap_since is not None)
        exchange.thaw("okx")
        await exchange.wait_subscribed("okx", 2)
        await exchange.liquidate("okx", "ETH", "long", 3_000, 1)
        await eventually(lambda: ingestor.market.totals("1h").count == 1)
        assert okx.status.gap_since is None
        assert okx.status.connects >= 2
    (gap,) = await sqlite_store.gaps.overlapping(utc_now() - timedelta(minutes=1), utc_now())
    assert gap.venue == "okx"
    assert gap.ended_at is not None


async def test_an_outage_that_refuses_each_reconnect_is_one_gap_with_growing_backoff(
    exchange: FakeExchange, sqlite_store: Store
) -> None:
    """A server that accepts each reconnect and closes it at once is not back: the outage stays one
    gap, closed by the first frame after it."""
    async with running_ingestor(exchange, sqlite_store) as ingestor:
        okx = next(r for r in ingestor.runners if r.spec.venue == "okx")
        await exchange.wait_subscribed("okx", 1)
        exchange.refuse("okx")
        await exchange.drop("okx")
        await asyncio.sleep(2.0)  # dozens of refused reconnects at the tests' backoff
        assert okx.status.gap_since is not None  # refused reconnects did not end the outage
        exchange.refuse("okx", False)
        await exchange.wait_subscribed("okx", 2)
        await exchange.liquidate("okx", "ETH", "long", 3_000, 1)
        await eventually(lambda: ingestor.market.totals("1h").count == 1)
        await eventually(lambda: okx.status.gap_since is None)
    gaps = await sqlite_store.gaps.overlapping(utc_now() - timedelta(minutes=1), utc_now())
    assert [(g.venue, g.ended_at is not None) for g in gaps if g.venue == "okx"] == [("okx", True)]


async def test_pings_are_answered_and_sent_and_connections_renewed(
    exchange: FakeExchange, sqlite_store: Store
) -> None:
    """Server pings get pongs, the venues' own pings are sent, and renewal before the cut is no gap."""
    config = replace(FAST, timeouts=replace(FAST.timeouts, renew_after_s=0.3))
    async with running_ingestor(exchange, sqlite_store, config=config) as ingestor:
        await eventually(lambda: exchange.server_pongs["binance"] >= 3)
        await eventually(
            lambda: all(exchange.app_pings[v] >= 2 for v in ("bybit", "okx", "hyperliquid"))
        )
        await eventually(lambda: all(r.status.renewals >= 1 for r in ingestor.runners))
        await exchange.wait_subscribed("binance", exchange.subscribed["binance"] + 1)  # fresh one
        await exchange.liquidate("binance", "ETH", "short", 3_000, 1)
        await eventually(lambda: ingestor.market.totals("1h").count == 1)
    assert await sqlite_store.gaps.overlapping(utc_now() - timedelta(minutes=1), utc_now()) == []


async def test_malformed_frames_are_counted_logged_once_and_skipped(
    exchange: FakeExchange, sqlite_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """Bad frames never stop a stream: each kind is counted and logged once, good frames still flow."""
    caplog.set_level(logging.WARNING, logger="bot.feeds.stream")
    async with running_ingestor(exchange, sqlite_store) as ingestor:
        for frame in (
            "garbage",
            "{not json",
            '{"stream": "x", "data": {"e": "forceOrder", "o": {}}}',
        ):
            await exchange.send_raw("binance", frame)
        await exchange.send_raw(
            "bybit", '{"topic": "allLiquidation.BTCUSDT", "data": [{"S": "Buy"}]}'
        )
        await exchange.liquidate("binance", "BTC", "long", 90_000, 0.1)
        await eventually(lambda: ingestor.market.totals("1h").count == 1)
        binance, bybit = ingestor.runners[0].status, ingestor.runners[1].status
        assert binance.malformed == {"frame": 2, "forceOrder": 1}
        assert bybit.malformed == {"allLiquidation": 1}
        assert binance.connects == 1
    warnings = [r.getMessage() for r in caplog.records if "malformed" in r.getMessage()]
    assert len(warnings) == 3


async def test_rate_limit_backs_off_that_venue_only_for_its_wait(
    exchange: FakeExchange, sqlite_store: Store
) -> None:
    """HTTP 429 with Retry-After parks that venue's polls; the other venues are polled and stored."""
    async with running_ingestor(exchange, sqlite_store, start=False) as ingestor:
        exchange.fail_rest("binance", RestFailure(429, retry_after_s=30))
        report = await ingestor.ingest_once("snapshots")
        assert list(report.errors) == ["binance"]
        assert "retry after 30 s" in report.errors["binance"]
        assert report.written == 6
        calls = len(exchange.requests)
        again = await ingestor.ingest_once("snapshots")
        assert list(again.skipped) == ["binance"]
        wait_s = (again.skipped["binance"] - utc_now()).total_seconds()
        assert 25 < wait_s <= 30
        assert all(venue != "binance" for venue, *_ in exchange.requests[calls:])


@pytest.mark.parametrize(
    ("failure", "expected"),
    [(RestFailure(503), "HTTP 503"), (RestFailure(200, delay_s=2.5), "timeout"),
     (RestFailure(403, body={"retMsg": "access too frequent"}), "retry after 600 s")],
)  # fmt: skip
async def test_server_errors_and_timeouts_back_off_and_recover(
    exchange: FakeExchange, sqlite_store: Store, failure: RestFailure, expected: str
) -> None:
    """5xx, a timeout and Bybit's 403 ban fail one poll of one venue; the others are unaffected."""
    async with running_ingestor(
        exchange, sqlite_store, start=False, http_timeout_s=1.0
    ) as ingestor:
        exchange.fail_rest("bybit", failure)
        report = await ingestor.ingest_once("candles")
        assert list(report.errors) == ["bybit"]
        assert expected in report.errors["bybit"]
        assert report.written == 3 * 2 * 200
        if failure.status != 403:
            await eventually(lambda: ingestor._not_before[("bybit", "candles")] <= utc_now())
            assert (await ingestor.ingest_once("candles")).errors == {}


async def test_a_restart_rebuilds_the_windows_and_notes_the_downtime(
    exchange: FakeExchange, sqlite_store: Store
) -> None:
    """A new process restores every window from the store and records the time it was down."""
    async with running_ingestor(exchange, sqlite_store) as first:
        await exchange.liquidate(
            "binance", "BTC", "long", 90_000, 1, ts_ms=exchange.now_ms() - 2 * 3_600_000
        )
        await exchange.liquidate("bybit", "ETH", "short", 3_000, 3)
        await eventually(lambda: first.market.totals("7d").count == 2)
        await first.ingest_once("snapshots")
        before = [first.market.totals(w) for w in first.market.window_names]
    later = utc_now() + timedelta(minutes=10)
    async with running_ingestor(exchange, sqlite_store, clock=lambda: later, start=False) as second:
        after = [second.market.totals(w) for w in second.market.window_names]
        assert [(t.total_usd, t.count) for t in after] == [(t.total_usd, t.count) for t in before]
        assert second.market.quote("okx", "BTC") is not None
        downtime = second.market.coverage("1h").with_gaps
    assert set(downtime) == {"binance", "bybit", "okx", "hyperliquid"}


async def test_register_jobs_schedules_each_poll_once_at_a_time(sqlite_store: Store) -> None:
    """The JobQueue gets one repeating job per poll kind plus pruning, none allowed to overlap."""
    application = ApplicationBuilder().token("123:fake").build()
    assert application.job_queue is not None
    from bot.market.ingest import Ingestor

    ingestor = Ingestor(
        sqlite_store, MarketState(utc_now), clients={}, streams=[], symbols=["BTC"], clock=utc_now
    )
    register_ingest_jobs(application.job_queue, ingestor)
    jobs = {job.name: job for job in application.job_queue.jobs()}
    assert set(jobs) == {"ingest snapshots", "ingest candles", "ingest tiers", "prune market data"}
    assert jobs["ingest snapshots"].job.trigger.interval == timedelta(seconds=30)
    assert all(j.job.max_instances == 1 and j.job.coalesce for j in jobs.values())


async def test_pruning_drops_every_kind_of_market_data_past_the_retention(store: Store) -> None:
    """Liquidations, snapshots, candles and ended gaps older than 30 days go; newer ones stay."""
    from bot.market.ingest import Ingestor
    from bot.vocabulary.records import Candle, LiquidationEvent, VenueSnapshot

    now = datetime(2026, 6, 1, tzinfo=UTC)
    old, recent = now - timedelta(days=31), now - timedelta(days=29)
    await store.liquidations.add_many(
        [LiquidationEvent("bybit", "BTC", "long", 90_000, 0.1, 9_000, t) for t in (old, recent)]
    )
    await store.snapshots.add_many(
        [VenueSnapshot("bybit", "BTC", t, 90_000) for t in (old, recent)]
    )
    await store.candles.upsert_many(
        [Candle("bybit", "BTC", 3600, t, 1, 2, 0.5, 1.5, 3.0, None) for t in (old, recent)]
    )
    gap = await store.gaps.open("bybit", "allLiquidation", old, "disconnect")
    await store.gaps.close(gap, old + timedelta(minutes=3))
    ingestor = Ingestor(
        store, MarketState(lambda: now), clients={}, streams=[], symbols=["BTC"], clock=lambda: now
    )
    assert await ingestor.prune() == 4
    assert [c.open_time for c in await store.candles.recent("bybit", "BTC", 3600, 5)] == [recent]
    assert [e.time for e in await store.liquidations.since(old - timedelta(days=1))] == [recent]
    assert await store.gaps.overlapping(old - timedelta(days=1), now) == []
