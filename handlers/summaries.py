"""/summary and /schedule: the market-desk note now, or on a timetable for a group or a channel.

Only admins change a schedule: in a group the sender must be one (`getChatMember`, or an anonymous
admin posting as the group); a channel is scheduled from a private chat, when the bot is an admin of
the channel and so is the user. Every summary goes out through the outbox.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import Bot, Message, Update, User
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot.commands.summaries import ScheduleRequest, Usage, parse_schedule_args, parse_summary_args
from bot.render.schedule_text import (
    render_schedule,
    render_schedule_missing,
    render_schedule_stopped,
)
from bot.services import Services
from bot.summaries.posts import SUMMARY_KINDS, enqueue_summary, schedule_kind, summary_post
from bot.summaries.timetable import next_run
from bot.vocabulary.records import Chat, Schedule
from handlers.chats import GROUP_TYPES, is_admin
from handlers.watch import remember_chat

__all__ = ["handlers"]

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


async def _sender_is_admin(bot: Bot, chat_id: int, user: User | None) -> bool:
    return user is not None and await is_admin(bot, chat_id, user.id)


def _topic(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


def make_summary(services: Services) -> Callback:
    """The /summary handler."""

    async def summary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Post the summary now (through the outbox), with the chart when asked."""
        message = update.effective_message
        if message is None:
            return
        request = parse_summary_args(context.args or [], services.settings.symbols)
        if isinstance(request, Usage):
            await message.reply_text(request.text, parse_mode=ParseMode.HTML)
            return
        await remember_chat(services, update)
        chat = await services.store.chats.get(message.chat_id)
        post = await summary_post(
            services, timezone=chat.timezone if chat else "UTC",
            symbol=request.symbol, chart=request.chart,
        )  # fmt: skip
        key = f"summary:{message.chat_id}:ask:{message.message_id}"
        await enqueue_summary(services, key, message.chat_id, post, _topic(message))

    return summary


@dataclass(frozen=True, slots=True)
class _Target:
    """The chat whose schedule a /schedule changes, in the words the answer uses."""

    chat_id: int
    timezone: str
    where: str
    topic_id: int | None = None
    channel: bool = False


async def _group_target(
    services: Services, update: Update, bot: Bot, request: ScheduleRequest
) -> _Target | str:
    message, user = update.effective_message, update.effective_user
    assert message is not None
    if request.channel is not None:
        return "Schedule a channel from a private chat with me."
    anonymous_admin = message.sender_chat is not None and message.sender_chat.id == message.chat_id
    changes = request.action != "show"  # anyone may look; only admins change
    if changes and not anonymous_admin and not await _sender_is_admin(bot, message.chat_id, user):
        return "Only the group's admins can change its summary schedule."
    await remember_chat(services, update)
    chat = await services.store.chats.get(message.chat_id)
    return _Target(message.chat_id, chat.timezone if chat else "UTC", "this group", _topic(message))


async def _channel_target(
    services: Services, update: Update, bot: Bot, request: ScheduleRequest
) -> _Target | str:
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
    await remember_chat(services, update)
    own = await services.store.chats.get(message.chat_id)
    timezone, now = own.timezone if own else "UTC", services.clock()
    await services.store.chats.upsert(Chat(channel.id, ChatType.CHANNEL, channel.title), now)
    await services.store.chats.set_timezone(channel.id, timezone, now)
    services.timezones.forget(channel.id)
    return _Target(channel.id, timezone, title, channel=True)


async def _apply(
    services: Services, target: _Target, request: ScheduleRequest, user_id: int | None
) -> str:
    schedules = services.store.schedules
    current = [s for s in await schedules.list_for_chat(target.chat_id) if s.kind in SUMMARY_KINDS]
    if request.action == "show":
        if not current:
            return render_schedule_missing(target.where)
        return render_schedule(
            current[0], target.timezone, target.where, changed=False, channel=target.channel
        )
    for kind in SUMMARY_KINDS:
        if request.action == "off" or kind != schedule_kind(request.chart):
            await schedules.remove(target.chat_id, kind)
    if request.action == "off":
        return render_schedule_stopped(target.where, existed=bool(current))
    assert request.cadence is not None
    first = next_run(request.cadence, request.at_time, target.timezone, services.clock())
    stored = await schedules.upsert(
        Schedule(target.chat_id, schedule_kind(request.chart), request.cadence, request.at_time,
                 target.topic_id, user_id, next_run_at=first)
    )  # fmt: skip
    return render_schedule(
        stored, target.timezone, target.where, changed=True, channel=target.channel
    )


def make_schedule(services: Services) -> Callback:
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
            target = await _group_target(services, update, context.bot, request)
        elif message.chat.type == ChatType.PRIVATE and user is not None:
            target = await _channel_target(services, update, context.bot, request)
        else:
            return
        if isinstance(target, str):
            await message.reply_text(target)
            return
        answer = await _apply(services, target, request, user.id if user else None)
        await message.reply_text(answer, parse_mode=ParseMode.HTML)

    return schedule


def handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """The handlers of this module."""
    return [
        CommandHandler("summary", make_summary(services)),
        CommandHandler("schedule", make_schedule(services)),
    ]
