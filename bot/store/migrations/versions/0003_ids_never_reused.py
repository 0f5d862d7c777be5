"""ids never reused; watches name their owner; outbox series and per-chat order

A user sees a watch's number, its buttons carry it and alert keys contain it, so a number handed out
once must never come back. SQLite reuses the highest rowid once its row is deleted unless the table
says AUTOINCREMENT, so `watches`, `schedules` and `outbox` are rebuilt with it (batch mode); each
sequence starts above every id the table holds and every watch id an outbox key ever named (a watch
deleted before this migration may have been the highest). PostgreSQL sequences never go back.

Also: `watches.owner_id` and `owner_name` (in a group a watch belongs to the member who set it),
`outbox.series` (a newer alert of a series supersedes the older ones still waiting) and an index for
the claim's per-chat order.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 22:00:00
"""

from typing import Literal

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

REBUILT = ("watches", "schedules", "outbox")
WATCH_KEY_PREFIXES = ("pos", "cluster")


def _recreate() -> Literal["always", "auto"]:
    return "always" if op.get_bind().dialect.name == "sqlite" else "auto"


def upgrade() -> None:
    autoincrement = {"sqlite_autoincrement": True}
    with op.batch_alter_table("watches", recreate=_recreate(), table_kwargs=autoincrement) as batch:
        batch.add_column(sa.Column("owner_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("owner_name", sa.String(length=64), nullable=True))
    with op.batch_alter_table("schedules", recreate=_recreate(), table_kwargs=autoincrement):
        pass
    with op.batch_alter_table("outbox", recreate=_recreate(), table_kwargs=autoincrement) as batch:
        batch.add_column(sa.Column("series", sa.String(length=200), nullable=True))
        batch.create_index(batch.f("ix_outbox_series"), ["series"], unique=False)
        batch.create_index(
            batch.f("ix_outbox_status_chat_id_id"), ["status", "chat_id", "id"], unique=False
        )
    if op.get_bind().dialect.name == "sqlite":
        _seed_sqlite_sequences()


def _seed_sqlite_sequences() -> None:
    """Start each AUTOINCREMENT sequence above every id already used (watches: also in keys)."""
    bind = op.get_bind()
    floors = {
        table: bind.execute(sa.text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar_one()  # noqa: S608 - fixed names
        for table in REBUILT
    }
    for (key,) in bind.execute(sa.text("SELECT key FROM outbox")):
        parts = str(key).split(":")
        if len(parts) > 1 and parts[0] in WATCH_KEY_PREFIXES and parts[1].isdigit():
            floors["watches"] = max(floors["watches"], int(parts[1]))
    for table, floor in floors.items():
        bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :t"), {"t": table})
        bind.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :seq)"),
            {"t": table, "seq": floor},
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", recreate=_recreate()) as batch:
        batch.drop_index(batch.f("ix_outbox_status_chat_id_id"))
        batch.drop_index(batch.f("ix_outbox_series"))
        batch.drop_column("series")
    with op.batch_alter_table("watches", recreate=_recreate()) as batch:
        batch.drop_column("owner_name")
        batch.drop_column("owner_id")
