"""wallets kept in sync from Hyperliquid, and the watches they own

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-01 22:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wallets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=True),
        sa.Column("owner_id", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.JSON(), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name=op.f("fk_wallets_chat_id_chats"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallets")),
        sa.UniqueConstraint("chat_id", "address", name=op.f("uq_wallets_chat_id_address")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_wallets_address"), "wallets", ["address"], unique=False)
    sqlite = op.get_bind().dialect.name == "sqlite"
    seq = _watch_sequence() if sqlite else 0
    # On SQLite the batch rebuilds `watches`: it must stay AUTOINCREMENT (0003) and keep its sequence,
    # or the highest watch numbers already handed out would be handed out again.
    kwargs = {"sqlite_autoincrement": True}
    with op.batch_alter_table("watches", schema=None, table_kwargs=kwargs) as batch_op:
        batch_op.add_column(sa.Column("wallet_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reference_liquidation_price", sa.Float(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_watches_wallet_id_wallets"),
            "wallets",
            ["wallet_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(batch_op.f("ix_watches_wallet_id"), ["wallet_id"], unique=False)
    if sqlite:
        _restore_watch_sequence(seq)


def _watch_sequence() -> int:
    """The AUTOINCREMENT sequence of `watches` (0 when it has none yet)."""
    bind = op.get_bind()
    found = bind.execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'watches'")).first()
    return int(found[0]) if found else 0


def _restore_watch_sequence(seq: int) -> None:
    """Put the sequence back above every id handed out before the rebuild."""
    bind = op.get_bind()
    floor = max(seq, bind.execute(sa.text("SELECT coalesce(max(id), 0) FROM watches")).scalar_one())
    bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'watches'"))
    bind.execute(
        sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('watches', :seq)"), {"seq": floor}
    )


def downgrade() -> None:
    with op.batch_alter_table("watches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_watches_wallet_id"))
        batch_op.drop_constraint(batch_op.f("fk_watches_wallet_id_wallets"), type_="foreignkey")
        batch_op.drop_column("reference_liquidation_price")
        batch_op.drop_column("wallet_id")
    op.drop_index(op.f("ix_wallets_address"), table_name="wallets")
    op.drop_table("wallets")
