"""What the handlers read about the chat they answer: its timezone, and who administers it."""

from __future__ import annotations

from telegram import Bot, Chat, User
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.services import Services

__all__ = ["ADMIN_STATUSES", "GROUP_TYPES", "chat_timezone", "is_admin", "may_change_group"]

ADMIN_STATUSES = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})
GROUP_TYPES = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})


async def is_admin(bot: Bot, chat_id: int | str, user_id: int) -> bool:
    """Whether `user_id` is the creator or an administrator of the chat (False when unknown)."""
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except TelegramError:
        return False
    return member.status in ADMIN_STATUSES


async def may_change_group(
    bot: Bot, chat: Chat, user: User | None, sender_chat: Chat | None
) -> bool:
    """In a group only admins change shared settings (an anonymous admin posts as the group itself);
    elsewhere the chat's own user may."""
    if chat.type not in GROUP_TYPES:
        return True
    if sender_chat is not None and sender_chat.id == chat.id:
        return True
    return user is not None and await is_admin(bot, chat.id, user.id)


async def chat_timezone(services: Services, chat_id: int) -> str:
    """The chat's timezone as stored by /alerts; UTC for a chat the store does not know."""
    return await services.timezones.get(chat_id)
