"""Hyperliquid perps: `allMids` stream; `POST /info` for contexts, candles, margin tables and wallets.

There is **no public liquidation feed**: liquidations reach only user-scoped fills, so this venue
contributes marks, funding, open interest and tiers, and the coverage report says so. Funding is
hourly. The stream carries mid prices, used as the live mark between `metaAndAssetCtxs` polls.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import httpx
import orjson

from bot.feeds.errors import MalformedPayload
from bot.feeds.protocol import Decoded, StreamSpec, parses
from bot.feeds.rest import request_json
from bot.vocabulary.clock import Clock
from bot.vocabulary.records import Candle, MarkTick, StoredTierTable, VenueSnapshot, from_ms, to_ms
from bot.vocabulary.wallets import WalletPosition, WalletState

__all__ = [
    "NO_LIQUIDATION_FEED",
    "VENUE",
    "WALLET_WEIGHT",
    "HyperliquidClient",
    "HyperliquidDecoder",
    "parse_asset_contexts",
    "parse_candle_snapshot",
    "parse_clearinghouse_state",
    "parse_margin_tables",
    "stream_spec",
]

VENUE = "hyperliquid"
NO_LIQUIDATION_FEED = "no public liquidation feed"
INTERVALS = {60: "1m", 300: "5m", 900: "15m", 3600: "1h", 14_400: "4h", 86_400: "1d"}
WALLET_WEIGHT = 2
"""Weight of one `clearinghouseState` call in the 1200-per-minute `/info` budget of an IP."""


class HyperliquidDecoder:
    """Decodes the `/ws` stream: `allMids` (timed by the local clock), acks, pongs and errors."""

    def __init__(self, tracked: frozenset[str], clock: Clock) -> None:
        self._tracked = tracked
        self._clock = clock

    def __call__(self, frame: str | bytes) -> Decoded:
        """Decode one frame."""
        try:
            message = orjson.loads(frame)
        except ValueError as exc:
            raise MalformedPayload(VENUE, "frame", "not JSON") from exc
        channel = message.get("channel") if isinstance(message, dict) else None
        if channel == "allMids":
            return Decoded(marks=self._mids(message))
        if channel in ("pong", "subscriptionResponse"):
            return Decoded()
        if channel == "error":
            raise MalformedPayload(VENUE, "error channel", str(message.get("data"))[:200])
        raise MalformedPayload(VENUE, "frame", f"unknown channel {channel!r}")

    @parses(VENUE, "allMids")
    def _mids(self, message: dict[str, Any]) -> list[MarkTick]:
        mids = message["data"]["mids"]
        now = self._clock()
        return [
            MarkTick(VENUE, coin, float(mids[coin]), now) for coin in self._tracked if coin in mids
        ]


def stream_spec(ws_url: str, symbols: Iterable[str], clock: Clock) -> StreamSpec:
    """All mid prices on one connection, pinged with `{"method": "ping"}`."""
    tracked = frozenset(symbols)
    subscribe = json.dumps({"method": "subscribe", "subscription": {"type": "allMids"}})
    return StreamSpec(
        venue=VENUE,
        name="market",
        url=ws_url,
        subscribe=(subscribe,),
        make_decoder=lambda: HyperliquidDecoder(tracked, clock),
        ping_text=json.dumps({"method": "ping"}),
        ping_interval_s=20.0,
    )


def _next_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


@parses(VENUE, "metaAndAssetCtxs")
def parse_asset_contexts(body: Any, tracked: frozenset[str], now: datetime) -> list[VenueSnapshot]:
    """Snapshots of tracked coins from `[meta, ctxs]` (`ctxs[i]` belongs to `meta.universe[i]`)."""
    meta, contexts = body
    snapshots = []
    for asset, ctx in zip(meta["universe"], contexts, strict=True):
        coin = asset["name"]
        if coin not in tracked or asset.get("isDelisted"):
            continue
        mark, oi = float(ctx["markPx"]), float(ctx["openInterest"])
        snapshots.append(
            VenueSnapshot(
                VENUE,
                coin,
                now,
                mark,
                index_price=float(ctx["oraclePx"]),
                funding_rate=float(ctx["funding"]),
                funding_interval_h=1.0,
                next_funding_time=_next_hour(now),
                open_interest=oi,
                open_interest_usd=oi * mark,
            )
        )
    return snapshots


def _tier_rows(bounds: list[tuple[float, float]]) -> list[list[float | None]]:
    rows: list[list[float | None]] = []
    cum, previous_mmr = 0.0, 0.0
    caps: list[float | None] = [lower for lower, _ in bounds[1:]]
    for (lower, leverage), cap in zip(bounds, [*caps, None], strict=True):
        mmr = 1 / (2 * leverage)
        cum = cum + lower * (mmr - previous_mmr) if rows else 0.0
        rows.append([lower, cap, mmr, cum, leverage])
        previous_mmr = mmr
    return rows


@parses(VENUE, "meta")
def parse_margin_tables(
    meta: dict[str, Any], tracked: frozenset[str], fetched_at: datetime
) -> list[StoredTierTable]:
    """Tier tables of tracked coins from `meta`: mmr = 1/(2·max leverage), continuous deduction.

    A `marginTableId` below 50 is a single tier whose max leverage is the id itself.
    """
    tables = {int(entry[0]): entry[1]["marginTiers"] for entry in meta.get("marginTables", [])}
    result = []
    for asset in meta["universe"]:
        if asset["name"] not in tracked or asset.get("isDelisted"):
            continue
        table_id = int(asset.get("marginTableId", asset["maxLeverage"]))
        if table_id < 50:
            bounds = [(0.0, float(table_id))]
        else:
            tiers = tables[table_id]
            bounds = [(float(t["lowerBound"]), float(t["maxLeverage"])) for t in tiers]
        source = f"hyperliquid meta.marginTables[{table_id}]"
        result.append(
            StoredTierTable(VENUE, asset["name"], fetched_at, _tier_rows(bounds), 1.0, source)
        )
    return result


@parses(VENUE, "candleSnapshot")
def parse_candle_snapshot(items: Iterable[dict[str, Any]], interval_s: int) -> list[Candle]:
    """`candleSnapshot` items (oldest first) as candles."""
    return [
        Candle(
            VENUE,
            item["s"],
            interval_s,
            from_ms(int(item["t"])),
            float(item["o"]),
            float(item["h"]),
            float(item["l"]),
            float(item["c"]),
            float(item["v"]),
        )
        for item in items
    ]


def _wallet_position(raw: dict[str, Any]) -> WalletPosition | None:
    """One `assetPositions[].position`; None for a closed position still listed at size zero."""
    signed = float(raw["szi"])
    if signed == 0:
        return None
    leverage = raw["leverage"]
    mode = leverage["type"]
    if mode not in ("isolated", "cross"):
        raise ValueError(f"unknown margin mode {mode!r}")
    liquidation = raw.get("liquidationPx")
    return WalletPosition(
        coin=str(raw["coin"]),
        side="long" if signed > 0 else "short",
        size=abs(signed),
        entry_price=float(raw["entryPx"]),
        leverage=float(leverage["value"]),
        margin_mode=mode,
        liquidation_price=None if liquidation is None else float(liquidation),
        margin_used_usd=float(raw["marginUsed"]),
        position_value_usd=float(raw["positionValue"]),
        unrealized_pnl_usd=float(raw["unrealizedPnl"]),
    )


@parses(VENUE, "clearinghouseState")
def parse_clearinghouse_state(body: Any) -> WalletState:
    """A wallet's account from `clearinghouseState`: `marginSummary` totals and open positions.

    `szi` is signed (negative: short); `liquidationPx` is null when the venue sees no price that
    liquidates the account; `leverage.type` is `isolated` or `cross`.
    """
    summary = body["marginSummary"]
    positions = (_wallet_position(item["position"]) for item in body["assetPositions"])
    return WalletState(
        account_value_usd=float(summary["accountValue"]),
        margin_used_usd=float(summary["totalMarginUsed"]),
        positions=tuple(p for p in positions if p is not None),
        time=from_ms(int(body["time"])),
    )


class HyperliquidClient:
    """Keyless `POST /info` calls against `base_url` (normally https://api.hyperliquid.xyz)."""

    venue = VENUE

    def __init__(self, http: httpx.AsyncClient, base_url: str, clock: Clock) -> None:
        self._http = http
        self._url = f"{base_url.rstrip('/')}/info"
        self._clock = clock

    async def _info(self, body: dict[str, Any]) -> Any:
        return await request_json(self._http, VENUE, self._url, body=body)

    async def list_coins(self) -> set[str]:
        """Every coin listed and not delisted (one `metaAndAssetCtxs` call)."""
        meta, _contexts = await self._info({"type": "metaAndAssetCtxs"})
        return {str(a["name"]) for a in meta["universe"] if not a.get("isDelisted")}

    async def fetch_snapshots(self, coins: Iterable[str]) -> list[VenueSnapshot]:
        """Mark, oracle, funding and open interest of each coin (one call for all)."""
        body = await self._info({"type": "metaAndAssetCtxs"})
        return parse_asset_contexts(body, frozenset(coins), self._clock())

    async def fetch_candles(self, coin: str, interval_s: int, limit: int) -> list[Candle]:
        """The newest `limit` candles, oldest first."""
        end = self._clock()
        start = end - timedelta(seconds=interval_s * limit)
        request = {
            "coin": coin,
            "interval": INTERVALS[interval_s],
            "startTime": to_ms(start),
            "endTime": to_ms(end),
        }
        items = await self._info({"type": "candleSnapshot", "req": request})
        return parse_candle_snapshot(items, interval_s)

    async def fetch_tiers(self, coins: Iterable[str], now: datetime) -> list[StoredTierTable]:
        """Tier tables of each coin from `meta.marginTables`."""
        meta = await self._info({"type": "meta"})
        return parse_margin_tables(meta, frozenset(coins), now)

    async def fetch_wallet(self, address: str) -> WalletState:
        """The perpetual account of one address (`clearinghouseState`, weight 2)."""
        body = await self._info({"type": "clearinghouseState", "user": address})
        return parse_clearinghouse_state(body)
