"""/liqs [COIN]: realized liquidations over 1h … 7d, with the coverage behind every total."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot.chats.directory import ChatDirectory
from bot.commands.coins import CoinError, read_coin
from bot.market.state import MarketState
from bot.render.liqs_text import render_liqs
from bot.vocabulary.clock import Clock
from bot.vocabulary.scope import MarketScope

__all__ = ["handlers", "make_liqs_command"]

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def make_liqs_command(
    market: MarketState, chats: ChatDirectory, scope: MarketScope, clock: Clock
) -> Callback:
    """The /liqs handler: parse → market totals and coverage → render → reply."""

    async def liqs(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer with the totals per window, or a line naming the unknown coin."""
        message = update.effective_message
        if message is None:
            return
        coin = read_coin(context.args or [], scope.symbols, command="liqs")
        if isinstance(coin, CoinError):
            await message.reply_text(coin.text, parse_mode=ParseMode.HTML)
            return
        now = clock()
        totals = market.all_totals(coin, now)
        coverages = [market.coverage(t.window, now) for t in totals]
        timezone = await chats.timezone(message.chat_id)
        text = render_liqs(totals, coverages, symbol=coin, now=now, timezone=timezone)
        await message.reply_text(text, parse_mode=ParseMode.HTML)

    return liqs


def handlers(
    market: MarketState, chats: ChatDirectory, scope: MarketScope, clock: Clock
) -> list[BaseHandler[Any, Any, Any]]:
    """The handlers of this module."""
    return [CommandHandler("liqs", make_liqs_command(market, chats, scope, clock))]
