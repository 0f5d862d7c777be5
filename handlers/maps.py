"""/map COIN: the liquidation map chart with its reading as the caption; one map per chat every 10 s."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot.chats.cooldown import Cooldown
from bot.chats.directory import ChatDirectory
from bot.commands.coins import CoinError, require_coin
from bot.maps.service import LiquidationMapService
from bot.maps.view import draw_map, gather_map
from bot.market.state import MarketState
from bot.render.map_text import render_map_caption, render_map_text, render_map_wait
from bot.vocabulary.clock import Clock
from bot.vocabulary.scope import MarketScope

__all__ = ["MAP_INTERVAL_S", "handlers", "make_map_command"]

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
MAP_INTERVAL_S = 10.0


def make_map_command(
    market: MarketState,
    maps: LiquidationMapService,
    chats: ChatDirectory,
    *,
    scope: MarketScope,
    clock: Clock,
    cooldown: Cooldown,
) -> Callback:
    """The /map handler: parse → per-chat cooldown → gather → draw off the loop → reply."""

    async def liquidation_map(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer with the chart and its caption, the warming-up text, or a wait."""
        message = update.effective_message
        if message is None:
            return
        coin = require_coin(context.args or [], scope.symbols, command="map")
        if isinstance(coin, CoinError):
            await message.reply_text(coin.text, parse_mode=ParseMode.HTML)
            return
        admission = cooldown.admit(message.chat_id)
        if not admission.allowed:
            await message.reply_text(render_map_wait(cooldown.interval_s, admission))
            return
        view = await gather_map(
            market, maps, coin, preferred_venue=scope.default_venue, now=clock(),
        )  # fmt: skip
        timezone = await chats.timezone(message.chat_id)
        if view.quote is None or view.modeled.is_empty:
            await message.reply_text(render_map_text(view), parse_mode=ParseMode.HTML)
            return
        await message.reply_photo(
            await draw_map(view, timezone),
            caption=render_map_caption(view, timezone),
            parse_mode=ParseMode.HTML,
        )

    return liquidation_map


def handlers(
    market: MarketState,
    maps: LiquidationMapService,
    chats: ChatDirectory,
    scope: MarketScope,
    clock: Clock,
) -> list[BaseHandler[Any, Any, Any]]:
    """The handlers of this module; the cooldown lives as long as the Application."""
    command = make_map_command(
        market, maps, chats, scope=scope, clock=clock, cooldown=Cooldown(MAP_INTERVAL_S)
    )
    return [CommandHandler("map", command)]
