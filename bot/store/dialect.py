"""The few statements whose SQL differs between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert

__all__ = ["insert_ignore", "upsert", "upsert_from_excluded"]


def _insert(conn: AsyncConnection, table: Table) -> postgresql.Insert | sqlite.Insert:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def upsert(
    conn: AsyncConnection,
    table: Table,
    values: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    changed: Mapping[str, Any],
) -> Insert:
    """INSERT … ON CONFLICT (keys) DO UPDATE SET changed (values may be one row or many)."""
    stmt = _insert(conn, table)
    stmt = stmt.values(values) if isinstance(values, Mapping) else stmt.values(list(values))
    return stmt.on_conflict_do_update(index_elements=list(keys), set_=dict(changed))


def upsert_from_excluded(
    conn: AsyncConnection, table: Table, keys: Sequence[str], columns: Sequence[str]
) -> Insert:
    """A many-row upsert whose updated columns take the incoming (excluded) values."""
    stmt = _insert(conn, table)
    return stmt.on_conflict_do_update(
        index_elements=list(keys), set_={name: stmt.excluded[name] for name in columns}
    )


def insert_ignore(conn: AsyncConnection, table: Table, keys: Sequence[str]) -> Insert:
    """INSERT … ON CONFLICT (keys) DO NOTHING."""
    return _insert(conn, table).on_conflict_do_nothing(index_elements=list(keys))
