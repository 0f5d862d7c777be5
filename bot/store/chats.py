"""The chats repository: who the bot talks to, their settings, timezone and paused state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.dialect import upsert
from bot.store.tables import chats, schedules, watches
from bot.vocabulary.records import Chat

__all__ = [
    "ChatRepo",
]


def _chat(row: RowMapping) -> Chat:
    return Chat(
        id=row["id"],
        type=row["type"],
        title=row["title"],
        timezone=row["timezone"],
        settings=dict(row["settings"] or {}),
        paused=bool(row["paused"]),
    )


class ChatRepo:
    """Chats the bot talks to, with their timezone and alert settings."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def upsert(self, chat: Chat, now: datetime) -> Chat:
        """Record a chat (type and title refreshed; settings, timezone and pause kept) and return it."""
        values = {
            "id": chat.id,
            "type": chat.type,
            "title": chat.title,
            "timezone": chat.timezone,
            "settings": chat.settings,
            "paused": chat.paused,
            "created_at": now,
            "updated_at": now,
        }
        changed = {"type": chat.type, "title": chat.title, "updated_at": now}
        async with self._engine.begin() as conn:
            await conn.execute(upsert(conn, chats, values, ["id"], changed))
            row = (await conn.execute(select(chats).where(chats.c.id == chat.id))).mappings().one()
        return _chat(row)

    async def get(self, chat_id: int) -> Chat | None:
        """The chat with this id, or None."""
        async with self._engine.connect() as conn:
            row = (
                (await conn.execute(select(chats).where(chats.c.id == chat_id))).mappings().first()
            )
        return _chat(row) if row else None

    async def update_settings(self, chat_id: int, settings: dict[str, Any], now: datetime) -> None:
        """Replace the chat's alert settings."""
        await self._set(chat_id, now, settings=settings)

    async def all(self) -> list[Chat]:
        """Every chat (the alert engine reads their settings)."""
        async with self._engine.connect() as conn:
            rows = (await conn.execute(select(chats).order_by(chats.c.id))).mappings().all()
        return [_chat(row) for row in rows]

    async def set_timezone(self, chat_id: int, timezone: str, now: datetime) -> None:
        """Set the IANA timezone replies and quiet hours use."""
        await self._set(chat_id, now, timezone=timezone)

    async def set_paused(self, chat_id: int, paused: bool, now: datetime) -> None:
        """Pause (the chat blocked the bot) or resume delivery to the chat."""
        await self._set(chat_id, now, paused=paused)

    async def delete(self, chat_id: int) -> bool:
        """Forget a chat with its watches and schedules; True when it existed."""
        async with self._engine.begin() as conn:
            await conn.execute(delete(watches).where(watches.c.chat_id == chat_id))
            await conn.execute(delete(schedules).where(schedules.c.chat_id == chat_id))
            result = await conn.execute(delete(chats).where(chats.c.id == chat_id))
        return result.rowcount > 0

    async def _set(self, chat_id: int, now: datetime, **values: Any) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(chats).where(chats.c.id == chat_id).values(updated_at=now, **values)
            )
