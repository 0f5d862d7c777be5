"""Bybit V5 linear: `allLiquidation` and `tickers` streams; REST tickers, klines and risk limits.

Sides: `S` is the side of the liquidated *position* (docs: `Buy` means a long was liquidated). Sizes
are in coins, `p` is the bankruptcy price. Ticker pushes are a snapshot followed by deltas holding only
changed fields, merged here per symbol. REST bodies carry `retCode`; 10006 and HTTP 403 ("access too
frequent", wait ≥ 10 min) are rate limits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import httpx
import orjson

from bot.feeds.errors import ExchangeRejected, MalformedPayload, RateLimited
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
    "BybitClient",
    "BybitDecoder",
    "coin_of",
    "instrument",
    "parse_all_liquidation",
    "parse_kline",
    "parse_open_interest_page",
    "parse_risk_limits",
    "parse_tickers",
    "stream_spec",
]

VENUE = "bybit"
RATE_LIMIT_STATUSES = {429: 1.0, 403: 600.0}
OI_HISTORY_PAGE = 200
KLINE_PAGE = 1000
MAX_OI_PAGES = 500
"""A cursor that never ends is the venue's fault, not a reason to loop for ever."""
INTERVALS = {60: "1", 300: "5", 900: "15", 3600: "60", 14_400: "240", 86_400: "D"}


def instrument(coin: str) -> str:
    """The USDT perpetual of a coin: `BTC` → `BTCUSDT`."""
    return f"{coin}USDT"


def coin_of(symbol: str) -> str:
    """The coin of a linear symbol: `BTCUSDT` → `BTC`."""
    for quote in ("USDT", "USDC", "PERP"):
        if symbol.endswith(quote) and len(symbol) > len(quote):
            return checked_symbol(VENUE, symbol[: -len(quote)])
    raise MalformedPayload(VENUE, "symbol", f"not a linear symbol {symbol!r}")


def _optional(value: Any) -> float | None:
    return float(value) if value not in (None, "") else None


@parses(VENUE, "allLiquidation")
def parse_all_liquidation(message: dict[str, Any]) -> list[LiquidationEvent]:
    """Every liquidation of one `allLiquidation.{symbol}` push (its `data` is a list)."""
    events = []
    for item in message["data"]:
        side = item["S"]
        if side not in ("Buy", "Sell"):
            raise MalformedPayload(VENUE, "allLiquidation", f"side {side!r}")
        quantity, price = float(item["v"]), float(item["p"])
        if not quantity > 0 or not price > 0:
            raise MalformedPayload(VENUE, "allLiquidation", f"qty {quantity} price {price}")
        events.append(
            LiquidationEvent(
                VENUE,
                coin_of(item["s"]),
                "long" if side == "Buy" else "short",
                price,
                quantity,
                quantity * price,
                from_ms(int(item["T"])),
            )
        )
    return events


class BybitDecoder:
    """Decodes the linear public stream, merging ticker deltas into the last snapshot per symbol."""

    def __init__(self) -> None:
        self._tickers: dict[str, dict[str, Any]] = {}

    def __call__(self, frame: str | bytes) -> Decoded:
        """Decode one frame."""
        try:
            message = orjson.loads(frame)
        except ValueError as exc:
            raise MalformedPayload(VENUE, "frame", "not JSON") from exc
        if not isinstance(message, dict):
            raise MalformedPayload(VENUE, "frame", f"unexpected {type(message).__name__}")
        decoded = Decoded()
        topic = message.get("topic")
        if isinstance(topic, str) and topic.startswith("allLiquidation."):
            decoded.liquidations = parse_all_liquidation(message)
        elif isinstance(topic, str) and topic.startswith("tickers."):
            decoded.marks = self._ticker(message)
        elif isinstance(topic, str) and topic.startswith("liquidation."):
            decoded.skipped.append("deprecated liquidation topic")
        elif "op" in message:
            if message.get("success") is False:
                raise MalformedPayload(VENUE, "op failed", str(message.get("ret_msg")))
        else:
            raise MalformedPayload(VENUE, "frame", f"unknown topic {topic!r}")
        return decoded

    @parses(VENUE, "tickers")
    def _ticker(self, message: dict[str, Any]) -> list[MarkTick]:
        data = message["data"]
        symbol = data["symbol"]
        merged = (
            data if message["type"] == "snapshot" else {**self._tickers.get(symbol, {}), **data}
        )
        self._tickers[symbol] = merged
        if "markPrice" not in data or "markPrice" not in merged:
            return []
        next_funding = _optional(merged.get("nextFundingTime"))
        return [
            MarkTick(
                VENUE,
                coin_of(symbol),
                float(merged["markPrice"]),
                from_ms(int(message["ts"])),
                index_price=_optional(merged.get("indexPrice")),
                funding_rate=_optional(merged.get("fundingRate")),
                next_funding_time=from_ms(int(next_funding)) if next_funding else None,
            )
        ]


def stream_spec(ws_url: str, symbols: Iterable[str]) -> StreamSpec:
    """Liquidations and tickers of each tracked symbol on one linear connection."""
    args = []
    for coin in symbols:
        args += [f"allLiquidation.{instrument(coin)}", f"tickers.{instrument(coin)}"]
    subscribe = json.dumps({"req_id": "liqguard", "op": "subscribe", "args": args})
    return StreamSpec(
        venue=VENUE,
        name="market",
        url=ws_url,
        subscribe=(subscribe,),
        make_decoder=BybitDecoder,
        ping_text=json.dumps({"op": "ping"}),
        ping_interval_s=20.0,
    )


def _result(venue_body: Any) -> Any:
    code = venue_body.get("retCode") if isinstance(venue_body, dict) else None
    if code == 10006:
        raise RateLimited(VENUE, 1.0, "retCode 10006 too many visits")
    if code != 0:
        raise ExchangeRejected(VENUE, f"retCode {code}: {venue_body.get('retMsg')}")
    return venue_body["result"]


@parses(VENUE, "tickers")
def parse_tickers(body: dict[str, Any], tracked: frozenset[str]) -> list[VenueSnapshot]:
    """Snapshots of tracked USDT perpetuals from a `tickers` body."""
    moment = from_ms(int(body["time"]))
    snapshots = []
    for item in _result(body)["list"]:
        if not item["symbol"].endswith("USDT") or coin_of(item["symbol"]) not in tracked:
            continue
        next_funding = _optional(item.get("nextFundingTime"))
        snapshots.append(
            VenueSnapshot(
                VENUE,
                coin_of(item["symbol"]),
                moment,
                float(item["markPrice"]),
                index_price=_optional(item.get("indexPrice")),
                funding_rate=_optional(item.get("fundingRate")),
                funding_interval_h=_optional(item.get("fundingIntervalHour")),
                next_funding_time=from_ms(int(next_funding)) if next_funding else None,
                open_interest=_optional(item.get("openInterest")),
                open_interest_usd=_optional(item.get("openInterestValue")),
            )
        )
    return snapshots


@parses(VENUE, "kline")
def parse_kline(body: dict[str, Any], coin: str, interval_s: int) -> list[Candle]:
    """Kline rows (newest first on the wire) as candles, oldest first."""
    rows = _result(body)["list"]
    return [
        Candle(VENUE, coin, interval_s, from_ms(int(r[0])), *(float(v) for v in r[1:6]))
        for r in reversed(rows)
    ]


@parses(VENUE, "risk-limit")
def parse_risk_limits(body: dict[str, Any], coin: str, fetched_at: datetime) -> StoredTierTable:
    """A risk-limit list as tier rows [floor, cap, mmr, deduction, max leverage] in USD notional."""
    items = sorted(_result(body)["list"], key=lambda i: float(i["riskLimitValue"]))
    if not items:
        raise MalformedPayload(VENUE, "risk-limit", f"no tiers for {coin}")
    rows: list[list[float | None]] = []
    floor, cum, previous_mmr = 0.0, 0.0, 0.0
    for item in items:
        cap, mmr = float(item["riskLimitValue"]), float(item["maintenanceMargin"])
        given = item.get("mmDeduction")
        cum = float(given) if given not in (None, "") else cum + floor * (mmr - previous_mmr)
        rows.append([floor, cap, mmr, cum, float(item["maxLeverage"])])
        floor, previous_mmr = cap, mmr
    return StoredTierTable(VENUE, coin, fetched_at, rows, 1.0, "bybit /v5/market/risk-limit")


@parses(VENUE, "open-interest")
def parse_open_interest_page(
    body: dict[str, Any], coin: str
) -> tuple[list[OpenInterestPoint], str]:
    """One page of `open-interest` history (newest first on the wire) and its next cursor."""
    result = _result(body)
    points = [
        OpenInterestPoint(VENUE, coin, from_ms(int(i["timestamp"])), float(i["openInterest"]))
        for i in result["list"]
    ]
    return points, str(result.get("nextPageCursor") or "")


class BybitClient:
    """Keyless REST calls against `base_url` (normally https://api.bybit.com)."""

    venue = VENUE

    def __init__(self, http: httpx.AsyncClient, base_url: str) -> None:
        self._http = http
        self._base = base_url.rstrip("/")

    async def _get(self, path: str, params: dict[str, str | int]) -> Any:
        return await request_json(
            self._http,
            VENUE,
            f"{self._base}{path}",
            params=params,
            rate_limit_statuses=RATE_LIMIT_STATUSES,
        )

    async def list_coins(self) -> set[str]:
        """Every coin with a USDT linear perpetual (one `tickers` call)."""
        body = await self._get("/v5/market/tickers", {"category": "linear"})
        return {
            coin_of(item["symbol"])
            for item in _result(body)["list"]
            if str(item["symbol"]).endswith("USDT")
        }

    async def fetch_snapshots(self, coins: Iterable[str]) -> list[VenueSnapshot]:
        """Mark, index, funding and open interest of each coin (one call for all)."""
        body = await self._get("/v5/market/tickers", {"category": "linear"})
        return parse_tickers(body, frozenset(coins))

    async def fetch_candles(self, coin: str, interval_s: int, limit: int) -> list[Candle]:
        """The newest `limit` candles, oldest first."""
        params: dict[str, str | int] = {
            "category": "linear",
            "symbol": instrument(coin),
            "interval": INTERVALS[interval_s],
            "limit": limit,
        }
        return parse_kline(await self._get("/v5/market/kline", params), coin, interval_s)

    async def fetch_tiers(self, coins: Iterable[str], now: datetime) -> list[StoredTierTable]:
        """The risk-limit tiers of each coin."""
        tables = []
        for coin in coins:
            params: dict[str, str | int] = {"category": "linear", "symbol": instrument(coin)}
            body = await self._get("/v5/market/risk-limit", params)
            tables.append(parse_risk_limits(body, coin, now))
        return tables

    async def fetch_open_interest_history(
        self, coin: str, start: datetime, end: datetime
    ) -> list[OpenInterestPoint]:
        """5-minute open interest in ``[start, end]``, oldest first; pages of 200 by cursor."""
        points: list[OpenInterestPoint] = []
        params: dict[str, str | int] = {
            "category": "linear", "symbol": instrument(coin), "intervalTime": "5min",
            "startTime": to_ms(start), "endTime": to_ms(end), "limit": OI_HISTORY_PAGE,
        }  # fmt: skip
        for _ in range(MAX_OI_PAGES):
            page, cursor = parse_open_interest_page(
                await self._get("/v5/market/open-interest", params), coin
            )
            points += page
            if not cursor or not page:
                break
            params["cursor"] = cursor
        return sorted(set(points), key=lambda p: p.time)

    async def fetch_candle_history(
        self, coin: str, interval_s: int, start: datetime, end: datetime
    ) -> list[Candle]:
        """Candles opened in ``[start, end]``, oldest first (no taker-buy volume on Bybit)."""
        candles: dict[datetime, Candle] = {}
        for first, last in page_windows(to_ms(start), to_ms(end), interval_s * 1000, KLINE_PAGE):
            params: dict[str, str | int] = {
                "category": "linear", "symbol": instrument(coin),
                "interval": INTERVALS[interval_s], "start": first, "end": last, "limit": KLINE_PAGE,
            }  # fmt: skip
            body = await self._get("/v5/market/kline", params)
            candles.update((c.open_time, c) for c in parse_kline(body, coin, interval_s))
        return [candles[t] for t in sorted(candles)]
