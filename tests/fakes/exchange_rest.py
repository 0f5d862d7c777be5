"""The fake exchange's REST routes, in each venue's documented shapes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.fakes import exchange_payloads as pl

if TYPE_CHECKING:
    from tests.fakes.exchange import FakeExchange

Answer = tuple[int, dict[str, str], Any]
INTERVAL_MS = {"1h": 3_600_000, "60": 3_600_000, "1H": 3_600_000, "5m": 300_000, "5": 300_000}


def _not_found(path: str) -> Answer:
    return 404, {}, {"msg": f"no route {path}"}


def _closes(fake: FakeExchange, coin: str, limit: int) -> list[float]:
    path = fake.closes.get(coin) or [fake.prices.get(coin, 1.0)]
    return (path * (limit // len(path) + 1))[-limit:] if len(path) < limit else path[-limit:]


def answer_rest(
    fake: FakeExchange, venue: str, path: str, query: dict[str, str], body: Any
) -> Answer:
    """Route one request to its venue."""
    route = {"binance": _binance, "bybit": _bybit, "okx": _okx, "hyperliquid": _hyperliquid}[venue]
    return route(fake, path, query, body)


def _next_funding(fake: FakeExchange, hours: float = 8) -> int:
    step = int(hours * pl.HOUR_MS)
    return (fake.now_ms() // step + 1) * step


def _binance(fake: FakeExchange, path: str, query: dict[str, str], body: Any) -> Answer:
    now = fake.now_ms()
    if path == "/fapi/v1/premiumIndex":
        items = [
            {
                "symbol": f"{c}USDT", "markPrice": pl.s(p), "indexPrice": pl.s(p * 0.9998),
                "estimatedSettlePrice": pl.s(p), "lastFundingRate": pl.s(fake.funding.get(("binance", c), 0.0001)),
                "interestRate": "0.00010000", "nextFundingTime": _next_funding(fake), "time": now,
            }
            for c, p in fake.prices.items()
        ]  # fmt: skip
        return 200, {"X-MBX-USED-WEIGHT-1M": "10"}, items
    if path == "/fapi/v1/openInterest":
        coin = query["symbol"].removesuffix("USDT")
        return (
            200,
            {},
            {
                "openInterest": pl.s(fake.open_interest[coin]),
                "symbol": query["symbol"],
                "time": now,
            },
        )
    if path == "/fapi/v1/fundingInfo":
        return 200, {}, [
            {"symbol": f"{c}USDT", "adjustedFundingRateCap": "0.02", "adjustedFundingRateFloor": "-0.02",
             "fundingIntervalHours": int(h), "disclaimer": False}
            for (v, c), h in fake.funding_interval_h.items() if v == "binance"
        ]  # fmt: skip
    if path == "/fapi/v1/klines":
        coin, interval = query["symbol"].removesuffix("USDT"), INTERVAL_MS[query["interval"]]
        rows = pl.candle_rows(_closes(fake, coin, int(query.get("limit", 500))), interval, now)
        return 200, {}, [
            [t, pl.s(o), pl.s(h), pl.s(lo), pl.s(c), "10.5", t + interval - 1, pl.s(10.5 * c), 42, "6.25", pl.s(6.25 * c), "0"]
            for t, o, h, lo, c in rows
        ]  # fmt: skip
    return _not_found(path)


def _bybit(fake: FakeExchange, path: str, query: dict[str, str], body: Any) -> Answer:
    now = fake.now_ms()
    if path == "/v5/market/tickers":
        items = []
        for c, p in fake.prices.items():
            oi = fake.open_interest.get(c, 0.0)
            items.append({
                "symbol": f"{c}USDT", "lastPrice": pl.s(p), "indexPrice": pl.s(p * 0.9999), "markPrice": pl.s(p),
                "openInterest": pl.s(oi), "openInterestValue": pl.s(oi * p),
                "fundingRate": pl.s(fake.funding.get(("bybit", c), 0.0001)),
                "nextFundingTime": str(_next_funding(fake)), "predictedDeliveryPrice": "", "basisRate": "",
                "fundingIntervalHour": pl.s(fake.funding_interval_h.get(("bybit", c), 8)), "fundingCap": "0.005",
            })  # fmt: skip
        return 200, {}, pl.bybit_envelope({"category": "linear", "list": items}, now)
    if path == "/v5/market/kline":
        coin, interval = query["symbol"].removesuffix("USDT"), INTERVAL_MS[query["interval"]]
        rows = pl.candle_rows(_closes(fake, coin, int(query.get("limit", 200))), interval, now)
        wire = [
            [str(t), pl.s(o), pl.s(h), pl.s(lo), pl.s(c), "12", pl.s(12 * c)]
            for t, o, h, lo, c in reversed(rows)
        ]
        return (
            200,
            {},
            pl.bybit_envelope({"symbol": query["symbol"], "category": "linear", "list": wire}, now),
        )
    if path == "/v5/market/risk-limit":
        coin = query["symbol"].removesuffix("USDT")
        result = {"category": "linear", "list": pl.bybit_risk_limit(coin), "nextPageCursor": ""}
        return 200, {}, pl.bybit_envelope(result, now)
    return _not_found(path)


def _okx(fake: FakeExchange, path: str, query: dict[str, str], body: Any) -> Answer:
    now = fake.now_ms()
    if path == "/api/v5/public/instruments":
        return 200, {}, pl.okx_envelope([
            {"instType": "SWAP", "instId": f"{c}-USDT-SWAP", "ctVal": pl.s(v), "ctValCcy": c, "settleCcy": "USDT"}
            for c, v in pl.CONTRACT_VALUES.items()
        ] + [{"instType": "SWAP", "instId": "BTC-USD-SWAP", "ctVal": "100", "ctValCcy": "USD", "settleCcy": "BTC"}])  # fmt: skip
    if path == "/api/v5/public/mark-price":
        return 200, {}, pl.okx_envelope([
            {"instType": "SWAP", "instId": f"{c}-USDT-SWAP", "markPx": pl.s(p), "ts": str(now)}
            for c, p in fake.prices.items()
        ])  # fmt: skip
    if path == "/api/v5/public/open-interest":
        return 200, {}, pl.okx_envelope([
            {"instType": "SWAP", "instId": f"{c}-USDT-SWAP", "oi": pl.s(oi / pl.CONTRACT_VALUES[c]),
             "oiCcy": pl.s(oi), "oiUsd": pl.s(oi * fake.prices[c]), "ts": str(now)}
            for c, oi in fake.open_interest.items()
        ])  # fmt: skip
    if path == "/api/v5/public/funding-rate":
        coin = query["instId"].split("-")[0]
        hours = fake.funding_interval_h.get(("okx", coin), 8)
        funding_time = _next_funding(fake, hours)
        return 200, {}, pl.okx_envelope([{
            "instType": "SWAP", "instId": query["instId"], "method": "current_period", "formulaType": "withRate",
            "fundingRate": pl.s(fake.funding.get(("okx", coin), 0.0001)), "nextFundingRate": "",
            "fundingTime": str(funding_time), "nextFundingTime": str(funding_time + int(hours * pl.HOUR_MS)),
            "minFundingRate": "-0.0075", "maxFundingRate": "0.0075", "settState": "settled",
            "settFundingRate": "0.0001", "premium": "0.0001", "interestRate": "0.0001", "impactValue": "20000",
            "ts": str(now),
        }])  # fmt: skip
    if path == "/api/v5/market/candles":
        coin, interval = query["instId"].split("-")[0], INTERVAL_MS[query["bar"]]
        rows = pl.candle_rows(_closes(fake, coin, int(query.get("limit", 100))), interval, now)
        return 200, {}, pl.okx_envelope([
            [str(t), pl.s(o), pl.s(h), pl.s(lo), pl.s(c), "1500", "15", pl.s(15 * c), "1" if i else "0"]
            for i, (t, o, h, lo, c) in enumerate(reversed(rows))
        ])  # fmt: skip
    if path == "/api/v5/public/position-tiers":
        return 200, {}, pl.okx_envelope(pl.okx_position_tiers(query["instFamily"].split("-")[0]))
    return _not_found(path)


def _hyperliquid(fake: FakeExchange, path: str, query: dict[str, str], body: Any) -> Answer:
    if path != "/info" or not isinstance(body, dict):
        return _not_found(path)
    coins = list(fake.prices)
    kind = body.get("type")
    if kind == "clearinghouseState":
        return fake.wallets.answer(body.get("user"), fake.now_ms())
    if kind == "meta":
        return 200, {}, pl.hyperliquid_meta(coins)
    if kind == "metaAndAssetCtxs":
        contexts: list[dict[str, str | list[str] | None]] = [
            {
                "funding": pl.s(fake.funding.get(("hyperliquid", c), 0.0000125)),
                "openInterest": pl.s(fake.open_interest.get(c, 0.0)), "prevDayPx": pl.s(p),
                "dayNtlVlm": "1000000.0", "premium": "0.0001", "oraclePx": pl.s(p * 1.0001),
                "markPx": pl.s(p), "midPx": pl.s(p), "impactPxs": [pl.s(p * 0.9999), pl.s(p * 1.0001)],
                "dayBaseVlm": "10.0",
            }
            for c, p in fake.prices.items()
        ]  # fmt: skip
        contexts.append({"funding": "0.0", "openInterest": "0.0", "prevDayPx": "1.0", "dayNtlVlm": "0.0",
                         "premium": None, "oraclePx": "1.0", "markPx": "1.0", "midPx": None,
                         "impactPxs": None, "dayBaseVlm": "0.0"})  # fmt: skip
        return 200, {}, [pl.hyperliquid_meta(coins), contexts]
    if kind == "candleSnapshot":
        req = body["req"]
        interval = INTERVAL_MS[req["interval"]]
        limit = max(1, (req["endTime"] - req["startTime"]) // interval)
        rows = pl.candle_rows(_closes(fake, req["coin"], limit), interval, req["endTime"])
        return 200, {}, [
            {"t": t, "T": t + interval - 1, "s": req["coin"], "i": req["interval"], "o": pl.s(o),
             "c": pl.s(c), "h": pl.s(h), "l": pl.s(lo), "v": "3.5", "n": 17}
            for t, o, h, lo, c in rows
        ]  # fmt: skip
    return 400, {}, {"error": f"unknown info type {kind!r}"}
