"""the map the live score holds per symbol for the hour being scored, so a restart keeps it

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 04:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "map_holds",
        sa.Column("symbol", sa.String(length=16), nullable=False),
        sa.Column("start_ms", sa.BigInteger(), nullable=False),
        sa.Column("mark", sa.Float(), nullable=False),
        sa.Column("bins", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("symbol", name=op.f("pk_map_holds")),
    )


def downgrade() -> None:
    op.drop_table("map_holds")
