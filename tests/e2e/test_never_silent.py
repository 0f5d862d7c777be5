"""Never silent: unknown commands, plain text and overlong input all get a visible, acceptable reply."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from handlers.errors import APOLOGY
from tests.e2e.harness import running_bot


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/nosuchcommand", "I don't know /nosuchcommand. Send /help for every command."),
        ("/price BTC", "Did you mean <code>/risk BTC</code>?"),
        ("/liq BTC", "Did you mean <code>/liqs BTC</code>?"),
        ("/risk_ SOL 25x", "Did you mean <code>/risk SOL 25x</code>?"),
    ],
)
async def test_unknown_commands_in_private_get_the_closest_and_help(
    tmp_path: Path, text: str, expected: str
) -> None:
    """An unknown command in a private chat is answered with the closest command and /help."""
    async with running_bot(tmp_path) as bot:
        bot.telegram.push_message(20, text)
        [reply] = await bot.telegram.wait_for("sendMessage")
    assert expected in reply.params["text"]
    assert "/help" in reply.params["text"]
    assert reply.ok


async def test_groups_hear_only_what_is_addressed_to_the_bot(tmp_path: Path) -> None:
    """In a group an unknown command is answered only as /cmd@bot or in reply to the bot."""
    async with running_bot(tmp_path) as bot:
        tg, name = bot.telegram, bot.telegram.bot_user["username"]
        tg.push_message(-100500, "/nosuchcommand", chat_type="supergroup")
        tg.push_message(-100500, "/price@some_other_bot BTC", chat_type="supergroup")
        tg.push_message(-100500, f"/price@{name} BTC", chat_type="supergroup")
        [first] = await tg.wait_for("sendMessage")
        tg.push_message(
            -100500, "/liq", chat_type="supergroup", reply_to=first.result["message_id"]
        )
        replies = await tg.wait_for("sendMessage", count=2)
    assert [r.params["text"].split("?")[0] for r in replies] == [
        "I don't know /price. Did you mean <code>/risk BTC</code>",
        "I don't know /liq. Did you mean <code>/liqs</code>",
    ]


@pytest.mark.parametrize(
    "text", ["BTC 10x long", "eth 20x short @ 3200", "what's my liq price for btc 10x long?"]
)
async def test_plain_text_that_reads_like_a_position_gets_the_card(
    tmp_path: Path, text: str
) -> None:
    """Plain text naming a position is answered with the same card as /risk."""
    async with running_bot(tmp_path) as bot:
        bot.telegram.push_message(21, text)
        [reply] = await bot.telegram.wait_for("sendMessage")
    assert "<b>Liquidation " in reply.params["text"]
    assert reply.params["reply_markup"]["inline_keyboard"][0][0]["text"] == "🔄 Refresh"


async def test_other_plain_text_gets_a_one_line_hint(tmp_path: Path) -> None:
    """Plain text that is no position gets a one-line hint."""
    async with running_bot(tmp_path) as bot:
        bot.telegram.push_message(22, "hello there")
        [reply] = await bot.telegram.wait_for("sendMessage")
    assert reply.params["text"].startswith("Send a position like <code>BTC 10x long</code>")
    assert "\n" not in reply.params["text"]


@pytest.mark.parametrize(
    "text",
    [
        "/risk " + "A" * 5000,
        "/risk BTC 10x long " + "<b>" * 1500,
        "/map " + "Z" * 5000,
        "/funding " + "Z&" * 2000,
        "/summary " + "Q" * 5000,
        "/schedule " + "W" * 5000,
        "/alerts " + "Y" * 5000,
        "/unwatch " + "9" * 5000,
        "/watch BTC 10x long @ " + "9" * 4000,
        "/" + "n" * 4000,
    ],
)
async def test_overlong_input_is_quoted_short(tmp_path: Path, text: str) -> None:
    """A 5,000-character argument is echoed cut short, so Telegram accepts the reply."""
    async with running_bot(tmp_path) as bot:
        bot.telegram.push_message(23, text)
        [reply] = await bot.telegram.wait_for("sendMessage")
    assert reply.ok, reply.result
    assert len(reply.params["text"]) < 1000
    assert reply.params["text"] != APOLOGY


async def test_wallet_without_cross_says_how_it_was_read(tmp_path: Path) -> None:
    """`wallet 20000` without `cross` is not ignored silently: the card says it was read as isolated."""
    async with running_bot(tmp_path) as bot:
        bot.telegram.push_message(24, "/risk BTC 10x long wallet 20000")
        [reply] = await bot.telegram.wait_for("sendMessage")
    assert "isolated" in reply.params["text"].split("\n")[0]
    assert (
        "ℹ️ wallet counts in cross margin only: read as isolated; add 'cross'"
        in reply.params["text"]
    )


async def test_a_coin_no_venue_lists_is_dropped_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """`SYMBOLS=BTC,ETH,FOOBAR`: FOOBAR is dropped at start with one line; /funding reads cleanly."""
    with caplog.at_level(logging.WARNING, logger="bot.app"):
        async with running_bot(tmp_path, unlisted_symbols=("FOOBAR",)) as bot:
            assert bot.services.settings.symbols == ["BTC", "ETH"]
            bot.telegram.push_message(25, "/funding")
            [reply] = await bot.telegram.wait_for("sendMessage")
    warnings = [r.getMessage() for r in caplog.records if "SYMBOLS" in r.getMessage()]
    assert warnings == [
        "SYMBOLS: FOOBAR listed by none of binance, bybit, hyperliquid, okx; dropped (tracking BTC, ETH)"
    ]
    assert "FOOBA" not in reply.params["text"]
    assert "—" not in reply.params["text"].split("<pre>")[1].split("</pre>")[0].split("\n")[1]
