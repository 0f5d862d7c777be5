"""Table definitions (SQLAlchemy Core). The migrations in `migrations/versions` create these.

Market data (liquidations, snapshots, candles) keeps times as epoch milliseconds, as the venues send them:
compact, index-friendly and cheap to write in bulk. The tables people own (chats, watches, outbox,
schedules) keep aware timestamps.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator
from typing_extensions import override

BigId = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements only INTEGER keys

__all__ = [
    "UtcDateTime",
    "alert_states",
    "candles",
    "chats",
    "feed_gaps",
    "liquidation_events",
    "map_fits",
    "map_holds",
    "map_scores",
    "market_snapshots",
    "metadata",
    "outbox",
    "schedules",
    "tier_tables",
    "wallets",
    "watches",
]


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every database (SQLite hands back naive values; this restores UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @override
    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware UTC datetime")
        return value.astimezone(UTC)

    @override
    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

chats = Table(
    "chats",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("type", String(16), nullable=False),
    Column("title", String(256)),
    Column("timezone", String(64), nullable=False, server_default="UTC"),
    Column("settings", JSON, nullable=False),
    Column("paused", Boolean, nullable=False, server_default="0"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

watches = Table(
    "watches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("chat_id", BigInteger, ForeignKey("chats.id", ondelete="CASCADE"), nullable=False),
    Column("venue", String(16), nullable=False),
    Column("symbol", String(16), nullable=False),
    Column("side", String(5), nullable=False),
    Column("leverage", Float, nullable=False),
    Column("entry_price", Float, nullable=False),
    Column("quantity", Float, nullable=False),
    Column("margin_mode", String(8), nullable=False),
    Column("wallet_balance", Float),
    Column("paused", Boolean, nullable=False, server_default="0"),
    Column("alert_state", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("owner_id", BigInteger),
    Column("owner_name", String(64)),
    Column("wallet_id", Integer, ForeignKey("wallets.id", ondelete="CASCADE")),
    Column("reference_liquidation_price", Float),
    Index(None, "chat_id"),
    Index(None, "venue", "symbol"),
    Index(None, "wallet_id"),
    sqlite_autoincrement=True,  # a number once shown, in a button or a key, never comes back
)

wallets = Table(
    "wallets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("chat_id", BigInteger, ForeignKey("chats.id", ondelete="CASCADE"), nullable=False),
    Column("address", String(42), nullable=False),
    Column("label", String(64)),
    Column("owner_id", BigInteger),
    Column("state", JSON),
    Column("synced_at", UtcDateTime),
    Column("error", Text),
    Column("version", Integer, nullable=False, server_default="0"),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("chat_id", "address"),
    Index(None, "address"),
    sqlite_autoincrement=True,  # ids are never reused: announcement keys name them
)

liquidation_events = Table(
    "liquidation_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("venue", String(16), nullable=False),
    Column("symbol", String(16), nullable=False),
    Column("side", String(5), nullable=False),
    Column("price", Float, nullable=False),
    Column("quantity", Float, nullable=False),
    Column("notional_usd", Float, nullable=False),
    Column("ts_ms", BigInteger, nullable=False),
    Index(None, "ts_ms"),
    Index(None, "symbol", "ts_ms"),
)

market_snapshots = Table(
    "market_snapshots",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("venue", String(16), nullable=False),
    Column("symbol", String(16), nullable=False),
    Column("ts_ms", BigInteger, nullable=False),
    Column("mark_price", Float, nullable=False),
    Column("index_price", Float),
    Column("funding_rate", Float),
    Column("funding_interval_h", Float),
    Column("next_funding_ms", BigInteger),
    Column("open_interest", Float),
    Column("open_interest_usd", Float),
    Index(None, "venue", "symbol", "ts_ms"),
)

candles = Table(
    "candles",
    metadata,
    Column("venue", String(16), primary_key=True),
    Column("symbol", String(16), primary_key=True),
    Column("interval_s", Integer, primary_key=True),
    Column("open_ms", BigInteger, primary_key=True),
    Column("open", Float, nullable=False),
    Column("high", Float, nullable=False),
    Column("low", Float, nullable=False),
    Column("close", Float, nullable=False),
    Column("volume", Float, nullable=False),
    Column("taker_buy_volume", Float),
)

feed_gaps = Table(
    "feed_gaps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("venue", String(16), nullable=False),
    Column("stream", String(64), nullable=False),
    Column("started_ms", BigInteger, nullable=False),
    Column("ended_ms", BigInteger),
    Column("reason", String(256), nullable=False),
    Index(None, "venue", "started_ms"),
)

tier_tables = Table(
    "tier_tables",
    metadata,
    Column("venue", String(16), primary_key=True),
    Column("symbol", String(16), primary_key=True),
    Column("fetched_at", UtcDateTime, nullable=False),
    Column("tiers", JSON, nullable=False),
    Column("contract_value", Float, nullable=False, server_default="1"),
    Column("source", String(256), nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(8), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("not_before", UtcDateTime, nullable=False),
    Column("claimed_until", UtcDateTime),
    Column("message_id", BigInteger),
    Column("error", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    Column("series", String(200)),
    Index(None, "status", "not_before"),
    Index(None, "status", "chat_id", "id"),
    Index(None, "series"),
    sqlite_autoincrement=True,
)

schedules = Table(
    "schedules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("chat_id", BigInteger, ForeignKey("chats.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("cadence", String(8), nullable=False),
    Column("at_time", String(5)),
    Column("topic_id", BigInteger),
    Column("created_by", BigInteger),
    Column("next_run_at", UtcDateTime),
    Column("last_run_at", UtcDateTime),
    UniqueConstraint("chat_id", "kind"),
    sqlite_autoincrement=True,
)

alert_states = Table(
    "alert_states",
    metadata,
    Column(
        "chat_id",
        BigInteger,
        ForeignKey("chats.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("state", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

map_fits = Table(
    "map_fits",
    metadata,
    Column("venue", String(16), primary_key=True),
    Column("symbol", String(16), primary_key=True),
    Column("fitted_at", UtcDateTime, nullable=False),
    Column("fit", Text, nullable=False),
)
"""The liquidation map's fitted assumptions per venue and symbol (`risk.map_fit.MapFit` JSON)."""

map_scores = Table(
    "map_scores",
    metadata,
    Column("symbol", String(16), primary_key=True),
    Column("start_ms", BigInteger, primary_key=True, autoincrement=False),
    Column("realized_usd", Float, nullable=False),
    Column("hit_usd", Float, nullable=False),
    Column("uniform_usd", Float, nullable=False),
)
"""The map's live self-score per symbol and hour: realized notional, and the part near held levels."""

map_holds = Table(
    "map_holds",
    metadata,
    Column("symbol", String(16), primary_key=True),
    Column("start_ms", BigInteger, nullable=False),
    Column("mark", Float, nullable=False),
    Column("bins", Text, nullable=False),
)
"""The map the live score holds per symbol for the hour starting at ``start_ms``, until it is scored
(bin width, occupied bins and their long/short USD as compact JSON)."""
