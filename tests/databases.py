"""Where the tests find their databases: a temporary SQLite file, and the local PostgreSQL server.

The PostgreSQL half needs a server at TEST_POSTGRES_URL (default postgres@127.0.0.1:5432/test). Without
one those tests are skipped with the reason shown, unless LIQGUARD_REQUIRE_POSTGRES=1 (as in CI), where
a missing server is a failure.
"""

from __future__ import annotations

import asyncio
import os
import uuid

import asyncpg

ADMIN_DSN = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("LIQGUARD_REQUIRE_POSTGRES") == "1"


async def _create(name: str) -> None:
    conn = await asyncpg.connect(ADMIN_DSN, timeout=5)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _drop(name: str) -> None:
    conn = await asyncpg.connect(ADMIN_DSN, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def create_postgres_database() -> tuple[str | None, str]:
    """Create a throw-away database; returns (SQLAlchemy URL or None, reason when None)."""
    name = f"liqguard_test_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_create(name))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return None, f"no PostgreSQL server at {ADMIN_DSN.split('@')[-1]}: {exc}"
    base = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{name}", ""


def drop_postgres_database(url: str) -> None:
    """Drop a database made by `create_postgres_database`."""
    asyncio.run(_drop(url.rsplit("/", 1)[1]))


async def reset_postgres_schema(url: str) -> None:
    """Empty a test database so that each test starts from nothing."""
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()
