"""The simulated market on the wire: a loopback WebSocket server speaking Bybit's public linear stream.

Why a server and not a shortcut into the ingest service: the demo then runs the very path a venue
feeds, frame for frame: `bot.feeds.bybit.stream_spec` subscribes, `StreamRunner` holds the connection
(pings, gaps, reconnects), `BybitDecoder` merges ticker deltas and reads liquidations. Frames follow
the documented shapes (reference/exchange-apis.md §3): `allLiquidation.{symbol}` pushes a list of
`{T, s, S, v, p}` (`S` is the position side: `Buy` = a long was liquidated, `p` the bankruptcy price),
and `tickers.{symbol}` sends a `snapshot` first and `delta` frames of the changed fields after.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from bot.simulation.market import MarketStep
from bot.vocabulary.records import LiquidationEvent, MarkTick, to_ms

__all__ = ["BYBIT_LINEAR_PATH", "SimulatedStream", "liquidation_frame", "ticker_frame"]

BYBIT_LINEAR_PATH = "/v5/public/linear"


def ticker_frame(tick: MarkTick, *, snapshot: bool) -> str:
    """A `tickers.{symbol}` push of one mark (a delta carries the same changed fields)."""
    data: dict[str, Any] = {
        "symbol": f"{tick.symbol}USDT",
        "markPrice": f"{tick.mark_price:.2f}",
        "indexPrice": f"{tick.index_price or tick.mark_price:.2f}",
        "fundingRate": f"{tick.funding_rate or 0.0:.6f}",
    }
    if tick.next_funding_time is not None:
        data["nextFundingTime"] = str(to_ms(tick.next_funding_time))
    return json.dumps({
        "topic": f"tickers.{tick.symbol}USDT", "type": "snapshot" if snapshot else "delta",
        "data": data, "cs": to_ms(tick.time), "ts": to_ms(tick.time),
    })  # fmt: skip


def liquidation_frame(symbol: str, events: list[LiquidationEvent]) -> str:
    """An `allLiquidation.{symbol}` push of every liquidation of one step."""
    items = [
        {
            "T": to_ms(e.time),
            "s": f"{symbol}USDT",
            "S": "Buy" if e.side == "long" else "Sell",
            "v": f"{e.quantity:.6f}",
            "p": f"{e.price:.2f}",
        }
        for e in events
    ]
    ts = to_ms(events[-1].time)
    return json.dumps(
        {"topic": f"allLiquidation.{symbol}USDT", "type": "snapshot", "ts": ts, "data": items}
    )


@dataclass(eq=False)
class _Subscriber:
    connection: ServerConnection
    topics: set[str] = field(default_factory=set)
    tickers_seen: set[str] = field(default_factory=set)


class SimulatedStream:
    """Serves `publish`ed market steps to every connected client, on the topics it subscribed."""

    def __init__(self) -> None:
        self._server: Server | None = None
        self._subscribers: set[_Subscriber] = set()
        self.frames_sent = 0

    @property
    def url(self) -> str:
        """The `ws://127.0.0.1:port/v5/public/linear` address to put in BYBIT_WS_URL."""
        assert self._server is not None, "not started"
        port = next(iter(self._server.sockets)).getsockname()[1]
        return f"ws://127.0.0.1:{port}{BYBIT_LINEAR_PATH}"

    async def __aenter__(self) -> Self:
        self._server = await serve(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, connection: ServerConnection) -> None:
        subscriber = _Subscriber(connection)
        self._subscribers.add(subscriber)
        try:
            async for raw in connection:
                await self._answer(subscriber, raw)
        except ConnectionClosed:
            pass
        finally:
            self._subscribers.discard(subscriber)

    async def _answer(self, subscriber: _Subscriber, raw: str | bytes) -> None:
        with contextlib.suppress(ValueError):
            message = json.loads(raw)
            if not isinstance(message, dict):
                return
            op = message.get("op")
            if op == "subscribe":
                subscriber.topics.update(str(topic) for topic in message.get("args", []))
            if op in ("subscribe", "ping"):
                reply = {"success": True, "ret_msg": "pong" if op == "ping" else "", "op": op}
                await subscriber.connection.send(json.dumps({**reply, "conn_id": "sim"}))

    async def publish(self, step: MarketStep) -> None:
        """Send one step's marks and liquidations to every subscriber."""
        by_symbol: dict[str, list[LiquidationEvent]] = {}
        for event in step.liquidations:
            by_symbol.setdefault(event.symbol, []).append(event)
        for subscriber in list(self._subscribers):
            with contextlib.suppress(ConnectionClosed):
                for frame in self._frames(subscriber, step, by_symbol):
                    await subscriber.connection.send(frame)
                    self.frames_sent += 1

    def _frames(
        self,
        subscriber: _Subscriber,
        step: MarketStep,
        by_symbol: dict[str, list[LiquidationEvent]],
    ) -> list[str]:
        frames = []
        for tick in step.marks:
            topic = f"tickers.{tick.symbol}USDT"
            if topic in subscriber.topics:
                frames.append(ticker_frame(tick, snapshot=topic not in subscriber.tickers_seen))
                subscriber.tickers_seen.add(topic)
        for symbol, events in by_symbol.items():
            if f"allLiquidation.{symbol}USDT" in subscriber.topics:
                frames.append(liquidation_frame(symbol, events))
        return frames
