"""The parsers on the recorded payloads in ../shared/fixtures/exchanges (skipped where absent)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.feeds import binance, bybit, hyperliquid, okx

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "exchanges"
AT = datetime(2026, 1, 1, tzinfo=UTC)
BTC = frozenset({"BTC", "ETH"})


def _okx_funding(body: Any) -> Any:
    mark = okx.parse_mark_price(
        [{"instId": "BTC-USDT-SWAP", "markPx": "42000", "ts": "1703070685309"}]
    )
    return okx.parse_funding_rate(body, {"BTC": mark[0]}, {"BTC": 5.0})


def _count(expected: int) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        assert len(result) == expected

    return check


# file → (parse, check); each check states what the recording must yield (fails or returns anything)
PARSERS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], object]]] = {
    "binance/ws_forceOrder.json": (
        lambda d: binance.BinanceDecoder(BTC)(json.dumps(d)).liquidations,
        lambda r: [(e.side, e.quantity, e.price) for e in r] == [("short", 1.437, 34959.70)] or pytest.fail(str(r)),
    ),
    "binance/ws_forceOrder_arr.json": (
        lambda d: binance.BinanceDecoder(BTC)(json.dumps(d)).liquidations,
        lambda r: [(e.side, e.notional_usd) for e in r] == [("long", pytest.approx(138.74))] or pytest.fail(str(r)),
    ),
    "binance/ws_markPrice.json": (lambda d: binance.BinanceDecoder(BTC)(json.dumps(d)).marks, _count(1)),
    "binance/ws_markPrice_arr.json": (lambda d: binance.BinanceDecoder(BTC)(json.dumps(d)).marks, _count(1)),
    "binance/ws_contractInfo.json": (lambda d: binance.BinanceDecoder(BTC)(json.dumps(d)).tiers, _count(1)),
    "binance/ws_subscribe_response.json": (lambda d: binance.BinanceDecoder(BTC)(json.dumps(d)).marks, _count(0)),
    "binance/rest_premiumIndex.json": (lambda d: binance.parse_premium_index([d], {}, {}, BTC), _count(1)),
    "binance/rest_premiumIndex_all.json": (lambda d: binance.parse_premium_index(d, {"BTC": 1.0}, {}, BTC), _count(1)),
    "binance/rest_openInterest.json": (binance.parse_open_interest, lambda r: r == ("BTC", 10659.509) or pytest.fail(str(r))),
    "binance/rest_fundingInfo.json": (binance.parse_funding_info, lambda r: r == {"BLZ": 8.0} or pytest.fail(str(r))),
    "binance/rest_klines.json": (lambda d: binance.parse_klines(d, "BTC", 3600), _count(1)),
    "bybit/ws_allLiquidation.json": (
        lambda d: bybit.BybitDecoder()(json.dumps(d)).liquidations,
        lambda r: [(e.symbol, e.side, e.quantity) for e in r] == [("ROSE", "short", 20000.0)] or pytest.fail(str(r)),
    ),
    "bybit/ws_liquidation_DEPRECATED.json": (lambda d: bybit.BybitDecoder()(json.dumps(d)).skipped, _count(1)),
    "bybit/ws_pong.json": (lambda d: bybit.BybitDecoder()(json.dumps(d)).marks, _count(0)),
    "bybit/ws_subscribe_response.json": (lambda d: bybit.BybitDecoder()(json.dumps(d)).marks, _count(0)),
    "bybit/ws_tickers_linear.json": (lambda d: bybit.BybitDecoder()(json.dumps(d)).marks, _count(1)),
    "bybit/rest_tickers.json": (lambda d: bybit.parse_tickers(d, BTC), _count(0)),  # inverse BTCUSD: left out
    "bybit/rest_kline.json": (
        lambda d: bybit.parse_kline(d, "BTC", 3600),
        lambda r: [c.close for c in r] == [17071.5, 17071.0, 17055.5] or pytest.fail(str(r)),
    ),
    "bybit/rest_risk_limit.json": (lambda d: bybit.parse_risk_limits(d, "BTC", AT).tiers, _count(1)),
    "okx/ws_liquidation-orders.json": (
        lambda d: okx.OkxDecoder(okx.BUNDLED_CONTRACT_VALUES, BTC)(json.dumps(d)).liquidations,
        lambda r: [(e.side, e.quantity) for e in r] == [("long", 100.0)] or pytest.fail(str(r)),
    ),
    "okx/ws_liquidation-orders_docs.json": (
        lambda d: okx.OkxDecoder({"IOST-USDT-SWAP": 1000.0}, BTC)(json.dumps(d)).liquidations,
        lambda r: [(e.symbol, e.side, e.quantity) for e in r] == [("IOST", "short", 13000.0)] or pytest.fail(str(r)),
    ),
    "okx/ws_mark-price.json": (lambda d: okx.OkxDecoder({}, BTC)(json.dumps(d)).marks, _count(0)),  # a future
    "okx/ws_subscribe_ack.json": (lambda d: okx.OkxDecoder({}, BTC)(json.dumps(d)).marks, _count(0)),
    "okx/rest_funding-rate.json": (_okx_funding, lambda r: r.funding_interval_h == 8.0 or pytest.fail(str(r))),
    "okx/rest_mark-price.json": (lambda d: okx.parse_mark_price(d["data"]), _count(1)),
    "okx/rest_candles.json": (lambda d: okx.parse_candles(d, "BTC", 60), _count(2)),
    "okx/rest_position-tiers.json": (lambda d: okx.parse_position_tiers(d, "BTC", 0.01, AT).tiers, _count(1)),
    "hyperliquid/info_metaAndAssetCtxs.json": (lambda d: hyperliquid.parse_asset_contexts(d, BTC, AT), _count(2)),
    "hyperliquid/info_meta.json": (lambda d: hyperliquid.parse_margin_tables(d, BTC, AT), _count(2)),
    "hyperliquid/info_candleSnapshot.json": (lambda d: hyperliquid.parse_candle_snapshot(d, 3600), lambda r: len(r) > 1 or pytest.fail("empty")),
    "hyperliquid/ws_pong.json": (lambda d: hyperliquid.HyperliquidDecoder(BTC, lambda: AT)(json.dumps(d)).marks, _count(0)),
    "hyperliquid/ws_subscriptionResponse.json": (lambda d: hyperliquid.HyperliquidDecoder(BTC, lambda: AT)(json.dumps(d)).marks, _count(0)),
}  # fmt: skip

NOT_CONSUMED = {
    "binance/rest_fundingRate.json": "settled funding history is not polled",
    "binance/rest_openInterestHist.json": "open-interest history is not polled",
    "binance/rest_leverageBracket_SIGNED.json": "needs an API key",
    "binance/ws_kline.json": "candles are polled over REST",
    "bybit/rest_funding_history.json": "settled funding history is not polled",
    "bybit/rest_instruments_info_linear.json": "the funding interval comes from tickers",
    "bybit/rest_open_interest.json": "open-interest history is not polled",
    "okx/rest_funding-rate-history.json": "settled funding history is not polled",
    "okx/rest_open-interest.json": "read inline by OkxClient.fetch_snapshots",
    "okx/ws_funding-rate.json": "funding is polled over REST",
    "hyperliquid/info_fundingHistory.json": "settled funding history is not polled",
    "hyperliquid/info_userFills_liquidation.json": "user-scoped: no public liquidation feed",
    "hyperliquid/ws_userEvents_fill_liquidation.json": "user-scoped: no public liquidation feed",
    "hyperliquid/ws_trades.json": "trades carry no liquidation flag",
    "hyperliquid/ws_candle.json": "candles are polled over REST",
}


def _fixture_files() -> list[str]:
    if not FIXTURES.is_dir():
        return []
    return sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.glob("*/*.json"))


@pytest.fixture
def fixtures_dir() -> Path:
    """The shared fixtures folder, or a skip where this checkout has none."""
    if not FIXTURES.is_dir():
        pytest.skip(f"no shared fixtures at {FIXTURES}")
    return FIXTURES


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_recorded_payload_parses(fixtures_dir: Path, name: str) -> None:
    """Each consumed recording parses into what it holds."""
    path = fixtures_dir / name
    if not path.exists():
        pytest.skip(f"{name} is not in this copy of the fixtures")
    parse, check = PARSERS[name]
    check(parse(json.loads(path.read_text())))


def test_every_recording_is_accounted_for(fixtures_dir: Path) -> None:
    """A new recording must be parsed here or listed with the reason it is not consumed."""
    unknown = [n for n in _fixture_files() if n not in PARSERS and n not in NOT_CONSUMED]
    assert unknown == []
