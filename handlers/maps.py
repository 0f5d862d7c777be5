"""/map COIN [heatmap]: the liquidation map chart with its reading as the caption and a heatmap button,
or the map over time; one map per chat every 10 s, and one heatmap by button."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.chats.cooldown import Cooldown
from bot.chats.directory import ChatDirectory
from bot.commands.coins import CoinError
from bot.commands.map_args import MapRequest, parse_map_args
from bot.maps.heatmap import gather_heatmap
from bot.maps.service import LiquidationMapService
from bot.maps.view import draw_heatmap, draw_map, gather_map
from bot.market.state import MarketState
from bot.render.heatmap_text import render_heatmap_caption
from bot.render.map_text import render_map_caption, render_map_text, render_map_wait
from bot.vocabulary.clock import Clock
from bot.vocabulary.scope import MarketScope

__all__ = ["MAP_INTERVAL_S", "MapSender", "handlers", "make_heatmap_button", "make_map_command"]

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
MAP_INTERVAL_S = 10.0
HEATMAP_BUTTON = "mh|"


def _heatmap_button(coin: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("🔥 Heatmap over time", callback_data=f"{HEATMAP_BUTTON}{coin}")]]
    )


@dataclass(frozen=True, slots=True)
class MapSender:
    """Gather → draw off the loop → send: the map (with its heatmap button) or the heatmap."""

    market: MarketState
    maps: LiquidationMapService
    chats: ChatDirectory
    scope: MarketScope
    clock: Clock

    async def send(self, message: Message, request: MapRequest) -> None:
        """Reply with the chart or the heatmap and its caption, or the warming-up text."""
        now, coin = self.clock(), request.coin
        view = await gather_map(
            self.market, self.maps, coin, preferred_venue=self.scope.default_venue, now=now
        )
        timezone = await self.chats.timezone(message.chat_id)
        if view.quote is None or view.modeled.is_empty:
            await message.reply_text(render_map_text(view), parse_mode=ParseMode.HTML)
            return
        if request.heatmap:
            heat = await gather_heatmap(self.maps, coin, mark=view.quote.mark_price, now=now)
            await message.reply_photo(
                await draw_heatmap(heat, timezone), caption=render_heatmap_caption(heat),
                parse_mode=ParseMode.HTML, filename=f"liquidation-heatmap-{coin}.png",
            )  # fmt: skip
            return
        await message.reply_photo(
            await draw_map(view, timezone),
            caption=render_map_caption(view, timezone),
            parse_mode=ParseMode.HTML,
            filename=f"liquidation-map-{coin}.png",  # named, so it goes up as image/png
            reply_markup=_heatmap_button(coin),
        )


def make_map_command(sender: MapSender, cooldown: Cooldown) -> Callback:
    """The /map handler: parse → per-chat cooldown → send."""

    async def liquidation_map(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer /map COIN [heatmap] with a chart, the warming-up text, or a wait."""
        message = update.effective_message
        if message is None:
            return
        request = parse_map_args(context.args or [], sender.scope.symbols)
        if isinstance(request, CoinError):
            await message.reply_text(request.text, parse_mode=ParseMode.HTML)
            return
        admission = cooldown.admit(message.chat_id)
        if not admission.allowed:
            await message.reply_text(render_map_wait(cooldown.interval_s, admission))
            return
        await sender.send(message, request)

    return liquidation_map


def make_heatmap_button(sender: MapSender, cooldown: Cooldown) -> Callback:
    """The heatmap button under /map: one heatmap per chat every 10 s; a press too soon gets a toast."""

    async def heatmap_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Send the heatmap of the button's coin, or say when it can be pressed again."""
        del context
        query = update.callback_query
        if query is None or not isinstance(query.message, Message):
            return
        coin = (query.data or "").removeprefix(HEATMAP_BUTTON)
        if coin not in sender.scope.symbols:
            await query.answer("That coin is no longer tracked.")
            return
        admission = cooldown.admit(query.message.chat_id)
        if not admission.allowed:
            await query.answer(render_map_wait(cooldown.interval_s, admission))
            return
        await query.answer()
        await sender.send(query.message, MapRequest(coin, heatmap=True))

    return heatmap_pressed


def handlers(
    market: MarketState,
    maps: LiquidationMapService,
    chats: ChatDirectory,
    scope: MarketScope,
    clock: Clock,
) -> list[BaseHandler[Any, Any, Any]]:
    """The handlers of this module; the cooldowns live as long as the Application."""
    sender = MapSender(market, maps, chats, scope, clock)
    return [
        CommandHandler("map", make_map_command(sender, Cooldown(MAP_INTERVAL_S))),
        CallbackQueryHandler(
            make_heatmap_button(sender, Cooldown(MAP_INTERVAL_S)), pattern=r"^mh\|\w+$"
        ),
    ]
