"""/funding [COIN]: funding per venue, normalised to 8h and annualised, with the next funding time."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot.chats.directory import ChatDirectory
from bot.commands.coins import CoinError, read_coin
from bot.market.state import MarketState
from bot.render.funding_text import render_funding_coin, render_funding_table
from bot.vocabulary.clock import Clock
from bot.vocabulary.scope import MarketScope

__all__ = ["handlers", "make_funding_command"]

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def make_funding_command(
    market: MarketState, chats: ChatDirectory, scope: MarketScope, clock: Clock
) -> Callback:
    """The /funding handler: parse → live quotes → render → reply."""

    async def funding(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer with one coin in full, or the 8h table of every tracked coin."""
        message = update.effective_message
        if message is None:
            return
        coin = read_coin(context.args or [], scope.symbols, command="funding")
        if isinstance(coin, CoinError):
            await message.reply_text(coin.text, parse_mode=ParseMode.HTML)
            return
        now, timezone = clock(), await chats.timezone(message.chat_id)
        quotes = market.quotes(coin, now)
        text = (
            render_funding_coin(coin, quotes, scope.venues, now=now, timezone=timezone)
            if coin
            else render_funding_table(
                scope.symbols, quotes, scope.venues, now=now, timezone=timezone
            )
        )
        await message.reply_text(text, parse_mode=ParseMode.HTML)

    return funding


def handlers(
    market: MarketState, chats: ChatDirectory, scope: MarketScope, clock: Clock
) -> list[BaseHandler[Any, Any, Any]]:
    """The handlers of this module."""
    return [CommandHandler("funding", make_funding_command(market, chats, scope, clock))]
