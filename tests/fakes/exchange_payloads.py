"""Payloads of the fake exchange, in each venue's documented shape (values are the fake's own)."""

from __future__ import annotations

import json
from typing import Any

CONTRACT_VALUES = {"BTC": 0.01, "ETH": 0.1, "SOL": 1.0, "XRP": 100.0, "DOGE": 1000.0, "BNB": 0.01}
HOUR_MS = 3_600_000


def s(value: float) -> str:
    """A number as the venues write it: a decimal string."""
    return format(value, ".10g")


# liquidations ------------------------------------------------------------------------------------


def binance_force_order(coin: str, side: str, price: float, qty: float, ts_ms: int) -> str:
    """`!forceOrder@arr` event inside a combined-stream wrapper; `side` is the position's."""
    order_side = "SELL" if side == "long" else "BUY"
    event = {
        "e": "forceOrder",
        "E": ts_ms + 2,
        "o": {
            "s": f"{coin}USDT", "S": order_side, "o": "LIMIT", "f": "IOC", "q": s(qty),
            "p": s(price * 0.999), "ap": s(price), "X": "FILLED", "l": s(qty), "z": s(qty),
            "T": ts_ms,
        },
        "ps": f"{coin}USDT",
        "st": 1,
    }  # fmt: skip
    return json.dumps({"stream": "!forceOrder@arr", "data": event})


def binance_coin_m_force_order(coin: str, ts_ms: int) -> str:
    """A COIN-M liquidation as the merged stream carries it (`st` 2): the bot must skip it."""
    event = json.loads(binance_force_order(coin, "long", 90_000.0, 1.0, ts_ms))["data"]
    event["o"]["s"] = event["ps"] = f"{coin}USD_PERP"
    event["st"] = 2
    return json.dumps({"stream": "!forceOrder@arr", "data": event})


def bybit_all_liquidation(coin: str, items: list[tuple[str, float, float, int]]) -> str:
    """`allLiquidation.{symbol}` push; items are (position side, price, qty, ts_ms)."""
    data = [
        {
            "T": ts,
            "s": f"{coin}USDT",
            "S": "Buy" if side == "long" else "Sell",
            "v": s(q),
            "p": s(p),
        }
        for side, p, q, ts in items
    ]
    ts = max(item[3] for item in items) + 300
    return json.dumps(
        {"topic": f"allLiquidation.{coin}USDT", "type": "snapshot", "ts": ts, "data": data}
    )


def okx_liquidation_orders(coin: str, side: str, price: float, qty: float, ts_ms: int) -> str:
    """`liquidation-orders` push; `qty` in coins becomes contracts of the coin's `ctVal`."""
    contracts = qty / CONTRACT_VALUES[coin]
    detail = {
        "bkLoss": "0", "bkPx": s(price), "ccy": "", "posSide": side,
        "side": "sell" if side == "long" else "buy", "sz": s(contracts), "ts": str(ts_ms),
    }  # fmt: skip
    item = {
        "details": [detail], "instFamily": f"{coin}-USDT", "instId": f"{coin}-USDT-SWAP",
        "instType": "SWAP", "uly": f"{coin}-USDT",
    }  # fmt: skip
    return json.dumps(
        {"arg": {"channel": "liquidation-orders", "instType": "SWAP"}, "data": [item]}
    )


# marks -------------------------------------------------------------------------------------------


def binance_mark_prices(prices: dict[str, float], funding: dict[str, float], ts_ms: int) -> str:
    """`!markPrice@arr@1s` push (an array) inside a combined-stream wrapper."""
    data = [
        {
            "e": "markPriceUpdate",
            "E": ts_ms,
            "s": f"{c}USDT",
            "p": s(p),
            "i": s(p * 0.9998),
            "P": s(p),
            "r": s(funding.get(c, 0.0001)),
            "ap": s(p),
            "T": (ts_ms // (8 * HOUR_MS) + 1) * 8 * HOUR_MS,
            "st": 1,
        }
        for c, p in prices.items()
    ]
    return json.dumps({"stream": "!markPrice@arr@1s", "data": data})


def bybit_ticker(coin: str, fields: dict[str, Any], ts_ms: int, kind: str = "snapshot") -> str:
    """`tickers.{symbol}` push: a full snapshot or a delta of changed fields."""
    data = {"symbol": f"{coin}USDT", **fields}
    return json.dumps(
        {"topic": f"tickers.{coin}USDT", "type": kind, "data": data, "cs": 1, "ts": ts_ms}
    )


def okx_mark_price(coin: str, price: float, ts_ms: int) -> str:
    """`mark-price` push for one swap."""
    data = [
        {"instType": "SWAP", "instId": f"{coin}-USDT-SWAP", "markPx": s(price), "ts": str(ts_ms)}
    ]
    return json.dumps(
        {"arg": {"channel": "mark-price", "instId": f"{coin}-USDT-SWAP"}, "data": data}
    )


def hyperliquid_all_mids(prices: dict[str, float]) -> str:
    """`allMids` push."""
    return json.dumps(
        {"channel": "allMids", "data": {"mids": {c: s(p) for c, p in prices.items()}}}
    )


# REST --------------------------------------------------------------------------------------------


def bybit_envelope(result: dict[str, Any], ts_ms: int) -> dict[str, Any]:
    """Bybit's REST envelope."""
    return {"retCode": 0, "retMsg": "OK", "result": result, "retExtInfo": {}, "time": ts_ms}


def okx_envelope(data: list[Any]) -> dict[str, Any]:
    """OKX's REST envelope."""
    return {"code": "0", "msg": "", "data": data}


def candle_rows(
    closes: list[float], interval_ms: int, end_ms: int
) -> list[tuple[int, float, float, float, float]]:
    """(open time, open, high, low, close) bars ending at `end_ms`, oldest first."""
    last_open = end_ms // interval_ms * interval_ms
    rows = []
    for i, close in enumerate(closes):
        open_ = closes[i - 1] if i else close
        start = last_open - (len(closes) - 1 - i) * interval_ms
        rows.append((start, open_, max(open_, close) * 1.001, min(open_, close) * 0.999, close))
    return rows


TIERS_USD = [(200_000.0, 0.005, 100.0), (1_000_000.0, 0.01, 50.0), (5_000_000.0, 0.025, 20.0)]
"""(cap in USD, maintenance rate, max leverage) of the fake's Bybit and OKX tier tables."""


def bybit_risk_limit(coin: str) -> list[dict[str, Any]]:
    """`risk-limit` items for one symbol (deduction given as the venue does, or empty)."""
    items, previous_mmr, floor, cum = [], 0.0, 0.0, 0.0
    for i, (cap, mmr, lev) in enumerate(TIERS_USD, start=1):
        cum += floor * (mmr - previous_mmr)
        items.append({
            "id": i, "symbol": f"{coin}USDT", "riskLimitValue": s(cap), "maintenanceMargin": s(mmr),
            "initialMargin": s(1 / lev), "isLowestRisk": int(i == 1), "maxLeverage": f"{lev:.2f}",
            "mmDeduction": s(cum) if i > 1 else "",
        })  # fmt: skip
        floor, previous_mmr = cap, mmr
    return items


def okx_position_tiers(coin: str) -> list[dict[str, Any]]:
    """`position-tiers` SWAP rows; sizes in contracts."""
    rows, floor = [], 0.0
    for i, (cap, mmr, lev) in enumerate(TIERS_USD, start=1):
        max_sz = cap / 10_000
        rows.append({
            "uly": f"{coin}-USDT", "instFamily": f"{coin}-USDT", "instId": "", "tier": str(i),
            "minSz": s(floor + 0.01 if i > 1 else 0), "maxSz": s(max_sz), "mmr": s(mmr),
            "imr": s(1 / lev), "maxLever": s(lev), "optMgnFactor": "0", "quoteMaxLoan": "",
            "baseMaxLoan": "",
        })  # fmt: skip
        floor = max_sz
    return rows


def hyperliquid_meta(coins: list[str]) -> dict[str, Any]:
    """`meta`: the coins plus a delisted one, with table 56 (40x, 20x above 150M) and small ids."""
    universe = [
        {"szDecimals": 4, "name": c, "maxLeverage": 40 if c == "BTC" else 20,
         "marginTableId": 56 if c == "BTC" else 20}
        for c in coins
    ]  # fmt: skip
    universe.append(
        {"szDecimals": 1, "name": "OLD", "maxLeverage": 3, "marginTableId": 3, "isDelisted": True}
    )
    tiers = [
        {"lowerBound": "0.0", "maxLeverage": 40},
        {"lowerBound": "150000000.0", "maxLeverage": 20},
    ]
    return {
        "universe": universe,
        "marginTables": [[56, {"description": "tiered 40x", "marginTiers": tiers}]],
        "collateralToken": 0,
    }
