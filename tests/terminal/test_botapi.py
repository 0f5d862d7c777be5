"""The terminal's loopback Bot API, driven by a real python-telegram-bot `Bot`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.terminal.botapi import CHAT_ID, TOKEN, LoopbackBotApi, Output


@pytest.fixture
async def loopback(tmp_path: Path) -> AsyncIterator[tuple[LoopbackBotApi, Bot, list[Output]]]:
    """A started loopback API, a Bot on it, and what it showed."""
    shown: list[Output] = []
    async with LoopbackBotApi(shown.append, tmp_path / "photos") as api:
        bot = Bot(TOKEN, base_url=api.base_url)
        async with bot:
            yield api, bot, shown


def _keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(x, callback_data=x) for x in labels]])


async def test_an_edit_keeps_button_numbers_and_a_removed_button_is_gone(loopback) -> None:
    """Buttons are numbered once; an edit with the same layout keeps them, one without drops them."""
    api, bot, shown = loopback
    first = await bot.send_message(CHAT_ID, "<b>card</b>", reply_markup=_keyboard("a", "b"))
    other = await bot.send_message(CHAT_ID, "list", reply_markup=_keyboard("c"))
    await bot.edit_message_text(
        "card 2", CHAT_ID, first.message_id, reply_markup=_keyboard("a", "b")
    )
    await bot.edit_message_text("list 2", CHAT_ID, other.message_id)
    numbers = [[b.number for row in o.buttons for b in row] for o in shown]
    assert numbers == [[1, 2], [3], [1, 2], []]
    assert shown[2].kind == "edit"
    assert api.press(2)
    assert not api.press(3)


async def test_a_repeated_edit_is_refused_as_telegram_does(loopback) -> None:
    """Editing a message to what it already says is a 400 "message is not modified"."""
    _api, bot, _shown = loopback
    sent = await bot.send_message(CHAT_ID, "same")
    with pytest.raises(Exception, match="not modified"):
        await bot.edit_message_text("same", CHAT_ID, sent.message_id)


async def test_photos_are_saved_and_their_path_shown(loopback, tmp_path: Path) -> None:
    """A photo's bytes land in the photo folder; the output names the file, with the caption."""
    _api, bot, shown = loopback
    await bot.send_photo(CHAT_ID, b"\x89PNG fake", caption="map")
    [photo] = shown
    assert photo.photo_path == tmp_path / "photos" / "photo-1.png"
    assert photo.photo_path.read_bytes() == b"\x89PNG fake"
    assert photo.text == "map"


async def test_a_wrong_token_is_unauthorized(tmp_path: Path) -> None:
    """Only the demo's token is accepted."""
    async with LoopbackBotApi(lambda _o: None, tmp_path) as api:
        status, body = await api.answer("1:wrong", "getMe", {}, {})
    assert status == 401
    assert body["ok"] is False
