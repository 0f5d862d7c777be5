"""Binance USDⓈ-M futures: liquidation, mark-price and contract-info streams; REST snapshots, klines.

Sides: a liquidation *order* `SELL` closes a long, so `S == "SELL"` means a long was liquidated.
Sizes are in coins. Since the COIN-M merge the all-market streams carry COIN-M symbols too, marked
`st == 2` (or named like `BTCUSD_PERP`); those are skipped. Maintenance brackets have no keyless REST
endpoint: the bundled tables of `risk.tiers` apply until `!contractInfo` pushes new brackets.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import httpx
import orjson

from bot.feeds.errors import MalformedPayload
from bot.feeds.paging import page_windows
from bot.feeds.protocol import Decoded, StreamSpec, checked_symbol, parses
from bot.feeds.rest import request_json
from bot.vocabulary.records import (
    Candle,
    LiquidationEvent,
    MarkTick,
    OpenInterestPoint,
    StoredTierTable,
    VenueSnapshot,
    from_ms,
    to_ms,
)

__all__ = [
    "VENUE",
    "BinanceClient",
    "BinanceDecoder",
    "coin_of",
    "instrument",
    "parse_contract_info",
    "parse_force_order",
    "parse_funding_info",
    "parse_klines",
    "parse_mark_prices",
    "parse_open_interest",
    "parse_open_interest_hist",
    "parse_premium_index",
    "stream_spec",
]

VENUE = "binance"
DEFAULT_FUNDING_INTERVAL_H = 8.0
INTERVALS = {60: "1m", 300: "5m", 900: "15m", 3600: "1h", 14_400: "4h", 86_400: "1d"}
OI_HISTORY_PAGE = 500
KLINE_PAGE = 1500
STREAMS = ("!forceOrder@arr", "!markPrice@arr@1s", "!contractInfo")


def instrument(coin: str) -> str:
    """The USDT perpetual of a coin: `BTC` → `BTCUSDT`."""
    return f"{coin}USDT"


def coin_of(symbol: str) -> str | None:
    """The coin of a USDⓈ-M symbol (`BTCUSDT`, `BTCUSDC` → `BTC`); None for COIN-M and dated ones."""
    if "_" in symbol:
        return None
    for quote in ("USDT", "USDC"):
        if symbol.endswith(quote) and len(symbol) > len(quote):
            return symbol[: -len(quote)]
    return None


def _usds_coin(event: dict[str, Any], symbol: str) -> str | None:
    if event.get("st", 1) != 1:
        return None
    coin = coin_of(symbol)
    return None if coin is None else checked_symbol(VENUE, coin)


@parses(VENUE, "forceOrder")
def parse_force_order(event: dict[str, Any]) -> LiquidationEvent | None:
    """A `forceOrder` event as a liquidation; None for a COIN-M symbol."""
    order = event["o"]
    coin = _usds_coin(event, order["s"])
    if coin is None:
        return None
    quantity = float(order["z"]) or float(order["q"])
    price = float(order["ap"]) or float(order["p"])
    side = order["S"]
    if side not in ("BUY", "SELL") or not quantity > 0 or not price > 0:
        raise MalformedPayload(VENUE, "forceOrder", f"side {side!r} qty {quantity} price {price}")
    return LiquidationEvent(
        VENUE,
        coin,
        "long" if side == "SELL" else "short",
        price,
        quantity,
        quantity * price,
        from_ms(int(order["T"])),
    )


@parses(VENUE, "markPriceUpdate")
def parse_mark_prices(events: Iterable[dict[str, Any]], tracked: frozenset[str]) -> list[MarkTick]:
    """`markPriceUpdate` events (one or the `!markPrice@arr` list) of tracked coins."""
    ticks = []
    for event in events:
        coin = _usds_coin(event, event["s"])
        if coin is None or coin not in tracked:
            continue
        next_ms = int(event["T"])
        ticks.append(
            MarkTick(
                VENUE,
                coin,
                float(event["p"]),
                from_ms(int(event["E"])),
                index_price=float(event["i"]),
                funding_rate=float(event["r"]) if event.get("r") not in (None, "") else None,
                next_funding_time=from_ms(next_ms) if next_ms else None,
            )
        )
    return ticks


@parses(VENUE, "contractInfo")
def parse_contract_info(event: dict[str, Any]) -> StoredTierTable | None:
    """New brackets from a `!contractInfo` event; None when it carries none or is COIN-M."""
    coin = _usds_coin(event, event["s"])
    brackets = event.get("bks")
    if coin is None or not brackets or not event["s"].endswith("USDT"):
        return None
    rows: list[list[float | None]] = []
    for bracket in sorted(brackets, key=lambda b: float(b["bnf"])):
        cap = float(bracket["bnc"])
        rows.append(
            [
                float(bracket["bnf"]),
                cap if math.isfinite(cap) else None,
                float(bracket["mmr"]),
                float(bracket["cf"]),
                float(bracket["ma"]),
            ]
        )
    return StoredTierTable(
        VENUE, coin, from_ms(int(event["E"])), rows, 1.0, "binance !contractInfo"
    )


class BinanceDecoder:
    """Decodes frames of the combined market stream (`{"stream": ..., "data": ...}` or bare)."""

    def __init__(self, tracked: frozenset[str]) -> None:
        self._tracked = tracked

    def __call__(self, frame: str | bytes) -> Decoded:  # noqa: PLR0912 - one dispatch on the event type
        """Decode one frame."""
        try:
            message = orjson.loads(frame)
        except ValueError as exc:
            raise MalformedPayload(VENUE, "frame", "not JSON") from exc
        if isinstance(message, dict) and "data" in message and "stream" in message:
            message = message["data"]
        if isinstance(message, dict) and message.get("e") == "forceOrder":  # the hot path
            event = parse_force_order(message)
            if event is not None:
                return Decoded([event])
        decoded = Decoded()
        if isinstance(message, list):
            decoded.marks = parse_mark_prices(message, self._tracked)
            return decoded
        if not isinstance(message, dict):
            raise MalformedPayload(VENUE, "frame", f"unexpected {type(message).__name__}")
        kind = message.get("e")
        if kind == "forceOrder":
            event = parse_force_order(message)
            if event is None:
                decoded.skipped.append("coin-m liquidation")
            else:
                decoded.liquidations.append(event)
        elif kind == "markPriceUpdate":
            decoded.marks = parse_mark_prices([message], self._tracked)
        elif kind == "contractInfo":
            table = parse_contract_info(message)
            if table is not None:
                decoded.tiers.append(table)
        elif "result" in message and "id" in message:
            pass  # subscription reply
        else:
            raise MalformedPayload(VENUE, "frame", f"unknown event {kind!r}")
        return decoded


def stream_spec(ws_url: str, symbols: Iterable[str]) -> StreamSpec:
    """The combined market stream: all liquidations, all marks each second, contract changes."""
    tracked = frozenset(symbols)
    return StreamSpec(
        venue=VENUE,
        name="market",
        url=f"{ws_url}/market/stream?streams={'/'.join(STREAMS)}",
        subscribe=(),
        make_decoder=lambda: BinanceDecoder(tracked),
    )


@parses(VENUE, "premiumIndex")
def parse_premium_index(
    items: Iterable[dict[str, Any]],
    open_interest: dict[str, float],
    intervals_h: dict[str, float],
    tracked: frozenset[str],
) -> list[VenueSnapshot]:
    """Snapshots of tracked coins from `premiumIndex` (all symbols) and per-coin open interest."""
    snapshots = []
    for item in items:
        coin = coin_of(item["symbol"])
        if coin is None or coin not in tracked or not item["symbol"].endswith("USDT"):
            continue
        mark = float(item["markPrice"])
        oi = open_interest.get(coin)
        next_ms = int(item["nextFundingTime"])
        snapshots.append(
            VenueSnapshot(
                VENUE,
                coin,
                from_ms(int(item["time"])),
                mark,
                index_price=float(item["indexPrice"]),
                funding_rate=float(item["lastFundingRate"]),
                funding_interval_h=intervals_h.get(coin, DEFAULT_FUNDING_INTERVAL_H),
                next_funding_time=from_ms(next_ms) if next_ms else None,
                open_interest=oi,
                open_interest_usd=oi * mark if oi is not None else None,
            )
        )
    return snapshots


@parses(VENUE, "openInterest")
def parse_open_interest(item: dict[str, Any]) -> tuple[str, float]:
    """(coin, open interest in coins) from `openInterest`."""
    coin = coin_of(item["symbol"])
    if coin is None:
        raise MalformedPayload(VENUE, "openInterest", f"symbol {item['symbol']!r}")
    return coin, float(item["openInterest"])


@parses(VENUE, "fundingInfo")
def parse_funding_info(items: Iterable[dict[str, Any]]) -> dict[str, float]:
    """Coin → funding interval in hours, for the USDT symbols whose interval was adjusted."""
    intervals = {}
    for item in items:
        coin = coin_of(item["symbol"])
        if coin is not None and item["symbol"].endswith("USDT"):
            intervals[coin] = float(item["fundingIntervalHours"])
    return intervals


@parses(VENUE, "klines")
def parse_klines(rows: Iterable[list[Any]], coin: str, interval_s: int) -> list[Candle]:
    """Klines rows (oldest first) as candles, with the taker-buy volume."""
    return [
        Candle(
            VENUE,
            coin,
            interval_s,
            from_ms(int(row[0])),
            float(row[1]),
            float(row[2]),
            float(row[3]),
            float(row[4]),
            float(row[5]),
            float(row[9]),
        )
        for row in rows
    ]


@parses(VENUE, "openInterestHist")
def parse_open_interest_hist(items: Iterable[dict[str, Any]], coin: str) -> list[OpenInterestPoint]:
    """`openInterestHist` items (oldest first) as points; `timestamp` may be a string or an int."""
    return [
        OpenInterestPoint(
            VENUE,
            coin,
            from_ms(int(item["timestamp"])),
            float(item["sumOpenInterest"]),
            float(item["sumOpenInterestValue"]),
        )
        for item in items
    ]


class BinanceClient:
    """Keyless REST calls against `base_url` (normally https://fapi.binance.com)."""

    venue = VENUE

    def __init__(self, http: httpx.AsyncClient, base_url: str) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._intervals_h: dict[str, float] = {}

    async def list_coins(self) -> set[str]:
        """Every coin with a USDⓈ-M perpetual (one `premiumIndex` call)."""
        items = await request_json(self._http, VENUE, f"{self._base}/fapi/v1/premiumIndex")
        return {coin for item in items if (coin := coin_of(str(item["symbol"]))) is not None}

    async def fetch_snapshots(self, coins: Iterable[str]) -> list[VenueSnapshot]:
        """Mark, index, funding and open interest of each coin (1 + one call per coin)."""
        tracked = frozenset(coins)
        items = await request_json(self._http, VENUE, f"{self._base}/fapi/v1/premiumIndex")
        open_interest = {}
        for coin in sorted(tracked):
            url = f"{self._base}/fapi/v1/openInterest"
            body = await request_json(self._http, VENUE, url, params={"symbol": instrument(coin)})
            key, value = parse_open_interest(body)
            open_interest[key] = value
        return parse_premium_index(items, open_interest, self._intervals_h, tracked)

    async def fetch_candles(self, coin: str, interval_s: int, limit: int) -> list[Candle]:
        """The newest `limit` candles, oldest first."""
        params: dict[str, str | int] = {
            "symbol": instrument(coin),
            "interval": INTERVALS[interval_s],
            "limit": limit,
        }
        rows = await request_json(self._http, VENUE, f"{self._base}/fapi/v1/klines", params=params)
        return parse_klines(rows, coin, interval_s)

    async def fetch_tiers(self, coins: Iterable[str], now: datetime) -> list[StoredTierTable]:
        """No keyless tiers on Binance: refresh the funding intervals instead and return none."""
        del coins, now
        items = await request_json(self._http, VENUE, f"{self._base}/fapi/v1/fundingInfo")
        self._intervals_h = parse_funding_info(items)
        return []

    async def fetch_open_interest_history(
        self, coin: str, start: datetime, end: datetime
    ) -> list[OpenInterestPoint]:
        """5-minute open interest in ``[start, end]``, oldest first (the venue keeps 30 days).

        Paged by ``startTime``/``endTime`` windows of 500 points, newest window first.
        """
        points: list[OpenInterestPoint] = []
        url = f"{self._base}/futures/data/openInterestHist"
        for first, last in page_windows(to_ms(start), to_ms(end), 300_000, OI_HISTORY_PAGE):
            params: dict[str, str | int] = {
                "symbol": instrument(coin), "period": "5m", "limit": OI_HISTORY_PAGE,
                "startTime": first, "endTime": last,
            }  # fmt: skip
            points += parse_open_interest_hist(
                await request_json(self._http, VENUE, url, params=params), coin
            )
        return sorted(set(points), key=lambda p: p.time)

    async def fetch_candle_history(
        self, coin: str, interval_s: int, start: datetime, end: datetime
    ) -> list[Candle]:
        """Candles opened in ``[start, end]``, oldest first, with taker-buy volume; pages of 1,500."""
        candles: dict[datetime, Candle] = {}
        url = f"{self._base}/fapi/v1/klines"
        for first, last in page_windows(to_ms(start), to_ms(end), interval_s * 1000, KLINE_PAGE):
            params: dict[str, str | int] = {
                "symbol": instrument(coin), "interval": INTERVALS[interval_s], "limit": KLINE_PAGE,
                "startTime": first, "endTime": last,
            }  # fmt: skip
            rows = await request_json(self._http, VENUE, url, params=params)
            candles.update((c.open_time, c) for c in parse_klines(rows, coin, interval_s))
        return [candles[t] for t in sorted(candles)]
