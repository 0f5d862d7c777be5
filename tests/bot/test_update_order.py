"""Per-chat ordering of concurrently processed updates."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update

from bot.runtime.update_order import PerChatUpdateProcessor


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, "private")
    sent_at = datetime(2026, 1, 1, tzinfo=UTC)
    return Update(update_id, message=Message(update_id, date=sent_at, chat=chat))


async def test_one_chat_in_order_others_in_parallel() -> None:
    """A chat's updates finish in arrival order even when the first is slow; another chat overtakes."""
    processor = PerChatUpdateProcessor(16)
    done: list[str] = []

    async def handle(name: str, delay_s: float) -> None:
        await asyncio.sleep(delay_s)
        done.append(name)

    tasks = [
        asyncio.create_task(processor.process_update(_update(1, 7), handle("7-first-slow", 0.05))),
        asyncio.create_task(processor.process_update(_update(2, 7), handle("7-second-fast", 0.0))),
        asyncio.create_task(processor.process_update(_update(3, 8), handle("8-fast", 0.0))),
    ]
    await asyncio.gather(*tasks)
    assert done == ["8-fast", "7-first-slow", "7-second-fast"]
    assert processor._locks == {}
