"""the liquidation map's fitted assumptions per venue and symbol

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-01 22:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
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


def downgrade() -> None:
    op.drop_table("map_fits")
