"""the liquidation map's fitted assumptions per venue and symbol, and its live score per hour

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "map_fits",
        sa.Column("venue", sa.String(length=16), nullable=False),
        sa.Column("symbol", sa.String(length=16), nullable=False),
        sa.Column("fitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fit", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("venue", "symbol", name=op.f("pk_map_fits")),
    )
    op.create_table(
        "map_scores",
        sa.Column("symbol", sa.String(length=16), nullable=False),
        sa.Column("start_ms", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("realized_usd", sa.Float(), nullable=False),
        sa.Column("hit_usd", sa.Float(), nullable=False),
        sa.Column("uniform_usd", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("symbol", "start_ms", name=op.f("pk_map_scores")),
    )


def downgrade() -> None:
    op.drop_table("map_scores")
    op.drop_table("map_fits")
