"""The simulated market on the wire: the real Bybit decoder reads what the stream sends."""

from __future__ import annotations

import json

from websockets.asyncio.client import connect

from bot.feeds.bybit import BybitDecoder, stream_spec
from bot.simulation.market import SimulatedMarket
from bot.simulation.script import demo_script
from bot.simulation.venue import SimulatedVenueClient
from bot.simulation.wire import SimulatedStream
from tests.simulation.conftest import DAY_START


async def test_stream_frames_decode_with_the_bybit_decoder() -> None:
    """Subscribed through Bybit's own subscribe message, the stream sends tickers and liquidations."""
    market = SimulatedMarket(demo_script(DAY_START))
    async with SimulatedStream() as stream, connect(stream.url) as ws:
        for message in stream_spec(stream.url, market.symbols).subscribe:
            await ws.send(message)
        ack = json.loads(await ws.recv())
        assert ack["success"] is True
        assert ack["op"] == "subscribe"
        decoder = BybitDecoder()
        marks, liquidations = [], []
        for _ in range(45):
            step = market.step(1.0)
            await stream.publish(step)
            expected = len(step.marks) + len({e.symbol for e in step.liquidations})
            for _ in range(expected):
                decoded = decoder(await ws.recv())
                marks += decoded.marks
                liquidations += decoded.liquidations
    assert {m.symbol for m in marks} == {"BTC", "ETH"}
    assert marks[-1].mark_price == round(market.mark(marks[-1].symbol), 2)
    assert marks[-1].funding_rate is not None
    assert sum(e.notional_usd for e in liquidations if e.side == "long") > 50e6


async def test_ping_is_answered_with_a_pong() -> None:
    """Bybit's application ping gets its pong, so the stream runner never sees a silent link."""
    async with SimulatedStream() as stream, connect(stream.url) as ws:
        await ws.send(json.dumps({"op": "ping"}))
        assert json.loads(await ws.recv())["ret_msg"] == "pong"


async def test_rest_side_serves_snapshots_and_hourly_candles_only() -> None:
    """Snapshots of the coins asked for; hourly candles; no other interval; no tier table."""
    market = SimulatedMarket(demo_script(DAY_START))
    client = SimulatedVenueClient(market)
    snapshots = await client.fetch_snapshots(["BTC"])
    assert [s.symbol for s in snapshots] == ["BTC"]
    assert len(await client.fetch_candles("BTC", 3600, 50)) == 50
    assert await client.fetch_candles("BTC", 300, 50) == []
    assert await client.fetch_tiers(["BTC"], DAY_START) == []
