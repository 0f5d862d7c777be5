"""What the handlers read about the chat they answer: its timezone."""

from __future__ import annotations

from bot.services import Services

__all__ = ["chat_timezone"]


async def chat_timezone(services: Services, chat_id: int) -> str:
    """The chat's timezone as stored by /alerts; UTC for a chat the store does not know."""
    return await services.timezones.get(chat_id)
