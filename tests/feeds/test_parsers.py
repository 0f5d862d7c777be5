"""The venue parsers on payloads of every documented shape (values written for these tests)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.feeds import binance, bybit, hyperliquid, okx
from bot.feeds.errors import MalformedPayload
from bot.vocabulary.records import LiquidationEvent, PositionSide
from tests.fakes import exchange_payloads as pl

T = 1_790_000_000_000
AT = datetime.fromtimestamp(T / 1000, tz=UTC)
TRACKED = frozenset({"BTC", "ETH"})


@pytest.mark.parametrize(("position", "order_side"), [("long", "SELL"), ("short", "BUY")])
def test_binance_force_order_side_is_the_liquidated_position(
    position: PositionSide, order_side: str
) -> None:
    """A SELL liquidation order closes a long; quantity is the filled size, price the average fill."""
    frame = pl.binance_force_order("BTC", position, 90_000.0, 0.25, T)
    assert json.loads(frame)["data"]["o"]["S"] == order_side
    decoded = binance.BinanceDecoder(TRACKED)(frame)
    assert decoded.liquidations == [
        LiquidationEvent("binance", "BTC", position, 90_000.0, 0.25, 22_500.0, AT)
    ]


def test_binance_bare_event_and_untracked_symbol_are_kept() -> None:
    """A bare (unwrapped) event of any USDⓈ-M symbol counts; liquidations are market-wide."""
    event = json.loads(pl.binance_force_order("PEPE", "long", 0.00001, 1e9, T))["data"]
    del event["st"], event["ps"]  # the pre-merge shape has neither
    decoded = binance.BinanceDecoder(TRACKED)(json.dumps(event))
    assert [e.symbol for e in decoded.liquidations] == ["PEPE"]
    assert [e.notional_usd for e in decoded.liquidations] == pytest.approx([10_000.0])


def test_binance_coin_m_liquidations_are_skipped() -> None:
    """COIN-M events (`st` 2, `…USD_PERP`) on the merged stream are left out and counted."""
    decoded = binance.BinanceDecoder(TRACKED)(pl.binance_coin_m_force_order("BTC", T))
    assert decoded.liquidations == []
    assert decoded.skipped == ["coin-m liquidation"]


def test_binance_mark_prices_array_and_single() -> None:
    """`!markPrice@arr` gives one tick per tracked coin with index, funding and next funding time."""
    frame = pl.binance_mark_prices({"BTC": 91_000.0, "SOL": 150.0}, {"BTC": -0.0002}, T)
    ticks = binance.BinanceDecoder(TRACKED)(frame).marks
    assert [(t.symbol, t.mark_price, t.funding_rate) for t in ticks] == [("BTC", 91_000.0, -0.0002)]
    assert ticks[0].next_funding_time is not None
    assert ticks[0].next_funding_time > AT
    single = json.dumps(json.loads(frame)["data"][0])
    assert binance.BinanceDecoder(TRACKED)(single).marks == ticks


def test_binance_contract_info_brackets_and_acks() -> None:
    """`!contractInfo` brackets become tier rows; a subscribe reply decodes to nothing."""
    event = {
        "e": "contractInfo", "E": T, "s": "BTCUSDT", "ps": "BTCUSDT", "ct": "PERPETUAL",
        "dt": 4133404800000, "ot": 1569398400000, "cs": "TRADING", "st": 1,
        "bks": [
            {"bs": 2, "bnf": 50000, "bnc": 600000, "mmr": 0.005, "cf": 50, "mi": 51, "ma": 100},
            {"bs": 1, "bnf": 0, "bnc": 50000, "mmr": 0.004, "cf": 0, "mi": 101, "ma": 125},
        ],
    }  # fmt: skip
    (table,) = binance.BinanceDecoder(TRACKED)(json.dumps(event)).tiers
    assert table.symbol == "BTC"
    assert table.fetched_at == AT
    assert table.tiers == [[0, 50_000, 0.004, 0, 125], [50_000, 600_000, 0.005, 50, 100]]
    assert binance.BinanceDecoder(TRACKED)('{"result": null, "id": 1}').liquidations == []


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        '{"e": "forceOrder", "E": 1, "o": {"s": "BTCUSDT"}}',
        '{"e": "forceOrder", "E": 1, "o": {"s": "BTCUSDT", "S": "HOLD", "q": "1", "p": "1", "ap": "1", "z": "1", "T": 1}}',
        '{"e": "somethingNew"}',
        "42",
    ],
)
def test_binance_malformed_frames_raise(frame: str) -> None:
    """Frames without the documented fields raise `MalformedPayload` with a kind."""
    with pytest.raises(MalformedPayload) as caught:
        binance.BinanceDecoder(TRACKED)(frame)
    assert caught.value.venue == "binance"
    assert caught.value.kind


def test_bybit_all_liquidation_batch_uses_position_side() -> None:
    """Every item of a batch becomes an event; `Buy` means a long position was liquidated."""
    frame = pl.bybit_all_liquidation(
        "ETH", [("long", 3000.0, 2.0, T), ("short", 3010.0, 1.0, T + 5)]
    )
    events = bybit.BybitDecoder()(frame).liquidations
    assert [(e.side, e.notional_usd) for e in events] == [("long", 6000.0), ("short", 3010.0)]
    assert json.loads(frame)["data"][0]["S"] == "Buy"


def test_bybit_ticker_deltas_merge_into_the_snapshot() -> None:
    """A delta without a mark emits nothing; one with a mark keeps the snapshot's funding."""
    decoder = bybit.BybitDecoder()
    snapshot = pl.bybit_ticker(
        "BTC", {"markPrice": "90000", "indexPrice": "89990", "fundingRate": "0.0001",
                "nextFundingTime": str(T + 3_600_000)}, T,
    )  # fmt: skip
    assert decoder(snapshot).marks[0].mark_price == 90_000.0
    assert decoder(pl.bybit_ticker("BTC", {"lastPrice": "90100"}, T + 100, "delta")).marks == []
    (tick,) = decoder(pl.bybit_ticker("BTC", {"markPrice": "90200"}, T + 200, "delta")).marks
    assert (tick.mark_price, tick.index_price, tick.funding_rate) == (90_200.0, 89_990.0, 0.0001)


def test_bybit_control_frames_and_the_removed_topic() -> None:
    """Pong and subscribe acks decode to nothing; the removed `liquidation.` topic is skipped."""
    decoder = bybit.BybitDecoder()
    pong = '{"success": true, "ret_msg": "pong", "conn_id": "c", "req_id": "", "op": "ping"}'
    assert decoder(pong).liquidations == []
    legacy = '{"topic": "liquidation.BTCUSDT", "type": "snapshot", "ts": 1, "data": {}}'
    assert decoder(legacy).skipped == ["deprecated liquidation topic"]
    with pytest.raises(MalformedPayload):
        decoder('{"success": false, "ret_msg": "bad topic", "op": "subscribe"}')


@pytest.mark.parametrize(("pos_side", "side", "expected"), [
    ("long", "sell", "long"), ("short", "buy", "short"), ("net", "sell", "long"), ("net", "buy", "short"),
])  # fmt: skip
def test_okx_liquidations_in_contracts_times_contract_value(
    pos_side: str, side: str, expected: str
) -> None:
    """`sz` contracts × `ctVal` gives coins; `posSide` or, in net mode, the order side gives the side."""
    frame = json.loads(pl.okx_liquidation_orders("BTC", "long", 60_000.0, 0.5, T))
    frame["data"][0]["details"][0].update(posSide=pos_side, side=side)
    decoder = okx.OkxDecoder({"BTC-USDT-SWAP": 0.01}, TRACKED)
    (event,) = decoder(json.dumps(frame)).liquidations
    assert event.side == expected
    assert event.quantity == pytest.approx(0.5)
    assert event.notional_usd == pytest.approx(30_000.0)
    assert event.time == AT


def test_okx_skips_inverse_and_unknown_instruments_and_reads_control_frames() -> None:
    """Inverse swaps and swaps without a known contract value are skipped, not guessed."""
    frame = json.loads(pl.okx_liquidation_orders("BTC", "long", 60_000.0, 0.5, T))
    frame["data"][0]["instId"] = "BTC-USD-SWAP"
    decoder = okx.OkxDecoder({"BTC-USDT-SWAP": 0.01}, TRACKED)
    assert decoder(json.dumps(frame)).skipped == ["untracked okx instrument"]
    assert decoder("pong").liquidations == []
    assert decoder('{"event": "subscribe", "arg": {}, "connId": "x"}').skipped == []
    assert decoder('{"event": "notice", "msg": "maintenance"}').skipped == ["notice event"]
    with pytest.raises(MalformedPayload):
        decoder('{"event": "error", "code": "60012", "msg": "Invalid request"}')
    (tick,) = decoder(pl.okx_mark_price("ETH", 3_001.5, T)).marks
    assert (tick.symbol, tick.mark_price, tick.time) == ("ETH", 3_001.5, AT)


def test_hyperliquid_all_mids_are_marks_at_the_local_clock() -> None:
    """`allMids` carries no time: the tick is stamped with the injected clock, tracked coins only."""
    decoder = hyperliquid.HyperliquidDecoder(TRACKED, lambda: AT)
    ticks = decoder(pl.hyperliquid_all_mids({"BTC": 91_000.5, "DOGE": 0.2}))
    assert [(t.symbol, t.mark_price, t.time) for t in ticks.marks] == [("BTC", 91_000.5, AT)]
    assert decoder('{"channel": "pong"}').marks == []
    with pytest.raises(MalformedPayload):
        decoder('{"channel": "error", "data": "Invalid subscription"}')


def test_rest_snapshots_candles_and_tiers_of_each_venue() -> None:
    """REST bodies of each venue become snapshots, oldest-first candles and contiguous tier rows."""
    premium = [{"symbol": "BTCUSDT", "markPrice": "90000", "indexPrice": "89990", "estimatedSettlePrice": "0",
                "lastFundingRate": "0.0001", "interestRate": "0.0001", "nextFundingTime": T + 1, "time": T}]  # fmt: skip
    (snap,) = binance.parse_premium_index(premium, {"BTC": 10.0}, {"BTC": 4.0}, TRACKED)
    assert (snap.open_interest_usd, snap.funding_interval_h, snap.time) == (900_000.0, 4.0, AT)
    kline = {"retCode": 0, "result": {"list": [[str(T + 3_600_000), "2", "3", "1", "2.5", "9", "20"],
                                               [str(T), "1", "2", "1", "2", "8", "16"]]}, "time": T}  # fmt: skip
    candles = bybit.parse_kline(kline, "BTC", 3600)
    assert [c.open_time for c in candles] == [AT, datetime.fromtimestamp(T / 1000 + 3600, tz=UTC)]
    table = bybit.parse_risk_limits(
        pl.bybit_envelope({"list": pl.bybit_risk_limit("BTC")}, T), "BTC", AT
    )
    assert [row[:2] for row in table.tiers] == [[0.0, 200_000.0], [200_000.0, 1e6], [1e6, 5e6]]
    assert table.tiers[1][3] == pytest.approx(1000.0)  # 200k × (0.01 − 0.005)
    okx_table = okx.parse_position_tiers(
        pl.okx_envelope(pl.okx_position_tiers("BTC")), "BTC", 0.01, AT
    )
    assert okx_table.contract_value == 0.01
    assert okx_table.tiers[1][0] == okx_table.tiers[0][1]
    (hl,) = hyperliquid.parse_margin_tables(pl.hyperliquid_meta(["BTC"]), TRACKED, AT)
    assert hl.tiers == [
        [0.0, 150e6, 0.0125, 0.0, 40.0],
        [150e6, None, 0.025, pytest.approx(1_875_000.0), 20.0],
    ]


def test_funding_intervals_come_from_each_venue_s_convention() -> None:
    """OKX: next settlement is `fundingTime`, interval `nextFundingTime − fundingTime`; HL hourly."""
    body = pl.okx_envelope([{"instId": "BTC-USDT-SWAP", "fundingRate": "0.0002", "fundingTime": str(T),
                             "nextFundingTime": str(T + 4 * 3_600_000)}])  # fmt: skip
    mark = okx.parse_mark_price([{"instId": "BTC-USDT-SWAP", "markPx": "90000", "ts": str(T)}])[0]
    snap = okx.parse_funding_rate(body, {"BTC": mark}, {"BTC": 2.0})
    assert (snap.next_funding_time, snap.funding_interval_h, snap.open_interest_usd) == (
        AT,
        4.0,
        180_000.0,
    )
    ctx = {"funding": "0.0000125", "openInterest": "3", "markPx": "90000", "oraclePx": "90010"}
    meta = {"universe": [{"name": "BTC", "szDecimals": 5, "maxLeverage": 40}]}
    (hl,) = hyperliquid.parse_asset_contexts([meta, [ctx]], TRACKED, AT)
    assert hl.funding_interval_h == 1.0
    assert hl.next_funding_time is not None
    assert (hl.next_funding_time - AT).total_seconds() <= 3600
