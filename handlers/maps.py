"""/map COIN: the liquidation map chart with its reading as the caption; one map per chat every 10 s."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot.chats.cooldown import Cooldown
from bot.commands.coins import CoinError, require_coin
from bot.maps.score import load_score
from bot.maps.view import draw_map, gather_map
from bot.render.map_text import render_map_caption, render_map_text, render_map_wait
from bot.services import Services
from handlers.chats import chat_timezone

__all__ = ["MAP_INTERVAL_S", "handlers", "make_map_command"]

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
MAP_INTERVAL_S = 10.0


def make_map_command(services: Services, cooldown: Cooldown) -> Callback:
    """The /map handler: parse → per-chat cooldown → gather → draw off the loop → reply."""

    async def liquidation_map(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer with the chart and its caption, the warming-up text, or a wait."""
        message = update.effective_message
        if message is None:
            return
        settings = services.settings
        coin = require_coin(context.args or [], settings.symbols, command="map")
        if isinstance(coin, CoinError):
            await message.reply_text(coin.text, parse_mode=ParseMode.HTML)
            return
        admission = cooldown.admit(message.chat_id)
        if not admission.allowed:
            await message.reply_text(render_map_wait(cooldown.interval_s, admission))
            return
        now = services.clock()
        view = await gather_map(
            services.market, services.maps, coin, preferred_venue=settings.default_venue, now=now,
            score=await load_score(services.store, coin, now),
        )  # fmt: skip
        timezone = await chat_timezone(services, message.chat_id)
        if view.quote is None or view.modeled.is_empty:
            await message.reply_text(render_map_text(view), parse_mode=ParseMode.HTML)
            return
        await message.reply_photo(
            await draw_map(view, timezone),
            caption=render_map_caption(view, timezone),
            parse_mode=ParseMode.HTML,
            filename=f"liquidation-map-{coin}.png",  # named, so it goes up as image/png
        )

    return liquidation_map


def handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """The handlers of this module; the cooldown lives as long as the Application."""
    return [CommandHandler("map", make_map_command(services, Cooldown(MAP_INTERVAL_S)))]
