"""/summary and /schedule: the market-desk note now, or on a timetable for a group or a channel.

Only admins change a schedule: in a group the sender must be one (`getChatMember`, or an anonymous
admin posting as the group); a channel is scheduled from a private chat, when the bot is an admin of
the channel and so is the user. Every summary goes out through the outbox.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Bot, Message, Update, User
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot.chats.directory import ChatDirectory
from bot.chats.schedules import ScheduleBook, ScheduleChange, ScheduleTarget
from bot.commands.summaries import ScheduleRequest, Usage, parse_schedule_args, parse_summary_args
from bot.render.schedule_text import (
    render_schedule,
    render_schedule_missing,
    render_schedule_stopped,
)
from bot.summaries.posts import SummaryDesk
from handlers.chats import GROUP_TYPES, is_admin, remember_chat

__all__ = ["handlers"]

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


async def _sender_is_admin(bot: Bot, chat_id: int, user: User | None) -> bool:
    return user is not None and await is_admin(bot, chat_id, user.id)


def _topic(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


def make_summary(summaries: SummaryDesk, chats: ChatDirectory) -> Callback:
    """The /summary handler."""

    async def summary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Post the summary now (through the outbox), with the chart when asked."""
        message = update.effective_message
        if message is None:
            return
        request = parse_summary_args(context.args or [], summaries.symbols)
        if isinstance(request, Usage):
            await message.reply_text(request.text, parse_mode=ParseMode.HTML)
            return
        await remember_chat(chats, update.effective_chat)
        timezone = await chats.timezone(message.chat_id)
        post = await summaries.post(timezone=timezone, symbol=request.symbol, chart=request.chart)
        key = f"summary:{message.chat_id}:ask:{message.message_id}"
        await summaries.enqueue(key, message.chat_id, post, _topic(message))

    return summary


async def _group_target(
    chats: ChatDirectory, update: Update, bot: Bot, request: ScheduleRequest
) -> ScheduleTarget | str:
    message, user = update.effective_message, update.effective_user
    assert message is not None
    if request.channel is not None:
        return "Schedule a channel from a private chat with me."
    anonymous_admin = message.sender_chat is not None and message.sender_chat.id == message.chat_id
    changes = request.action != "show"  # anyone may look; only admins change
    if changes and not anonymous_admin and not await _sender_is_admin(bot, message.chat_id, user):
        return "Only the group's admins can change its summary schedule."
    await remember_chat(chats, update.effective_chat)
    timezone = await chats.timezone(message.chat_id)
    return ScheduleTarget(message.chat_id, timezone, "this group", _topic(message))


async def _channel_target(
    chats: ChatDirectory, update: Update, bot: Bot, request: ScheduleRequest
) -> ScheduleTarget | str:
    message, user = update.effective_message, update.effective_user
    assert message is not None
    assert user is not None
    if request.channel is None:
        return "Name the channel: /schedule @mychannel daily 08:00 (for a group, send /schedule there)."
    try:
        channel = await bot.get_chat(request.channel)
    except TelegramError:
        return f"I can't find {request.channel}. Add me to the channel as an admin, then try again."
    if channel.type != ChatType.CHANNEL:
        return f"{request.channel} is not a channel; for a group, send /schedule in the group."
    title = channel.title or str(channel.id)
    if not await is_admin(bot, channel.id, bot.id):
        return f"I am not an admin of {title}: add me as an admin who can post, then try again."
    if not await is_admin(bot, channel.id, user.id):
        return f"Only admins of {title} can schedule its summaries."
    await remember_chat(chats, update.effective_chat)
    timezone = await chats.timezone(message.chat_id)
    await chats.adopt_channel(channel.id, channel.title, timezone)
    return ScheduleTarget(channel.id, timezone, title, channel=True)


def _answer(target: ScheduleTarget, change: ScheduleChange) -> str:
    """What /schedule says about what it did."""
    if change.schedule is None:
        if change.changed:
            return render_schedule_stopped(target.where, existed=change.existed)
        return render_schedule_missing(target.where)
    return render_schedule(
        change.schedule, target.timezone, target.where, changed=change.changed,
        channel=target.channel,
    )  # fmt: skip


def make_schedule(schedules: ScheduleBook, chats: ChatDirectory) -> Callback:
    """The /schedule handler."""

    async def schedule(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Show, set or stop the summary schedule of this group, or of a channel from a private chat."""
        message, user = update.effective_message, update.effective_user
        if message is None:
            return
        request = parse_schedule_args(context.args or [])
        if isinstance(request, Usage):
            await message.reply_text(request.text, parse_mode=ParseMode.HTML)
            return
        if message.chat.type in GROUP_TYPES:
            target = await _group_target(chats, update, context.bot, request)
        elif message.chat.type == ChatType.PRIVATE and user is not None:
            target = await _channel_target(chats, update, context.bot, request)
        else:
            return
        if isinstance(target, str):
            await message.reply_text(target)
            return
        change = await schedules.apply(target, request, user.id if user else None)
        answer = _answer(target, change)
        await message.reply_text(answer, parse_mode=ParseMode.HTML)

    return schedule


def handlers(
    summaries: SummaryDesk, schedules: ScheduleBook, chats: ChatDirectory
) -> list[BaseHandler[Any, Any, Any]]:
    """The handlers of this module."""
    return [
        CommandHandler("summary", make_summary(summaries, chats)),
        CommandHandler("schedule", make_schedule(schedules, chats)),
    ]
