"""/funding [COIN]: funding per venue, normalised to 8h and annualised, with the next funding time."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot.commands.coins import CoinError, read_coin
from bot.render.funding_text import render_funding_coin, render_funding_table
from bot.services import Services
from handlers.chats import chat_timezone

__all__ = ["handlers", "make_funding_command"]

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def make_funding_command(services: Services) -> Callback:
    """The /funding handler: parse → live quotes → render → reply."""

    async def funding(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer with one coin in full, or the 8h table of every tracked coin."""
        message = update.effective_message
        if message is None:
            return
        settings = services.settings
        coin = read_coin(context.args or [], settings.symbols, command="funding")
        if isinstance(coin, CoinError):
            await message.reply_text(coin.text, parse_mode=ParseMode.HTML)
            return
        now, timezone = services.clock(), await chat_timezone(services, message.chat_id)
        quotes = services.market.quotes(coin, now)
        text = (
            render_funding_coin(coin, quotes, settings.venues, now=now, timezone=timezone)
            if coin
            else render_funding_table(
                settings.symbols, quotes, settings.venues, now=now, timezone=timezone
            )
        )
        await message.reply_text(text, parse_mode=ParseMode.HTML)

    return funding


def handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """The handlers of this module."""
    return [CommandHandler("funding", make_funding_command(services))]
