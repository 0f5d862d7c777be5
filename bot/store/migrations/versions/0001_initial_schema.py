"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21 15:51:14.903904
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "candles",
        sa.Column("venue", sa.String(length=16), nullable=False),
        sa.Column("symbol", sa.String(length=16), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("open_ms", sa.BigInteger(), nullable=False),
        sa.Column("open", sa.Float(), nullable=False),
        sa.Column("high", sa.Float(), nullable=False),
        sa.Column("low", sa.Float(), nullable=False),
        sa.Column("close", sa.Float(), nullable=False),
        sa.Column("volume", sa.Float(), nullable=False),
        sa.Column("taker_buy_volume", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint(
            "venue", "symbol", "interval_s", "open_ms", name=op.f("pk_candles")
        ),
    )
    op.create_table(
        "chats",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=True),
        sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("paused", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chats")),
    )
    op.create_table(
        "feed_gaps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("venue", sa.String(length=16), nullable=False),
        sa.Column("stream", sa.String(length=64), nullable=False),
        sa.Column("started_ms", sa.BigInteger(), nullable=False),
        sa.Column("ended_ms", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(length=256), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_gaps")),
    )
    with op.batch_alter_table("feed_gaps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feed_gaps_venue_started_ms"), ["venue", "started_ms"], unique=False
        )

    op.create_table(
        "liquidation_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("venue", sa.String(length=16), nullable=False),
        sa.Column("symbol", sa.String(length=16), nullable=False),
        sa.Column("side", sa.String(length=5), nullable=False),
        sa.Column("price", sa.Float(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("notional_usd", sa.Float(), nullable=False),
        sa.Column("ts_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_liquidation_events")),
    )
    with op.batch_alter_table("liquidation_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_liquidation_events_symbol_ts_ms"), ["symbol", "ts_ms"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_liquidation_events_ts_ms"), ["ts_ms"], unique=False)

    op.create_table(
        "market_snapshots",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("venue", sa.String(length=16), nullable=False),
        sa.Column("symbol", sa.String(length=16), nullable=False),
        sa.Column("ts_ms", sa.BigInteger(), nullable=False),
        sa.Column("mark_price", sa.Float(), nullable=False),
        sa.Column("index_price", sa.Float(), nullable=True),
        sa.Column("funding_rate", sa.Float(), nullable=True),
        sa.Column("funding_interval_h", sa.Float(), nullable=True),
        sa.Column("next_funding_ms", sa.BigInteger(), nullable=True),
        sa.Column("open_interest", sa.Float(), nullable=True),
        sa.Column("open_interest_usd", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_snapshots")),
    )
    with op.batch_alter_table("market_snapshots", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_market_snapshots_venue_symbol_ts_ms"),
            ["venue", "symbol", "ts_ms"],
            unique=False,
        )

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=8), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_status_not_before"), ["status", "not_before"], unique=False
        )

    op.create_table(
        "tier_tables",
        sa.Column("venue", sa.String(length=16), nullable=False),
        sa.Column("symbol", sa.String(length=16), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tiers", sa.JSON(), nullable=False),
        sa.Column("contract_value", sa.Float(), server_default="1", nullable=False),
        sa.Column("source", sa.String(length=256), nullable=False),
        sa.PrimaryKeyConstraint("venue", "symbol", name=op.f("pk_tier_tables")),
    )
    op.create_table(
        "schedules",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("cadence", sa.String(length=8), nullable=False),
        sa.Column("at_time", sa.String(length=5), nullable=True),
        sa.Column("topic_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name=op.f("fk_schedules_chat_id_chats"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedules")),
        sa.UniqueConstraint("chat_id", "kind", name=op.f("uq_schedules_chat_id_kind")),
    )
    op.create_table(
        "watches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("venue", sa.String(length=16), nullable=False),
        sa.Column("symbol", sa.String(length=16), nullable=False),
        sa.Column("side", sa.String(length=5), nullable=False),
        sa.Column("leverage", sa.Float(), nullable=False),
        sa.Column("entry_price", sa.Float(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("margin_mode", sa.String(length=8), nullable=False),
        sa.Column("wallet_balance", sa.Float(), nullable=True),
        sa.Column("paused", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("alert_state", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name=op.f("fk_watches_chat_id_chats"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watches")),
    )
    with op.batch_alter_table("watches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_watches_chat_id"), ["chat_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_watches_venue_symbol"), ["venue", "symbol"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("watches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_watches_venue_symbol"))
        batch_op.drop_index(batch_op.f("ix_watches_chat_id"))

    op.drop_table("watches")
    op.drop_table("schedules")
    op.drop_table("tier_tables")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_status_not_before"))

    op.drop_table("outbox")
    with op.batch_alter_table("market_snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_market_snapshots_venue_symbol_ts_ms"))

    op.drop_table("market_snapshots")
    with op.batch_alter_table("liquidation_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_liquidation_events_ts_ms"))
        batch_op.drop_index(batch_op.f("ix_liquidation_events_symbol_ts_ms"))

    op.drop_table("liquidation_events")
    with op.batch_alter_table("feed_gaps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_gaps_venue_started_ms"))

    op.drop_table("feed_gaps")
    op.drop_table("chats")
    op.drop_table("candles")
