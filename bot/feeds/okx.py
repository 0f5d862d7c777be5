"""OKX V5 swaps: `liquidation-orders` and `mark-price` streams; REST funding, marks, OI, candles, tiers.

Sizes are in **contracts**: coins = `sz × ctVal`, with `ctVal` from `/api/v5/public/instruments`
(bundled values for the default coins until the first fetch). Sides: `posSide` (`long`/`short`) names
the liquidated position; in net mode (`posSide == "net"`) the order side decides (`sell` closes a long).
Only USDT/USDC-margined swaps are kept: inverse swaps count contracts in USD, not coins. Every value,
timestamps included, is a string; bodies carry `code` (`"0"` = success, `"50011"` = rate limit).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import httpx
import orjson

from bot.feeds.errors import ExchangeRejected, MalformedPayload, RateLimited
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
    "BUNDLED_CONTRACT_VALUES",
    "VENUE",
    "OkxClient",
    "OkxDecoder",
    "coin_of",
    "instrument",
    "parse_candles",
    "parse_funding_rate",
    "parse_instruments",
    "parse_liquidation_orders",
    "parse_open_interest_history",
    "parse_position_tiers",
    "stream_spec",
]

VENUE = "okx"
BARS = {60: "1m", 300: "5m", 900: "15m", 3600: "1H", 14_400: "4H", 86_400: "1Dutc"}
HISTORY_PAGE = 100
MAX_HISTORY_PAGES = 15
"""The rubik statistics keep the latest 1,440 points (5 days of 5-minute steps): 15 pages of 100."""
BUNDLED_CONTRACT_VALUES: dict[str, float] = {
    "BTC-USDT-SWAP": 0.01,
    "ETH-USDT-SWAP": 0.1,
    "SOL-USDT-SWAP": 1.0,
    "XRP-USDT-SWAP": 100.0,
    "DOGE-USDT-SWAP": 1000.0,
    "BNB-USDT-SWAP": 0.01,
}
"""`ctVal` of the default coins' swaps (coins per contract), used until instruments are fetched."""


def instrument(coin: str) -> str:
    """The USDT swap of a coin: `BTC` → `BTC-USDT-SWAP`."""
    return f"{coin}-USDT-SWAP"


def coin_of(inst_id: str) -> str | None:
    """The coin of a USDT/USDC swap (`BTC-USDT-SWAP` → `BTC`); None for inverse or dated ones."""
    parts = inst_id.split("-")
    if len(parts) != 3 or parts[1] not in ("USDT", "USDC") or parts[2] != "SWAP":
        return None
    return checked_symbol(VENUE, parts[0])


def _envelope(body: Any) -> list[Any]:
    code = body.get("code") if isinstance(body, dict) else None
    if code == "50011":
        raise RateLimited(VENUE, 1.0, "code 50011 too many requests")
    if code != "0":
        message = body.get("msg") if isinstance(body, dict) else body
        raise ExchangeRejected(VENUE, f"code {code}: {message}")
    data = body["data"]
    if not isinstance(data, list):
        raise MalformedPayload(VENUE, "envelope", "data is not a list")
    return data


@parses(VENUE, "liquidation-orders")
def parse_liquidation_orders(
    items: Iterable[dict[str, Any]], contract_values: dict[str, float]
) -> Decoded:
    """Liquidations of a `liquidation-orders` push (or REST body `data`), sizes in coins."""
    decoded = Decoded()
    for item in items:
        inst_id = item["instId"]
        coin, ct_val = coin_of(inst_id), contract_values.get(inst_id)
        if coin is None or ct_val is None:
            decoded.skipped.append("untracked okx instrument")
            continue
        for detail in item["details"]:
            pos_side, side = detail["posSide"], detail["side"]
            if pos_side not in ("long", "short"):
                if side not in ("buy", "sell"):
                    raise MalformedPayload(VENUE, "liquidation-orders", f"side {side!r}")
                pos_side = "long" if side == "sell" else "short"
            price, quantity = float(detail["bkPx"]), float(detail["sz"]) * ct_val
            if not price > 0 or not quantity > 0:
                raise MalformedPayload(VENUE, "liquidation-orders", f"px {price} qty {quantity}")
            decoded.liquidations.append(
                LiquidationEvent(
                    VENUE,
                    coin,
                    pos_side,
                    price,
                    quantity,
                    quantity * price,
                    from_ms(int(detail["ts"])),
                )
            )
    return decoded


@parses(VENUE, "mark-price")
def parse_mark_price(items: Iterable[dict[str, Any]]) -> list[MarkTick]:
    """Marks of a `mark-price` push or REST body `data` (USDT/USDC swaps only)."""
    ticks = []
    for item in items:
        coin = coin_of(item["instId"])
        if coin is not None:
            ticks.append(MarkTick(VENUE, coin, float(item["markPx"]), from_ms(int(item["ts"]))))
    return ticks


class OkxDecoder:
    """Decodes the public stream: liquidation orders, mark prices, acks, errors and `pong`."""

    def __init__(self, contract_values: dict[str, float], tracked: frozenset[str]) -> None:
        self._contract_values = contract_values
        self._tracked = tracked

    def __call__(self, frame: str | bytes) -> Decoded:
        """Decode one frame."""
        if frame in ("pong", b"pong"):
            return Decoded()
        try:
            message = orjson.loads(frame)
        except ValueError as exc:
            raise MalformedPayload(VENUE, "frame", "not JSON") from exc
        if not isinstance(message, dict):
            raise MalformedPayload(VENUE, "frame", f"unexpected {type(message).__name__}")
        event = message.get("event")
        if event == "error":
            raise MalformedPayload(
                VENUE, "error event", f"{message.get('code')} {message.get('msg')}"
            )
        if event is not None:
            return Decoded(skipped=[f"{event} event"] if event != "subscribe" else [])
        channel = (
            message.get("arg", {}).get("channel") if isinstance(message.get("arg"), dict) else None
        )
        if channel == "liquidation-orders":
            return parse_liquidation_orders(message["data"], self._contract_values)
        if channel == "mark-price":
            marks = [m for m in parse_mark_price(message["data"]) if m.symbol in self._tracked]
            return Decoded(marks=marks)
        raise MalformedPayload(VENUE, "frame", f"unknown channel {channel!r}")


def stream_spec(
    ws_url: str, symbols: Iterable[str], contract_values: dict[str, float]
) -> StreamSpec:
    """All swap liquidations plus the mark price of each tracked coin, on one public connection."""
    tracked = frozenset(symbols)
    args: list[dict[str, str]] = [{"channel": "liquidation-orders", "instType": "SWAP"}]
    args += [{"channel": "mark-price", "instId": instrument(coin)} for coin in sorted(tracked)]
    return StreamSpec(
        venue=VENUE,
        name="market",
        url=ws_url,
        subscribe=(json.dumps({"op": "subscribe", "args": args}),),
        make_decoder=lambda: OkxDecoder(contract_values, tracked),
        ping_text="ping",
        ping_interval_s=20.0,
    )


@parses(VENUE, "instruments")
def parse_instruments(body: Any) -> dict[str, float]:
    """instId → `ctVal` of the USDT/USDC swaps of an instruments body."""
    return {
        item["instId"]: float(item["ctVal"])
        for item in _envelope(body)
        if coin_of(item["instId"]) is not None and item.get("ctVal") not in (None, "")
    }


@parses(VENUE, "funding-rate")
def parse_funding_rate(
    body: Any, marks: dict[str, MarkTick], open_interest: dict[str, float]
) -> VenueSnapshot:
    """One coin's snapshot from its funding-rate body plus the mark and open interest (coins).

    `fundingTime` is the next settlement (the current rate settles then) and the interval is
    `nextFundingTime − fundingTime`.
    """
    item = _envelope(body)[0]
    coin = coin_of(item["instId"])
    if coin is None or coin not in marks:
        raise MalformedPayload(VENUE, "funding-rate", f"no mark for {item['instId']}")
    mark = marks[coin]
    funding_ms, after_ms = int(item["fundingTime"]), int(item["nextFundingTime"] or 0)
    oi = open_interest.get(coin)
    return VenueSnapshot(
        VENUE, coin, mark.time, mark.mark_price,
        funding_rate=float(item["fundingRate"]),
        funding_interval_h=(after_ms - funding_ms) / 3_600_000 if after_ms > funding_ms else None,
        next_funding_time=from_ms(funding_ms),
        open_interest=oi,
        open_interest_usd=oi * mark.mark_price if oi is not None else None,
    )  # fmt: skip


@parses(VENUE, "candles")
def parse_candles(body: Any, coin: str, interval_s: int) -> list[Candle]:
    """Candle rows (newest first on the wire) as candles, oldest first; volume in coins (`volCcy`)."""
    return [
        Candle(
            VENUE,
            coin,
            interval_s,
            from_ms(int(r[0])),
            float(r[1]),
            float(r[2]),
            float(r[3]),
            float(r[4]),
            float(r[6]),
        )
        for r in reversed(_envelope(body))
    ]


@parses(VENUE, "open-interest-history")
def parse_open_interest_history(body: Any, coin: str) -> list[OpenInterestPoint]:
    """Rows ``[ts, oi, oiCcy, oiUsd]`` (newest first on the wire) as points, oldest first."""
    return [
        OpenInterestPoint(VENUE, coin, from_ms(int(r[0])), float(r[2]), float(r[3]))
        for r in reversed(_envelope(body))
    ]


@parses(VENUE, "position-tiers")
def parse_position_tiers(
    body: Any, coin: str, contract_value: float, fetched_at: datetime
) -> StoredTierTable:
    """Position tiers as rows [floor, cap, mmr, 0, max leverage]; sizes count **contracts**."""
    items = sorted(_envelope(body), key=lambda i: int(i["tier"]))
    if not items:
        raise MalformedPayload(VENUE, "position-tiers", f"no tiers for {coin}")
    rows: list[list[float | None]] = []
    floor = 0.0
    for item in items:
        cap = float(item["maxSz"])
        rows.append([floor, cap, float(item["mmr"]), 0.0, float(item["maxLever"])])
        floor = cap
    source = "okx /api/v5/public/position-tiers (cross, contracts)"
    return StoredTierTable(VENUE, coin, fetched_at, rows, contract_value, source)


class OkxClient:
    """Keyless REST calls against `base_url` (normally https://www.okx.com)."""

    venue = VENUE

    def __init__(self, http: httpx.AsyncClient, base_url: str) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self.contract_values: dict[str, float] = dict(BUNDLED_CONTRACT_VALUES)
        """instId → coins per contract; shared with the stream decoder and updated in place."""

    async def _get(self, path: str, params: dict[str, str | int]) -> Any:
        return await request_json(self._http, VENUE, f"{self._base}{path}", params=params)

    async def fetch_contract_values(self) -> dict[str, float]:
        """Refresh `contract_values` from the instruments endpoint."""
        body = await self._get("/api/v5/public/instruments", {"instType": "SWAP"})
        self.contract_values.update(parse_instruments(body))
        return self.contract_values

    async def list_coins(self) -> set[str]:
        """Every coin with a USDT/USDC swap (one `mark-price` call)."""
        body = await self._get("/api/v5/public/mark-price", {"instType": "SWAP"})
        return {coin for item in _envelope(body) if (coin := coin_of(item["instId"])) is not None}

    async def fetch_snapshots(self, coins: Iterable[str]) -> list[VenueSnapshot]:
        """Mark, funding and open interest of each coin (two calls for all, one per coin)."""
        marks_body = await self._get("/api/v5/public/mark-price", {"instType": "SWAP"})
        marks = {m.symbol: m for m in parse_mark_price(_envelope(marks_body))}
        oi_body = await self._get("/api/v5/public/open-interest", {"instType": "SWAP"})
        open_interest = {
            coin: float(item["oiCcy"])
            for item in _envelope(oi_body)
            if (coin := coin_of(item["instId"])) is not None
        }
        snapshots = []
        for coin in coins:
            body = await self._get("/api/v5/public/funding-rate", {"instId": instrument(coin)})
            snapshots.append(parse_funding_rate(body, marks, open_interest))
        return snapshots

    async def fetch_candles(self, coin: str, interval_s: int, limit: int) -> list[Candle]:
        """The newest `limit` candles, oldest first."""
        params: dict[str, str | int] = {
            "instId": instrument(coin),
            "bar": BARS[interval_s],
            "limit": limit,
        }
        return parse_candles(await self._get("/api/v5/market/candles", params), coin, interval_s)

    async def fetch_tiers(self, coins: Iterable[str], now: datetime) -> list[StoredTierTable]:
        """Contract values, then each coin's cross-margin position tiers."""
        await self.fetch_contract_values()
        tables = []
        for coin in coins:
            params: dict[str, str | int] = {
                "instType": "SWAP",
                "tdMode": "cross",
                "instFamily": f"{coin}-USDT",
            }
            body = await self._get("/api/v5/public/position-tiers", params)
            contract_value = self.contract_values.get(instrument(coin), 1.0)
            tables.append(parse_position_tiers(body, coin, contract_value, now))
        return tables

    async def _walk_back(
        self, path: str, params: dict[str, str | int], start: datetime, end: datetime
    ) -> list[Any]:
        """Pages of a newest-first endpoint from ``end`` back to ``start`` by its `end`/`after`
        cursor (records earlier than the oldest of the page); at most `MAX_HISTORY_PAGES`."""
        cursor_key = "end" if "rubik" in path else "after"
        bodies, cursor = [], to_ms(end) + 1
        for _ in range(MAX_HISTORY_PAGES if "rubik" in path else 10 * MAX_HISTORY_PAGES):
            body = await self._get(path, {**params, cursor_key: cursor, "limit": HISTORY_PAGE})
            rows = _envelope(body)
            bodies.append(body)
            if not rows:
                break
            cursor = min(int(r[0]) for r in rows)
            if cursor <= to_ms(start) or len(rows) < HISTORY_PAGE:
                break
        return bodies

    async def fetch_open_interest_history(
        self, coin: str, start: datetime, end: datetime
    ) -> list[OpenInterestPoint]:
        """5-minute open interest in ``[start, end]``, oldest first: the latest 1,440 points at most
        (OKX keeps no more), paged back by ``end``."""
        path = "/api/v5/rubik/stat/contracts/open-interest-history"
        params: dict[str, str | int] = {"instId": instrument(coin), "period": "5m"}
        points = {
            p.time: p
            for body in await self._walk_back(path, params, start, end)
            for p in parse_open_interest_history(body, coin)
        }
        return [points[t] for t in sorted(points) if start <= t <= end]

    async def fetch_candle_history(
        self, coin: str, interval_s: int, start: datetime, end: datetime
    ) -> list[Candle]:
        """Candles opened in ``[start, end]``, oldest first, from `history-candles` (no taker-buy
        volume on OKX), paged back by ``after``."""
        path = "/api/v5/market/history-candles"
        params: dict[str, str | int] = {"instId": instrument(coin), "bar": BARS[interval_s]}
        candles = {
            c.open_time: c
            for body in await self._walk_back(path, params, start, end)
            for c in parse_candles(body, coin, interval_s)
        }
        return [candles[t] for t in sorted(candles) if start <= t <= end]
