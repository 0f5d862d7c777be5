"""Ingest leadership: one worker at a time runs the feeds and the alert jobs.

On PostgreSQL the leader holds a session-level advisory lock on a connection it keeps open; when the
process dies the connection closes and the lock is free for the next worker. SQLite is one machine and
one worker by construction, so the lock is always granted there.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

__all__ = ["LEADER_LOCK_KEY", "LeaderLock"]

LEADER_LOCK_KEY = 0x6C69_7167  # "liqg"


class LeaderLock:
    """A non-blocking leadership lock; `acquire` may be retried until it returns True."""

    def __init__(self, engine: AsyncEngine, key: int = LEADER_LOCK_KEY) -> None:
        self._engine = engine
        self._key = key
        self._conn: AsyncConnection | None = None
        self.held = False

    async def acquire(self) -> bool:
        """Try to become the leader; True when this process holds the lock."""
        if self.held:
            return True
        if self._engine.dialect.name != "postgresql":
            self.held = True
            return True
        conn = await self._engine.connect()
        got = await conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key})
        await conn.commit()
        if got:
            self._conn, self.held = conn, True
        else:
            await conn.close()
        return self.held

    async def release(self) -> None:
        """Give up leadership (closing the connection frees the lock)."""
        if self._conn is not None:
            await self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            await self._conn.close()
            self._conn = None
        self.held = False
