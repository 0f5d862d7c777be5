"""A fake Binance, Bybit, OKX and Hyperliquid on loopback: real HTTP (tornado) and WebSocket servers.

Point the settings at it with `exchange.settings_overrides()`; the adapters then reach it by the
`*_REST_URL` / `*_WS_URL` settings alone. Script it (`set_price`, `set_funding`, `liquidate`,
`push_marks`, the Hyperliquid accounts in `wallets`) and make it fail on command (`drop`, `freeze`,
`fail_rest`, `send_raw`, `wallets.fail`). Every REST call
and every client message is recorded for tests to inspect.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import tornado.web
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from bot.terminal.loopback import LoopbackHttp
from tests.fakes import exchange_payloads as pl
from tests.fakes.exchange_rest import answer_rest
from tests.fakes.exchange_wallets import FakeWallets

__all__ = ["FakeExchange", "RestFailure"]

WS_PATHS = {
    "/market/stream": "binance",
    "/v5/public/linear": "bybit",
    "/ws/v5/public": "okx",
    "/ws": "hyperliquid",
}


@dataclass
class RestFailure:
    """A scripted REST failure: HTTP `status`, optional `Retry-After`, JSON `body`."""

    status: int
    retry_after_s: float | None = None
    body: Any = None
    delay_s: float = 0.0


@dataclass
class _Connection:
    ws: ServerConnection
    venue: str
    topics: set[str] = field(default_factory=set)


class _RestHandler(tornado.web.RequestHandler):
    def initialize(self, fake: FakeExchange) -> None:
        self.fake = fake

    async def get(self) -> None:
        await self._answer(None)

    async def post(self) -> None:
        await self._answer(json.loads(self.request.body or b"null"))

    async def _answer(self, body: Any) -> None:
        query = {k: v[-1] for k, v in parse_qs(urlsplit(self.request.uri or "").query).items()}
        status, headers, payload = await self.fake.answer(self.request.path, query, body)
        self.set_status(status)
        for name, value in headers.items():
            self.set_header(name, value)
        self.set_header("Content-Type", "application/json")
        self.finish(payload if isinstance(payload, str) else json.dumps(payload))


class FakeExchange:
    """The four venues on 127.0.0.1; use `async with FakeExchange() as exchange:`."""

    def __init__(
        self,
        coins: tuple[str, ...] = ("BTC", "ETH"),
        *,
        clock_ms: Callable[[], int] = lambda: int(time.time() * 1000),
        server_ping_interval_s: float | None = None,
    ) -> None:
        self.coins = coins
        self.now_ms = clock_ms
        self.prices: dict[str, float] = {c: 1000.0 * (i + 1) for i, c in enumerate(coins)}
        self.prices.update({"BTC": 90_000.0, "ETH": 3_000.0} if "BTC" in coins else {})
        self.closes: dict[str, list[float]] = {}
        self.funding: dict[tuple[str, str], float] = {}
        self.funding_interval_h: dict[tuple[str, str], float] = {}
        self.open_interest: dict[str, float] = {c: 1000.0 * (i + 1) for i, c in enumerate(coins)}
        self.anchor_ms = clock_ms()
        self.anchor_prices = dict(self.prices)
        self.anchor_open_interest = dict(self.open_interest)
        self.history_days: float = 2
        """How far back the history routes reach (`tests.fakes.exchange_history`); 2 days keeps
        every bot start in the tests quick, tests and benches of the backfill set 30."""
        self.requests: list[tuple[str, str, dict[str, str], Any]] = []
        self.wallets = FakeWallets()
        """Hyperliquid accounts by address (`clearinghouseState`), scripted and failing on command."""
        self.ws_messages: dict[str, list[str]] = defaultdict(list)
        self.app_pings: Counter[str] = Counter()
        self.server_pongs: Counter[str] = Counter()
        self.subscribed: Counter[str] = Counter()
        self._failures: dict[str, list[RestFailure]] = defaultdict(list)
        self._connections: list[_Connection] = []
        self._frozen: set[str] = set()
        self._refusing: set[str] = set()
        self._ping_interval_s = server_ping_interval_s
        self._changed = asyncio.Condition()
        self._http = LoopbackHttp(tornado.web.Application([(r"/.*", _RestHandler, {"fake": self})]))
        self._ws: Server | None = None
        self.rest_url = self.ws_url = ""

    async def __aenter__(self) -> FakeExchange:
        self._http.start()
        self.rest_url = self._http.url
        self._ws = await serve(self._serve, "127.0.0.1", 0, ping_interval=None)
        port = next(iter(self._ws.sockets)).getsockname()[1]
        self.ws_url = f"ws://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        for conn in self._connections:
            conn.ws.transport.abort()
        if self._ws is not None:
            self._ws.close()
            await self._ws.wait_closed()
        await self._http.stop()

    def settings_overrides(self) -> dict[str, str]:
        """The `*_REST_URL` / `*_WS_URL` settings that point the bot here."""
        overrides = {
            f"{v}_rest_url": self.rest_url for v in ("binance", "bybit", "okx", "hyperliquid")
        }
        overrides |= {
            "binance_ws_url": self.ws_url,
            "bybit_ws_url": f"{self.ws_url}/v5/public/linear",
            "okx_ws_url": f"{self.ws_url}/ws/v5/public",
            "hyperliquid_ws_url": f"{self.ws_url}/ws",
        }
        return overrides

    # scripting ---------------------------------------------------------------------------------

    def set_price(self, coin: str, price: float) -> None:
        """Move a coin's price on every venue (the candle path records it)."""
        self.prices[coin] = price
        self.closes.setdefault(coin, []).append(price)

    def set_funding(
        self, venue: str, coin: str, rate: float, interval_h: float | None = None
    ) -> None:
        """Set a venue's funding rate (and interval) for a coin."""
        self.funding[venue, coin] = rate
        if interval_h is not None:
            self.funding_interval_h[venue, coin] = interval_h

    async def push_marks(self, venue: str | None = None) -> None:
        """Send every venue's (or one venue's) mark-price frames for the current prices."""
        ts = self.now_ms()
        for conn in self._live(venue):
            if conn.venue == "binance":
                funding = {c: r for (v, c), r in self.funding.items() if v == "binance"}
                await self._send(conn, pl.binance_mark_prices(self.prices, funding, ts))
            elif conn.venue == "hyperliquid":
                await self._send(conn, pl.hyperliquid_all_mids(self.prices))
            for coin, price in self.prices.items():
                if conn.venue == "bybit" and f"tickers.{coin}USDT" in conn.topics:
                    fields = {"markPrice": pl.s(price), "indexPrice": pl.s(price)}
                    await self._send(conn, pl.bybit_ticker(coin, fields, ts, "delta"))
                elif conn.venue == "okx" and f"mark-price:{coin}-USDT-SWAP" in conn.topics:
                    await self._send(conn, pl.okx_mark_price(coin, price, ts))

    async def liquidate(
        self, venue: str, coin: str, side: str, price: float, qty: float, ts_ms: int | None = None
    ) -> None:
        """Push one liquidation (`side` is the liquidated position's) on a venue's stream."""
        ts = ts_ms if ts_ms is not None else self.now_ms()
        if venue == "binance":
            frame = pl.binance_force_order(coin, side, price, qty, ts)
        elif venue == "bybit":
            frame = pl.bybit_all_liquidation(coin, [(side, price, qty, ts)])
        else:
            frame = pl.okx_liquidation_orders(coin, side, price, qty, ts)
        await self.send_raw(
            venue, frame, topic=f"allLiquidation.{coin}USDT" if venue == "bybit" else None
        )

    async def send_raw(self, venue: str, frame: str, topic: str | None = None) -> None:
        """Send a frame as is (malformed ones included) to a venue's live connections."""
        for conn in self._live(venue):
            if topic is None or topic in conn.topics:
                await self._send(conn, frame)

    # failures ----------------------------------------------------------------------------------

    def fail_rest(self, venue: str, failure: RestFailure, times: int = 1) -> None:
        """Answer the venue's next `times` REST calls with `failure`."""
        self._failures[venue] += [failure] * times

    async def drop(self, venue: str) -> None:
        """Cut the venue's connections without a close frame (a network drop)."""
        for conn in self._live(venue):
            conn.ws.transport.abort()

    def freeze(self, venue: str) -> None:
        """Stop answering pings and pushing on the venue's current connections (a hung server)."""
        self._frozen.add(venue)
        for conn in self._live(venue, frozen=True):
            conn.ws.transport.pause_reading()

    def refuse(self, venue: str, refusing: bool = True) -> None:
        """Accept each new connection of the venue, read its subscription, then close it (1011):
        a venue that is up at the socket and down behind it."""
        (self._refusing.add if refusing else self._refusing.discard)(venue)

    def thaw(self, venue: str) -> None:
        """Let new connections of the venue behave again."""
        self._frozen.discard(venue)

    async def wait_subscribed(self, venue: str, count: int = 1, timeout_s: float = 5.0) -> None:
        """Wait until `count` connections of the venue have subscribed in total."""
        async with asyncio.timeout(timeout_s), self._changed:
            await self._changed.wait_for(lambda: self.subscribed[venue] >= count)

    # internals ---------------------------------------------------------------------------------

    def _live(self, venue: str | None, *, frozen: bool = False) -> list[_Connection]:
        return [
            c for c in self._connections
            if (venue is None or c.venue == venue) and (frozen or c.venue not in self._frozen)
        ]  # fmt: skip

    async def _send(self, conn: _Connection, frame: str) -> None:
        with contextlib.suppress(ConnectionClosed):
            await conn.ws.send(frame)

    async def _subscribed(self, conn: _Connection, topics: set[str]) -> None:
        conn.topics |= topics
        async with self._changed:
            self.subscribed[conn.venue] += 1
            self._changed.notify_all()

    async def _serve(self, ws: ServerConnection) -> None:
        path = urlsplit(ws.request.path if ws.request else "/")
        venue = WS_PATHS.get(path.path)
        if venue is None or venue in self._frozen:
            await ws.close(1008, "no such stream")
            return
        if venue in self._refusing:
            with contextlib.suppress(ConnectionClosed):
                await ws.recv()
            await ws.close(1011, "service unavailable")
            return
        conn = _Connection(ws, venue)
        self._connections.append(conn)
        pinger = None
        try:
            if venue == "binance":
                await self._subscribed(
                    conn, set(parse_qs(path.query).get("streams", [""])[0].split("/"))
                )
                if self._ping_interval_s:
                    pinger = asyncio.create_task(self._server_pings(conn))
            async for message in ws:
                await self._on_message(conn, str(message))
        except ConnectionClosed:
            pass
        finally:
            if pinger is not None:
                pinger.cancel()
            self._connections.remove(conn)

    async def _server_pings(self, conn: _Connection) -> None:
        assert self._ping_interval_s is not None
        with contextlib.suppress(ConnectionClosed):
            while True:
                await asyncio.sleep(self._ping_interval_s)
                waiter = await conn.ws.ping()
                try:
                    async with asyncio.timeout(self._ping_interval_s * 4):
                        await waiter
                except TimeoutError:
                    await conn.ws.close(1011, "pong timeout")
                    return
                self.server_pongs[conn.venue] += 1

    async def _on_message(self, conn: _Connection, text: str) -> None:
        self.ws_messages[conn.venue].append(text)
        if conn.venue == "okx" and text == "ping":
            self.app_pings["okx"] += 1
            await self._send(conn, "pong")
            return
        message = json.loads(text)
        if conn.venue == "bybit":
            await self._on_bybit(conn, message)
        elif conn.venue == "okx" and message.get("op") == "subscribe":
            topics = {
                f"{a['channel']}:{a.get('instId', a.get('instType'))}" for a in message["args"]
            }
            for arg in message["args"]:
                await self._send(
                    conn, json.dumps({"event": "subscribe", "arg": arg, "connId": "f1"})
                )
            await self._subscribed(conn, topics)
        elif conn.venue == "hyperliquid":
            await self._on_hyperliquid(conn, message)

    async def _on_bybit(self, conn: _Connection, message: dict[str, Any]) -> None:
        op = message.get("op")
        ack = {
            "success": True,
            "ret_msg": "pong" if op == "ping" else "",
            "conn_id": "f1",
            "req_id": "",
            "op": op,
        }
        if op == "ping":
            self.app_pings["bybit"] += 1
            await self._send(conn, json.dumps(ack))
        elif op == "subscribe":
            await self._send(conn, json.dumps(ack))
            await self._subscribed(conn, set(message["args"]))
            for topic in message["args"]:
                if topic.startswith("tickers."):
                    await self._send(conn, self._bybit_ticker_snapshot(topic.split(".")[1][:-4]))

    def _bybit_ticker_snapshot(self, coin: str) -> str:
        price = self.prices.get(coin, 1.0)
        fields = {
            "markPrice": pl.s(price), "indexPrice": pl.s(price * 0.9999), "lastPrice": pl.s(price),
            "fundingRate": pl.s(self.funding.get(("bybit", coin), 0.0001)),
            "nextFundingTime": str((self.now_ms() // (8 * pl.HOUR_MS) + 1) * 8 * pl.HOUR_MS),
            "openInterest": pl.s(self.open_interest.get(coin, 0.0)), "fundingIntervalHour": "8",
        }  # fmt: skip
        return pl.bybit_ticker(coin, fields, self.now_ms())

    async def _on_hyperliquid(self, conn: _Connection, message: dict[str, Any]) -> None:
        if message.get("method") == "ping":
            self.app_pings["hyperliquid"] += 1
            await self._send(conn, json.dumps({"channel": "pong"}))
        elif message.get("method") == "subscribe":
            reply = {"method": "subscribe", "subscription": message["subscription"]}
            await self._send(conn, json.dumps({"channel": "subscriptionResponse", "data": reply}))
            await self._subscribed(conn, {message["subscription"]["type"]})

    async def answer(
        self, path: str, query: dict[str, str], body: Any
    ) -> tuple[int, dict[str, str], Any]:
        """The REST answer to one request: a scripted failure, or the venue's payload."""
        venue = _rest_venue(path)
        self.requests.append((venue, path, query, body))
        if self._failures[venue]:
            failure = self._failures[venue].pop(0)
            await asyncio.sleep(failure.delay_s)
            headers = (
                {"Retry-After": pl.s(failure.retry_after_s)}
                if failure.retry_after_s is not None
                else {}
            )
            return (
                failure.status,
                headers,
                failure.body if failure.body is not None else {"msg": "scripted"},
            )
        return answer_rest(self, venue, path, query, body)


def _rest_venue(path: str) -> str:
    if path.startswith(("/fapi/", "/futures/")):
        return "binance"
    if path.startswith("/v5/"):
        return "bybit"
    if path.startswith("/api/v5/"):
        return "okx"
    return "hyperliquid"
