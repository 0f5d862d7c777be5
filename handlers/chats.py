"""What the handlers read about the chat they answer: its timezone, and who administers it."""

from __future__ import annotations

from telegram import Bot, Chat, User
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.chats.directory import ChatDirectory

__all__ = ["ADMIN_STATUSES", "GROUP_TYPES", "is_admin", "may_change_group", "remember_chat"]

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


async def remember_chat(chats: ChatDirectory, chat: Chat | None) -> None:
    """Record the chat (type and title) so watches and settings can hang off it."""
    if chat is not None:
        await chats.remember(chat.id, chat.type, chat.title)
