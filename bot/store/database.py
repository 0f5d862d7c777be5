"""Engine creation and start-up migrations (Alembic, run programmatically: no manual step)."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

__all__ = ["create_engine", "migrate"]

_MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK_KEY = 0x6C69_716D  # "liqm"; the leader lock is "liqg"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
    else:
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_async_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    if ":memory:" not in str(getattr(dbapi_connection, "_database", "")):
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade the database to `revision`; running it again is a no-op.

    Processes that start together (the Procfile's `web` and `worker`) take turns: on PostgreSQL under
    a transaction-scoped advisory lock, on SQLite under an exclusive lock on a file beside the
    database. The second one then finds the schema current and does nothing.
    """
    async with contextlib.AsyncExitStack() as stack:
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            await stack.enter_async_context(_file_lock(Path(f"{engine.url.database}.migrate-lock")))
        connection = await stack.enter_async_context(engine.begin())
        if engine.dialect.name == "postgresql":
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        await connection.run_sync(lambda sync: command.upgrade(_alembic_config(sync), revision))


@contextlib.asynccontextmanager
async def _file_lock(path: Path) -> AsyncIterator[None]:
    """An exclusive advisory lock on `path`, waited for off the event loop."""
    with path.open("a") as handle:
        await asyncio.to_thread(fcntl.flock, handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    """Downgrade the database to `revision` (tests use it to check the migrations both ways)."""
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(_alembic_config(sync), revision))
