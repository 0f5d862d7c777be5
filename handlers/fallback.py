"""What no other handler took: unknown commands and plain text. Registered last, so it never shadows one.

Private chat: an unknown command gets the closest known one and /help; text that reads like a position
is answered as /risk answers it; other text gets a one-line hint. Group: only a command addressed to
this bot (`/cmd@bot`) or a message replying to the bot is answered, so the bot never talks over people.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import BaseHandler, ContextTypes, MessageHandler, filters

from bot.chats.directory import ChatDirectory
from bot.commands.unknown import PLAIN_TEXT_HINT, position_words, unknown_command_reply
from bot.desk.risk_desk import RiskDesk
from handlers.risk import answer_risk

__all__ = ["handlers"]

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def _addressed(message: Message, bot_id: int, bot_username: str | None, named: str | None) -> bool:
    """Whether a group message is for this bot: `/cmd@thisbot`, or a reply to one of its messages."""
    if named is not None:
        return bot_username is not None and named.lower() == bot_username.lower()
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.id == bot_id


def make_unknown_command(known: Sequence[str]) -> Callback:
    """Answer a command no handler knows with the closest known one and /help."""

    async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Say which command was probably meant."""
        message = update.effective_message
        if message is None or not message.text:
            return
        head, *args = message.text.split()
        name, _, named = head[1:].partition("@")
        private = message.chat.type == ChatType.PRIVATE
        if named and named.lower() != context.bot.username.lower():
            return  # addressed to another bot
        if not private and not _addressed(
            message, context.bot.id, context.bot.username, named or None
        ):
            return
        await message.reply_text(
            unknown_command_reply(name, args, known), parse_mode=ParseMode.HTML
        )

    return unknown_command


def make_plain_text(desk: RiskDesk, chats: ChatDirectory) -> Callback:
    """Answer plain text in a private chat: a position as /risk would, anything else with a hint."""

    async def plain_text(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Read the text as a position, or hint at how to ask."""
        message = update.effective_message
        if message is None or not message.text:
            return
        words = position_words(message.text, desk.symbols)
        if words is None:
            await message.reply_text(PLAIN_TEXT_HINT, parse_mode=ParseMode.HTML)
            return
        await answer_risk(desk, chats, update, words)

    return plain_text


def handlers(
    desk: RiskDesk, chats: ChatDirectory, known: Sequence[str]
) -> list[BaseHandler[Any, Any, Any]]:
    """The fallback handlers; `known` are the commands every other handler answers."""
    return [
        MessageHandler(filters.COMMAND, make_unknown_command(known)),
        MessageHandler(
            filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE,
            make_plain_text(desk, chats),
        ),
    ]
