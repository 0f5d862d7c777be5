"""What the handlers read about the chat they answer: its timezone, and who administers it."""

from __future__ import annotations

from telegram import Bot, CallbackQuery, Chat, InlineKeyboardMarkup, User
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, TelegramError

from bot.chats.directory import ChatDirectory
from bot.chats.members import Member

__all__ = [
    "ADMIN_STATUSES",
    "GROUP_TYPES",
    "acting_member",
    "edit_in_place",
    "is_admin",
    "may_change_group",
    "owner_of",
    "remember_chat",
]

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


def owner_of(chat: Chat, user: User | None) -> Member:
    """Who sets a watch in `chat` (no admin check: owning a watch needs none)."""
    group = chat.type in GROUP_TYPES
    name = user.full_name if user else None
    return Member(user.id if user else None, name, admin=not group, group=group)


async def acting_member(
    bot: Bot, chat: Chat, user: User | None, sender_chat: Chat | None = None
) -> Member:
    """Who acts in `chat`, and whether they may change what a group shares (`may_change_group`)."""
    admin = await may_change_group(bot, chat, user, sender_chat)
    owner = owner_of(chat, user)
    return Member(owner.user_id, owner.name, admin=admin, group=owner.group)


async def edit_in_place(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Redraw the message under a button; the same text again (a second press) is no error."""
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
