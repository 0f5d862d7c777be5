"""/alerts: the chat's alert settings, switched with inline buttons and a few words."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.chats.directory import ChatDirectory
from bot.commands.alert_words import apply_words
from bot.render.settings_text import render_settings, settings_keyboard
from bot.vocabulary.alert_settings import KIND_LABELS
from handlers.chats import may_change_group, remember_chat

__all__ = ["handlers"]

ADMINS_ONLY = "Only the group's admins change its alerts."
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def make_alerts(chats: ChatDirectory) -> Callback:
    """The /alerts handler."""

    async def alerts(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Show the settings, or change one and show them."""
        message = update.effective_message
        if message is None:
            return
        await remember_chat(chats, update.effective_chat)
        current = await chats.settings(message.chat_id)
        words = context.args or []
        if words and not await may_change_group(
            context.bot, message.chat, message.from_user, message.sender_chat
        ):
            await message.reply_text(ADMINS_ONLY)
            return
        thread = message.message_thread_id if message.is_topic_message else None
        result = apply_words(current.settings, current.timezone, words, thread)
        if isinstance(result, str):
            await message.reply_text(result)
            return
        settings, timezone = result
        await chats.change_settings(message.chat_id, settings, timezone)
        await message.reply_text(
            render_settings(settings, timezone),
            parse_mode=ParseMode.HTML,
            reply_markup=settings_keyboard(settings),
        )

    return alerts


def make_toggle(chats: ChatDirectory) -> Callback:
    """An alert-kind button: on → silent → off, the card edited in place."""

    async def toggle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Switch one kind and redraw."""
        query = update.callback_query
        if query is None or query.data is None or query.message is None:
            return
        kind = query.data.split("|")[1]
        if not await may_change_group(context.bot, query.message.chat, query.from_user, None):
            await query.answer(ADMINS_ONLY, show_alert=True)
            return
        changed = await chats.next_mode(query.message.chat.id, kind)
        if changed is None:  # a button of an older version
            await query.answer("Send /alerts again", show_alert=True)
            return
        settings = changed.settings
        await query.edit_message_text(
            render_settings(settings, changed.timezone),
            parse_mode=ParseMode.HTML,
            reply_markup=settings_keyboard(settings),
        )
        label = next((text for name, text in KIND_LABELS.items() if name == kind), kind)
        await query.answer(f"{label}: {settings.mode(kind)}")  # named as on its button

    return toggle


def handlers(chats: ChatDirectory) -> list[BaseHandler[Any, Any, Any]]:
    """The handlers of this module."""
    return [
        CommandHandler("alerts", make_alerts(chats)),
        CallbackQueryHandler(make_toggle(chats), pattern=r"^al\|\w+$"),
    ]
