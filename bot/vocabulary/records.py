"""The bot's own value types: what feeds produce, what the store keeps, what alerts and handlers read.

All times are aware UTC datetimes. Prices are in USD (USDT/USDC quote), quantities in coins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, NamedTuple

__all__ = [
    "Candle",
    "Chat",
    "FeedGap",
    "LiquidationEvent",
    "MarginModeName",
    "MarkTick",
    "OutboxItem",
    "PositionSide",
    "Schedule",
    "StoredTierTable",
    "VenueSnapshot",
    "Watch",
    "from_ms",
    "to_ms",
]

PositionSide = Literal["long", "short"]
MarginModeName = Literal["isolated", "cross"]
OutboxStatus = Literal["pending", "sending", "sent", "failed", "dropped"]


def to_ms(moment: datetime) -> int:
    """Milliseconds since the epoch of an aware datetime."""
    return int(moment.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    """Aware UTC datetime of milliseconds since the epoch."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


class LiquidationEvent(NamedTuple):
    """One liquidation order as a venue reported it, normalised.

    `side` is the side of the position that was liquidated (a long's liquidation is a sell order).
    A named tuple rather than a frozen dataclass: feeds build thousands a second in a cascade, and a
    tuple is built three times faster (immutable all the same).
    """

    venue: str
    symbol: str
    side: PositionSide
    price: float
    quantity: float
    notional_usd: float
    time: datetime


@dataclass(frozen=True, slots=True)
class VenueSnapshot:
    """Mark, index, funding and open interest of one symbol on one venue at one moment."""

    venue: str
    symbol: str
    time: datetime
    mark_price: float
    index_price: float | None = None
    funding_rate: float | None = None
    funding_interval_h: float | None = None
    next_funding_time: datetime | None = None
    open_interest: float | None = None
    open_interest_usd: float | None = None


@dataclass(frozen=True, slots=True)
class Candle:
    """One OHLCV candle; `taker_buy_volume` is None where the venue does not say."""

    venue: str
    symbol: str
    interval_s: int
    open_time: datetime
    open: float
    high: float
    low: float
    close: float
    volume: float
    taker_buy_volume: float | None = None


@dataclass(frozen=True, slots=True)
class FeedGap:
    """A stretch of time in which a venue's stream delivered nothing (disconnect, missed heartbeat)."""

    venue: str
    stream: str
    started_at: datetime
    ended_at: datetime | None
    reason: str
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Chat:
    """A private chat, group or channel the bot talks to."""

    id: int
    type: str
    title: str | None = None
    timezone: str = "UTC"
    settings: dict[str, Any] = field(default_factory=dict)
    paused: bool = False


@dataclass(frozen=True, slots=True)
class Watch:
    """A watched position and the alert state that goes with it.

    A position kept in sync from a wallet (`wallet_id` set) carries the venue's own liquidation
    price as `reference_liquidation_price`: the alerts measure against it, not against our formula
    (None there: the venue says the position cannot be liquidated).
    """

    chat_id: int
    venue: str
    symbol: str
    side: PositionSide
    leverage: float
    entry_price: float
    quantity: float
    margin_mode: MarginModeName = "isolated"
    wallet_balance: float | None = None
    id: int | None = None
    paused: bool = False
    alert_state: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    owner_id: int | None = None
    """The user who set the watch (in a group, only they or an admin remove it)."""
    owner_name: str | None = None
    wallet_id: int | None = None
    reference_liquidation_price: float | None = None

    @property
    def synced(self) -> bool:
        """Whether the position is kept in sync from a wallet rather than typed."""
        return self.wallet_id is not None


@dataclass(frozen=True, slots=True)
class Removal:
    """What became of a request to remove watch `watch_id`; `owner_name` says whose it is."""

    watch_id: int
    outcome: Literal["removed", "missing", "not yours"]
    owner_name: str | None = None


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A message waiting to be delivered exactly once.

    `key` is the idempotency key: writing the same key twice keeps the first row. A row of a `series`
    (one watch's ladder) that is still pending when a row naming that series in `supersedes` is
    written is dropped: the newer alert says more.
    """

    key: str
    chat_id: int
    kind: str
    payload: dict[str, Any]
    status: OutboxStatus = "pending"
    attempts: int = 0
    not_before: datetime | None = None
    id: int | None = None
    message_id: int | None = None
    error: str | None = None
    series: str | None = None
    supersedes: str | None = None


@dataclass(frozen=True, slots=True)
class Schedule:
    """A summary posted to a chat on a timetable (`cadence` hourly, 4h or daily at `at_time`)."""

    chat_id: int
    kind: str
    cadence: str
    at_time: str | None = None
    topic_id: int | None = None
    created_by: int | None = None
    next_run_at: datetime | None = None
    last_run_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class StoredTierTable:
    """A venue's maintenance-margin tiers as last fetched: rows of [floor, cap, mmr, cum, max_lev]."""

    venue: str
    symbol: str
    fetched_at: datetime
    tiers: list[list[float | None]]
    contract_value: float
    source: str


@dataclass(frozen=True, slots=True)
class MarkTick:
    """A streamed mark price (Hyperliquid: mid price), with funding when the stream carries it."""

    venue: str
    symbol: str
    mark_price: float
    time: datetime
    index_price: float | None = None
    funding_rate: float | None = None
    next_funding_time: datetime | None = None
